"""Danger first: words of immediate danger get the emergency contacts at once, anywhere."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Awaitable, Callable
from functools import cache

from bot.conversation import Context, Flow, Router, normalize
from bot.i18n import _
from bot.messages import Choice
from bot.paths import CONTENT
from bot.understanding import Intent
from handlers.common import reask

flow = Flow("emergency")


@cache
def _data() -> tuple[re.Pattern[str], tuple[str, ...], dict[str, re.Pattern[str]]]:
    raw = tomllib.loads((CONTENT / "emergency.toml").read_text(encoding="utf-8"))

    def words(ws: list[str]) -> re.Pattern[str]:
        alternatives = "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ws, key=len, reverse=True)
        )
        return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)

    countries = {code: words(names) for code, names in raw["countries"].items()}
    return words(raw["words"]), tuple(raw["contacts"]), countries


def in_danger(text: str) -> bool:
    return bool(text) and _data()[0].search(text) is not None


def emergency_text(ctx: Context) -> str:
    _pattern, ids, countries = _data()
    directory = ctx.services.directory
    lines = [directory.render(ids)]
    for code, pattern in countries.items():
        if pattern.search(ctx.text):
            extra = directory.render([e.id for e in directory.for_country(code)])
            if extra:
                lines.append(extra)
    return "\n\n".join(
        [
            _("If you or someone else is in danger now, contact these right away:"),
            "\n".join(lines),
            _(
                "If you are abroad, also contact the nearest Indonesian embassy or consulate "
                "(KBRI/KJRI). If you can, tell someone you trust where you are."
            ),
        ]
    )


def next_choices() -> tuple[Choice, ...]:
    return (Choice("report", _("Report it to a volunteer")), Choice("menu", _("Main menu")))


async def show(ctx: Context) -> None:
    ctx.move("after", flow="emergency")
    ctx.say(emergency_text(ctx), next_choices())


async def danger_first(ctx: Context, call_next: Callable[[], Awaitable[None]]) -> None:
    # Whether this is danger is the understanding step's call (bot/understanding): harm now,
    # not "tolong" or "help" used as "please".
    if ctx.understood.intent != Intent.DANGER or ctx.choice:
        await call_next()
        return
    if ctx.services.router.takes_free_text(ctx):
        # Someone describing what happened keeps their place in the form: contacts first,
        # then the form goes on with what they wrote.
        ctx.say(emergency_text(ctx))
        await call_next()
        return
    await show(ctx)


_COMMANDS = frozenset({"darurat", "/darurat", "emergency", "/emergency", "kontak darurat", "sos"})


def register(router: Router) -> None:
    @router.intent("emergency", lambda ctx: ctx.norm in _COMMANDS or ctx.choice == "go:emergency")
    async def emergency(ctx: Context) -> None:
        await show(ctx)


@flow.step("start")
async def start(ctx: Context) -> None:
    await show(ctx)


@flow.step("after")
async def after(ctx: Context) -> None:
    if ctx.choice == "report":
        await ctx.goto("report")
    elif ctx.choice == "menu" or normalize(ctx.text) in ("menu", "kembali"):
        await ctx.goto("menu")
    elif ctx.typed:  # something else typed: the menu tries to understand it
        await ctx.goto("menu", "choose")
    else:
        reask(ctx)
