"""The volunteer's side, inside the chat: answer an alert, see my cases, a case's details and
history, add a note, set its status, and mark myself available or away.

A volunteer only ever sees cases offered to them or accepted by them; the reporter's contact
only after accepting, and every such read goes into the case history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import display
from bot.cases import VOLUNTEER_STATUSES, Casework, alert_choices, status_label
from bot.cases.wording import history_line, zone_for
from bot.conversation import Context, Flow, Router
from bot.i18n import _, format_timestamp
from bot.messages import Choice
from handlers.common import reask
from storage import cases as cases_store
from storage.cases import Case
from storage.volunteers import Volunteer

flow = Flow("volunteer")

_ACTION = re.compile(r"^case:(accept|decline|conflict):(\d+)$")
_MY_CASES = frozenset({"kasus saya", "my cases", "/kasus", "/cases", "kasus", "cases"})
_VIEW = re.compile(r"^/?(?:kasus|case)\s+(ma[\s-]?[a-z0-9]{5})$", re.IGNORECASE)
_AWAY = frozenset({"/away", "away", "tidak tersedia", "sedang tidak tersedia", "libur", "cuti"})
_BACK = frozenset({"/available", "available", "tersedia", "siap", "aktif"})
EVENT_LABELS = {
    "created": "📝",
    "alerted": "🔔",
    "accepted": "✅",
    "declined": "↪️",
    "conflict": "↪️",
    "timeout": "⏰",
    "undeliverable": "⚠️",
    "status": "🔄",
    "note": "🗒",
    "contact_viewed": "👁",
    "escalated": "📋",
    "withdrawn": "🗑",
    "relay": "💬",
    "info_added": "➕",
    "opened": "👁",
    "assigned": "📌",
    "taken": "🙋",
    "volunteer_left": "🚪",
}


async def me(ctx: Context) -> Volunteer | None:
    return await ctx.tx.volunteers.for_contact(ctx.contact.id)


def work(ctx: Context) -> Casework:
    return Casework(ctx.tx, ctx.post, ctx.services, ctx.now)


def _visible(case: Case | None, volunteer: Volunteer) -> bool:
    if case is None:
        return False
    accepted = case.volunteer_id == volunteer.id
    offered = case.offered_to == volunteer.id and case.status == "alerted"
    return accepted or offered


@dataclass(frozen=True)
class AlertAnswer:
    action: str  # accept | decline | conflict
    case_id: int


def alert_answer(ctx: Context) -> AlertAnswer | None:
    m = _ACTION.match(ctx.choice or "")
    return AlertAnswer(m.group(1), int(m.group(2))) if m else None


def case_number(ctx: Context) -> str | None:
    """ "kasus MA-XXXXX" / "case MA-XXXXX" → the number as typed."""
    m = _VIEW.match(ctx.text.strip())
    return m.group(1) if m else None


@dataclass(frozen=True)
class Availability:
    available: bool


def availability_asked(ctx: Context) -> Availability | None:
    if ctx.norm in _BACK:
        return Availability(True)
    if ctx.norm in _AWAY:
        return Availability(False)
    return None


async def answer_alert(ctx: Context, answer: AlertAnswer) -> None:
    action, case_id = answer.action, answer.case_id
    volunteer = await me(ctx)
    case = await ctx.tx.cases.get(case_id)
    if volunteer is None or case is None or not _visible(case, volunteer):
        ctx.say(_("This case is no longer waiting for you: it went to someone else or was closed."))
        await show_cases(ctx)
        return
    if action == "accept":
        if not await work(ctx).accept(case, volunteer):
            ctx.say(
                _("This case is no longer waiting for you: it went to someone else or was closed.")
            )
            await show_cases(ctx)
            return
        ctx.say(_("Thank you for taking case {number}.").format(number=case.number))
        await show_case(ctx, case_id, with_contact=True)
        return
    await work(ctx).decline(case, volunteer, "conflict" if action == "conflict" else "declined")
    if action == "conflict":
        ctx.say(
            _(
                "Thank you for being careful. The case goes to another volunteer, and I noted that you know this person."
            )
        )
    else:
        ctx.say(_("Thank you for telling me. The case goes to another volunteer."))
    await show_cases(ctx)  # a volunteer stays in their own menu


async def show_cases(ctx: Context) -> None:
    volunteer = await me(ctx)
    if volunteer is None:
        ctx.say(
            _("This is only for the {network} registered with this service.").format(
                network=ctx.services.settings.network()
            )
        )
        await ctx.goto("menu")
        return
    mine = await ctx.tx.cases.for_volunteer(volunteer.id)
    ctx.move("cases", flow="volunteer")
    state = (
        _("You are available for new cases.")
        if volunteer.available
        else _("You are marked away: no new cases.")
    )
    if not mine:
        text = _("You have no open cases.") + "\n" + state
    else:
        text = _("Your cases:") + "\n" + state
    choices = [
        Choice(f"vcase:{k.id}", f"{k.number} · {k.place_name or '?'} · {status_label(k.status)}")
        for k in mine[:8]
    ]
    if volunteer.available:
        choices.append(Choice("vol:away", _("Mark me away")))
    else:
        choices.append(Choice("vol:available", _("Mark me available")))
    choices.append(Choice("go:menu", _("Main menu")))
    ctx.say(text, choices)


async def show_case(ctx: Context, case_id: int, *, with_contact: bool = False) -> None:
    volunteer = await me(ctx)
    case = await ctx.tx.cases.get(case_id)
    if volunteer is None or not _visible(case, volunteer):
        ctx.say(_("You can only see cases offered to you or accepted by you."))
        await ctx.goto("menu")
        return
    assert case is not None
    cw = work(ctx)
    lines = [
        f"{case.number} · {case.place_name or '?'}",
        _("Status: {status}").format(status=status_label(case.status)),
    ]
    if case.urgent:
        lines.append(_("⚠️ Marked URGENT: someone may be in danger or about to leave."))
    lines.extend(cw.summary_lines(case, await cw.linked_reports(case)))
    if case.offered_to == volunteer.id and case.status == "alerted":
        ctx.move("alert", flow="volunteer")
        ctx.state.data["case"] = case.id
        ctx.say("\n".join(lines), alert_choices(case.id))
        return
    if with_contact:
        lines.append("")
        lines.append(await _contact_lines(ctx, case, volunteer))
    history = await ctx.tx.cases.events(case.id)
    if history:
        lines.append("")
        lines.append(_("History:"))
        zone = zone_for(volunteer.place_code)
        for event in history[-8:]:
            # a note (possibly another volunteer's) or a relayed message: one clean line
            detail = event.detail if event.kind == "status" else display.name(event.detail, 300)
            lines.append(
                f"{EVENT_LABELS.get(event.kind, '•')} {format_timestamp(event.at, zone=zone)} "
                + history_line(event.kind, event.actor, detail or "")
            )
    ctx.move("case", flow="volunteer")
    ctx.state.data["case"] = case.id
    choices = []
    if case.status not in cases_store.CLOSED:
        choices += [
            Choice("v:contact", _("Reporter's contact")),
            Choice("v:status", _("Set status")),
            Choice("v:note", _("Add a note")),
            Choice("v:write", _("Write to the reporter")),
        ]
        if case.relay_blocked_by != "volunteer":
            choices.append(Choice(f"relay:block:{case.id}", _("Stop the reporter's messages")))
    choices += [Choice("v:cases", _("My cases")), Choice("go:menu", _("Main menu"))]
    ctx.say("\n".join(lines), choices)


async def _contact_lines(ctx: Context, case: Case, volunteer: Volunteer) -> str:
    contact = await work(ctx).reporter_contact(case, volunteer)
    if contact is None:
        return _("You can only see cases offered to you or accepted by you.")
    if not contact:
        return _(
            'The reporter chose to stay anonymous. Write to them through the bot: choose "Write to the reporter".'
        )
    return _("Reporter's contact (only you can see this; the view is recorded):") + "\n" + contact


@flow.step("alert")
async def alert(ctx: Context) -> None:
    reask(ctx)


@flow.step("cases")
async def cases(ctx: Context) -> None:
    choice = ctx.choice or ""
    volunteer = await me(ctx)
    if choice.startswith("vcase:") and choice[6:].isdigit():
        await show_case(ctx, int(choice[6:]))
    elif choice in ("vol:away", "vol:available") and volunteer is not None:
        await ctx.tx.volunteers.set_available(volunteer.id, choice == "vol:available")
        if choice == "vol:available":
            await work(ctx).offer_waiting(volunteer)
        await show_cases(ctx)
    else:
        reask(ctx)


@flow.step("case")
async def case_actions(ctx: Context) -> None:
    case_id = int(ctx.state.data.get("case", 0))
    volunteer = await me(ctx)
    case = await ctx.tx.cases.get(case_id)
    if volunteer is None or case is None or case.volunteer_id != volunteer.id:
        await show_cases(ctx)
        return
    if ctx.choice == "v:contact":
        ctx.say(await _contact_lines(ctx, case, volunteer), ctx.state.choices)
    elif ctx.choice == "v:status":
        ctx.move("status")
        ctx.state.data["case"] = case.id
        choices = [Choice(f"st:{s}", status_label(s)) for s in VOLUNTEER_STATUSES]
        ctx.say(
            _("New status for {number}? The reporter will be told.").format(number=case.number),
            choices,
        )
    elif ctx.choice == "v:note":
        ctx.move("note")
        ctx.state.data["case"] = case.id
        ctx.say(_("Type your note. Only you and the coordinator can read it."))
    elif ctx.choice == "v:cases":
        await show_cases(ctx)
    elif ctx.choice == "v:write":
        await ctx.goto("relay", "compose", case=case.id)
    else:
        reask(ctx)


@flow.step("show")
async def show(ctx: Context) -> None:
    """Entered from another conversation (after writing to the reporter): the case again."""
    await show_case(ctx, int(ctx.state.data.get("case", 0) or 0))


@flow.step("pick")
async def pick(ctx: Context) -> None:
    """Several alerts wait: the volunteer picks which case to answer (issue 17)."""
    choice = ctx.choice or ""
    if choice.startswith("vcase:") and choice[6:].isdigit():
        await show_case(ctx, int(choice[6:]))
    else:
        reask(ctx)


@flow.step("status")
async def status(ctx: Context) -> None:
    case = await ctx.tx.cases.get(int(ctx.state.data.get("case", 0)))
    volunteer = await me(ctx)
    new = (ctx.choice or "").removeprefix("st:")
    if case is None or volunteer is None or new not in VOLUNTEER_STATUSES:
        reask(ctx)
        return
    if await work(ctx).set_status(case, volunteer, new):
        ctx.say(
            _("Status of {number} is now: {status}. The reporter has been told.").format(
                number=case.number, status=status_label(new)
            )
        )
    await show_case(ctx, case.id)


@flow.step("note", free_text=True)
async def note(ctx: Context) -> None:
    case = await ctx.tx.cases.get(int(ctx.state.data.get("case", 0)))
    volunteer = await me(ctx)
    if case is None or volunteer is None or not ctx.text:
        reask(ctx)
        return
    await work(ctx).add_note(case, volunteer, ctx.text)
    ctx.say(_("Note saved."))
    await show_case(ctx, case.id)


async def menu_entries(ctx: Context) -> list[Choice]:  # on MenuEntries
    return [Choice("menu:cases", _("My cases"))] if ctx.contact.is_volunteer else []


async def erase(ctx: Context) -> None:  # on PersonErased
    volunteer = await me(ctx)
    if volunteer is not None:
        # Their waiting alerts move on and their cases go to a coordinator before they go.
        await work(ctx).volunteer_leaves(volunteer, "erased")
        await ctx.tx.volunteers.delete(volunteer.id)
        await ctx.tx.outbox.scrub([volunteer.name, volunteer.address])


def register(router: Router) -> None:
    @router.intent("alert-answer", alert_answer)
    async def on_alert(ctx: Context, answer: AlertAnswer) -> None:
        await answer_alert(ctx, answer)

    @router.intent(
        "my-cases",
        lambda ctx: (
            ctx.norm in _MY_CASES
            or (ctx.choice in ("menu:cases", "v:cases") and ctx.state.flow != "volunteer")
        ),
    )
    async def my_cases(ctx: Context) -> None:
        await show_cases(ctx)

    @router.intent(
        "view-case", lambda ctx: None if router.takes_free_text(ctx) else case_number(ctx)
    )
    async def view(ctx: Context, number: str) -> None:
        case = await ctx.tx.cases.by_number(number)
        volunteer = await me(ctx)
        import handlers.coordinator as coordinator

        if case is not None and await coordinator.me(ctx) is not None:
            await coordinator.show_case(ctx, case.id)
            return
        if case is None or volunteer is None or not _visible(case, volunteer):
            ctx.say(_("You can only see cases offered to you or accepted by you."))
            await ctx.goto("menu")
            return
        await show_case(ctx, case.id)

    @router.intent("availability", availability_asked)
    async def availability(ctx: Context, asked: Availability) -> None:
        volunteer = await me(ctx)
        if volunteer is None:
            await ctx.goto("menu", "choose")
            return
        await ctx.tx.volunteers.set_available(volunteer.id, asked.available)
        if asked.available:
            await work(ctx).offer_waiting(volunteer)  # cases nobody took, near them
        await show_cases(ctx)
