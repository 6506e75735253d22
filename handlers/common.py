"""Pieces every conversation uses: re-asking, the words that mean "yes", bad input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Context, normalize
from bot.i18n import _
from bot.messages import Choice
from bot.understanding import Answer, Intent

YES = frozenset(
    {"ya", "y", "iya", "yes", "setuju", "ok", "oke", "okay", "boleh", "mau", "yup", "yoi"}
)
NO = frozenset(
    {"tidak", "tdk", "gak", "ga", "nggak", "enggak", "no", "n", "tidak setuju", "batal", "cancel"}
)


def is_command(ctx: Context, action: str) -> bool:
    """A typed command ("bantuan", "bahasa inggris", "hapus data saya"), as understood."""
    u = ctx.understood
    return ctx.choice is None and u.intent == Intent.COMMAND and u.action == action


def is_navigation(ctx: Context, *actions: str) -> bool:
    """A typed navigation word ("lanjut", "kembali", "menu"), as understood."""
    u = ctx.understood
    return ctx.choice is None and u.intent == Intent.NAVIGATION and u.action in actions


def yes_no() -> tuple[Choice, Choice]:
    return (Choice("yes", _("Yes")), Choice("no", _("No")))


def answer_yes_no(ctx: Context, yes: str = "yes", no: str = "no") -> bool | None:
    """A pressed yes/no choice (with these keys), or a typed "ya", "tidak", "yes", "no"…"""
    if ctx.choice in (yes, no):
        return ctx.choice == yes
    word = normalize(ctx.text)
    if word in YES:
        return True
    if word in NO:
        return False
    answer = ctx.understood.answer  # "iyaa", "nggih", "yoi", "gak mau", "mboten"
    if answer in (Answer.YES, Answer.NO):
        return answer == Answer.YES
    return None


def unknown_answer(ctx: Context) -> bool:
    """ "tidak tahu", "gak tau", "skip", "-": the person does not know, or skips."""
    return ctx.understood.answer == Answer.UNKNOWN


def reask(ctx: Context) -> None:
    """The answer did not fit: say so plainly and offer the same choices again."""
    offered = list(ctx.state.choices)
    if ctx.out_of_range and offered:
        ctx.say(_("Please choose a number from 1 to {n}.").format(n=len(offered)), offered)
    elif offered:
        ctx.say(_("Sorry, I did not understand. Please choose one of these:"), offered)
    else:
        ctx.say(_('Sorry, I did not understand. Type "menu" to see what I can do.'))


async def bad_input(ctx: Context, call_next: Callable[[], Awaitable[None]]) -> None:
    """Pictures, voice notes and empty messages get a clear answer instead of a wrong guess."""
    if ctx.inbound.media and not ctx.text and ctx.location is None:
        ctx.say(
            _("I can only read text messages. Please type your message (or choose a number)."),
            ctx.state.choices,
        )
        return
    if not ctx.text and not ctx.choice and ctx.location is None:
        if ctx.is_new:
            await call_next()
            return
        ctx.say(_("I received an empty message. Please type your message."), ctx.state.choices)
        return
    await call_next()
