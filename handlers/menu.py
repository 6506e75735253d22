"""The main menu, and understanding free text typed at it."""

from __future__ import annotations

from bot.conversation import Context, Flow, Router
from bot.events import FreeTextAtMenu, MenuEntries
from bot.i18n import N_, _
from bot.messages import Choice
from bot.understanding import Intent
from handlers.common import is_navigation, reask

flow = Flow("menu")

# key → (flow to enter, label). Flows named here but not built yet answer honestly.
ENTRIES: tuple[tuple[str, str, str], ...] = (
    ("menu:check", "check", N_("Check a job offer")),
    ("menu:guide", "guidance", N_("Safe migration info")),
    ("menu:report", "report", N_("Report a recruiter or a problem")),
    ("menu:emergency", "emergency", N_("Emergency contacts")),
    ("menu:language", "language", N_("Language / Bahasa")),
)


async def menu_choices(ctx: Context) -> list[Choice]:
    choices = [Choice(key, _(label)) for key, _flow, label in ENTRIES]
    for extra in await ctx.services.router.events.emit(MenuEntries(ctx)):
        choices.extend(extra)  # e.g. "My cases" for volunteers
    return choices


# Conversations that understand "back" themselves (a part, a page, a question back).
_HAS_BACK = frozenset({"guidance", "report", "check"})
# Where nothing is being asked, so "makasih", "ok", "halo" are small talk, not an answer.
_RESTING = frozenset({("menu", "choose"), ("emergency", "after"), ("check", "result")})


def _small_talk(ctx: Context) -> bool:
    if ctx.choice is not None or ctx.understood.intent != Intent.SMALLTALK:
        return False
    return ctx.state.flow == "guidance" or (ctx.state.flow, ctx.state.step) in _RESTING


def register(router: Router) -> None:
    @router.intent(
        "menu",
        lambda ctx: (
            is_navigation(ctx, "menu")
            or ctx.choice == "go:menu"
            # "kembali"/"back" where nothing has a step back: the menu, as before
            or (is_navigation(ctx, "back", "stop") and ctx.state.flow not in _HAS_BACK)
        ),
    )
    async def to_menu(ctx: Context) -> None:
        await ctx.goto("menu")

    @router.intent("smalltalk", _small_talk)
    async def small_talk(ctx: Context) -> None:
        await answer_small_talk(ctx)

    @router.intent(
        "menu-pressed",
        lambda ctx: (
            bool(ctx.choice and ctx.choice.startswith("menu:")) and ctx.state.flow != "menu"
        ),
    )
    async def pressed(ctx: Context) -> None:
        # A menu button pressed on an older message still works.
        await ctx.goto("menu", "choose")


@flow.step("start")
async def show(ctx: Context) -> None:
    # Volunteers are registered by a coordinator (their consent is on paper): no greeting and
    # privacy notice for them, they stay in their own menu.
    if ctx.contact.consent_version is None and not ctx.contact.is_volunteer:
        await ctx.goto("start")
        return
    payload = ctx.state.data.get("payload")
    ctx.move("choose")
    if payload:
        for key, target, _label in ENTRIES:
            if key.split(":", 1)[1] == payload:
                await ctx.goto(target)
                return
    ctx.say(_("What would you like to do?"), await menu_choices(ctx))


@flow.step("choose")
async def choose(ctx: Context) -> None:
    for key, target, _label in ENTRIES:
        if ctx.choice == key:
            await ctx.goto(target)
            return
    # Free text typed at the menu is offered to each FreeTextAtMenu listener in turn (the
    # first is free_text below, which follows the understanding step); the first that takes
    # it answers.
    if ctx.typed and await ctx.services.router.events.first(FreeTextAtMenu(ctx)):
        return
    if not ctx.state.choices:
        ctx.state.choices = await menu_choices(ctx)
    reask(ctx)


_SMALLTALK = {
    "greeting": N_("Hello! What would you like to do?"),
    "thanks": N_("You are welcome. Is there anything else I can do?"),
    "ok": N_("All right. What would you like to do next?"),
    "bye": N_("Goodbye, take care. Write to me any time: here is the menu for next time."),
}


async def answer_small_talk(ctx: Context) -> None:
    """A short, friendly answer and the menu."""
    ctx.move("choose", flow="menu")
    text = _(_SMALLTALK.get(ctx.understood.action or "", _SMALLTALK["greeting"]))
    ctx.say(text, await menu_choices(ctx))


async def free_text(ctx: Context) -> bool:
    """Text typed at the menu goes where the understanding step says: a question to the
    guides, an offer or a story to the check (both when both), a report to the form, a case
    number to its status, small talk gets a short answer and the menu."""
    import handlers.check as check
    import handlers.guidance as guidance
    import handlers.report as report

    u = ctx.understood
    if u.intent == Intent.SMALLTALK:
        await answer_small_talk(ctx)
        return True
    if u.intent == Intent.OFFER:
        if Intent.QUESTION in u.also:  # "is this offer legal? …": the check is the answer
            ctx.say(_("You asked whether this offer is all right. Here is what I found in it:"))
        await check.check_text(ctx, ctx.text)
        return True
    if u.intent == Intent.REPORT:
        await report.start_from_text(ctx)
        return True
    if u.intent == Intent.STATUS:
        await report.show_status(ctx)
        return True
    if u.intent == Intent.QUESTION:
        return await guidance.answer_question(ctx)
    if u.intent == Intent.NAVIGATION and u.action == "topics":
        await ctx.goto("guidance")
        return True
    return False


def not_ready_flows(router: Router) -> list[Flow]:
    """Conversations whose module is not built yet say so honestly and return to the menu."""
    flows = []
    for _key, target, label in ENTRIES:
        if target in router.flows:
            continue
        f = Flow(target)

        async def not_ready(ctx: Context, label: str = label) -> None:
            ctx.say(_('"{entry}" is not ready yet. We are building it.').format(entry=_(label)))
            await ctx.goto("menu")

        f.steps["start"] = not_ready
        flows.append(f)
    return flows
