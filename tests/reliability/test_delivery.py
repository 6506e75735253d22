"""Delivery under injected send failures, with the real clients against the fake platforms.

The real python-telegram-bot and the real Twilio sender talk HTTP to the fakes (tests/fakes);
faults the fakes cannot make (a request that hangs, a connection reset) are injected one level
down: in the httpx transport under python-telegram-bot, and around the aiohttp session the
Twilio sender posts with. The dispatcher runs continuously on the real
clock, with limits scaled up so each case takes about a second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import httpx

from bot.channels import telegram as tg
from bot.channels import whatsapp as wa
from bot.clock import SystemClock
from bot.config import Settings
from bot.messages import Reply
from bot.outbox import Dispatcher, Limits
from bot.system import System, open_system
from storage.outbox import NewMessage
from tests.channels.telegram_helpers import telegram_settings
from tests.channels.whatsapp_helpers import whatsapp_settings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.helpers import running

QUICK = Limits(
    overall_per_second=200, per_chat_per_second=200, per_chat_burst=200,
    send_timeout=0.4, backoff_base=0.1,
)  # fmt: skip

# A send that hangs is cut at 1 s: the others must all be through well before that.
HANG = replace(QUICK, send_timeout=1.0)


class Faults(httpx.AsyncBaseTransport):
    """The real transport, except for requests `hang` or `reset` pick (each a predicate on the
    request, consulted while `times` lasts)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rules: list[tuple[str, Callable[[httpx.Request], bool], list[int]]] = []

    def add(self, kind: str, match: Callable[[httpx.Request], bool], times: int = 1) -> None:
        self.rules.append((kind, match, [times]))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for kind, match, left in self.rules:
            if left[0] > 0 and match(request):
                left[0] -= 1
                if kind == "hang":
                    await asyncio.sleep(3600)
                raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class SessionFaults:
    """The real aiohttp session, except for the posts `hang` or `reset` pick (each a predicate
    on the form posted, consulted while `times` lasts)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.rules: list[tuple[str, Callable[[dict[str, str]], bool], list[int]]] = []

    def add(self, kind: str, match: Callable[[dict[str, str]], bool], times: int = 1) -> None:
        self.rules.append((kind, match, [times]))

    def post(self, url: str, *, data: bytes, headers: dict[str, str] | None = None) -> Any:
        form = dict(parse_qsl(data.decode()))  # the sender posts its form already encoded
        for kind, match, left in self.rules:
            if left[0] > 0 and match(form):
                left[0] -= 1
                return self._fault(kind)
        return self.session.post(url, data=data, headers=headers)

    @staticmethod
    @asynccontextmanager
    async def _fault(kind: str) -> AsyncIterator[Any]:
        if kind == "hang":
            await asyncio.sleep(3600)
        raise aiohttp.ClientOSError(104, "Connection reset by peer")
        yield  # an async context manager that never enters


def body_has(text: str) -> Callable[[httpx.Request], bool]:
    def match(request: httpx.Request) -> bool:
        request.read()
        return text.encode() in request.content

    return match


async def put(system: System, channel: str, rows: list[tuple[str, str]]) -> None:
    now = system.services.clock.now()

    async def add(tx: Any) -> None:
        await tx.outbox.add_many(
            [NewMessage(None, channel, address, "id", Reply(text)) for address, text in rows], now
        )

    await system.engine.run(add)
    system.engine.notify({channel})


async def until(check: Callable[[], bool], timeout: float = 10.0) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


@dataclass
class Rig:
    system: System
    faults: Any  # Faults (Telegram's httpx) or SessionFaults (Twilio's aiohttp)
    dispatcher: Dispatcher


@asynccontextmanager
async def telegram(fake: FakeTelegram, db: Path, limits: Limits = QUICK) -> AsyncIterator[Rig]:
    faults = Faults()
    async with running(db, SystemClock(), **telegram_settings(fake)) as system:  # type: ignore[arg-type]
        bot = tg.Bot(
            fake.token,
            base_url=fake.base_url,
            request=fake.request(httpx_kwargs={"transport": faults}, connection_pool_size=32),
            get_updates_request=fake.request(),
        )
        async with bot, tg.adapter(system.services.settings, system.engine, bot=bot) as adapter:
            dispatcher = Dispatcher(system.engine, adapter.sender, limits)
            await dispatcher.start()
            try:
                yield Rig(system, faults, dispatcher)
            finally:
                await dispatcher.stop()


@asynccontextmanager
async def whatsapp(fake: FakeTwilio, db: Path, limits: Limits = QUICK) -> AsyncIterator[Rig]:
    settings = whatsapp_settings(db, fake)
    fields = ["twilio_account_sid", "twilio_auth_token", "twilio_whatsapp_from"]
    fields += ["twilio_api_base_url", "public_base_url"]
    values = {name: getattr(settings, name) for name in fields}
    async with (
        running(db, SystemClock(), **values) as system,  # type: ignore[arg-type]
        wa.session(system.services.settings) as http,
    ):
        faults = SessionFaults(http)
        sender = wa.TwilioSender(system.services.settings, system.engine, faults)  # type: ignore[arg-type]
        dispatcher = Dispatcher(system.engine, sender, limits)
        await dispatcher.start()
        try:
            yield Rig(system, faults, dispatcher)
        finally:
            await dispatcher.stop()


async def statuses(system: System) -> list[tuple[str, int]]:
    async def read(tx: Any) -> list[tuple[str, int]]:
        rows = await tx.sql.fetch("SELECT status, attempts FROM outbox ORDER BY id")
        return [(r[0], r[1]) for r in rows]

    return await system.engine.run(read)


# --- Telegram ----------------------------------------------------------------------------------
async def test_telegram_5xx_and_a_reset_are_retried_and_delivered_once(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    async with telegram(fake_telegram, db_path) as rig:
        fake_telegram.fail("sendMessage", 502, chat_id=101)
        rig.faults.add("reset", body_has("102"))
        await put(rig.system, "telegram", [("101", "satu"), ("102", "dua"), ("103", "tiga")])
        await until(lambda: len(fake_telegram.sent()) == 3)
        await asyncio.sleep(0.3)  # anything repeated would have gone out by now
        assert sorted(fake_telegram.sent_texts()) == ["dua", "satu", "tiga"]
        assert await statuses(rig.system) == [("sent", 2), ("sent", 2), ("sent", 1)]


async def test_telegram_429_in_a_quiet_chat_holds_the_whole_bot_back(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    # The chat got nothing before: it cannot have exceeded its own limit, so it was the bot's.
    async with telegram(fake_telegram, db_path) as rig:
        fake_telegram.fail("sendMessage", 429, retry_after=0.5, chat_id=201)
        await put(rig.system, "telegram", [("201", "satu")])
        [refused] = await fake_telegram.wait_calls("sendMessage", ok=False)
        await put(rig.system, "telegram", [("202", "dua"), ("203", "tiga")])
        await until(lambda: len(fake_telegram.sent()) == 3)
    calls = fake_telegram.calls_to("sendMessage", ok=True)
    assert all(c.at - refused.at >= 0.45 for c in calls)


async def test_telegram_429_in_a_busy_chat_holds_back_only_that_chat(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    limits = replace(QUICK, per_chat_per_second=1, per_chat_burst=5)
    async with telegram(fake_telegram, db_path, limits) as rig:
        await put(rig.system, "telegram", [("301", "satu")])
        await fake_telegram.wait_sent(1)
        fake_telegram.fail("sendMessage", 429, retry_after=1.0, chat_id=301)
        await put(rig.system, "telegram", [("301", "dua")])
        [refused] = await fake_telegram.wait_calls("sendMessage", ok=False)
        await put(rig.system, "telegram", [(str(310 + i), "lain") for i in range(5)])
        await until(lambda: len(fake_telegram.sent()) == 7)
    others = [c.at for c in fake_telegram.calls_to("sendMessage", ok=True) if c.chat_id != 301]
    assert max(others) - refused.at < 0.8  # the others went on meanwhile
    [_, again] = fake_telegram.calls_to("sendMessage", ok=True, chat_id=301)
    assert again.at - refused.at >= 0.95
    assert fake_telegram.sent_texts(301) == ["satu", "dua"]


async def test_telegram_send_that_hangs_times_out_without_delaying_anyone(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    async with telegram(fake_telegram, db_path, HANG) as rig:
        rig.faults.add("hang", body_has("401"))
        hung = time.monotonic()
        await put(rig.system, "telegram", [("401", "macet"), ("401", "kedua")])
        await asyncio.sleep(0.1)
        await put(rig.system, "telegram", [(str(410 + i), "lancar") for i in range(10)])
        others = await until(lambda: len(fake_telegram.sent()) >= 10)
        await until(lambda: len(fake_telegram.sent()) == 12)
        stuck = time.monotonic() - hung
    assert others < 0.8  # while the first send to 401 hung
    assert stuck >= 1.0  # 401 waited for its timeout, then went on, in order
    assert fake_telegram.sent_texts(401) == ["macet", "kedua"]


# --- WhatsApp through Twilio -------------------------------------------------------------------
def to(number: str) -> Callable[[dict[str, str]], bool]:
    return lambda form: form.get("To") == f"whatsapp:+{number}"


async def test_twilio_429_retry_after_holds_the_whole_channel_back(
    fake_twilio: FakeTwilio, db_path: Path
) -> None:
    async with whatsapp(fake_twilio, db_path) as rig:
        fake_twilio.fail(429, retry_after=1, to="+6281100000001")
        await put(rig.system, "whatsapp", [("6281100000001", "satu")])
        await until(lambda: any(r["status"] == 429 for r in fake_twilio.requests))
        refused = next(r["time"] for r in fake_twilio.requests if r["status"] == 429)
        await put(rig.system, "whatsapp", [("6281100000002", "dua")])
        await until(lambda: len(fake_twilio.messages) == 2, timeout=5)
    assert all(m["time"] - refused >= 0.95 for m in fake_twilio.messages)


async def test_twilio_5xx_reset_and_hang_are_retried_and_nobody_waits_for_them(
    fake_twilio: FakeTwilio, db_path: Path
) -> None:
    async with whatsapp(fake_twilio, db_path, HANG) as rig:
        fake_twilio.fail(503, to="+6281100000011")
        rig.faults.add("reset", to("6281100000012"))
        rig.faults.add("hang", to("6281100000013"))
        hung = time.monotonic()
        await put(rig.system, "whatsapp", [(f"628110000001{i}", f"pesan {i}") for i in range(1, 4)])
        await asyncio.sleep(0.1)
        await put(rig.system, "whatsapp", [(f"62811000002{i}", "lancar") for i in range(8)])
        others = await until(
            lambda: sum(m.get("Body") == "lancar" for m in fake_twilio.messages) == 8
        )
        await until(lambda: len(fake_twilio.messages) == 11)
        assert time.monotonic() - hung >= 1.0  # the hung one waited for its timeout
        await asyncio.sleep(0.3)
    assert others < 0.8
    bodies = sorted(m["Body"] for m in fake_twilio.messages)
    assert bodies == sorted(["pesan 1", "pesan 2", "pesan 3"] + ["lancar"] * 8)  # each once


# --- several workers on PostgreSQL -------------------------------------------------------------
@asynccontextmanager
async def worker(url: str, fake: FakeTelegram) -> AsyncIterator[System]:
    """A worker process's system: the Telegram channel and its dispatcher, on `url`."""
    settings = replace(Settings(), database_url=url, **telegram_settings(fake))
    async with (
        fake.bot() as bot,
        open_system(
            settings, clock=SystemClock(), channels=["telegram"], options={"telegram": {"bot": bot}}
        ) as system,
    ):
        yield system


async def test_two_workers_send_each_row_once_within_one_limit_and_hand_over(
    fresh_pg_database, fake_telegram: FakeTelegram
) -> None:
    url = fresh_pg_database()
    texts = [f"pesan {i}" for i in range(90)]
    async with AsyncExitStack() as two_stack:
        one_stack = AsyncExitStack()
        one = await one_stack.enter_async_context(worker(url, fake_telegram))
        await asyncio.sleep(0.3)  # the first worker takes the lead
        two = await two_stack.enter_async_context(worker(url, fake_telegram))
        # Rows committed on both workers; only the leader sends, woken by the other's NOTIFY.
        await put(one, "telegram", [(str(700 + i % 30), texts[i]) for i in range(45)])
        await put(two, "telegram", [(str(700 + i % 30), texts[45 + i]) for i in range(45)])
        await until(lambda: len(fake_telegram.sent()) >= 30, timeout=20)
        await one_stack.aclose()  # the leader stops mid-way: the second takes over
        stopped = len(fake_telegram.sent())
        await until(lambda: len(fake_telegram.sent()) >= 90, timeout=30)
        await asyncio.sleep(0.5)
    assert stopped < 90
    sent = fake_telegram.sent_texts()
    assert sorted(sent) == sorted(texts)  # every row once
    assert fake_telegram.peak_rate(1.0) <= 30  # the two together within Telegram's limit
