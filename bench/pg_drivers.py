"""Which PostgreSQL driver for the store: asyncpg or psycopg 3, measured on the engine's own shape.

One batch of the engine's writer is: dedupe the batch's inbound ids (insert, keep the new ones),
load the batch's contacts with their state, save the states, add the outbox rows, commit. This
runs that batch shape against a throwaway cluster with both drivers, side by side in one run,
and prints messages per second and client CPU per message for batch sizes 1 and 64.

    python bench/pg_drivers.py [--messages 6000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from pg_throwaway import Cluster

SCHEMA = """
DROP TABLE IF EXISTS inbound, contacts, outbox;
CREATE TABLE inbound (channel text, external_id text, seen_at double precision,
                      PRIMARY KEY (channel, external_id));
CREATE TABLE contacts (id bigserial PRIMARY KEY, channel text, address text, state jsonb,
                       updated_at double precision, UNIQUE (channel, address));
CREATE TABLE outbox (id bigserial PRIMARY KEY, contact_id bigint, channel text, address text,
                     body jsonb, created_at double precision);
"""

DEDUPE = """
INSERT INTO inbound (channel, external_id, seen_at)
SELECT c, e, $3 FROM unnest($1::text[], $2::text[]) AS t(c, e)
ON CONFLICT DO NOTHING RETURNING channel, external_id
"""
UPSERT_CONTACT = """
INSERT INTO contacts (channel, address, state, updated_at)
SELECT c, a, '{}'::jsonb, $3 FROM unnest($1::text[], $2::text[]) AS t(c, a)
ON CONFLICT (channel, address) DO UPDATE SET updated_at = excluded.updated_at
RETURNING id, channel, address, state
"""
SAVE_STATE = """
UPDATE contacts SET state = t.s::jsonb FROM unnest($1::bigint[], $2::text[]) AS t(i, s)
WHERE contacts.id = t.i
"""
OUTBOX = """
INSERT INTO outbox (contact_id, channel, address, body, created_at)
SELECT i, c, a, b::jsonb, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
AS t(i, c, a, b)
"""


def _batches(n: int, size: int, run: int) -> list[list[tuple[str, str, str]]]:
    msgs = [("telegram", f"r{run}-m{i}", f"user{i % 200}") for i in range(n)]
    return [msgs[i : i + size] for i in range(0, n, size)]


def _args(batch: list[tuple[str, str, str]]) -> tuple[list[str], list[str], list[str]]:
    return [m[0] for m in batch], [m[1] for m in batch], [m[2] for m in batch]


async def run_asyncpg(url: str, batches: list[list[tuple[str, str, str]]]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for batch in batches:
            chans, ids, addrs = _args(batch)
            now = time.time()
            async with conn.transaction():
                await conn.fetch(DEDUPE, chans, ids, now)
                rows = await conn.fetch(UPSERT_CONTACT, chans, addrs, now)
                cids = [r["id"] for r in rows]
                await conn.execute(SAVE_STATE, cids, ['{"flow": "menu"}'] * len(cids))
                await conn.execute(
                    OUTBOX, cids, chans[: len(cids)], addrs[: len(cids)],
                    ['{"text": "Halo"}'] * len(cids), now,
                )  # fmt: skip
    finally:
        await conn.close()


async def run_psycopg(url: str, batches: list[list[tuple[str, str, str]]]) -> None:
    import psycopg

    def pg(sql: str) -> str:  # psycopg's placeholders are named, not numbered
        for i in range(9, 0, -1):
            sql = sql.replace(f"${i}", f"%(p{i})s")
        return sql

    def named(*values: object) -> dict[str, object]:
        return {f"p{i}": v for i, v in enumerate(values, 1)}

    dedupe, upsert, save, outbox = map(pg, (DEDUPE, UPSERT_CONTACT, SAVE_STATE, OUTBOX))
    conn = await psycopg.AsyncConnection.connect(url, prepare_threshold=0)
    try:
        for batch in batches:
            chans, ids, addrs = _args(batch)
            now = time.time()
            async with conn.transaction():
                await (await conn.execute(dedupe, named(chans, ids, now))).fetchall()
                rows = await (await conn.execute(upsert, named(chans, addrs, now))).fetchall()
                cids = [r[0] for r in rows]
                await conn.execute(save, named(cids, ['{"flow": "menu"}'] * len(cids)))
                await conn.execute(
                    outbox,
                    named(cids, chans[: len(cids)], addrs[: len(cids)],
                          ['{"text": "Halo"}'] * len(cids), now),
                )  # fmt: skip
    finally:
        await conn.close()


async def reset(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    await conn.execute(SCHEMA)
    await conn.close()


async def measure(url: str, n: int, runs: int) -> None:
    drivers = {"asyncpg": run_asyncpg, "psycopg": run_psycopg}
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for run in range(runs):
        for size in (1, 64):
            for name, fn in drivers.items():  # side by side, same run, same cluster
                await reset(url)
                batches = _batches(n, size, run)
                wall, cpu = time.perf_counter(), time.process_time()
                await fn(url, batches)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                results.setdefault((name, size), []).append((n / wall, cpu / n * 1e6))
    print(f"{n} messages per run, {runs} runs (median, spread min-max)")
    for size in (1, 64):
        base = statistics.median(r[0] for r in results[("asyncpg", size)])
        for name in drivers:
            rates = [r[0] for r in results[(name, size)]]
            cpus = [r[1] for r in results[(name, size)]]
            print(
                f"batch {size:>2} {name:<8} {statistics.median(rates):8.0f} msg/s "
                f"({min(rates):.0f}-{max(rates):.0f})  client CPU "
                f"{statistics.median(cpus):6.1f} us/msg ({min(cpus):.1f}-{max(cpus):.1f})  "
                f"ratio to asyncpg {statistics.median(rates) / base:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Cluster(tmp) as url:
        asyncio.run(measure(url, args.messages, args.runs))


if __name__ == "__main__":
    main()
