"""The channels' HTTP client (bot/channels/http.py): python-telegram-bot over aiohttp behaves
as it does over httpx — the same calls reach the platform, the same errors come back."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.channels.http import AiohttpRequest, is_loopback
from bot.channels.telegram import make_bot
from bot.config import Settings
from tests.channels.telegram_helpers import telegram_settings
from tests.fakes.telegram import TOKEN, FakeTelegram


async def test_the_bot_the_channel_makes_sends_over_aiohttp(fake_telegram: FakeTelegram) -> None:
    bot = make_bot(replace(Settings(), **telegram_settings(fake_telegram)))
    assert isinstance(bot.request, AiohttpRequest)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Terima", callback_data="accept")]])
    async with bot:
        sent = await bot.send_message(chat_id=42, text="Halo, apa kabar? ✓", reply_markup=keyboard)
        with pytest.raises(BadRequest):  # the platform's refusal comes back as PTB's error
            await bot.send_message(chat_id=42, text="")
    assert sent.chat_id == 42 and sent.text == "Halo, apa kabar? ✓"
    [call] = fake_telegram.calls_to("sendMessage", ok=True)
    assert call.params["reply_markup"] == keyboard.to_dict()


async def test_nobody_listening_is_a_network_error() -> None:
    bot = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest(trust_env=False))
    await bot.request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(chat_id=42, text="halo")
        assert not isinstance(caught.value, TimedOut)
    finally:
        await bot.request.shutdown()


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A server that accepts the connection and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(hold, sock=sock)
    try:
        yield sock.getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_a_platform_that_does_not_answer_times_out() -> None:
    async with silent_server() as port:
        request = AiohttpRequest(read_timeout=0.3, trust_env=False)
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        await request.initialize()
        start = time.monotonic()
        try:
            with pytest.raises(TimedOut):
                await bot.send_message(chat_id=42, text="halo")
        finally:
            await request.shutdown()
    assert time.monotonic() - start < 3.0


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8081/bot", True),
        ("http://localhost:8081/bot{token}", True),
        ("http://[::1]:8081/bot", True),
        ("https://api.telegram.org/bot", False),
        ("https://api.twilio.com", False),
    ],
)
def test_only_loopback_urls_skip_the_environments_proxy(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
