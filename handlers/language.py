"""Switching language at any moment: menu entry 5, "bahasa", "language", /bahasa."""

from __future__ import annotations

from bot.conversation import Context, Flow, Router
from handlers.common import is_command, reask
from handlers.start import apply_language, chosen_language, language_choices

flow = Flow("language")


def register(router: Router) -> None:
    @router.intent(
        "language", lambda ctx: is_command(ctx, "language") or ctx.choice == "go:language"
    )
    async def switch(ctx: Context) -> None:
        wanted = ctx.understood.language if ctx.choice is None else None
        if wanted:  # "bahasa inggris", "english please": no need to ask which
            await ctx.goto("language", "chosen", lang=wanted)
            return
        await ctx.goto("language")

    @router.intent(
        "language-pressed",
        lambda ctx: (
            ctx.choice in ("lang:id", "lang:en") and ctx.state.flow not in ("start", "language")
        ),
    )
    async def pressed(ctx: Context) -> None:
        # A language button from an older message: switch straight away.
        await ctx.goto("language", "chosen")


@flow.step("start")
async def ask(ctx: Context) -> None:
    ctx.move("chosen")
    ctx.say("Pilih bahasa / Choose your language:", language_choices())


@flow.step("chosen")
async def chosen(ctx: Context) -> None:
    lang = ctx.state.data.get("lang") or chosen_language(ctx)
    if lang is None:
        reask(ctx)
        return
    apply_language(ctx, lang)
    from bot.i18n import _

    ctx.say(_("Done: I will write to you in English."))
    await ctx.goto("menu")
