"""What the understanding step says about one message: its intent and the data found in it."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from typing import Any


class Intent(StrEnum):
    DANGER = "danger"  # someone is harmed, held or exploited now, at home or abroad
    OFFER = "offer"  # a job offer, an advert, or a recruitment under way to assess
    QUESTION = "question"  # asks for information
    REPORT = "report"  # wants to report a recruiter or a problem
    STATUS = "status"  # asks about a case
    NAVIGATION = "navigation"  # next, back, more, menu, a choice
    SMALLTALK = "smalltalk"  # greetings, thanks, ok, goodbye
    COMMAND = "command"  # language, my data, delete my data, help, start
    UNKNOWN = "unknown"


class Answer(StrEnum):
    """How a short reply answers a question in a form."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"  # "tidak tahu", "gak tau", "skip", "-"


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    also: tuple[Intent, ...] = ()
    topic: str | None = None  # guidance article id
    country: str | None = None  # ISO 3166 alpha-2
    case: str | None = None  # "MA-XXXXX"
    place: str | None = None  # kab/kota code
    # Beyond the contract: what a handler needs to act without reading the text again.
    action: str | None = None  # navigation: next|back|more|menu|choice; command: language|…
    number: int | None = None  # a numbered choice ("2", "no 2", "pilih 2")
    answer: Answer | None = None  # a yes/no/unknown reply, whatever the intent
    language: str | None = None  # "bahasa inggris": the language asked for
    phone: str | None = None  # a phone number written in the message
    company: str | None = None  # "PT Maju Jaya" written in the message
    matched: tuple[str, ...] = field(default=(), compare=False)  # why, for debugging

    @classmethod
    def of(cls, intent: Intent, values: dict[str, Any]) -> Understanding:
        """`Understanding(intent, **values)` without the generated __init__, which sets each of
        the thirteen fields through object.__setattr__ (a frozen class's way): a third of a
        short message's time. Same fields, same values, same defaults."""
        made = object.__new__(cls)
        fields = made.__dict__
        fields["intent"] = intent  # first, as __init__ sets it
        fields.update(_DEFAULTS)
        fields.update(values)
        return made

    def carries(self, intent: Intent) -> bool:
        return self.intent == intent or intent in self.also

    def to_dict(self) -> dict[str, Any]:
        """The stable contract of `migrasi-aman understand --json`."""
        return {
            "intent": self.intent.value,
            "also": [i.value for i in self.also],
            "topic": self.topic,
            "country": self.country,
            "case": self.case,
            "place": self.place,
        }


_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in fields(Understanding) if f.default is not MISSING
}
