"""A big database: a report submitted and /metrics read with N rows in every table.

    python bench/bigdb.py [--rows 1000000] [--runs 3] [--db PATH]

The SQLite file is filled once (bench/webhook.py's prefill; the prefilled reports all name
recruiters "Sri <n>" with their name keys, so a new report of a "Bu Sri" reads the recruiter
index at its widest). Then, per run:

- **report**: a fresh person walks the report form to the end; printed is the writer's time for
  the batch that submits it (routing, recruiter matching, the alert; target < 50 ms) and the
  slowest batch of the whole walk;
- **metrics**: `GET /metrics` through the real web app; printed is its time (target < 50 ms)
  and the slowest writer batch of 50 people writing meanwhile (the read is on the reader
  connection: it must not stall the writer).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.webhook import prefill  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messages import Inbound  # noqa: E402
from bot.system import System, open_system  # noqa: E402
from bot.web import create_app  # noqa: E402
from tests.helpers import VOLUNTEERS_CSV, add_volunteers  # noqa: E402

REPORT = [
    "halo",
    "1",
    "1",
    "3",  # report
    "2",  # family
    "Ada sponsor datang ke rumah minta DP 5 juta untuk kerja di Taiwan pakai visa turis",
    "Bu Sri 77",
    "0812 3456 7890",
    "Indramayu",
    "1",  # yes, that place
    "2",  # not urgent
    "1",  # may be contacted
    "0813 0000 1111",
]
SUBMIT = "1"  # consent: send it


def fill(db: Path, rows: int) -> None:
    async def migrate() -> None:
        async with open_system(Settings(database_path=db)):
            pass

    asyncio.run(migrate())
    prefill(db, rows)
    con = sqlite3.connect(db)
    with con:  # one name per 5,000 reports, keyed as bot/cases/recruiters.py keys them
        con.execute(
            "UPDATE cases SET recruiter_name = 'Sri ' || (id % 5000),"
            " recruiter_name_key = 'sri ' || (id % 5000)"
        )
    con.close()


class Writer:
    """Times every batch the engine's writer handles."""

    def __init__(self, system: System) -> None:
        self.batches: list[float] = []
        engine = system.engine
        transaction = engine._transaction

        async def timed(batch: list[Any], failed: bool = False) -> Any:
            t0 = time.perf_counter()
            try:
                return await transaction(batch, failed)
            finally:
                self.batches.append((time.perf_counter() - t0) * 1000)

        engine._transaction = timed  # type: ignore[method-assign]


async def report_run(system: System, run: int) -> tuple[float, float]:
    writer = Writer(system)
    who = f"reporter-{run}-{time.time_ns()}"
    for n, text in enumerate(REPORT):
        await system.engine.handle(Inbound("console", who, f"{who}-{n}", text))
    walk = max(writer.batches)
    writer.batches.clear()
    handled = await system.engine.handle(Inbound("console", who, f"{who}-end", SUBMIT))
    assert any("MA-" in r.text for r in handled.replies), handled.replies
    return writer.batches[-1], max(walk, writer.batches[-1])


async def metrics_run(settings: Settings, run: int) -> tuple[list[float], float]:
    app = create_app(settings, dispatch=False)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        system: System = app.state.runtime.system
        writer = Writer(system)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        )
        stop = asyncio.Event()

        async def person(i: int) -> None:
            n = 0
            while not stop.is_set():
                await system.engine.handle(
                    Inbound("console", f"m{run}-{i}", f"m{run}-{i}-{n}", "menu")
                )
                n += 1

        people = [asyncio.create_task(person(i)) for i in range(50)]
        await asyncio.sleep(0.5)
        times: list[float] = []
        for _ in range(5):
            t0 = time.perf_counter()
            response = await client.get("/metrics")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and "outbox_messages" in response.text
        stop.set()
        await asyncio.gather(*people)
    return times, max(writer.batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="reuse (or create) this filled file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "big.db"
        if not db.exists():
            t0 = time.perf_counter()
            fill(db, args.rows)
            print(f"(filled {args.rows} rows per table in {time.perf_counter() - t0:.0f} s)")
        settings = replace(Settings(), database_path=db)
        submits, walks, metrics, stalls = [], [], [], []
        for run in range(args.runs):

            async def report(run: int = run) -> tuple[float, float]:
                async with open_system(settings) as system:
                    await add_volunteers(system, VOLUNTEERS_CSV)  # the same four: upserted
                # as `serve` runs: with the scheduler, which builds the routing index first
                async with open_system(settings, schedule=True) as system:
                    return await report_run(system, run)

            submit, walk = asyncio.run(report())
            times, stall = asyncio.run(metrics_run(settings, run))
            submits.append(submit)
            walks.append(walk)
            metrics.append(statistics.median(times))
            stalls.append(stall)
            print(
                f"run {run + 1}: report submit {submit:.1f} ms of writer time (slowest batch of"
                f" the walk {walk:.1f} ms); GET /metrics median {statistics.median(times):.1f} ms"
                f" (max {max(times):.1f}); slowest writer batch meanwhile {stall:.1f} ms"
            )

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"

    print(f"over {args.runs} runs at {args.rows} rows (median, spread min-max):")
    print(f"  report submit, writer time {spread(submits)} ms (target < 50)")
    print(f"  slowest batch of the report walk {spread(walks)} ms")
    print(f"  GET /metrics {spread(metrics)} ms (target < 50, never in the writer)")
    print(f"  slowest writer batch while /metrics is read {spread(stalls)} ms")


if __name__ == "__main__":
    main()
