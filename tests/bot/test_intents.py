"""Intent filters hand what they matched to the handler; None or False passes the message on."""

from __future__ import annotations

from pathlib import Path

from bot.conversation import Context
from bot.messages import Inbound
from tests.helpers import running


async def test_the_handler_receives_what_the_filter_matched(db_path: Path) -> None:
    async with running(db_path) as system:
        seen: list[object] = []
        router = system.router

        def number(ctx: Context) -> int | None:
            word = ctx.text.removeprefix("dice ")
            return int(word) if ctx.text.startswith("dice ") and word.isdigit() else None

        @router.intent("dice", number)
        async def dice(ctx: Context, n: int) -> None:
            seen.append(n)
            ctx.say(f"rolled {n}")

        # First in line, so no other intent takes these messages first.
        router.intents.insert(0, router.intents.pop())
        first = await system.engine.handle(Inbound("console", "siti", "1", text="dice 4"))
        assert seen == [4]
        assert [r.text for r in first.replies] == ["rolled 4"]

        other = await system.engine.handle(Inbound("console", "siti", "2", text="dice x"))
        assert seen == [4]  # None: not for this intent, the conversation goes on
        assert other.replies and all(r.text != "rolled 4" for r in other.replies)


async def test_a_filter_answering_true_calls_the_handler_with_the_context_only(
    db_path: Path,
) -> None:
    async with running(db_path) as system:
        router = system.router
        calls: list[int] = []

        @router.intent("ping", lambda ctx: ctx.text == "ping")
        async def ping(ctx: Context) -> None:
            calls.append(1)
            ctx.say("pong")

        router.intents.insert(0, router.intents.pop())
        handled = await system.engine.handle(Inbound("console", "budi", "1", text="ping"))
        assert calls == [1] and [r.text for r in handled.replies] == ["pong"]
