"""The coordinator's side, inside the chat: the queues (open, unassigned, overdue), a case with
its full details (every read audited), assign it to one of the nearest volunteers, take it,
set its status, close it. The work itself is bot/cases/coordination.py, which the web
console calls too; this module only talks.
"""

from __future__ import annotations

from bot.cases import Casework, coordination, status_label
from bot.cases.coordination import COORDINATOR_STATUSES, Outcome
from bot.cases.wording import history_line, km_text, zone_for
from bot.conversation import Context, Flow, Router
from bot.i18n import _, format_timestamp
from bot.messages import Choice
from handlers.common import reask
from storage import cases as cases_store
from storage.coordinators import Coordinator

flow = Flow("coord")

_QUEUE = frozenset(
    {"koordinator", "/koordinator", "coordinator", "/coordinator", "antrian", "queue", "/queue"}
)
QUEUES = {
    "unassigned": "Unassigned",
    "overdue": "Overdue",
    "open": "Open",
}


def work(ctx: Context) -> Casework:
    return Casework(ctx.tx, ctx.post, ctx.services, ctx.now)


async def me(ctx: Context) -> Coordinator | None:
    contact = ctx.contact
    return await coordination.coordinator_of(
        work(ctx), contact.channel, contact.address, listed=contact.is_coordinator
    )


async def show_queue(ctx: Context, kind: str = "unassigned") -> None:
    cases = await coordination.list_cases(work(ctx), kind)
    titles = {
        "unassigned": _("Unassigned cases (nobody has them):"),
        "overdue": _("Overdue cases:"),
        "open": _("Open cases:"),
    }
    ctx.move("queue", flow="coord")
    text = titles[kind] if cases else titles[kind] + "\n" + _("None.")
    choices = [
        Choice(
            f"ccase:{k.id}",
            f"{'⚠️ ' if k.urgent else ''}{k.number} · {k.place_name or '?'} · {status_label(k.status)}",
        )
        for k in cases[:8]
    ]
    choices += [
        Choice(f"cq:{other}", label)
        for other, label in (
            ("unassigned", _("Unassigned")),
            ("overdue", _("Overdue")),
            ("open", _("All open")),
        )
        if other != kind
    ]
    choices.append(Choice("go:menu", _("Main menu")))
    ctx.say(text, choices)


async def show_case(ctx: Context, case_id: int) -> None:
    coordinator = await me(ctx)
    case = await ctx.tx.cases.get(case_id)
    if coordinator is None or case is None:
        await ctx.goto("menu")
        return
    lines = await coordination.open_case(work(ctx), coordinator, case)
    zone = zone_for(case.place_code)
    history = await ctx.tx.cases.events(case.id)
    lines += ["", _("History:")]
    lines += [
        f"• {format_timestamp(e.at, zone=zone)} " + history_line(e.kind, e.actor, e.detail)
        for e in history[-10:]
    ]
    case = await ctx.tx.cases.get(case_id)  # opening it is in the history: the fresh version
    assert case is not None
    ctx.move("case", flow="coord")
    ctx.state.data.update(case=case.id, seen=coordination.snapshot(case))
    choices = []
    if case.status not in cases_store.CLOSED:
        choices += [
            Choice("c:assign", _("Assign to a volunteer")),
            Choice("c:take", _("Take it myself")),
            Choice("c:status", _("Set status")),
            Choice("c:close", _("Close it")),
        ]
        if case.coordinator_id and case.coordinator_id == coordinator.id:
            choices.append(Choice(f"relay:write:{case.id}", _("Write to the reporter")))
    choices += [Choice("cq:unassigned", _("Back to the queue")), Choice("go:menu", _("Main menu"))]
    ctx.say("\n".join(lines), choices)


def _told(ctx: Context, outcome: Outcome, number: str) -> bool:
    if outcome.ok:
        return True
    if outcome.reason == "changed":
        ctx.say(
            _(
                "Someone else acted on case {number} first, so nothing was changed. Here it is as it is now."
            ).format(number=number)
        )
    elif outcome.reason == "closed":
        ctx.say(_("Case {number} is already closed.").format(number=number))
    else:
        ctx.say(_("That cannot be done on case {number}.").format(number=number))
    return False


@flow.step("queue")
async def queue(ctx: Context) -> None:
    choice = ctx.choice or ""
    if choice.startswith("ccase:") and choice[6:].isdigit():
        await show_case(ctx, int(choice[6:]))
    elif choice.startswith("cq:") and choice[3:] in QUEUES:
        await show_queue(ctx, choice[3:])
    else:
        reask(ctx)


@flow.step("case")
async def case_actions(ctx: Context) -> None:
    coordinator = await me(ctx)
    case = await ctx.tx.cases.get(int(ctx.state.data.get("case", 0)))
    seen = dict(ctx.state.data.get("seen", {}))
    choice = ctx.choice or ""
    if coordinator is None or case is None:
        await ctx.goto("menu")
        return
    cw = work(ctx)
    if choice == "c:assign":
        found = await coordination.candidates(cw, case)
        if not found:
            ctx.say(_("No volunteer can take a case now (all away, at capacity or already asked)."))
            await show_case(ctx, case.id)
            return
        ctx.move("assign")
        ctx.say(
            _("The nearest volunteers who can take {number} now:").format(number=case.number),
            [
                Choice(f"cv:{v.id}", f"{v.name} · {v.place_name or '?'} · {km_text(km)}")
                for v, km in found
            ]
            + [Choice("c:back", _("Back"))],
        )
    elif choice == "c:take":
        if _told(ctx, await coordination.take(cw, coordinator, case, seen), case.number):
            ctx.say(
                _("Case {number} is yours now. The reporter has been told.").format(
                    number=case.number
                )
            )
        await show_case(ctx, case.id)
    elif choice == "c:status":
        ctx.move("status")
        ctx.say(
            _("New status for {number}? The reporter will be told.").format(number=case.number),
            [Choice(f"cs:{s}", status_label(s)) for s in COORDINATOR_STATUSES],
        )
    elif choice == "c:close":
        if _told(ctx, await coordination.close(cw, coordinator, case, seen), case.number):
            ctx.say(
                _("Case {number} is closed. The reporter has been told.").format(number=case.number)
            )
        await show_case(ctx, case.id)
    elif choice.startswith("cq:"):
        await show_queue(ctx, choice[3:] if choice[3:] in QUEUES else "unassigned")
    else:
        reask(ctx)


@flow.step("assign")
async def assign(ctx: Context) -> None:
    coordinator = await me(ctx)
    case = await ctx.tx.cases.get(int(ctx.state.data.get("case", 0)))
    choice = ctx.choice or ""
    if coordinator is None or case is None:
        await ctx.goto("menu")
        return
    if choice.startswith("cv:") and choice[3:].isdigit():
        volunteer = await ctx.tx.volunteers.get(int(choice[3:]))
        if volunteer is None:
            reask(ctx)
            return
        outcome = await coordination.assign(
            work(ctx), coordinator, case, volunteer, dict(ctx.state.data.get("seen", {}))
        )
        if _told(ctx, outcome, case.number):
            ctx.say(
                _("Case {number} was offered to {name}; they got the alert.").format(
                    number=case.number, name=volunteer.name
                )
            )
        await show_case(ctx, case.id)
    elif choice == "c:back":
        await show_case(ctx, case.id)
    else:
        reask(ctx)


@flow.step("status")
async def status(ctx: Context) -> None:
    coordinator = await me(ctx)
    case = await ctx.tx.cases.get(int(ctx.state.data.get("case", 0)))
    new = (ctx.choice or "").removeprefix("cs:")
    if coordinator is None or case is None or new not in COORDINATOR_STATUSES:
        reask(ctx)
        return
    outcome = await coordination.set_status(
        work(ctx), coordinator, case, new, dict(ctx.state.data.get("seen", {}))
    )
    if _told(ctx, outcome, case.number):
        ctx.say(
            _("Status of {number} is now: {status}. The reporter has been told.").format(
                number=case.number, status=status_label(new)
            )
        )
    await show_case(ctx, case.id)


async def menu_entries(ctx: Context) -> list[Choice]:  # on MenuEntries
    return [Choice("menu:coord", _("Cases (coordinator)"))] if await me(ctx) else []


def register(router: Router) -> None:
    @router.intent(
        "coordinator-queue", lambda ctx: ctx.norm in _QUEUE or ctx.choice == "menu:coord"
    )
    async def open_queue(ctx: Context) -> None:
        if await me(ctx) is None:
            ctx.say(_("This is for Migrasi Aman coordinators."))
            await ctx.goto("menu")
            return
        await show_queue(ctx)
