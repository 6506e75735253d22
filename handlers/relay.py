"""The relayed conversation, from either side, and the reporter's "My reports".

A reporter picks one of their reports (a person with several always picks), reads its
history as sentences in their own zone, writes to the volunteer or adds information (text or
a location) at any time. A volunteer writes from their case. Either side can stop the other
on that case. What the bot says when a message cannot go is true and says why.
"""

from __future__ import annotations

import re

from bot.cases import Casework, relay, status_label
from bot.cases.wording import history_line, zone_for
from bot.conversation import Context, Flow, Router
from bot.i18n import _, format_timestamp
from bot.messages import Choice
from handlers.common import reask
from storage import cases as cases_store
from storage.cases import Case

flow = Flow("relay")

_REPLY = re.compile(
    r"^/?(?:balas|reply|jawab)\s+(ma[\s-]?[a-z0-9]{5})\b\s*(.*)$", re.IGNORECASE | re.DOTALL
)
_MY_REPORTS = frozenset({"laporan saya", "my reports", "/laporan", "/reports"})
# Free text at the menu that speaks to the volunteer ("Pak relawan, ini tambahan info…").
_ADDRESSED = re.compile(
    r"\b(relawan|volunteer|tambahan|tambah info|info tambahan|additional|more information|kasus saya|laporan saya)\b",
    re.IGNORECASE,
)


def work(ctx: Context) -> Casework:
    return Casework(ctx.tx, ctx.post, ctx.services, ctx.now)


async def my_side(ctx: Context, case: Case) -> str | None:
    volunteer_contact = await relay.worker_contact(work(ctx), case)
    return relay.side_of(case, ctx.contact.id, volunteer_contact, coordinator=False)


async def open_reports(ctx: Context) -> list[Case]:
    if ctx.contact.has_open_reports is False and not ctx.tx.cases.changed:
        return []  # known from the batch's load, and no case was written since: no query
    return [
        k
        for k in await ctx.tx.cases.for_reporter(ctx.contact.id)
        if k.status not in cases_store.CLOSED
    ]


async def show_reports(ctx: Context, keep: str = "") -> None:
    mine = await open_reports(ctx)
    if not mine:
        ctx.say(_("You have no open reports."))
        await ctx.goto("menu")
        return
    if len(mine) == 1:
        await show_report(ctx, mine[0], keep)
        return
    ctx.move("pick", flow="relay")
    ctx.state.data["keep"] = keep
    ctx.say(
        _("Which report is it about?"),
        [Choice(f"rcase:{k.id}", f"{k.number} · {status_label(k.status)}") for k in mine[:8]]
        + [Choice("go:menu", _("Main menu"))],
    )


async def show_report(ctx: Context, case: Case, keep: str = "") -> None:
    if keep:  # text typed at the menu for this report: it goes in at once
        await _send(ctx, case, keep)
        return
    lines = [
        _("Report {number}: {status}.").format(number=case.number, status=status_label(case.status))
    ]
    zone = zone_for(case.place_code)
    history = [e for e in await ctx.tx.cases.events(case.id) if e.kind != "note"]
    for event in history[-8:]:
        lines.append(
            f"• {format_timestamp(event.at, zone=zone)} "
            + history_line(event.kind, event.actor, event.detail)
        )
    ctx.move("report", flow="relay")
    ctx.state.data["case"] = case.id
    ctx.say(
        "\n".join(lines),
        [
            Choice(f"relay:write:{case.id}", _("Write to the volunteer / add information")),
            Choice(f"relay:block:{case.id}", _("Stop messages on this case")),
            Choice("go:menu", _("Main menu")),
        ],
    )


async def ask_to_write(ctx: Context, case: Case) -> None:
    ctx.move("write", flow="relay")
    ctx.state.data["case"] = case.id
    ctx.say(
        _(
            "Type your message for case {number}, or share a location. It goes through Migrasi "
            "Aman: your number is not shown."
        ).format(number=case.number),
        [Choice("go:menu", _("Cancel"))],
        ask_location=True,
    )


async def _case(ctx: Context) -> Case | None:
    case = await ctx.tx.cases.get(int(ctx.state.data.get("case", 0) or 0))
    return case if case is not None and await my_side(ctx, case) else None


async def _send(ctx: Context, case: Case, text: str = "", location=None) -> None:
    side = await my_side(ctx, case)
    if side is None:
        ctx.say(_("You can only write about your own cases."))
        await ctx.goto("menu")
        return
    sent = await relay.send(work(ctx), case, side, text, location)
    if sent.ok and sent.reason == "kept":
        ctx.say(
            _(
                "Added to report {number}. Nobody has taken it yet: whoever does will read it first."
            ).format(number=case.number)
        )
    elif sent.ok:
        to = _("the reporter") if side == "volunteer" else _("the volunteer")
        ctx.say(_("Sent to {whom} (case {number}).").format(whom=to, number=case.number))
    elif sent.reason == "too_long":
        ctx.say(
            _("That is too long to pass on: at most {n} characters, please.").format(
                n=ctx.services.settings.relay_max_chars
            )
        )
        return
    elif sent.reason == "too_many":
        ctx.say(_("Too many messages on this case in the last hour. Please wait a little."))
    elif sent.reason == "blocked":
        ctx.say(_("Messages on case {number} have been stopped.").format(number=case.number))
    elif sent.reason == "closed":
        ctx.say(
            _("Case {number} is closed: messages no longer go through.").format(number=case.number)
        )
    else:
        reask(ctx)
        return
    if side == "volunteer" and ctx.contact.is_volunteer:
        await ctx.goto("volunteer", "show", case=case.id)  # back to the case they work
    else:
        await ctx.goto("menu")


@flow.step("compose")
async def compose(ctx: Context) -> None:
    """Entered from another conversation (the volunteer's case) to write on a case."""
    case = await _case(ctx)
    if case is None:
        await ctx.goto("menu")
        return
    await ask_to_write(ctx, case)


@flow.step("pick")
async def pick(ctx: Context) -> None:
    choice = ctx.choice or ""
    if choice.startswith("rcase:") and choice[6:].isdigit():
        case = await ctx.tx.cases.get(int(choice[6:]))
        if case is not None and case.reporter_contact_id == ctx.contact.id:
            await show_report(ctx, case, str(ctx.state.data.get("keep", "")))
            return
    reask(ctx)


@flow.step("report")
async def report_actions(ctx: Context) -> None:
    reask(ctx)  # its choices carry the case (relay:write:ID), handled by the intent


@flow.step("read")
async def read(ctx: Context) -> None:
    case = await _case(ctx)
    if case is not None and ctx.typed:
        await _send(ctx, case, ctx.text)  # a typed answer to a relayed message is the reply
        return
    reask(ctx)


@flow.step("unread")
async def unread(ctx: Context) -> None:
    """A notice came (outside the channel's window); whatever they answer shows the message."""
    case = await _case(ctx)
    if case is None:
        await ctx.goto("menu")
        return
    side = await my_side(ctx, case)
    assert side is not None
    other = "volunteer" if side == "reporter" else "reporter"
    messages = await relay.unread(work(ctx), case, side)
    text = "\n".join([relay.header(case, other), *messages])
    ctx.move("read")
    ctx.state.data["case"] = case.id
    ctx.say(text, relay.reply_choices(case))


@flow.step("write", free_text=True)
async def write(ctx: Context) -> None:
    case = await _case(ctx)
    if case is None:
        await ctx.goto("menu")
        return
    if ctx.location is None and not ctx.text:
        reask(ctx)
        return
    await _send(ctx, case, ctx.text, ctx.location)


def reply_command(ctx: Context):
    m = _REPLY.match(ctx.text.strip())
    return (m.group(1), m.group(2).strip()) if m else None


def addressed_to_volunteer(ctx: Context) -> bool:
    return bool(_ADDRESSED.search(ctx.text))


async def understand(ctx: Context) -> bool:  # on FreeTextAtMenu
    """A reporter with an open report who writes to "the volunteer" at the menu: it goes in."""
    if not addressed_to_volunteer(ctx) or len(ctx.text) < 10:
        return False
    if not await open_reports(ctx):
        return False
    await show_reports(ctx, keep=ctx.text)
    return True


async def menu_entries(ctx: Context) -> list[Choice]:  # on MenuEntries
    if ctx.contact.is_volunteer or not await open_reports(ctx):
        return []
    return [Choice("menu:reports", _("My reports"))]


def register(router: Router) -> None:
    @router.intent(
        "relay-action",
        lambda ctx: re.match(r"^relay:(write|block):(\d+)$", ctx.choice or ""),
    )
    async def action(ctx: Context, m) -> None:
        case = await ctx.tx.cases.get(int(m.group(2)))
        side = await my_side(ctx, case) if case is not None else None
        if case is None or side is None:
            ctx.say(_("You can only write about your own cases."))
            await ctx.goto("menu")
            return
        if m.group(1) == "write":
            await ask_to_write(ctx, case)
            return
        await relay.block(work(ctx), case, side)
        ctx.say(
            _("Done: the other side can no longer write to you about case {number}.").format(
                number=case.number
            )
        )
        await ctx.goto("menu")

    @router.intent(
        "my-reports", lambda ctx: ctx.norm in _MY_REPORTS or ctx.choice == "menu:reports"
    )
    async def reports(ctx: Context) -> None:
        await show_reports(ctx)

    @router.intent(
        "reply-case", lambda ctx: None if router.takes_free_text(ctx) else reply_command(ctx)
    )
    async def reply(ctx: Context, found: tuple[str, str]) -> None:
        number, text = found
        case = await ctx.tx.cases.by_number(number)
        if case is None or await my_side(ctx, case) is None:
            ctx.say(_("You can only write about your own cases."))
            await ctx.goto("menu")
            return
        if text:
            await _send(ctx, case, text)
        else:
            await ask_to_write(ctx, case)
