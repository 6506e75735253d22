"""Engine throughput and latency against the floor of one aiosqlite INSERT + COMMIT per message.

    python bench/engine.py [--users 200] [--messages 20]

Each simulated person sends their messages one after another (waiting for each answer, as in a
chat), all people at once, through the real engine on a real SQLite file (WAL). The floor is
the same number of messages written one INSERT + COMMIT each with aiosqlite.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosqlite

from bot.config import Settings
from bot.messages import Inbound
from bot.system import open_system

SCRIPT = ["halo", "1", "1", "4", "menu", "data saya", "menu", "9", "😀", "bantuan"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def engine_run(db: Path, users: int, messages: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    async with open_system(Settings(database_path=db)) as system:

        async def person(i: int) -> None:
            for n in range(messages):
                text = SCRIPT[n % len(SCRIPT)]
                inbound = Inbound(
                    channel="console", address=f"u{i}", external_id=f"u{i}-{n}", text=text
                )
                t0 = time.perf_counter()
                await system.engine.handle(inbound)
                latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        await asyncio.gather(*(person(i) for i in range(users)))
        elapsed = time.perf_counter() - start
    return users * messages / elapsed, latencies


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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    total = args.users * args.messages
    with tempfile.TemporaryDirectory() as tmp:
        floor = await floor_run(Path(tmp) / "floor.db", total)
        rate, latencies = await engine_run(Path(tmp) / "engine.db", args.users, args.messages)
    ms = [x * 1000 for x in latencies]
    print(f"{args.users} users x {args.messages} messages = {total} messages")
    print(f"floor  (aiosqlite INSERT + COMMIT per message): {floor:8.0f} msg/s")
    print(f"engine (dedupe, contact, state, handler, outbox): {rate:8.0f} msg/s")
    print(
        f"engine latency: p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, mean {statistics.mean(ms):.1f} ms"
    )
    print(f"ratio engine/floor: {rate / floor:.2f} (target >= 0.5)")


if __name__ == "__main__":
    asyncio.run(main())
