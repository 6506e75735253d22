"""What a case says to people: status names, the volunteer's alert, the summary, the
escalation message to the reporter. Every word through the catalogs."""

from __future__ import annotations

from bot.config import Settings
from bot.i18n import N_, _, ngettext
from bot.messages import Choice, Reply
from bot.services import Services
from storage.cases import Case
from storage.volunteers import Volunteer, country_of

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
    "self": N_("the person it happened to"),
    "family": N_("a family member"),
    "other": N_("someone else"),
}
ALERT_TEXT_CHARS = 600
ESCALATION_REASONS = {
    "no_location": N_("no place was given"),
    "attempts": N_("{n} volunteers were asked and none took it in time"),
    "nobody_near": N_("no available volunteer within {km} km"),
    "nobody_in_country": N_("no available volunteer in that country"),
    "volunteer_left": N_("the volunteer who had it can no longer work on it"),
}
# Time zones of the reader, by where they are: Indonesia's three, and the countries abroad.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}
COUNTRY_ZONES = {
    "MY": ("Asia/Kuala_Lumpur", "UTC+8"),
    "SG": ("Asia/Singapore", "UTC+8"),
    "HK": ("Asia/Hong_Kong", "UTC+8"),
    "TW": ("Asia/Taipei", "UTC+8"),
    "JP": ("Asia/Tokyo", "UTC+9"),
    "KR": ("Asia/Seoul", "UTC+9"),
    "SA": ("Asia/Riyadh", "UTC+3"),
    "AE": ("Asia/Dubai", "UTC+4"),
    "QA": ("Asia/Qatar", "UTC+3"),
    "BN": ("Asia/Brunei", "UTC+8"),
    "KH": ("Asia/Phnom_Penh", "UTC+7"),
    "TL": ("Asia/Dili", "UTC+9"),
}


def zone_for(place_code: str | None) -> tuple[str, str]:
    """The reader's zone from a place code: WIB, WITA or WIT in Indonesia (by province),
    the country's zone abroad."""
    if place_code and ":" in place_code:
        return COUNTRY_ZONES.get(place_code.split(":", 1)[0], ("Asia/Jakarta", "WIB"))
    province = (place_code or "")[:2]
    if province in _WITA:
        return ("Asia/Makassar", "WITA")
    if province in _WIT:
        return ("Asia/Jayapura", "WIT")
    return ("Asia/Jakarta", "WIB")


def km_text(distance_km: float) -> str:
    """ "less than 1 km" rather than "0 km"."""
    if distance_km < 1:
        return _("less than 1 km")
    return _("{km} km").format(km=f"{distance_km:.0f}")


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
        _("🔔 New report {number} near {place} ({distance} from you).").format(
            number=case.number, place=case.place_name or "?", distance=km_text(distance_km)
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


def pick_choices(waiting: list[Case]):
    def build() -> tuple[Choice, ...]:
        return tuple(
            Choice(f"vcase:{k.id}", f"{k.number} · {k.place_name or '?'}") for k in waiting[:8]
        )

    return build


def pick_text(n: int) -> str:
    return _("{n} reports are waiting for your answer. Choose which one to answer first:").format(
        n=n
    )


def answer_later_text(case: Case) -> str:
    return _("When you are ready to answer, type: case {number}").format(number=case.number)


def accepted_text(case: Case, volunteer: Volunteer, network: str) -> str:
    if volunteer.show_name and volunteer.first_name:
        who = _("Good news: {name}, one of the {network}, has taken your report {number}.").format(
            name=volunteer.first_name, network=network, number=case.number
        )
    else:
        who = _("Good news: one of the {network} has taken your report {number}.").format(
            network=network, number=case.number
        )
    return "\n".join(
        [
            who,
            _(
                "What happens next: the volunteer reads your report and writes to you here, through "
                "this chat, usually within a day. Your number is not shown to them unless you chose "
                'to share it. You can write to them at any time: choose "My reports" in the menu.'
            ),
            _("I will tell you here whenever its status changes."),
        ]
    )


def country_name(code: str) -> str:
    return _(COUNTRY_NAMES.get(code, code))


COUNTRY_NAMES = {
    "MY": N_("Malaysia"),
    "SG": N_("Singapore"),
    "HK": N_("Hong Kong"),
    "TW": N_("Taiwan"),
    "JP": N_("Japan"),
    "KR": N_("South Korea"),
    "SA": N_("Saudi Arabia"),
    "AE": N_("the United Arab Emirates"),
    "QA": N_("Qatar"),
    "BN": N_("Brunei"),
    "KH": N_("Cambodia"),
    "TL": N_("Timor-Leste"),
}


def escalation_text(case: Case, services: Services, reached: bool = True) -> str:
    """What the reporter hears when no volunteer took the case: true to what happened."""
    directory = services.directory
    if reached:
        first = _(
            "No volunteer near you could take your report {number} yet, so it has gone to a "
            "coordinator of the {network}, who will find someone or take it themselves. If you "
            "need help now, contact:"
        ).format(number=case.number, network=services.settings.network())
    else:
        first = _(
            "No volunteer could take your report {number} yet, and no coordinator can be reached "
            "right now. Your report is kept, and it will be offered to the first volunteer who "
            "becomes free. Please do not wait for us: contact these lines now:"
        ).format(number=case.number)
    lines = [first]
    country = country_of(case.place_code)
    if country != "ID":
        abroad = [e.id for e in directory.for_country(country)]
        if abroad:
            lines.append(
                _("In {country}:").format(country=country_name(country))
                + "\n"
                + directory.render(abroad)
            )
    national = ["kp2mi_call_centre", "kp2mi_whatsapp"]
    if country != "ID":  # the free 0800 line cannot be dialled from abroad
        national = ["kp2mi_from_abroad", "kp2mi_whatsapp"]
    lines.append(directory.render(national))
    place = services.gazetteer.get(case.place_code) if case.place_code else None
    office = directory.office_for_province(place.province) if place else None
    if office is not None:
        lines.append(directory.render([office.id]))
    return "\n".join(lines)


# --- the history, as sentences in the reader's language ---------------------------------
EVENT_SENTENCES = {
    "created": N_("Report received."),
    "alerted": N_("Offered to a volunteer {distance} away."),
    "accepted": N_("A volunteer accepted it."),
    "declined": N_("A volunteer could not take it; it went on to the next one."),
    "conflict": N_("A volunteer knows the people involved; it went on to the next one."),
    "timeout": N_("A volunteer did not answer in time; it went on to the next one."),
    "undeliverable": N_("A volunteer could not be reached; it went on to the next one."),
    "left": N_("The volunteer it was waiting for left; it went on to the next one."),
    "status": N_("Status set to: {status}."),
    "note": N_("Note: {detail}"),
    "contact_viewed": N_("The reporter's contact was looked at."),
    "opened": N_("A coordinator opened the case."),
    "assigned": N_("A coordinator gave it to a volunteer."),
    "taken": N_("A coordinator took it."),
    "withdrawn": N_("The reporter withdrew it; the details were erased."),
    "info_added": N_("The reporter added: {detail}"),
    "relay_blocked": N_("Messages on this case were stopped (abuse)."),
    "volunteer_left": N_("The volunteer who had it left; it went back to the coordinators."),
    "alert_via_coordinator": N_("A coordinator was asked to call the volunteer."),
    "reporter_unreachable": N_("A status update could not reach the reporter."),
}


def escalation_detail(reason: str, params: dict[str, object], reached: int) -> str:
    """What the history keeps of an escalation: machine-readable, shown as a sentence."""
    import json

    return f"{reason} {json.dumps(params, sort_keys=True)} told={reached}"


def history_line(kind: str, actor: str, detail: str) -> str:
    """One history entry as a sentence (no raw codes)."""
    import json
    import re

    if kind == "relay":
        who = _("The reporter wrote:") if actor == "reporter" else _("The volunteer wrote:")
        return f"{who} {detail}" if detail else who.rstrip(":") + "."
    if kind == "escalated":
        m = re.match(r"^(\w+) (\{.*\}) told=(\d+)$", detail)
        if m and m.group(1) in ESCALATION_REASONS:
            why = _(ESCALATION_REASONS[m.group(1)]).format(**json.loads(m.group(2)))
            if int(m.group(3)):
                return _("Sent to the coordinators: {why}.").format(why=why)
            return _("No volunteer took it ({why}) and no coordinator could be reached.").format(
                why=why
            )
        return _("Sent to the coordinators.")
    if kind == "alerted":
        m = re.search(r"([\d.]+) km", detail)
        distance = km_text(float(m.group(1))) if m else "?"
        return _(EVENT_SENTENCES["alerted"]).format(distance=distance)
    if kind == "status":
        return _(EVENT_SENTENCES["status"]).format(status=status_label(detail))
    template = EVENT_SENTENCES.get(kind)
    if template is None:
        return _("Something changed on the case.")
    if "{detail}" in template and not detail:
        return _(template).split(":")[0] + "."
    return _(template).format(detail=detail)
