"""Public results of a check, and the flag codes of the JSON contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGS = ("id", "en")
RISKS = ("high", "medium", "low", "unclear")
FLAG_CODES = (
    "visa_nonwork",
    "pilgrimage_visa",
    "upfront_fee",
    "salary_deduction",
    "passport_retention",
    "unlicensed_recruiter",
    "informal_route",
    "scam_compound_country",
    "moratorium_domestic_work",
    "no_contract",
    "document_fraud",
    "too_good_salary",
    "no_training_or_process",
    "coached_lying",
    "held_against_will",
    # added for issue #13 (ILO forced-labour indicators, domain-facts §3); never rename
    "minor_recruited",
    "sexual_exploitation",
    "marriage_brokering",
    "debt_bondage",
    "withheld_wages",
    "fishing_vessel",
    "task_scam",
    "fake_official_notice",
    "threats_violence",
    "contract_substitution",
    "isolation",
    "excessive_hours",
    "deception",
    "abusive_conditions",
)

# Longer texts are screened on their first part only: a pasted chat log this long is not one
# offer, and the check must stay fast whatever is pasted.
MAX_TEXT = 20_000


# --------------------------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    evidence: str
    explanation: str
    advice: str


@dataclass(frozen=True)
class Screening:
    risk: str
    score: float
    lang: str
    flags: tuple[Flag, ...]
    questions: tuple[str, ...]
    # the learned second opinion, when it raised the level ("This looks like reported cases
    # of ..."); JSON contract addition: "second_opinion": str | null
    second_opinion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk,
            "score": round(self.score, 3),
            "lang": self.lang,
            "flags": [
                {
                    "code": f.code,
                    "evidence": f.evidence,
                    "explanation": f.explanation,
                    "advice": f.advice,
                }
                for f in self.flags
            ],
            "questions": list(self.questions),
            "second_opinion": self.second_opinion,
        }


@dataclass(frozen=True)
class GuidedOption:
    key: str
    label: dict[str, str]
    flags: tuple[str, ...]
    lowers: bool


@dataclass(frozen=True)
class GuidedQuestion:
    id: str
    text: dict[str, str]
    options: tuple[GuidedOption, ...]

    def option(self, key: str) -> GuidedOption:
        for opt in self.options:
            if opt.key == key:
                return opt
        raise KeyError(key)


class ScreeningDataError(ValueError):
    """The indicator or guided-check data is inconsistent (raised at load, never per check)."""
