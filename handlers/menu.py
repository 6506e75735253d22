"""The main menu, and understanding free text typed at it."""

from __future__ import annotations

from bot.conversation import Context, Flow, Router
from bot.events import FreeTextAtMenu, MenuEntries
from bot.i18n import N_, _
from bot.messages import Choice
from handlers.common import reask

flow = Flow("menu")

_COMMANDS = frozenset(
    {"menu", "/menu", "kembali", "back", "main menu", "menu utama", "home", "mulai", "start"}
)
_GREETINGS = frozenset(
    {
        "halo",
        "hallo",
        "hai",
        "hi",
        "hello",
        "hey",
        "assalamualaikum",
        "asalamualaikum",
        "selamat pagi",
        "selamat siang",
        "selamat sore",
        "selamat malam",
        "pagi",
        "siang",
        "sore",
        "malam",
        "p",
        "permisi",
        "good morning",
        "good evening",
        "ok",
        "oke",
        "terima kasih",
        "makasih",
        "thanks",
        "thank you",
    }
)

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


def register(router: Router) -> None:
    @router.intent("menu", lambda ctx: ctx.norm in _COMMANDS or ctx.choice == "go:menu")
    async def to_menu(ctx: Context) -> None:
        await ctx.goto("menu")

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
    if ctx.typed:
        if ctx.norm in _GREETINGS:
            ctx.say(_("Hello! What would you like to do?"), await menu_choices(ctx))
            return
        # Free text typed at the menu is offered to each FreeTextAtMenu listener in turn (a
        # pasted offer goes to the check, a question to the guides); the first that takes it
        # answers.
        if await ctx.services.router.events.first(FreeTextAtMenu(ctx)):
            return
    if not ctx.state.choices:
        ctx.state.choices = await menu_choices(ctx)
    reask(ctx)


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
