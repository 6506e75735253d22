"""Two `migrasi-aman serve` processes on one PostgreSQL database, as behind a load balancer.

Real processes, real HTTP on loopback, the real python-telegram-bot against the fake Bot API:
a retried webhook landing on both workers at once is handled once; one person's messages,
posted one after another to alternating workers, are answered in order; every outbox row is
sent once; the two workers together never send faster than the configured limit.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.fakes.telegram import TOKEN, FakeTelegram, text_update
from tests.fakes.twilio import (
    BOT_WHATSAPP,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    inbound_text,
    signed_request,
)
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET = "two-workers-secret"


def _wait_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("serve did not start")


@pytest.fixture
def two_workers(
    fresh_pg_database, fake_telegram: FakeTelegram, tmp_path: Path
) -> Iterator[list[str]]:
    with workers(fresh_pg_database(), fake_telegram, tmp_path) as bases:
        yield bases


@contextmanager
def workers(
    url: str, fake_telegram: FakeTelegram, tmp_path: Path, extra: dict[str, str] | None = None
) -> Iterator[list[str]]:
    """Two serve processes on the database at `url`, Telegram-only unless `extra` says else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        CHANNELS="telegram",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra or {})
    procs, bases = [], []
    for n in range(2):
        port = free_port()
        log = tmp_path / f"worker{n}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_up(port, proc, log)
        procs.append(proc)
        bases.append(f"http://127.0.0.1:{port}")
    try:
        yield bases
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _post(client: httpx.AsyncClient, base: str, update: dict) -> int:
    response = await client.post(
        f"{base}/telegram",
        content=json.dumps(update),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    return response.status_code


async def test_two_workers_share_one_database_without_doubling(
    two_workers: list[str], fake_telegram: FakeTelegram
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        # 50 parallel deliveries of one update, spread over both workers
        first = text_update(4242, "halo", update_id=990001)
        codes = await asyncio.gather(*(_post(client, two_workers[i % 2], first) for i in range(50)))
        assert set(codes) == {200}
        greeting = await fake_telegram.wait_sent(1, chat_id=4242, timeout=20)
        await asyncio.sleep(1.5)  # anything doubled would have arrived by now
        assert len(fake_telegram.sent(4242)) == len(greeting)

        # one person's answers, each posted after the last was acknowledged, to alternating
        # workers: language, consent, then menu 4 (emergency contacts) and back to the menu
        steps = ["1", "1", "4", "menu"]
        for n, text in enumerate(steps):
            update = text_update(4242, text, update_id=990002 + n)
            assert await _post(client, two_workers[n % 2], update) == 200
        # every person else at once, to load both workers
        others = [
            _post(client, two_workers[i % 2], text_update(5000 + i, "halo", update_id=991000 + i))
            for i in range(40)
        ]
        assert set(await asyncio.gather(*others)) == {200}

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            texts = [m["text"] for m in fake_telegram.sent(4242)]
            # done when the menu came back after the emergency screen (not the first menu)
            after = [i for i, t in enumerate(texts) if "dalam bahaya" in t.lower() and i > 1]
            if after and "Apa yang ingin Anda lakukan?" in texts[-1] and len(texts) > after[0] + 1:
                break
            await asyncio.sleep(0.2)
        texts = [m["text"] for m in fake_telegram.sent(4242)]
        # in order: the consent question came before the menu, the emergency screen after it
        joined = "\n---\n".join(texts)
        assert joined.index("privasi") < joined.index("Apa yang ingin Anda lakukan?"), joined
        # the emergency screen first asks where the person in danger is (issue 15)
        emergency = next(i for i, t in enumerate(texts) if "dalam bahaya" in t.lower() and i > 1)
        assert emergency < len(texts) - 1  # the menu came after it

        for i in range(40):
            await fake_telegram.wait_sent(1, chat_id=5000 + i, timeout=60)
        await asyncio.sleep(1.5)
        # every message sent once: the same text never reached the same chat twice in a row
        for chat in [4242, *range(5000, 5040)]:
            sent = [m["text"] for m in fake_telegram.sent(chat)]
            assert all(a != b for a, b in itertools.pairwise(sent)), (chat, sent)
            if chat != 4242:
                assert len(sent) == len(greeting), (chat, sent)


async def test_two_workers_together_keep_the_platforms_overall_limit(
    fresh_pg_database, fake_telegram: FakeTelegram, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    """60 new WhatsApp people at once, half on each worker, with the sending limit set to 4 a
    second: one dispatcher leads, so Twilio gets at most 4 a second from the bot as a whole,
    not 4 from each worker (a low limit, so a busy machine cannot hide a doubled rate)."""
    public = "https://migrasi-aman.example.org"
    extra = {
        "CHANNELS": "whatsapp",
        "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": BOT_WHATSAPP,
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        "PUBLIC_BASE_URL": public,
        "WHATSAPP_RATE_PER_SECOND": "4",
    }
    with workers(fresh_pg_database(), fake_telegram, tmp_path, extra) as bases:
        async with httpx.AsyncClient(timeout=30) as client:
            numbers = [f"+628120000{i:04d}" for i in range(60)]

            async def post(i: int, number: str) -> int:
                headers, body = signed_request(public + "/whatsapp", inbound_text(number, "halo"))
                response = await client.post(
                    f"{bases[i % 2]}/whatsapp", content=body, headers=headers
                )
                return response.status_code

            codes = await asyncio.gather(*(post(i, n) for i, n in enumerate(numbers)))
            assert set(codes) == {200}
            for number in numbers:
                await fake_twilio.wait_sent(1, to=number, timeout=120)
    times = sorted(m["time"] for m in fake_twilio.messages)
    # After the dispatcher's first burst the bot as a whole sends at most 4 a second, so the
    # messages take at least (n - burst) / 4 seconds; two workers each sending 4 a second
    # would be done in about half that.
    burst = 10
    assert times[-1] - times[0] >= 0.9 * (len(times) - burst) / 4, (
        len(times),
        times[-1] - times[0],
    )
