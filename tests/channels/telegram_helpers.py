"""Driving the Telegram channel in tests: the real PTB against the fake Bot API.

A `TelegramRig` is a running system with the Telegram adapter and its outbox dispatcher, on a
temporary database, pointed at the session's fake Bot API. It plays users by building real
update JSON and handing it to the adapter exactly as the webhook and the poller do (commit,
then answer a pressed button), and sends what is due through the dispatcher, deterministically
(`run_once`, a ManualClock for retry times). A cross-flow test stays a few lines::

    async def test_report_reaches_volunteer(telegram_rig):
        rig = telegram_rig
        await rig.onboard(REPORTER)
        await rig.press(REPORTER, "menu:report")
        ...
        [alert] = await rig.say(REPORTER, "ya")          # messages sent during this step
        assert rig.buttons(VOLUNTEER) == [...]

Use it as a pytest plugin (`pytest_plugins = ["tests.channels.telegram_helpers"]`) for the
`telegram_rig` fixture, or `open_rig(...)` for other settings or limits.

PYTEST_DONT_REWRITE: test modules import this module before pytest loads it as a plugin; it
raises its own AssertionErrors instead of using bare asserts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, Update

from bot.channels import telegram as tg
from bot.config import Settings
from bot.outbox import Dispatcher, Limits
from bot.system import System
from storage.contacts import Contact
from tests.fakes.clock import ManualClock
from tests.fakes.telegram import (
    FakeTelegram,
    callback_update,
    command_update,
    location_update,
    text_update,
)
from tests.helpers import running

# Conversation tests send many messages to one chat; Telegram's ~1/s per chat would make each
# of them sleep for seconds. Rate limiting has its own test with the real limits.
FAST = Limits(overall_per_second=10_000, per_chat_per_second=10_000, per_chat_burst=10_000)


def telegram_settings(fake: FakeTelegram, **overrides: Any) -> dict[str, Any]:
    """Settings fields that point the channel at `fake` (for `running`, `replace`, …)."""
    return {
        "telegram_bot_token": fake.token,
        "telegram_api_base_url": fake.base_url,
        "telegram_webhook_secret": "test-secret_0123",
        **overrides,
    }


def settings_for(fake: FakeTelegram, db: Path, **overrides: Any) -> Settings:
    return replace(Settings(), database_path=db, **telegram_settings(fake, **overrides))


@dataclass
class TelegramRig:
    fake: FakeTelegram
    system: System
    adapter: tg.TelegramAdapter
    dispatcher: Dispatcher
    clock: ManualClock
    language_code: str | None = "id"  # what users' Telegram apps report, unless told

    # --- playing users ---------------------------------------------------------------------
    async def deliver(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Receive one update as the webhook/poller would, then send what is due. Returns the
        sendMessage params that went out meanwhile (to anybody), in order."""
        before = len(self.fake.sent())
        parsed = Update.de_json(update, self.adapter.bot)
        await self.adapter.receive(parsed)
        await self.adapter.answer_callback(parsed)
        await self.flush()
        return self.fake.sent()[before:]

    async def say(self, chat: int, text: str, **kw: Any) -> list[dict[str, Any]]:
        kw.setdefault("language_code", self.language_code)
        return await self.deliver(text_update(chat, text, **kw))

    async def command(
        self, chat: int, command: str, payload: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        kw.setdefault("language_code", self.language_code)
        return await self.deliver(command_update(chat, command, payload, **kw))

    async def press(self, chat: int, key: str, **kw: Any) -> list[dict[str, Any]]:
        """Press the inline button `key` of the last keyboard shown in `chat` (it must be
        there, as a person can only press what they see)."""
        message = self.last_with_buttons(chat)
        offered = [data for _label, data in _inline_buttons(message)]
        if key not in offered:
            raise AssertionError(f"no button {key!r} in chat {chat}; offered: {offered}")
        kw.setdefault("language_code", self.language_code)
        return await self.deliver(
            callback_update(
                chat,
                key,
                message_id=message["_message_id"],
                message_text=message["text"],
                reply_markup=message["reply_markup"],
                **kw,
            )
        )

    async def share_location(self, chat: int, lat: float, lon: float, **kw: Any) -> list[dict]:
        kw.setdefault("language_code", self.language_code)
        return await self.deliver(location_update(chat, lat, lon, **kw))

    async def onboard(self, chat: int, lang: str = "id") -> list[dict[str, Any]]:
        """/start, choose a language, agree: the person is at the main menu."""
        await self.command(chat, "/start")
        await self.press(chat, f"lang:{lang}")
        return await self.press(chat, "yes")

    # --- sending -----------------------------------------------------------------------------
    async def flush(self, rounds: int = 10) -> int:
        """Send everything due now (retries wait for `clock.advance`). Returns sends tried."""
        total = 0
        for _ in range(rounds):
            n = await self.dispatcher.run_once()
            total += n
            if n == 0:
                break
        return total

    async def advance(self, seconds: float) -> int:
        """Move the clock (retry_after, backoff) and send what became due."""
        self.clock.advance(seconds)
        return await self.flush()

    # --- reading what people saw -------------------------------------------------------------
    def texts(self, chat: int) -> list[str]:
        return self.fake.sent_texts(chat)

    def last_with_buttons(self, chat: int) -> dict[str, Any]:
        # Buttons arrive with a message, or are added to it afterwards by an edit (when a
        # reply keyboard had to be removed first): the latest of either is what the person sees.
        texts: dict[int, str] = {}
        latest: dict[str, Any] | None = None
        for call in self.fake.calls:
            if not call.ok or call.chat_id != chat:
                continue
            if call.method == "sendMessage":
                message_id = call.result["message_id"]
                texts[message_id] = call.params.get("text", "")
            elif call.method == "editMessageReplyMarkup":
                message_id = int(call.params["message_id"])
            else:
                continue
            markup = call.params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                latest = {
                    **call.params,
                    "text": texts.get(message_id, ""),
                    "_message_id": message_id,
                }
        if latest is None:
            raise AssertionError(f"no message with buttons was sent to chat {chat}")
        return latest

    def buttons(self, chat: int) -> list[tuple[str, str]]:
        """(label, callback_data) of the last inline keyboard shown in `chat`."""
        return _inline_buttons(self.last_with_buttons(chat))

    def keys(self, chat: int) -> list[str]:
        return [data for _label, data in self.buttons(chat)]

    async def contact(self, chat: int) -> Contact | None:
        async def find(tx: Any) -> Contact | None:
            return await tx.contacts.find(tg.CHANNEL, str(chat))

        return await self.system.engine.run(find)


def _inline_buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message["reply_markup"]["inline_keyboard"]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


@asynccontextmanager
async def open_rig(
    fake: FakeTelegram,
    db: Path,
    *,
    limits: Limits | None = FAST,
    clock: ManualClock | None = None,
    **settings: Any,
) -> AsyncIterator[TelegramRig]:
    """A running system with the Telegram channel on `fake`. `limits=None`: the channel's own."""
    clock = clock or ManualClock()
    async with (
        running(db, clock, **telegram_settings(fake, **settings)) as system,
        fake.bot() as bot,
        tg.adapter(system.services.settings, system.engine, bot=bot) as adapter,
    ):
        chosen = limits or tg.limits(system.services.settings)
        dispatcher = Dispatcher(system.engine, adapter.sender, chosen)
        yield TelegramRig(fake, system, adapter, dispatcher, clock)


@pytest.fixture
def quick_telegram_requests(monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram) -> None:
    """Bots that the channel builds from settings (web app, poll, set_webhook) use the fake's
    request objects: one shared SSL context instead of ~50 ms per client, and no proxy from the
    environment. Token and base URL still come from the settings."""
    build = tg.make_bot

    def quick(settings: Settings, **_kw: Any) -> Bot:
        return build(
            settings,
            request=fake_telegram.request(),
            get_updates_request=fake_telegram.request(),
        )

    monkeypatch.setattr(tg, "make_bot", quick)


@pytest.fixture
async def telegram_rig(fake_telegram: FakeTelegram, db_path: Path) -> AsyncIterator[TelegramRig]:
    async with open_rig(fake_telegram, db_path) as rig:
        yield rig
