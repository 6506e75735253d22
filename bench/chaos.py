"""The long fault run: kill -9 of `serve` and of `telegram-poll` under load, failing sends,
forged and oversized requests, hostile names. The fast cases are in tests/reliability/.

    python bench/chaos.py [--users 24] [--seconds 60] [--failure-rate 0.3] [--kill-every 6]
                          [--phases serve,poll] [--root TREE] [--seed 1]

Each phase starts the fake Telegram and Twilio APIs (tests/fakes), each behind a fault proxy,
imports volunteers near Indramayu, and runs the real bot as a subprocess:

- **serve**: `migrasi-aman serve`, both channels by webhook. Half the people are on Telegram
  (updates POSTed with the secret), half on WhatsApp (signed forms). A webhook that fails (a
  refused connection while serve is dead, a 5xx) is delivered again, as the platforms do; one
  message in twenty is delivered twice even after its 200.
- **poll**: `migrasi-aman telegram-poll`, everyone on Telegram through getUpdates.

People follow scripts (greeting, consent, menu, questions, pasted offers; one in four files a
report, which alerts a volunteer), each message after the previous one got its reply, some with
names full of bidi overrides, zero-width characters, NUL and fake contact lines. Meanwhile:

- the process is killed with SIGKILL every `--kill-every` seconds on average (uniformly
  random moment) and restarted at once;
- `--failure-rate` of the platform calls fail: 5xx (500, 502/503), 429 (Telegram's
  `retry_after`, Twilio's `Retry-After`) from the fakes, connection resets and sends that
  hang until the client's timeout from the proxies (never after the platform accepted them,
  so every repeat counted is one a kill caused);
- an attacker posts forged (no or wrong secret/signature), malformed, mistyped, NaN-located
  and oversized (2-10 MB, declared or chunked) requests; each has one right answer.

After the load the process runs until its outbox is drained, stops, and the run is judged
against the database and what the fakes received:

    acknowledged-but-unprocessed  a 200'd webhook / confirmed update not in the dedupe table
    processed twice               outbox rows for a person beyond a fault-free run of the
                                  same scripts (handled in-process, in this run)
    replies lost                  parts of outbox rows never received by the platform
    replies repeated per kill     parts received more often than the outbox holds them
    reports lost                  a report whose consent was acknowledged but has no case
    alerts unsent                 a case offered to a volunteer who never received it
    reply delay p50/p90           outbox row created → sent, under the failures
    requests mishandled           forged/malformed/oversized requests answered other than
                                  403/400/413, and any 5xx to a well-formed one
    names stored raw              contacts whose stored name holds control/format characters

`--root` runs another checkout of the project (e.g. the tree before a change) with this
script's load and judgement, for before/after figures in one sitting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.webhook import OFFERS, free_port, percentile  # noqa: E402
from tests.fakes.telegram import TOKEN, FakeTelegram, location_update, text_update  # noqa: E402
from tests.fakes.twilio import (  # noqa: E402
    BOT_WHATSAPP,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    inbound_location,
    inbound_text,
    signed_request,
)

SECRET = "chaos-secret-0123456789"
DESCRIPTION = (
    "Adik saya dijanjikan kerja di pabrik Malaysia, paspornya ditahan dan dia diminta bayar 5 juta."
)
CHAT_SCRIPT = [
    "halo", "1", "1", "2", "menu", "cara kerja ke korea lewat jalur resmi", "menu",
    OFFERS[0], "menu", "data saya", "menu", OFFERS[5], "menu", "berapa biaya ke taiwan",
    "menu", "terima kasih",
]  # fmt: skip
REPORT_SCRIPT = [
    "halo", "1", "1", "3", "2", DESCRIPTION, "Bu Sri", "081234567890", "Indramayu", "1", "2",
    "2", "1", "menu",
]  # fmt: skip
CONSENT_INDEX = 12  # the "1" that sends the report
HOSTILE_NAMES = [
    "Siti\u202e0000 118 26+",
    "Ani\u200b\u2060\ufeff\u2066x\u2069",
    "Budi\nKontak: +62 811 0000 0000",
    "Dewi\x00\x1b[31m\x07",
    "S" + "\u0336" * 50 + "ri",
]
VOLUNTEERS = [
    ("Relawan Indramayu A", "telegram", "7000001"),
    ("Relawan Indramayu B", "telegram", "7000002"),
    ("Relawan Indramayu C", "telegram", "7000003"),
]  # on Telegram: a WhatsApp volunteer who never wrote needs an approved template
_CASE_NUMBER = re.compile(r"\b[A-Z]{2}-[A-Z0-9]{4,}\b")


# --------------------------------------------------------------------------------------------
# Faults on the wire: a TCP proxy in front of each fake that resets or hangs requests
# --------------------------------------------------------------------------------------------


@dataclass
class WireFaults:
    reset: float = 0.0  # probability that a request's connection is reset before forwarding
    hang: float = 0.0  # probability that a request is swallowed and the connection held
    hang_seconds: float = 40.0
    counts: Counter[str] = field(default_factory=Counter)


class FaultProxy:
    """Loopback TCP proxy; a fault is decided when a request starts, before anything reaches
    the fake, so a fault never makes the platform accept something the bot will resend."""

    def __init__(self, upstream_port: int, faults: WireFaults, rng: random.Random) -> None:
        self.upstream_port = upstream_port
        self.faults = faults
        self.rng = rng
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
            self._ready.set()
            async with self._server:
                await self._server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError, RuntimeError):
            self._loop.run_until_complete(main())

    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        def close() -> None:
            for task in asyncio.all_tasks(self._loop):
                task.cancel()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(timeout=5)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return

        async def downstream() -> None:
            with contextlib.suppress(Exception):
                while chunk := await up_reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
            with contextlib.suppress(Exception):
                writer.close()

        pump = asyncio.create_task(downstream())
        try:
            while chunk := await reader.read(65536):
                if chunk[:5] in (b"POST ", b"GET /"):
                    roll = self.rng.random()
                    if roll < self.faults.reset:
                        self.faults.counts["reset"] += 1
                        sock = writer.get_extra_info("socket")
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        writer.transport.abort()
                        break
                    if roll < self.faults.reset + self.faults.hang:
                        self.faults.counts["hang"] += 1
                        await asyncio.sleep(self.faults.hang_seconds)
                        writer.transport.abort()
                        break
                up_writer.write(chunk)
                await up_writer.drain()
        except Exception:
            pass
        finally:
            pump.cancel()
            with contextlib.suppress(Exception):
                up_writer.close()
            with contextlib.suppress(Exception):
                writer.close()


# --------------------------------------------------------------------------------------------
# The bot as a subprocess, killed and restarted
# --------------------------------------------------------------------------------------------


@dataclass
class Bot:
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    port: int | None = None  # serve listens; the poller does not
    polls: Any = None  # the poller: how many getUpdates the fake has seen (it is up once more)
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        out = open(self.log, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
        )
        # Up means serving: serve accepts connections, the poller has asked for updates.
        polls = self.polls() if self.polls is not None else 0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[3]} exited with {self.proc.returncode}")
            if self.port is not None:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", self.port)) == 0:
                        return
            elif self.polls() > polls:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.argv[3]} did not come up")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --------------------------------------------------------------------------------------------
# One phase
# --------------------------------------------------------------------------------------------


@dataclass
class Person:
    index: int
    channel: str  # "telegram" | "whatsapp"
    address: str  # chat id or E.164 digits
    name: str
    script: list[str]
    reporter: bool
    acked: list[str] = field(default_factory=list)  # external ids answered 200 / confirmed
    consent_acked: bool = False
    waits: list[float] = field(default_factory=list)  # 200 → a new message at the platform
    no_reply: int = 0


@dataclass
class Tally:
    mishandled: Counter[str] = field(default_factory=Counter)
    attacks: int = 0
    resent: int = 0  # webhooks delivered again after a failure
    duplicates: int = 0  # delivered again after a 200, on purpose
    server_errors: int = 0  # 5xx to well-formed webhooks
    closed_on_oversized: int = 0  # oversized uploads refused by closing the connection
    health_ms: list[float] = field(default_factory=list)


def people_for(args: argparse.Namespace, phase: str, run: int) -> list[Person]:
    out = []
    for i in range(args.users):
        channel = "telegram" if phase == "poll" or i % 2 == 0 else "whatsapp"
        reporter = i % 4 == 1 or i % 4 == 2
        address = (
            str(50_000_000 + run * 10_000 + i) if channel == "telegram" else f"6285{run:03d}{i:07d}"
        )
        name = HOSTILE_NAMES[i % len(HOSTILE_NAMES)] if i % 3 == 0 else f"Orang {i}"
        script = REPORT_SCRIPT if reporter else CHAT_SCRIPT
        out.append(Person(i, channel, address, name, list(script), reporter))
    return out


def env_for(
    tmp: Path, tg: FakeTelegram, tw: FakeTwilio, tg_port: int, tw_port: int, port: int, root: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        DATABASE_PATH=str(tmp / "chaos.db"),
        DATABASE_URL="",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{tg_port}/bot",
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_WHATSAPP_FROM=f"whatsapp:{BOT_WHATSAPP}",
        TWILIO_API_BASE_URL=f"http://127.0.0.1:{tw_port}",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(root),
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def volunteers_csv(tmp: Path) -> Path:
    path = tmp / "volunteers.csv"
    lines = ["name,channel,address,place,lat,lon,languages,capacity"]
    lines += [f"{n},{c},{a},Kabupaten Indramayu,,,id,50" for n, c, a in VOLUNTEERS]
    path.write_text("\n".join(lines) + "\n")
    return path


async def inject_send_failures(
    tg: FakeTelegram, tw: FakeTwilio, rate: float, rng: random.Random, stop: asyncio.Event
) -> Counter[str]:
    """Keep about `rate` of the platforms' send calls failing with HTTP errors."""
    injected: Counter[str] = Counter()
    seen_tg = seen_tw = 0
    while not stop.is_set():
        await asyncio.sleep(0.2)
        n_tg = len(tg.calls_to("sendMessage"))
        n_tw = len(tw.requests)
        for _ in range(_poisson(rng, (n_tg - seen_tg) * rate)):
            kind = rng.choice(["500", "502", "429"])
            if kind == "429":
                tg.fail("sendMessage", 429, retry_after=rng.choice([1, 2, 3]))
            else:
                tg.fail("sendMessage", int(kind))
            injected[f"telegram {kind}"] += 1
        for _ in range(_poisson(rng, (n_tw - seen_tw) * rate)):
            kind = rng.choice(["500", "503", "429"])
            if kind == "429":
                tw.fail(429, retry_after=rng.choice([1, 2]))
            else:
                tw.fail(int(kind))
            injected[f"twilio {kind}"] += 1
        seen_tg, seen_tw = n_tg, n_tw
    return injected


def _poisson(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)


async def killer(bot: Bot, every: float, rng: random.Random, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(0.3, 1.7) * every)
        if stop.is_set():
            return
        await asyncio.to_thread(bot.kill)
        await asyncio.sleep(rng.uniform(0.1, 0.6))
        await asyncio.to_thread(bot.start)


def platform_count(person: Person, tg: FakeTelegram, tw: FakeTwilio) -> int:
    if person.channel == "telegram":
        return len(tg.calls_to("sendMessage", ok=True, chat_id=int(person.address)))
    return len(tw.sent(to="whatsapp:+" + person.address))


async def webhook_until_200(
    client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str], tally: Tally
) -> httpx.Response:
    """Deliver like a platform: again and again until it is acknowledged."""
    for attempt in range(400):
        try:
            response = await client.post(path, content=body, headers=headers)
        except httpx.HTTPError:
            tally.resent += 1
            await asyncio.sleep(min(2.0, 0.2 * (attempt + 1)))
            continue
        if response.status_code == 200:
            return response
        if response.status_code >= 500:
            tally.server_errors += 1
        else:
            tally.mishandled[f"well-formed webhook answered {response.status_code}"] += 1
            return response
        tally.resent += 1
        await asyncio.sleep(0.5)
    raise RuntimeError("never acknowledged")


async def person_via_webhook(
    person: Person,
    client: httpx.AsyncClient,
    port: int,
    tg: FakeTelegram,
    tw: FakeTwilio,
    tally: Tally,
    rng: random.Random,
    cutoff: asyncio.Event,
) -> None:
    public = f"http://127.0.0.1:{port}/whatsapp"
    for n, text in enumerate(person.script):
        if cutoff.is_set():
            person.script = person.script[:n]
            return
        before = platform_count(person, tg, tw)
        if person.channel == "telegram":
            update = text_update(int(person.address), text, first_name=person.name)
            body = json.dumps(update).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
            }
            path, key = "/telegram", str(update["update_id"])
        else:
            form = inbound_text("+" + person.address, text, profile_name=person.name)
            headers, body = signed_request(public, form)
            path, key = "/whatsapp", form["MessageSid"]
        response = await webhook_until_200(client, path, body, headers, tally)
        acked_at = time.monotonic()
        if response.status_code == 200:
            person.acked.append(key)
            if person.reporter and n == CONSENT_INDEX:
                person.consent_acked = True
        if rng.random() < 0.05:  # the platform delivers it again anyway
            tally.duplicates += 1
            await webhook_until_200(client, path, body, headers, tally)
        await _wait_reply(person, before, acked_at, tg, tw)


async def person_via_poll(
    person: Person, tg: FakeTelegram, tw: FakeTwilio, cutoff: asyncio.Event
) -> None:
    for n, text in enumerate(person.script):
        if cutoff.is_set():
            person.script = person.script[:n]
            return
        before = platform_count(person, tg, tw)
        update = text_update(int(person.address), text, first_name=person.name)
        tg.push_update(update)
        person.acked.append(str(update["update_id"]))  # judged against confirmation later
        if person.reporter and n == CONSENT_INDEX:
            person.consent_acked = True
        await _wait_reply(person, before, time.monotonic(), tg, tw)


async def _wait_reply(
    person: Person, before: int, since: float, tg: FakeTelegram, tw: FakeTwilio
) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if platform_count(person, tg, tw) > before:
            person.waits.append(time.monotonic() - since)
            return
        await asyncio.sleep(0.1)
    person.no_reply += 1


ATTACKS: list[tuple[str, int]] = [
    ("telegram without secret", 403),
    ("telegram wrong secret", 403),
    ("telegram broken JSON", 400),
    ("telegram text is a number", 400),
    ("telegram callback data is an object", 400),
    ("telegram NaN location", 400),
    ("telegram 2 MB update", 413),
    ("telegram 3 MB chunked", 413),
    ("whatsapp unsigned", 403),
    ("whatsapp wrong signature", 403),
    ("whatsapp 10 MB form", 413),
    ("whatsapp NaN latitude (signed)", 400),
]


async def attacker(
    client: httpx.AsyncClient,
    port: int,
    tally: Tally,
    rng: random.Random,
    stop: asyncio.Event,
    alive: Any,
) -> None:
    public = f"http://127.0.0.1:{port}/whatsapp"
    json_headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(0.1, 0.4))
        name, expected = rng.choice(ATTACKS)
        chat = 90_000_000 + rng.randrange(1000)
        content: Any
        if name == "telegram without secret":
            path, headers = "/telegram", {"Content-Type": "application/json"}
            content = json.dumps(text_update(chat, "halo")).encode()
        elif name == "telegram wrong secret":
            path, headers = "/telegram", {**json_headers, "X-Telegram-Bot-Api-Secret-Token": "x"}
            content = json.dumps(text_update(chat, "halo")).encode()
        elif name == "telegram broken JSON":
            path, headers, content = "/telegram", json_headers, b'{"update_id": 1, "message": {'
        elif name == "telegram text is a number":
            update = text_update(chat, "halo")
            update["message"]["text"] = 12345
            path, headers, content = "/telegram", json_headers, json.dumps(update).encode()
        elif name == "telegram callback data is an object":
            update = text_update(chat, "halo")
            update["callback_query"] = {
                "id": "1",
                "from": update["message"]["from"],
                "data": {"x": 1},
                "chat_instance": "1",
            }
            del update["message"]
            path, headers, content = "/telegram", json_headers, json.dumps(update).encode()
        elif name == "telegram NaN location":
            update = location_update(chat, 0.5, 106.0)
            raw = json.dumps(update).replace('"latitude": 0.5', '"latitude": NaN')
            path, headers, content = "/telegram", json_headers, raw.encode()
        elif name == "telegram 2 MB update":
            update = text_update(chat, "x" * (2 * 1024 * 1024))
            path, headers, content = "/telegram", json_headers, json.dumps(update).encode()
        elif name == "telegram 3 MB chunked":

            async def chunks() -> Any:
                for _ in range(48):
                    yield b"x" * 65536

            path, headers, content = "/telegram", json_headers, chunks()
        elif name == "whatsapp unsigned":
            path, headers = "/whatsapp", form_headers
            content = b"From=whatsapp%3A%2B628111&Body=halo&MessageSid=SM1"
        elif name == "whatsapp wrong signature":
            path, headers = "/whatsapp", {**form_headers, "X-Twilio-Signature": "AAAA"}
            content = b"From=whatsapp%3A%2B628111&Body=halo&MessageSid=SM1"
        elif name == "whatsapp 10 MB form":
            path, headers = "/whatsapp", {**form_headers, "X-Twilio-Signature": "AAAA"}
            content = b"Body=" + b"A" * (10 * 1024 * 1024)
        else:  # signed NaN latitude
            form = {
                **inbound_location(f"+62899{rng.randrange(10**6):06d}", 0.5, 106.0),
                "Latitude": "nan",
            }
            headers, content = signed_request(public, form)
            path = "/whatsapp"
        try:
            response = await client.post(path, content=content, headers=headers)
        except httpx.HTTPError:
            # The server is down (a kill: not judged), or it closed the connection on an
            # oversized upload without reading it, which refuses it as well as a 413 does.
            if expected == 413 and alive():
                tally.attacks += 1
                tally.closed_on_oversized += 1
            continue
        tally.attacks += 1
        if (
            response.status_code != expected and response.status_code < 500
        ) or response.status_code >= 500:
            tally.mishandled[f"{name}: {response.status_code} (want {expected})"] += 1


async def health_prober(
    client: httpx.AsyncClient, tally: Tally, stop: asyncio.Event, alive: Any
) -> None:
    """GET /healthz every 0.2 s while the process is up: how long everyone else waits while
    forged and oversized requests arrive."""
    while not stop.is_set():
        await asyncio.sleep(0.2)
        if not alive():
            continue
        t0 = time.perf_counter()
        try:
            response = await client.get("/healthz")
        except httpx.HTTPError:
            continue
        if response.status_code == 200:
            tally.health_ms.append((time.perf_counter() - t0) * 1000)


async def drain(db: Path, timeout: float) -> int:
    """Wait until no outbox row is pending (or `timeout`); how many still are."""
    deadline = time.monotonic() + timeout
    pending = -1
    while time.monotonic() < deadline:
        pending = _pending(db)
        if pending == 0:
            return 0
        await asyncio.sleep(0.5)
    return pending


def _pending(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(
                "SELECT COUNT(*) FROM outbox WHERE status NOT IN ('sent', 'failed')"
            ).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return -1


# --------------------------------------------------------------------------------------------
# The reference: the same scripts, no faults, handled in-process
# --------------------------------------------------------------------------------------------


async def reference_rows(people: list[Person], tmp: Path) -> dict[str, int]:
    """Outbox rows per person when every message is handled exactly once, in order."""
    from bot.config import Settings
    from bot.messages import Inbound
    from bot.system import open_system
    from bot.volunteer_csv import import_csv

    settings = replace(Settings(), database_path=tmp / "reference.db", flood_burst=0)
    async with open_system(settings, dispatch=False) as system:
        now = system.services.clock.now()
        csv_text = volunteers_csv(tmp).read_text()
        await system.engine.run(lambda tx: import_csv(tx, csv_text, system.services.gazetteer, now))
        for person in people:
            for n, text in enumerate(person.script):
                await system.engine.handle(
                    Inbound(
                        channel=person.channel,
                        address=person.address,
                        external_id=f"ref-{person.index}-{n}",
                        text=text,
                        locale_hint="id" if person.channel == "telegram" else None,
                        display_name=person.name,
                    )
                )
    return _rows_per_address(tmp / "reference.db", people)


def _rows_per_address(db: Path, people: list[Person]) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        counts = dict(
            con.execute("SELECT address, COUNT(*) FROM outbox GROUP BY address").fetchall()
        )
    finally:
        con.close()
    return {p.address: counts.get(p.address, 0) for p in people}


# --------------------------------------------------------------------------------------------
# Judgement
# --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    phase: str
    messages: int = 0
    kills: int = 0
    acked_unprocessed: int = 0
    processed_twice: int = 0
    rows_missing: int = 0
    replies_lost: int = 0
    replies_repeated: int = 0
    reports_lost: int = 0
    alerts_unsent: int = 0
    delays: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    no_reply: int = 0
    mishandled: Counter[str] = field(default_factory=Counter)
    attacks: int = 0
    names_raw: int = 0
    pending_after: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    resent: int = 0
    duplicates: int = 0
    server_errors: int = 0
    closed_on_oversized: int = 0
    health_ms: list[float] = field(default_factory=list)
    failure_share: float = 0.0
    send_attempts: int = 0


def _expected_parts(db: Path, people: list[Person]) -> dict[str, Counter[str]]:
    """What the platform should have received per address: each sent row's rendered parts."""
    from bot.channels import telegram as tg_channel
    from bot.channels import whatsapp as wa_channel
    from bot.messages import Outgoing, Reply

    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute(
            "SELECT id, channel, address, locale, kind, payload, status FROM outbox"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, Counter[str]] = {}
    for row in rows:
        reply = Reply.from_json(row["payload"])
        if row["channel"] == "telegram":
            parts = [p.text for p in tg_channel.render(reply, row["locale"])]
        else:
            message = Outgoing(
                row["id"], None, "whatsapp", row["address"], row["locale"], row["kind"], reply
            )
            parts = wa_channel.render(message)
        out.setdefault(row["address"], Counter()).update(_norm(p) for p in parts)
    return out


def _norm(text: str) -> str:
    return _CASE_NUMBER.sub("#", text).strip()


def judge(
    phase: str,
    db: Path,
    people: list[Person],
    reference: dict[str, int],
    tg: FakeTelegram,
    tw: FakeTwilio,
    bot: Bot,
    tally: Tally,
    wire: Counter[str],
) -> Figures:
    fig = Figures(phase)
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    seen = {(r["channel"], r["external_id"]) for r in con.execute("SELECT * FROM inbound")}
    if phase == "poll":
        pending = {str(u["update_id"]) for u in tg.pending_updates()}
        for p in people:
            p.acked = [k for k in p.acked if k not in pending]
    for p in people:
        fig.messages += len(p.script)
        fig.acked_unprocessed += sum(1 for k in p.acked if (p.channel, k) not in seen)
        fig.waits += p.waits
        fig.no_reply += p.no_reply
    chaos_rows = _rows_per_address(db, people)
    for p in people:
        diff = chaos_rows[p.address] - reference[p.address]
        fig.processed_twice += max(0, diff)
        fig.rows_missing += max(0, -diff)
    # Deliveries: rendered parts of the outbox vs what the fakes received.
    expected = _expected_parts(db, people)
    addresses = {p.address for p in people} | {a.lstrip("+") for _n, _c, a in VOLUNTEERS}
    for address in addresses:
        want = expected.get(address, Counter())
        if address.startswith("6"):
            got = Counter(_norm(m.get("Body") or "") for m in tw.sent(to="whatsapp:+" + address))
        else:
            got = Counter(_norm(t) for t in tg.sent_texts(int(address)))
        fig.replies_lost += sum((want - got).values())
        fig.replies_repeated += sum((got - want).values())
    # Reports and alerts.
    contacts = {
        r["id"]: (r["channel"], r["address"]) for r in con.execute("SELECT * FROM contacts")
    }
    reporters_with_case = {
        contacts.get(r["reporter_contact_id"])
        for r in con.execute("SELECT reporter_contact_id FROM cases")
    }
    for p in people:
        if p.reporter and p.consent_acked and (p.channel, p.address) not in reporters_with_case:
            fig.reports_lost += 1
    volunteers = {
        r["id"]: (r["channel"], r["address"]) for r in con.execute("SELECT * FROM volunteers")
    }
    for case in con.execute("SELECT number, offered_to, volunteer_id FROM cases"):
        who = volunteers.get(case["offered_to"] or case["volunteer_id"])
        if who is None:
            fig.alerts_unsent += 1
            continue
        channel, address = who
        if channel == "telegram":
            texts = tg.sent_texts(int(address))
        else:
            texts = [m.get("Body") or "" for m in tw.sent(to="whatsapp:+" + address)]
        if not any(case["number"] in t for t in texts):
            fig.alerts_unsent += 1
    # Delay of replies under failures: row created → sent.
    fig.delays = [
        r[0]
        for r in con.execute(
            "SELECT sent_at - created_at FROM outbox WHERE status = 'sent' AND sent_at IS NOT NULL"
        )
    ]
    for r in con.execute("SELECT display_name FROM contacts WHERE display_name IS NOT NULL"):
        if any(unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in r[0]):
            fig.names_raw += 1
    con.close()
    tg_calls = tg.calls_to("sendMessage")
    attempts = len(tg_calls) + len(tw.requests) + sum(wire.values())
    failed = sum(1 for c in tg_calls if not c.ok)
    failed += sum(1 for r in tw.requests if r["status"] >= 400) + sum(wire.values())
    fig.failure_share = failed / max(1, attempts)
    fig.send_attempts = attempts
    fig.kills = bot.kills
    fig.mishandled = tally.mishandled
    fig.attacks = tally.attacks
    fig.resent, fig.duplicates, fig.server_errors = (
        tally.resent,
        tally.duplicates,
        tally.server_errors,
    )
    fig.closed_on_oversized = tally.closed_on_oversized
    fig.health_ms = tally.health_ms
    return fig


# --------------------------------------------------------------------------------------------
# Running a phase
# --------------------------------------------------------------------------------------------


async def run_phase(args: argparse.Namespace, phase: str, run: int) -> Figures:
    rng = random.Random(args.seed * 1000 + run)
    root = Path(args.root).resolve()
    with tempfile.TemporaryDirectory(prefix=f"chaos-{phase}-") as tmpdir:
        tmp = Path(tmpdir)
        tg = FakeTelegram()
        tw = FakeTwilio().start()
        faults = WireFaults()
        with tg.serve():
            tg_proxy = FaultProxy(int(tg.url.rsplit(":", 1)[1]), faults, rng).start()
            tw_proxy = FaultProxy(int(tw.base_url.rsplit(":", 1)[1]), faults, rng).start()
            port = free_port()
            env = env_for(tmp, tg, tw, tg_proxy.port, tw_proxy.port, port, root)
            if phase == "poll":
                env["CHANNELS"] = "telegram"
            subprocess.run(
                [sys.executable, "-m", "bot", "volunteers", "import", str(volunteers_csv(tmp))],
                env=env, cwd=root, check=True, capture_output=True,
            )  # fmt: skip
            people = people_for(args, phase, run)
            argv = (
                [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
                if phase == "serve"
                else [sys.executable, "-m", "bot", "telegram-poll"]
            )
            bot = Bot(argv, env, root, tmp / f"{phase}.log", port if phase == "serve" else None)
            if phase == "poll":
                bot.polls = lambda: len(tg.calls_to("getUpdates"))
            bot.start()
            tally = Tally()
            stop = asyncio.Event()
            cutoff = asyncio.Event()
            # The fault mix: a third of the failures on the wire, the rest HTTP errors.
            faults.reset = args.failure_rate * 0.2
            faults.hang = args.failure_rate * 0.05
            http_rate = args.failure_rate * 0.75
            try:
                limits = httpx.Limits(max_connections=args.users + 8)
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
                ) as client:
                    injector = asyncio.create_task(
                        inject_send_failures(tg, tw, http_rate, rng, stop)
                    )
                    kill_task = asyncio.create_task(killer(bot, args.kill_every, rng, stop))
                    attack_task = (
                        asyncio.create_task(
                            attacker(
                                client,
                                port,
                                tally,
                                rng,
                                stop,
                                lambda: bot.proc is not None and bot.proc.poll() is None,
                            )
                        )
                        if phase == "serve"
                        else None
                    )
                    prober = (
                        asyncio.create_task(
                            health_prober(
                                client,
                                tally,
                                stop,
                                lambda: bot.proc is not None and bot.proc.poll() is None,
                            )
                        )
                        if phase == "serve"
                        else None
                    )
                    started = time.monotonic()

                    async def staggered(p: Person) -> None:
                        await asyncio.sleep(rng.uniform(0, 3))
                        if phase == "serve":
                            await person_via_webhook(p, client, port, tg, tw, tally, rng, cutoff)
                        else:
                            await person_via_poll(p, tg, tw, cutoff)

                    load = asyncio.gather(*(staggered(p) for p in people))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(load), timeout=args.seconds)
                    cutoff.set()  # nobody starts another message after --seconds
                    await load
                    stop.set()  # the faults and kills lasted as long as the load
                    await kill_task
                    if attack_task is not None:
                        await attack_task
                    if prober is not None:
                        await prober
                    injected = await injector
                    faults.reset = faults.hang = 0.0
                    load_seconds = time.monotonic() - started
                pending = await drain(tmp / "chaos.db", 120)
                await asyncio.sleep(1.0)
            finally:
                bot.stop()
                tg_proxy.stop()
                tw_proxy.stop()
                tw.stop()
            # The reference: the scripts as far as the people got, each message once.
            reference = await reference_rows(people, tmp)
            fig = judge(
                phase, tmp / "chaos.db", people, reference, tg, tw, bot, tally, faults.counts
            )
            fig.pending_after = pending
            fig.injected = injected + Counter({f"wire {k}": v for k, v in faults.counts.items()})
            kept = Path(tempfile.gettempdir()) / f"chaos-{phase}.log"
            kept.write_bytes(bot.log.read_bytes())
            print(f"  ({phase}: load {load_seconds:.0f} s; the bot's log: {kept})")
            return fig


def report(fig: Figures) -> None:
    kills = max(1, fig.kills)
    sends = sum(fig.injected.values())
    print(f"phase {fig.phase}: {fig.messages} messages, {fig.kills} kills, {sends} injected faults")
    print(f"  faults: {dict(sorted(fig.injected.items()))}")
    print(
        f"  platform calls {fig.send_attempts}, of which failed {fig.failure_share:.0%}"
        f" (the rest of the failures injected after the load are unused)"
    )
    print(
        f"  webhooks resent after a failure {fig.resent}, duplicated after 200 {fig.duplicates},"
        f" 5xx to well-formed {fig.server_errors}"
    )
    rows = [
        ("acknowledged-but-unprocessed", fig.acked_unprocessed, "0"),
        ("processed twice", fig.processed_twice, "0"),
        ("outbox rows missing vs reference", fig.rows_missing, "0"),
        ("replies lost", fig.replies_lost, "0"),
        ("replies repeated", fig.replies_repeated, ""),
        ("replies repeated per kill", round(fig.replies_repeated / kills, 2), "<= in flight"),
        ("reports lost", fig.reports_lost, "0"),
        ("alerts unsent", fig.alerts_unsent, "0"),
        ("reply delay p50 s", round(percentile(fig.delays, 50), 2), ""),
        ("reply delay p90 s", round(percentile(fig.delays, 90), 2), "< 30"),
        ("reply delay max s", round(max(fig.delays, default=float("nan")), 2), ""),
        ("person's wait p50/p90 s", _pair(fig.waits), ""),
        ("messages without a reply in 90 s", fig.no_reply, "0"),
        ("requests mishandled", sum(fig.mishandled.values()), f"0 of {fig.attacks} attacks"),
        ("  oversized refused by closing", fig.closed_on_oversized, ""),
        ("GET /healthz p50/p99/max ms", _health(fig.health_ms), "under attack"),
        ("names stored raw", fig.names_raw, "0"),
        ("outbox rows still pending", fig.pending_after, "0"),
    ]
    for name, value, target in rows:
        print(f"  {name:<36} {value!s:>10}   {('target ' + target) if target else ''}")
    for what, n in sorted(fig.mishandled.items()):
        print(f"    mishandled: {what} × {n}")


def _health(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{percentile(values, 50):.0f}/{percentile(values, 99):.0f}/{max(values):.0f}"


def _pair(values: list[float]) -> str:
    return f"{percentile(values, 50):.1f}/{percentile(values, 90):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="faults and kills for this long"
    )
    parser.add_argument("--failure-rate", type=float, default=0.3)
    parser.add_argument("--kill-every", type=float, default=6.0)
    parser.add_argument("--phases", default="serve,poll")
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose bot is run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    # The fakes log every request the fault proxy cut off; those are the point, not news.
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    print(
        f"chaos: {args.users} people, {args.seconds:g} s of faults, failure rate "
        f"{args.failure_rate:g}, a kill every ~{args.kill_every:g} s, bot from {args.root}"
    )
    for run, phase in enumerate(p.strip() for p in args.phases.split(",") if p.strip()):
        fig = asyncio.run(run_phase(args, phase, run))
        report(fig)


if __name__ == "__main__":
    main()
