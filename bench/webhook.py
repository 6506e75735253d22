"""The real `serve` over loopback HTTP, both channels, against a minimal Starlette anchor.

    python bench/webhook.py [--users 200] [--messages 20] [--rows N] [--runs 3]
                            [--store sqlite|postgresql] [--workers N] [--profile PATH]

Each run starts the fake Telegram and Twilio APIs (tests/fakes, recording every call), then, side
by side on the same machine:

- **anchor**: the least a webhook server can do — a Starlette app that checks the Telegram
  secret or the Twilio signature, parses the update (`Update.de_json` / the form), and INSERTs
  one row; served by uvicorn in its own process, as `serve` is;
- **serve**: `migrasi-aman serve` in its own process(es), the real thing, the same traffic.

The traffic: `--users` people, half on Telegram (with the secret), half on WhatsApp (signed),
each sending `--messages` messages one after another (the next once the previous POST got its
200), all people at once. The mix is a real conversation: greeting, consent, menu choices,
questions, and job offers of 300-1,500 characters pasted in. Printed: msg/s, POST→200
p50/p95/p99, POST→first reply (the platform fake received the bot's first answer), client CPU
per message of the server process(es), and serve/anchor. `--rows N` also runs each set-up,
in the same run right after its empty one, on a database with N rows in every table (SQLite: a
copy of one file filled once; PostgreSQL: filled by the server, seconds), and prints the
ratio of the two: the cost of size under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.fakes.telegram import TOKEN, FakeTelegram, text_update  # noqa: E402
from tests.fakes.twilio import (  # noqa: E402
    BOT_WHATSAPP,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    inbound_text,
    signed_request,
)

SECRET = "bench-secret-0123456789"


def _offers() -> list[str]:
    """Real-shaped offers from the test set, padded by joining to 300-1,500 characters."""
    texts = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "data" / "offers.jsonl").read_text().splitlines()
        if line.strip()
    ]
    rng = random.Random(7)
    out = []
    for target in (300, 600, 1000, 1500):
        for _ in range(3):
            parts: list[str] = []
            while sum(len(p) + 1 for p in parts) < target:
                parts.append(rng.choice(texts))
            out.append(" ".join(parts)[:target])
    return out


OFFERS = _offers()
SCRIPT = [
    "halo",
    "1",  # language / consent answers
    "1",
    "2",
    "menu",
    "cara kerja ke korea lewat jalur resmi",
    "menu",
    OFFERS[0],
    "menu",
    "data saya",
    "menu",
    OFFERS[5],
    "4",
    "menu",
    "berapa biaya ke taiwan",
    "menu",
    OFFERS[10],
    "terima kasih",
    "menu",
    OFFERS[11],
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


ANCHOR_APP = textwrap.dedent(
    '''
    """Minimal webhook server: authenticate, parse, one INSERT. The anchor of bench/webhook.py."""
    import asyncio, contextlib, hmac, os
    from urllib.parse import parse_qsl
    import aiosqlite
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    from telegram import Bot, Update
    from twilio.request_validator import RequestValidator

    SECRET = os.environ["TELEGRAM_WEBHOOK_SECRET"]
    VALIDATOR = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    PUBLIC = os.environ["PUBLIC_BASE_URL"] + "/whatsapp"
    BOT = Bot(os.environ["TELEGRAM_BOT_TOKEN"])
    DB = os.environ["DATABASE_PATH"]
    conn = None
    lock = asyncio.Lock()  # one connection, one transaction at a time

    @contextlib.asynccontextmanager
    async def lifespan(app):
        global conn
        conn = await aiosqlite.connect(DB, isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS inbound (channel TEXT, external_id TEXT, body TEXT,"
            " PRIMARY KEY (channel, external_id))")
        yield
        await conn.close()

    async def insert(channel, external_id, body):
        async with lock:
            await conn.execute("BEGIN")
            await conn.execute("INSERT OR IGNORE INTO inbound VALUES (?, ?, ?)",
                               (channel, external_id, body))
            await conn.commit()

    async def telegram(request):
        got = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(got, SECRET):
            return Response(status_code=403)
        update = Update.de_json(await request.json(), BOT)
        await insert("telegram", str(update.update_id), update.message.text or "")
        return Response()

    async def whatsapp(request):
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        if not VALIDATOR.validate(PUBLIC, form, request.headers.get("x-twilio-signature", "")):
            return Response(status_code=403)
        await insert("whatsapp", form["MessageSid"], form.get("Body", ""))
        return Response("<Response/>", media_type="text/xml")

    app = Starlette(routes=[Route("/telegram", telegram, methods=["POST"]),
                            Route("/whatsapp", whatsapp, methods=["POST"])],
                    lifespan=lifespan)
    '''
)


@dataclass
class Server:
    """One or more server processes on one port (uvicorn --workers shares the socket)."""

    name: str
    port: int
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    also: list[int] = field(default_factory=list)  # e.g. the PostgreSQL postmaster it uses
    # uvicorn re-raises the SIGTERM it shut down on, which ends the process before cProfile
    # writes its file; after a SIGINT the KeyboardInterrupt lets it write.
    stop_signal: int = signal.SIGTERM

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU of the server processes and their children (uvicorn workers)."""
        return sum(self.cpu_split())

    def cpu_split(self) -> tuple[float, float]:
        """CPU of the server processes themselves (all their threads), and of their children
        (prepare processes, uvicorn workers) and the PostgreSQL server."""
        roots = [p.pid for p in self.procs]
        others = [kid for root in roots for kid in _children(root)]
        others += [pid for root in self.also for pid in (root, *_children(root))]
        return proc_cpu_seconds(roots), proc_cpu_seconds(others)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(self.stop_signal)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def proc_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far, from /proc (gone ones count 0)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = [int(k) for k in kids]
    for k in list(out):
        out.extend(_children(k))
    return out


def _wait_up(server: Server, timeout: float = 240.0) -> None:
    # serve listens only once its prepare processes have loaded the content (bot/prepare.py
    # `warm`): about 5 s on a quiet machine, over 30 s on a loaded 2-core one, more at 1M rows
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in server.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", server.port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} did not start")


def start_server(name: str, argv: list[str], env: dict[str, str], port: int) -> Server:
    log = open(Path(env.get("BENCH_LOGS", env["BENCH_TMP"])) / f"{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(name, port, [proc])
    _wait_up(server)
    return server


def base_env(tmp: Path, tg: FakeTelegram, tw: FakeTwilio, port: int, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        BENCH_TMP=str(tmp),
        DATABASE_PATH=str(db),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_API_BASE_URL=tg.base_url,
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_WHATSAPP_FROM=f"whatsapp:{BOT_WHATSAPP}",
        TWILIO_API_BASE_URL=tw.base_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    return env


@dataclass
class Load:
    rate: float
    post_ms: list[float]
    reply_ms: list[float]
    cpu_us_per_msg: float
    errors: Counter[str]  # by kind: "HTTP ReadTimeout", "status 500", "no reply in 120 s"
    own_cpu_us_per_msg: float = float("nan")  # the server process itself, all its threads


async def drive(
    server: Server, tg: FakeTelegram, tw: FakeTwilio, users: int, messages: int, run: int
) -> Load:
    """Every person sends their messages in turn; all people at once."""
    post_ms: list[float] = []
    reply_ms: list[float] = []
    errors: Counter[str] = Counter()
    public = f"http://127.0.0.1:{server.port}/whatsapp"
    # Idle connections are dropped by the client before uvicorn's 5 s keep-alive ends them:
    # with both at 5 s a request sometimes went out on a connection the server was closing
    # (one ReadError a run, at 1M rows, where pauses are longest). Platforms retry those.
    limits = httpx.Limits(
        max_connections=users, max_keepalive_connections=users, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:

        async def person(i: int) -> None:
            on_telegram = i % 2 == 0
            chat = 10_000_000 + run * 100_000 + i
            number = f"+6281{run:02d}{i:07d}"
            first_sent: float | None = None
            for n in range(messages):
                text = SCRIPT[n % len(SCRIPT)]
                if on_telegram:
                    body = json.dumps(text_update(chat, text)).encode()
                    headers = {
                        "Content-Type": "application/json",
                        "X-Telegram-Bot-Api-Secret-Token": SECRET,
                    }
                    path = "/telegram"
                else:
                    headers, body = signed_request(public, inbound_text(number, text))
                    path = "/whatsapp"
                t0 = time.perf_counter()
                try:
                    response = await client.post(path, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    errors[f"HTTP {type(exc).__name__}"] += 1
                    continue
                post_ms.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    errors[f"status {response.status_code}"] += 1
                if first_sent is None:
                    first_sent = time.monotonic()
            if first_sent is not None and server.name.startswith("serve"):
                try:
                    if on_telegram:
                        [call, *_] = await tg.wait_calls("sendMessage", chat_id=chat, timeout=120)
                        reply_ms.append((call.at - first_sent) * 1000)
                    else:
                        [msg, *_] = await tw.wait_sent(1, to=number, timeout=120)
                        # the fake stamps epoch seconds; convert through the same clock offset
                        offset = time.time() - time.monotonic()
                        reply_ms.append((msg["time"] - offset - first_sent) * 1000)
                except AssertionError:
                    errors["no first reply in 120 s"] += 1

        own0, others0 = server.cpu_split()
        start = time.perf_counter()
        await asyncio.gather(*(person(i) for i in range(users)))
        elapsed = time.perf_counter() - start
        own1, others1 = server.cpu_split()
    own, cpu = own1 - own0, own1 - own0 + others1 - others0
    total = users * messages
    return Load(total / elapsed, post_ms, reply_ms, cpu / total * 1e6, errors, own / total * 1e6)


PG_PREFILL = """
INSERT INTO contacts (id, channel, address, locale, created_at, last_inbound_at)
  SELECT i, 'whatsapp', '+6289' || lpad(i::text, 9, '0'), 'id', {now}, {now}
  FROM generate_series(1, {rows}) i;
INSERT INTO conversations (contact_id, flow, step, data, choices, updated_at)
  SELECT i, 'menu', 'start', '{{}}', '[]', {now} FROM generate_series(1, {rows}) i;
INSERT INTO inbound (channel, external_id, received_at)
  SELECT 'whatsapp', 'SMold' || lpad(i::text, 12, '0'), {now} FROM generate_series(1, {rows}) i;
INSERT INTO outbox (contact_id, channel, address, locale, payload, status, not_before,
                    created_at, sent_at)
  SELECT i, 'whatsapp', '+6289' || lpad(i::text, 9, '0'), 'id', '{{"text": "Halo"}}', 'sent',
         {now}, {now}, {now} FROM generate_series(1, {rows}) i;
INSERT INTO volunteers (id, name, channel, address, lat, lon, available, created_at, updated_at)
  SELECT i, 'V' || i, 'console', 'vol' || i, -6 + (i % 100) / 50.0, 106 + (i % 97) / 50.0, 0,
         {now}, {now} FROM generate_series(1, least({rows}, 10000)) i;
INSERT INTO cases (id, number, reporter_contact_id, description, recruiter_name,
                   recruiter_phone, recruiter_phone_norm, status, created_at, updated_at)
  SELECT i, 'MB-' || lpad(i::text, 7, '0'), i, 'cerita', 'Calo ' || (i % 5000),
         '0812' || lpad(i::text, 8, '0'), '62812' || lpad(i::text, 8, '0'), 'closed', {now}, {now}
  FROM generate_series(1, {rows}) i;
INSERT INTO case_events (case_id, at, actor, kind, detail)
  SELECT i, {now}, 'system', 'created', '' FROM generate_series(1, {rows}) i;
SELECT setval(pg_get_serial_sequence(t, 'id'), {rows} + 1)
  FROM unnest(ARRAY['contacts', 'outbox', 'volunteers', 'cases', 'case_events']) t;
"""


def prefill_postgres(url: str, rows: int) -> None:
    """The same rows as `prefill`, made by the server itself (seconds, not minutes)."""
    sql = PG_PREFILL.format(rows=rows, now=time.time() - 86400 * 30)
    # VACUUM on its own, after: so autovacuum's catching-up does not count in the measurement
    subprocess.run(
        [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            url,
            "-c",
            sql,
            "-c",
            "VACUUM ANALYZE",
            "-c",
            "CHECKPOINT",
        ],  # written out now, not during the measurement
        check=True,
        stdout=subprocess.DEVNULL,  # the sequences' setval results
    )


def copy_settled(template: Path, db: Path) -> None:
    """Copy `template` to `db` and wait until the copy is on disk. Without the wait, the
    first WAL checkpoint (which syncs the file) paid for writing out the whole fresh
    copy: a 1.5 s batch at 1M rows that a database long in service never has."""
    shutil.copyfile(template, db)
    with open(db, "rb+") as f:
        os.fsync(f.fileno())


def prefill(db: Path, rows: int) -> None:
    """Fill every table of a migrated database with `rows` rows of plausible shape."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = time.time() - 86400 * 30
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    step = 50_000
    with con:
        for lo in range(0, rows, step):
            ids = range(lo + 1, min(rows, lo + step) + 1)
            con.executemany(
                "INSERT INTO contacts (id, channel, address, locale, created_at, last_inbound_at)"
                " VALUES (?, 'whatsapp', ?, 'id', ?, ?)",
                ((i, f"+6289{i:09d}", now, now) for i in ids),
            )
            con.executemany(
                "INSERT INTO conversations (contact_id, flow, step, data, choices, updated_at)"
                " VALUES (?, 'menu', 'start', '{}', '[]', ?)",
                ((i, now) for i in ids),
            )
            con.executemany(
                "INSERT INTO inbound (channel, external_id, received_at) VALUES ('whatsapp', ?, ?)",
                ((f"SMold{i:012d}", now) for i in ids),
            )
            con.executemany(
                "INSERT INTO outbox (contact_id, channel, address, locale, payload, status,"
                " not_before, created_at, sent_at) VALUES (?, 'whatsapp', ?, 'id', ?, 'sent',"
                " ?, ?, ?)",
                ((i, f"+6289{i:09d}", '{"text": "Halo"}', now, now, now) for i in ids),
            )
    if "volunteers" in tables:
        with con:
            con.executemany(
                "INSERT INTO volunteers (id, name, channel, address, lat, lon, available,"
                " created_at, updated_at) VALUES (?, ?, 'console', ?, ?, ?, 0, ?, ?)",
                (
                    (i, f"V{i}", f"vol{i}", -6 + (i % 100) / 50, 106 + (i % 97) / 50, now, now)
                    for i in range(1, min(rows, 10_000) + 1)
                ),
            )
    if "cases" in tables:
        with con:
            for lo in range(0, rows, step):
                ids = range(lo + 1, min(rows, lo + step) + 1)
                con.executemany(
                    "INSERT INTO cases (id, number, reporter_contact_id, description,"
                    " recruiter_name, recruiter_phone, recruiter_phone_norm, status,"
                    " created_at, updated_at) VALUES (?, ?, ?, 'cerita', ?, ?, ?, 'closed', ?, ?)",
                    (
                        (i, f"MB-{i:07d}", i, f"Calo {i % 5000}", f"0812{i:08d}",
                         f"62812{i:08d}", now, now)
                        for i in ids
                    ),
                )  # fmt: skip
                con.executemany(
                    "INSERT INTO case_events (case_id, at, actor, kind, detail)"
                    " VALUES (?, ?, 'system', 'created', '')",
                    ((i, now) for i in ids),
                )
    con.close()


def fresh_database(server: str, name: str) -> str:
    """An empty database on the PostgreSQL server at `server` (its URL to any database)."""
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-X", "-q", server, "-c", sql], check=True, capture_output=True)
    return server.rsplit("/", 1)[0] + "/" + name


def postmaster(server: str) -> list[int]:
    """The PostgreSQL server's main process, so its CPU counts in the per-message cost."""
    out = subprocess.run(
        ["psql", "-X", "-At", server, "-c", "SELECT setting FROM pg_settings WHERE name='data_directory'"],
        capture_output=True, text=True,
    )  # fmt: skip
    pid_file = Path(out.stdout.strip()) / "postmaster.pid"
    try:
        return [int(pid_file.read_text().split()[0])]
    except (OSError, ValueError, IndexError):
        return []  # a server elsewhere: its CPU is not seen from here


def migrate(env: dict[str, str]) -> None:
    """Create serve's schema by opening the store once (the CLI's `places` opens it)."""
    subprocess.run(
        [sys.executable, "-m", "bot", "volunteers", "list"],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def line(name: str, load: Load) -> str:
    return (
        f"  {name:<10} {load.rate:7.0f} msg/s  POST→200 p50 {percentile(load.post_ms, 50):6.1f}"
        f" p95 {percentile(load.post_ms, 95):6.1f} p99 {percentile(load.post_ms, 99):6.1f} ms"
        + (
            f"  POST→first reply p50 {percentile(load.reply_ms, 50):7.0f}"
            f" p99 {percentile(load.reply_ms, 99):7.0f} ms"
            if load.reply_ms
            else ""
        )
        + f"  server CPU {load.cpu_us_per_msg:6.0f} us/msg"
        + f" (its own process {load.own_cpu_us_per_msg:6.0f})  errors {load.errors.total()}"
        + (
            f" ({', '.join(f'{k}: {n}' for k, n in sorted(load.errors.items()))})"
            if load.errors
            else ""
        )
    )


# `python -c PROFILED_SERVE OUT serve …`: the CLI under cProfile, timed by the CPU time of the
# thread it runs on, the event loop's (the web app, the engine's orchestration, the
# dispatchers and senders; not SQLite's thread or the prepare processes). CPU, not wall
# time: a wall clock charges the loop's idle waits and the GIL handoffs to aiosqlite's
# thread to whichever call happens to be running.
PROFILED_SERVE = """
import cProfile, runpy, sys, time
out = sys.argv.pop(1)
sys.argv[0] = "bot"
profiler = cProfile.Profile(time.thread_time)
try:
    profiler.runcall(runpy.run_module, "bot", run_name="__main__", alter_sys=True)
except (SystemExit, KeyboardInterrupt):
    pass
finally:
    profiler.dump_stats(out)
"""


def show_profile(path: Path, messages: int, top: int = 30) -> None:
    """The serve process's heaviest functions (own time), per message, from cProfile."""
    import pstats

    if not path.exists():
        print(f"  (no profile written to {path})")
        return
    stats = pstats.Stats(str(path))
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    total = sum(v[2] for _k, v in rows)
    print(f"  profile {path} (event loop's thread CPU, {total / messages * 1e6:.0f} us/msg):")
    print(f"  {'own us/msg':>10} {'cum us/msg':>10} {'calls/msg':>9}  function")
    for (file, lineno, func), (_cc, calls, own, cum, _callers) in rows[:top]:
        where = f"{Path(file).parent.name}/{Path(file).name}:{lineno}" if lineno else file
        print(
            f"  {own / messages * 1e6:10.0f} {cum / messages * 1e6:10.0f}"
            f" {calls / messages:9.2f}  {func} ({where})"
        )


def configs(args: argparse.Namespace) -> list[tuple[str, int]]:
    """The serve set-ups measured in each run, beside the anchor."""
    if args.compare:
        return [("sqlite", 1), ("postgresql", 1), ("postgresql", max(2, args.workers))]
    return [(args.store, args.workers)]


def sqlite_template(args: argparse.Namespace, tmp: Path) -> Path | None:
    """One migrated SQLite file with `--rows` rows in every table, if a run needs it."""
    if not args.rows or all(store != "sqlite" for store, _ in configs(args)):
        return None
    db = tmp / "template.db"
    t0 = time.perf_counter()
    migrate({**os.environ, "DATABASE_PATH": str(db), "PYTHONPATH": str(ROOT)})
    prefill(db, args.rows)
    print(f"(filled {args.rows} rows in {time.perf_counter() - t0:.0f} s)")
    return db


def setups(args: argparse.Namespace) -> list[tuple[str, int, int]]:
    """(store, workers, rows): each configuration empty, and at `--rows` right after it."""
    rows = [0, args.rows] if args.rows else [0]
    return [(store, workers, n) for store, workers in configs(args) for n in rows]


def setup_name(args: argparse.Namespace, store: str, workers: int, rows: int) -> str:
    name = "serve" if len(configs(args)) == 1 else f"{store}x{workers}"
    return f"{name}@{rows // 1000}k" if rows else name


async def one_run(args: argparse.Namespace, run: int, template: Path | None) -> dict[str, Load]:
    results: dict[str, Load] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        tg = FakeTelegram()
        tw = FakeTwilio().start()
        with tg.serve():
            try:
                # anchor
                port = free_port()
                env = base_env(tmp, tg, tw, port, tmp / "anchor.db")
                (tmp / "anchor_app.py").write_text(ANCHOR_APP)
                anchor = start_server(
                    "anchor",
                    [sys.executable, "-m", "uvicorn", "--app-dir", str(tmp), "anchor_app:app",
                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                     "--no-access-log"],
                    env, port,
                )  # fmt: skip
                try:
                    results["anchor"] = await drive(
                        anchor, tg, tw, args.users, args.messages, run * 2
                    )
                finally:
                    anchor.stop()
                for n, (store, workers, rows) in enumerate(setups(args), 1):
                    name = setup_name(args, store, workers, rows)
                    port = free_port()
                    db = tmp / f"serve{n}.db"
                    env = base_env(tmp, tg, tw, port, db)
                    if store == "postgresql":
                        env["DATABASE_URL"] = fresh_database(args.database_url, f"bench_{run}_{n}")
                    elif rows and template is not None:
                        copy_settled(template, db)
                    migrate(env)
                    if rows and store == "postgresql":
                        prefill_postgres(env["DATABASE_URL"], rows)
                    argv = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1",
                            "--port", str(port)]  # fmt: skip
                    profile = None
                    if args.profile:
                        profile = Path(args.profile).with_suffix(f".{run + 1}.{n}.prof")
                        argv[1:3] = ["-c", PROFILED_SERVE, str(profile)]
                    if workers > 1:
                        argv += ["--workers", str(workers)]
                    serve = start_server("serve", argv, env, port)
                    if profile is not None:
                        serve.stop_signal = signal.SIGINT
                    if store == "postgresql":
                        serve.also = postmaster(args.database_url)
                    try:
                        results[name] = await drive(
                            serve, tg, tw, args.users, args.messages, run * 10 + n
                        )
                    finally:
                        serve.stop()
                    if profile is not None:
                        show_profile(profile, args.users * args.messages)
            finally:
                tw.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="run serve under cProfile (the event loop's thread CPU), write"
        " PATH.<run>.<setup>.prof and print its top",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="SQLite x1, PostgreSQL x1 and PostgreSQL x--workers (at least 2) in each run",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if (args.store == "postgresql" or args.compare) and not args.database_url:
            sys.path.insert(0, str(ROOT / "scripts"))
            from pg_throwaway import Cluster

            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pg-"))
            os.chmod(tmp, 0o755)
            args.database_url = stack.enter_context(Cluster(tmp))
        run_all(args)


def run_all(args: argparse.Namespace) -> None:
    setups = ", ".join(f"{store} x{workers}" for store, workers in configs(args))
    print(f"{args.users} users x {args.messages} messages, {setups}, rows {args.rows}")
    per: dict[str, list[Load]] = {}
    with tempfile.TemporaryDirectory() as kept:
        template = sqlite_template(args, Path(kept))
        for run in range(args.runs):
            print(f"run {run + 1}:")
            results = asyncio.run(one_run(args, run, template))
            for name, load in results.items():
                print(line(name, load))
                per.setdefault(name, []).append(load)
            anchor = results["anchor"].rate
            print("  " + ", ".join(f"{n}/anchor {r.rate / anchor:.2f}" for n, r in results.items()
                                   if n != "anchor"))  # fmt: skip
    summary(args, per)


def summary(args: argparse.Namespace, per: dict[str, list[Load]]) -> None:
    print(f"over {args.runs} runs (median, spread min-max):")
    for name, loads in per.items():
        rates = [x.rate for x in loads]
        cpus = [x.cpu_us_per_msg for x in loads]
        p99s = [percentile(x.post_ms, 99) for x in loads]
        text = (
            f"  {name:<14} {statistics.median(rates):6.0f} msg/s ({min(rates):.0f}-{max(rates):.0f})"
            f"  POST p99 {statistics.median(p99s):6.0f} ms"
            f"  CPU {statistics.median(cpus):6.0f} us/msg ({min(cpus):.0f}-{max(cpus):.0f})"
        )
        owns = [x.own_cpu_us_per_msg for x in loads]
        text += f" its own process {statistics.median(owns):.0f} ({min(owns):.0f}-{max(owns):.0f})"
        if name != "anchor":
            ratios = [x.rate / a.rate for x, a in zip(loads, per["anchor"], strict=True)]
            text += (
                f"  /anchor {statistics.median(ratios):.2f}"
                f" ({min(ratios):.2f}-{max(ratios):.2f}; target >= 0.6)"
            )
        print(text)
    if "postgresqlx1" in per and "sqlitex1" in per:
        cpu = statistics.median(x.cpu_us_per_msg for x in per["postgresqlx1"]) / statistics.median(
            x.cpu_us_per_msg for x in per["sqlitex1"]
        )
        print(f"  CPU per message PostgreSQL/SQLite: {cpu:.2f} (target <= 1.5)")
    if args.rows:
        for store, workers, rows in setups(args):
            if not rows:
                continue
            full = per[setup_name(args, store, workers, rows)]
            empty = per[setup_name(args, store, workers, 0)]
            ratios = [f.rate / e.rate for f, e in zip(full, empty, strict=True)]
            cpus = [f.cpu_us_per_msg / e.cpu_us_per_msg for f, e in zip(full, empty, strict=True)]
            print(
                f"  {store} x{workers} at {rows} rows / empty: msg/s"
                f" {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f};"
                f" target >= 0.85), CPU per message {statistics.median(cpus):.2f}"
                f" ({min(cpus):.2f}-{max(cpus):.2f})"
            )


if __name__ == "__main__":
    main()
