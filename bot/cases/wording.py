"""What a case says to people: status names, the volunteer's alert, the summary, the
escalation message to the reporter. Every word through the catalogs."""

from __future__ import annotations

from bot.config import Settings
from bot.i18n import N_, _, ngettext
from bot.messages import Choice, Reply
from bot.services import Services
from storage.cases import Case

STATUS_LABELS = {
    "new": N_("received"),
    "alerted": N_("waiting for a volunteer to accept it"),
    "accepted": N_("accepted by a volunteer"),
    "in_progress": N_("in progress"),
    "referred_bp3mi": N_("referred to BP3MI"),
    "referred_police": N_("referred to the police"),
    "referred_kp2mi": N_("referred to KP2MI"),
    "resolved": N_("resolved"),
    "not_a_case": N_("closed: not a case for us"),
    "escalated": N_("with the coordinator"),
    "withdrawn": N_("withdrawn by the reporter"),
}
ROLE_LABELS = {
    "self": N_("the person themself"),
    "family": N_("a family member"),
    "other": N_("someone else"),
}
ALERT_TEXT_CHARS = 600
ESCALATION_REASONS = {
    "no_location": N_("no place was given"),
    "attempts": N_("{n} volunteers were asked and none took it in time"),
    "nobody_near": N_("no available volunteer within {km} km"),
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def alert_choices(case_id: int) -> tuple[Choice, ...]:
    return (
        Choice(f"case:accept:{case_id}", _("Accept")),
        Choice(f"case:decline:{case_id}", _("Decline")),
        Choice(f"case:conflict:{case_id}", _("I know this person")),
    )


def alert(case: Case, distance_km: float, linked: int, settings: Settings) -> Reply:
    """The alert a volunteer gets: where, how far, what happened, and how long they have."""
    lines = [
        _("🔔 New report {number} near {place} ({km} km from you).").format(
            number=case.number, place=case.place_name or "?", km=f"{distance_km:.0f}"
        )
    ]
    if case.urgent:
        lines.append(_("⚠️ Marked URGENT: someone may be in danger or about to leave."))
    lines.extend(summary_lines(case, linked))
    lines.append(
        _(
            "Please answer within {hours} hours. The reporter's contact details are shown only after you accept."
        ).format(hours=f"{settings.alert_deadline_hours:g}")
    )
    return Reply("\n".join(lines), alert_choices(case.id))


def summary_lines(case: Case, linked: int) -> list[str]:
    description = (case.description or "").strip()
    if len(description) > ALERT_TEXT_CHARS:
        description = description[:ALERT_TEXT_CHARS].rstrip() + "…"
    lines = [
        _("Reported by: {role}").format(
            role=_(ROLE_LABELS.get(case.reporter_role or "", "")) or "?"
        ),
        _("What happened: {text}").format(text=description or "-"),
    ]
    recruiter = ", ".join(x for x in (case.recruiter_name, case.recruiter_phone) if x)
    lines.append(_("Recruiter: {recruiter}").format(recruiter=recruiter or _("not known")))
    if linked:
        lines.append(
            ngettext(
                "⚠️ {n} other report mentions this recruiter.",
                "⚠️ {n} other reports mention this recruiter.",
                linked,
            ).format(n=linked)
        )
    return lines


def escalation_text(case: Case, services: Services) -> str:
    directory = services.directory
    lines = [
        _(
            "No volunteer near you could take your report {number} yet, so it has gone to our "
            "coordinator. If you need help now, contact:"
        ).format(number=case.number),
        directory.render(["kp2mi_call_centre", "kp2mi_whatsapp"]),
    ]
    place = services.gazetteer.get(case.place_code) if case.place_code else None
    office = directory.office_for_province(place.province) if place else None
    if office is not None:
        lines.append(directory.render([office.id]))
    return "\n".join(lines)
