"""The channels' HTTP client (bot/channels/http.py): python-telegram-bot over aiohttp behaves
as it does over httpx — the same calls reach the platform, the same errors come back."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.channels.http import FORM_HEADERS, AiohttpRequest, form_body, is_loopback
from bot.channels.telegram import _REMOVE, Part, TelegramSender, make_bot
from bot.config import Settings
from bot.messages import Outgoing, Reply
from bot.outbox import SendError
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


class RecordingRequest(BaseRequest):
    """PTB's request interface, recording what a Bot would put on the wire."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, list[tuple[str, str]]]] = []

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url, method, request_data=None, **timeouts):  # type: ignore[no-untyped-def]
        assert request_data is not None
        self.posts.append((url, list(request_data.json_parameters.items())))
        chat = {"id": 42, "type": "private", "first_name": "Siti"}
        return 200, json.dumps(
            {"ok": True, "result": {"message_id": 7, "date": 0, "chat": chat}}
        ).encode()


PARTS = [
    Part("Halo"),
    Part("Halo, apa kabar? ✓ \"kutip\" & 100%", _REMOVE),
    Part("Pilih:", InlineKeyboardMarkup([[InlineKeyboardButton("Terima", callback_data="accept")],
                                         [InlineKeyboardButton("Tolak ✗", callback_data="decline")]])),
    Part("Lokasi", ReplyKeyboardMarkup([[KeyboardButton("Bagikan", request_location=True)],
                                        [KeyboardButton("Menu")]],
                                       resize_keyboard=True, one_time_keyboard=True)),
]  # fmt: skip


@pytest.mark.parametrize("part", PARTS, ids=["plain", "remove", "inline", "reply-keyboard"])
async def test_the_senders_request_is_the_one_bot_send_message_makes(part: Part) -> None:
    # The channel builds sendMessage itself (no Message parsed from the answer); what goes on
    # the wire must stay exactly what PTB's Bot.send_message sends, field for field.
    request = RecordingRequest()
    bot = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=request)
    sender = TelegramSender(bot)
    for _ in range(2):  # the second time from the encoded-markup memo
        await bot.send_message(
            chat_id=42,
            text=part.text,
            reply_markup=part.markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        sent = await sender.send_part(42, part)
        assert sent["message_id"] == 7
        ptb, ours = request.posts[-2:]
        assert ours == ptb


async def test_a_send_builds_no_message_object(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Message.de_json cost more CPU than the HTTP call; the sender reads the answer's JSON.
    bot = make_bot(replace(Settings(), **telegram_settings(fake_telegram)))
    async with bot:
        monkeypatch.setattr(Message, "de_json", None)
        outgoing = Outgoing(1, None, "telegram", "42", "id", "reply", Reply("Halo"))
        sent = await TelegramSender(bot).send(outgoing)
    [call] = fake_telegram.calls_to("sendMessage", ok=True)
    assert sent.provider_id == str(call.result["message_id"])
    assert call.params["text"] == "Halo" and call.params["link_preview_options"] == {
        "is_disabled": True
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, {"retry_after": 0.5, "permanent": False, "blocked": False}),
        (403, {"blocked": True, "permanent": True}),
        (400, {"permanent": True, "blocked": False, "retry_after": None}),
        (502, {"permanent": False, "blocked": False, "retry_after": None}),
    ],
)
async def test_the_platforms_refusals_reach_the_outbox_as_before(
    fake_telegram: FakeTelegram, status: int, expected: dict[str, object]
) -> None:
    bot = make_bot(replace(Settings(), **telegram_settings(fake_telegram)))
    fake_telegram.fail("sendMessage", status, retry_after=0.5)
    async with bot:
        outgoing = Outgoing(1, None, "telegram", "42", "id", "reply", Reply("Halo"))
        with pytest.raises(SendError) as caught:
            await TelegramSender(bot).send(outgoing)
    assert {k: getattr(caught.value, k) for k in expected} == expected


async def test_nobody_listening_is_a_send_worth_retrying() -> None:
    bot = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest(trust_env=False))
    await bot.request.initialize()
    try:
        outgoing = Outgoing(1, None, "telegram", "42", "id", "reply", Reply("Halo"))
        with pytest.raises(SendError) as caught:
            await TelegramSender(bot).send(outgoing)
    finally:
        await bot.request.shutdown()
    assert not caught.value.permanent and caught.value.retry_after is None
    assert "NetworkError" in str(caught.value)


@pytest.mark.parametrize(
    "fields",
    [
        {"To": "whatsapp:+6281234", "Body": "Halo & selamat pagi ✓ 100% a=b+c\nbaris"},
        {"chat_id": "42", "text": "".join(map(chr, range(1, 600))) + "😀 \u00a0~_.-", "": ""},
        {"reply_markup": '{"inline_keyboard": [[{"callback_data": "a", "text": "Ya"}]]}'},
    ],
)
def test_a_form_is_encoded_as_aiohttp_encodes_it(fields: dict[str, str]) -> None:
    payload = aiohttp.FormData(fields)()
    assert form_body(fields) == payload._value
    assert FORM_HEADERS["Content-Type"] == payload.content_type
