"""A case's history as sentences in the reader's language, not raw codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cases import status_label
from bot.cases.wording import history_line
from bot.i18n import N_, _, format_timestamp
from storage.cases import Event

_VOLUNTEER = re.compile(r"volunteer:(\d+)")
_KM = re.compile(r"(\d+) km")

SENTENCES = {
    "created": N_("{who} sent the report."),
    "alerted": N_("Alert sent to {volunteer}{distance}."),
    "assigned": N_("{who} gave the case to {volunteer}{distance}."),
    "accepted": N_("{who} accepted the case."),
    "declined": N_("{volunteer} declined the case."),
    "conflict": N_("{volunteer} knows a person involved and passed the case on."),
    "timeout": N_("{volunteer} did not answer in time; the case moved on."),
    "undeliverable": N_("The alert could not reach {volunteer}."),
    "deactivated": N_("{volunteer} left the network; the alert moved on."),
    "alert_via_coordinator": N_("The coordinator was asked to call {volunteer}."),
    "status": N_("{who} set the status to: {status}."),
    "note": N_("{who} added a note: {text}"),
    "note_hidden": N_("{who} added a note."),
    "contact_viewed": N_("{who} viewed the reporter's contact."),
    "contact_exported": N_("{who} exported the reporter's contact."),
    "escalated": N_("Sent to the coordinators."),  # worded by bot/cases/wording.py
    "withdrawn": N_("The reporter withdrew the report; its details were erased."),
    "reporter_unreachable": N_("A status update could not reach the reporter."),
    "volunteer_left": N_("{volunteer} left the network; the case went back to the coordinators."),
}


@dataclass
class Line:
    at: str
    text: str
    kind: str
    actor: str


def actor_name(actor: str, volunteers: dict[int, str]) -> str:
    kind, _sep, rest = actor.partition(":")
    if kind == "reporter":
        return _("The reporter")
    if kind == "system":
        return _("Migrasi Aman")
    if kind == "volunteer" and rest.isdigit():
        return volunteers.get(int(rest)) or _("volunteer #{id}").format(id=rest)
    if kind == "coordinator":
        return _("Coordinator {name}").format(name=rest) if rest else _("A coordinator")
    return actor


def sentence(event: Event, volunteers: dict[int, str]) -> str:
    template = SENTENCES.get(event.kind)
    if template is None:
        return f"{event.kind}: {event.detail}".strip(": ")
    m = _VOLUNTEER.search(event.detail)
    volunteer = (
        volunteers.get(int(m.group(1))) or _("volunteer #{id}").format(id=m.group(1))
        if m
        else _("a volunteer")
    )
    km = _KM.search(event.detail)
    distance = ""
    if km:
        n = int(km.group(1))
        distance = _(" (less than 1 km away)") if n < 1 else _(" ({km} km away)").format(km=n)
    status = status_label(event.detail) if event.kind == "status" else ""
    if event.kind == "escalated":  # its detail is machine-readable: bot/cases/wording.py
        return history_line(event.kind, event.actor, event.detail)
    text = event.detail
    return _(template).format(
        who=actor_name(event.actor, volunteers),
        volunteer=volunteer,
        distance=distance,
        status=status,
        text=text,
    )


def lines(events: list[Event], volunteers: dict[int, str]) -> list[Line]:
    return [Line(format_timestamp(e.at), sentence(e, volunteers), e.kind, e.actor) for e in events]
