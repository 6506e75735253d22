"""The engine alone against a bare python-telegram-bot application, in the same run.

    python bench/engine.py [--users 200] [--messages 20] [--rows N] [--offers] [--runs 3]

Each simulated person sends their messages one after another (waiting for each answer, as in a
chat), all people at once, then side by side:

- **floor**: one aiosqlite INSERT + COMMIT per message, nothing else;
- **anchor**: the least a Telegram bot does: `Update.de_json`, python-telegram-bot's
  `Application.process_update` with one echo handler that INSERTs its answer (one INSERT +
  COMMIT on one connection, as a bot without group commit does);
- **engine**: the real engine (dedupe, contact, state, handler, outbox) on a real SQLite file.

`--prepare-processes N` runs the prepare stage in N worker processes (the default is what
`serve` would use on this machine; 0: one thread in the engine's process). `--rows N` fills
every table of a database with N rows once (bench/webhook.py's prefill), and each run then
times the engine on a copy of it and, side by side, on an empty database: the ratio of the two
is the cost of size, measured under the same load. `--offers` makes every third message a pasted job offer of 1,000-1,500 characters.
Printed per run: msg/s, latency, the writer's time per batch (p50/p99/max: the time every
message of a batch waits for the slowest), CPU per message (this process's threads and its
prepare processes: steadier than msg/s on a shared machine) and engine/anchor; then medians
and spread.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosqlite  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bench.webhook import OFFERS, copy_settled, prefill, proc_cpu_seconds  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messages import Inbound  # noqa: E402
from bot.system import open_system  # noqa: E402
from tests.fakes.telegram import FakeTelegram, text_update  # noqa: E402

SCRIPT = ["halo", "1", "1", "4", "menu", "data saya", "menu", "9", "😀", "bantuan"]
LONG = [o for o in OFFERS if len(o) >= 1000]  # the 1,000- and 1,500-character offers


def script(offers: bool) -> list[str]:
    if not offers:
        return SCRIPT
    # menu → "1" (check an offer) → the offer → back to the menu, between ordinary messages
    out = ["halo", "1", "1"]
    for n in range(len(LONG)):
        out += ["menu", "1", LONG[n % len(LONG)], "menu", "data saya"]
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclass
class Result:
    rate: float
    latency_ms: list[float]
    batch_ms: list[float]
    batch_sizes: list[int]
    cpu_us: float = float("nan")  # CPU per message: this process, and its prepare processes


def cpu_seconds(pids: list[int] = ()) -> float:  # type: ignore[assignment]
    """CPU time of this process (all its threads) plus that of `pids` (its prepare
    processes): what a message cost, whatever else the shared machine was doing meanwhile."""
    return time.process_time() + proc_cpu_seconds(pids)


async def filled(db: Path, rows: int) -> Path:
    """A migrated database with `rows` rows in every table (made once: minutes at 1M)."""
    async with open_system(Settings(database_path=db, prepare_processes=0)):
        pass  # creates the schema
    prefill(db, rows)
    return db


async def engine_run(
    db: Path,
    users: int,
    messages: int,
    texts: list[str],
    template: Path | None = None,
    processes: int = 0,
) -> Result:
    """The engine on `db`, a copy of `template` if given (else empty)."""
    settings = Settings(database_path=db, prepare_processes=processes)
    if template is not None:
        copy_settled(template, db)
    latencies: list[float] = []
    batch_ms: list[float] = []
    sizes: list[int] = []
    async with open_system(settings) as system:
        engine = system.engine
        transaction = engine._transaction

        async def timed(batch: list[Any], failed: bool = False) -> Any:
            # the writer's time for one batch: what every message in it waits for
            t0 = time.perf_counter()
            try:
                return await transaction(batch, failed)
            finally:
                batch_ms.append((time.perf_counter() - t0) * 1000)
                sizes.append(len(batch))

        engine._transaction = timed  # type: ignore[method-assign]

        async def person(i: int) -> None:
            for n in range(messages):
                inbound = Inbound(
                    channel="console",
                    address=f"u{i}",
                    external_id=f"u{i}-{n}",
                    text=texts[n % len(texts)],
                )
                t0 = time.perf_counter()
                await engine.handle(inbound)
                latencies.append(time.perf_counter() - t0)

        pool = system.engine._preparing._pool
        pids = list(pool._processes) if pool is not None else []
        cpu0 = cpu_seconds(pids)
        start = time.perf_counter()
        await asyncio.gather(*(person(i) for i in range(users)))
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(pids) - cpu0
    n = users * messages
    return Result(n / elapsed, [x * 1000 for x in latencies], batch_ms, sizes, cpu / n * 1e6)


async def anchor_run(db: Path, users: int, messages: int, texts: list[str]) -> Result:
    """python-telegram-bot's own dispatch: de_json, process_update, an echo handler + INSERT."""
    conn = await aiosqlite.connect(db, isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, chat_id INTEGER, update_id INTEGER,"
        " text TEXT)"
    )
    lock = asyncio.Lock()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        async with lock:
            await conn.execute("BEGIN")
            await conn.execute(
                "INSERT INTO outbox (chat_id, update_id, text) VALUES (?, ?, ?)",
                (message.chat_id, update.update_id, message.text),
            )
            await conn.commit()

    # No updater (no polling): process_update is called as a webhook server would. The fake
    # Telegram answers initialize()'s getMe in-process; the echo itself only writes its row.
    fake = FakeTelegram()
    app = (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .request(fake.asgi_request())
        .get_updates_request(fake.asgi_request())
        .updater(None)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    bot = app.bot
    latencies: list[float] = []

    async def person(i: int) -> None:
        chat = 10_000_000 + i
        for n in range(messages):
            data = text_update(chat, texts[n % len(texts)])
            t0 = time.perf_counter()
            await app.process_update(Update.de_json(data, bot))
            latencies.append(time.perf_counter() - t0)

    cpu0 = cpu_seconds()
    start = time.perf_counter()
    await asyncio.gather(*(person(i) for i in range(users)))
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - cpu0
    await app.shutdown()
    (count,) = await (await conn.execute("SELECT COUNT(*) FROM outbox")).fetchone()  # type: ignore[misc]
    await conn.close()
    assert count == users * messages, f"anchor wrote {count} rows"
    n = users * messages
    return Result(n / elapsed, [x * 1000 for x in latencies], [], [], cpu / n * 1e6)


async def floor_run(db: Path, count: int) -> float:
    conn = await aiosqlite.connect(db, isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, channel TEXT, external_id TEXT, body TEXT)"
    )
    start = time.perf_counter()
    for i in range(count):
        await conn.execute("BEGIN")
        await conn.execute(
            "INSERT INTO t (channel, external_id, body) VALUES (?, ?, ?)",
            ("console", str(i), "halo"),
        )
        await conn.commit()
    elapsed = time.perf_counter() - start
    await conn.close()
    return count / elapsed


async def one_run(
    args: argparse.Namespace, template: Path | None
) -> tuple[float, Result, Result, Result | None]:
    """floor, anchor, the engine on an empty database, and on a copy of `template`."""
    texts = script(args.offers)
    with tempfile.TemporaryDirectory() as tmp:
        floor = await floor_run(Path(tmp) / "floor.db", args.users * args.messages)
        anchor = await anchor_run(Path(tmp) / "anchor.db", args.users, args.messages, texts)

        async def engine(name: str, template: Path | None = None) -> Result:
            db = Path(tmp) / name
            return await engine_run(
                db, args.users, args.messages, texts, template, args.prepare_processes
            )

        empty = await engine("engine.db")
        full = await engine("full.db", template) if template is not None else None
    return floor, anchor, empty, full


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    return (
        f"{fmt.format(statistics.median(values))}"
        f" ({fmt.format(min(values))}-{fmt.format(max(values))})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rows", type=int, default=0, help="pre-fill every table with N rows")
    parser.add_argument("--offers", action="store_true", help="1,000-1,500-character offers")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--prepare-processes",
        type=int,
        default=Settings.from_env(None).prepare_processes,
        help="worker processes for the prepare stage (PREPARE_PROCESSES; 0: one thread)",
    )
    args = parser.parse_args()
    total = args.users * args.messages
    print(
        f"{args.users} users x {args.messages} messages = {total} messages, rows {args.rows}"
        + (", with 1,000-1,500-character offers" if args.offers else "")
        + f", prepare processes {args.prepare_processes}"
    )
    tally = Tally()
    with tempfile.TemporaryDirectory() as kept:
        template = None
        if args.rows:
            t0 = time.perf_counter()
            template = asyncio.run(filled(Path(kept) / "template.db", args.rows))
            print(f"filled {args.rows} rows in {time.perf_counter() - t0:.0f} s")
        for run in range(args.runs):
            one(args, asyncio.run(one_run(args, template)), run, tally)
    report(args, tally)


@dataclass
class Tally:
    """What the summary is made of, run by run."""

    rates: dict[str, list[float]] = field(
        default_factory=lambda: {"floor": [], "anchor": [], "engine": []}
    )
    ratios: list[float] = field(default_factory=list)  # engine/anchor msg/s
    cpu_ratios: list[float] = field(default_factory=list)  # anchor/engine CPU: steadier
    writer: dict[str, list[float]] = field(
        default_factory=lambda: {"p50": [], "p99": [], "max": []}
    )
    size: dict[str, list[float]] = field(
        default_factory=lambda: {"rate": [], "cpu": []}
    )  # engine at N rows / empty


def one(
    args: argparse.Namespace,
    results: tuple[float, Result, Result, Result | None],
    run: int,
    tally: Tally,
) -> None:
    """Print one run and add it to the tally."""
    floor, anchor, engine, full = results
    rates, ratios, cpu_ratios = tally.rates, tally.ratios, tally.cpu_ratios
    writer, size = tally.writer, tally.size
    rates["floor"].append(floor)
    rates["anchor"].append(anchor.rate)
    rates["engine"].append(engine.rate)
    ratios.append(engine.rate / anchor.rate)
    cpu_ratios.append(anchor.cpu_us / engine.cpu_us)
    b = engine.batch_ms
    writer["p50"].append(percentile(b, 50))
    writer["p99"].append(percentile(b, 99))
    writer["max"].append(max(b))
    lat = engine.latency_ms
    print(f"run {run + 1}:")
    print(f"  floor  (aiosqlite INSERT + COMMIT per message):      {floor:7.0f} msg/s")
    print(
        f"  anchor (PTB process_update, echo + INSERT):          {anchor.rate:7.0f} msg/s"
        f"  p50 {percentile(anchor.latency_ms, 50):.1f} ms p99"
        f" {percentile(anchor.latency_ms, 99):.1f} ms  CPU {anchor.cpu_us:.0f} us/msg"
    )
    print(
        f"  engine (dedupe, contact, state, handler, outbox):    {engine.rate:7.0f} msg/s"
        f"  p50 {percentile(lat, 50):.1f} ms p99 {percentile(lat, 99):.1f} ms"
        f"  CPU {engine.cpu_us:.0f} us/msg"
    )
    print(
        f"  writer per batch: {len(b)} batches of {statistics.mean(engine.batch_sizes):.1f}"
        f" messages, p50 {percentile(b, 50):.1f} ms p99 {percentile(b, 99):.1f} ms"
        f" max {max(b):.1f} ms"
    )
    print(
        f"  engine/anchor {engine.rate / anchor.rate:.2f}"
        f"  (CPU per message anchor/engine {anchor.cpu_us / engine.cpu_us:.2f})"
    )
    if full is not None:
        size["rate"].append(full.rate / engine.rate)
        size["cpu"].append(full.cpu_us / engine.cpu_us)
        f = full.batch_ms
        print(
            f"  engine at {args.rows} rows:{'':<22}{full.rate:7.0f} msg/s"
            f"  p50 {percentile(full.latency_ms, 50):.1f} ms"
            f" p99 {percentile(full.latency_ms, 99):.1f} ms  CPU {full.cpu_us:.0f} us/msg"
        )
        print(
            f"  writer per batch at {args.rows} rows: p50 {percentile(f, 50):.1f} ms"
            f" p99 {percentile(f, 99):.1f} ms max {max(f):.1f} ms"
        )
        print(
            f"  {args.rows} rows/empty: msg/s {full.rate / engine.rate:.2f},"
            f" CPU per message {full.cpu_us / engine.cpu_us:.2f}"
        )


def report(args: argparse.Namespace, tally: Tally) -> None:
    rates, ratios, cpu_ratios = tally.rates, tally.ratios, tally.cpu_ratios
    writer, size = tally.writer, tally.size
    print(f"over {args.runs} runs (median, spread min-max):")
    for name, values in rates.items():
        print(f"  {name:<7} {spread(values)} msg/s")
    print(
        f"  writer per batch p50 {spread(writer['p50'], '{:.1f}')} ms,"
        f" p99 {spread(writer['p99'], '{:.1f}')} ms, max {spread(writer['max'], '{:.1f}')} ms"
    )
    print(f"  engine/anchor {spread(ratios, '{:.2f}')} (target >= 0.7)")
    print(f"  CPU per message anchor/engine {spread(cpu_ratios, '{:.2f}')}")
    if size["rate"]:
        print(
            f"  engine at {args.rows} rows / empty: msg/s {spread(size['rate'], '{:.2f}')}"
            f" (target >= 0.85), CPU per message {spread(size['cpu'], '{:.2f}')}"
        )


if __name__ == "__main__":
    main()
