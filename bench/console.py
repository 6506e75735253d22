"""Console benchmark: page time of the cases list and the dashboard with 100,000 cases.

    python bench/console.py [--cases 100000] [--volunteers 300] [--rounds 20] [--seed 1]
                            [--compare]

Builds a SQLite store of synthetic cases (schema from the migrations; places drawn by
population from the gazetteer; statuses, acceptance times, warning signs and repeat recruiter
phones in plausible shares; two years of reports), signs a coordinator in, and requests each
page through the whole ASGI app (routing, session check, queries on the read-only connection,
template rendering) `--rounds` times, after one warm-up. Prints p50 / p95 / max per page.

--compare also times the same pages with the console's indexes (migrations 0006 and 0009)
dropped, in the same run, so the ratio shows what they buy on this machine. The tallies of
0009 (case_tally, case_days, flag_days, recruiter_tally) stay: the dashboard reads them on
SQLite whatever the indexes.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bot.config import Settings
from bot.console.auth import hash_password
from bot.places import default_gazetteer
from bot.web import create_app
from storage.sqlite.db import connect

DAY = 86400.0
NOW = 1_795_000_000.0
CONSOLE_INDEXES = (
    "cases_created",
    "cases_status_created",
    "cases_place_created",
    "cases_accepted",
    "cases_recruiter_name",
    "cases_urgent_created",
)
FLAGS = [
    "upfront_fee",
    "visa_nonwork",
    "unlicensed_recruiter",
    "informal_route",
    "passport_retention",
    "salary_deduction",
    "no_contract",
    "too_good_salary",
    "scam_compound_country",
    "held_against_will",
]
STATUSES = [
    ("resolved", 40),
    ("not_a_case", 8),
    ("withdrawn", 2),
    ("accepted", 10),
    ("in_progress", 15),
    ("referred_bp3mi", 5),
    ("referred_police", 2),
    ("referred_kp2mi", 1),
    ("alerted", 9),
    ("escalated", 8),
]

PAGES = [
    ("dashboard", "/admin/"),  # figures computed afresh each time
    ("dashboard (kept)", "/admin/"),  # within FIGURES_SECONDS of the last computation
    ("cases: newest", "/admin/cases"),
    ("cases: open", "/admin/cases?status=open"),
    ("cases: escalated", "/admin/cases?status=escalated"),
    ("cases: province", "/admin/cases?province=32"),
    ("cases: kab/kota", "/admin/cases?province=35&place=3578"),
    ("cases: flag+urgent", "/admin/cases?flag=held_against_will&urgent=1"),
    ("cases: dates", "/admin/cases?from=2026-06-01&to=2026-06-30"),
    ("cases: phone", "/admin/cases?q=0812-0000-0042"),
    ("cases: name", "/admin/cases?q=Sponsor+42"),
    ("cases: page 200", "/admin/cases?page=200"),
]


def number(i: int) -> str:
    """A distinct case number in the real alphabet (storage/cases.py)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    digits = []
    for _ in range(5):
        i, r = divmod(i, len(alphabet))
        digits.append(alphabet[r])
    return "MA-" + "".join(reversed(digits))


def build(db: Path, n_cases: int, n_volunteers: int, seed: int) -> None:
    asyncio.run(_migrate(db))
    rng = random.Random(seed)
    places = list(default_gazetteer())
    weights = [max(p.population, 1) for p in places]
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    with conn:
        for i in range(n_volunteers):
            p = rng.choices(places, weights)[0]
            conn.execute(
                "INSERT INTO contacts (channel, address, locale, created_at) VALUES ('console', ?, 'id', ?)",
                (f"vol-{i}", NOW),
            )
            cid = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            conn.execute(
                "INSERT INTO volunteers (contact_id, name, channel, address, place_code, place_name,"
                " lat, lon, capacity, created_at, updated_at) VALUES (?, ?, 'console', ?, ?, ?, ?, ?, 3, ?, ?)",
                (cid, f"Relawan {i}", f"vol-{i}", p.code, p.name, p.lat, p.lon, NOW, NOW),
            )
        statuses = [s for s, _w in STATUSES]
        status_w = [w for _s, w in STATUSES]
        rows, flags = [], []
        for i in range(1, n_cases + 1):
            p = rng.choices(places, weights)[0]
            created = NOW - rng.random() * 730 * DAY
            status = rng.choices(statuses, status_w)[0]
            accepted = None
            volunteer = None
            if status not in ("alerted", "escalated", "new"):
                accepted = created + rng.expovariate(1 / 3600.0)
                volunteer = rng.randint(1, n_volunteers)
            phone = f"62812{rng.randint(0, 2000):07d}" if rng.random() < 0.7 else None
            rows.append(
                (
                    i,
                    number(i),
                    status,
                    p.code,
                    p.name,
                    p.lat,
                    p.lon,
                    int(rng.random() < 0.12),
                    created,
                    accepted or created,
                    accepted,
                    volunteer,
                    f"Sponsor {rng.randint(0, 3000)}" if rng.random() < 0.6 else None,
                    phone and "0" + phone[2:],
                    phone,
                    created + 7200 if status == "alerted" else None,
                    "Cerita laporan " * 8,
                )
            )
            for code in rng.sample(FLAGS, rng.choice((0, 1, 1, 2, 3))):
                flags.append((i, code))
        conn.executemany(
            "INSERT INTO cases (id, number, status, place_code, place_name, lat, lon, urgent,"
            " created_at, updated_at, accepted_at, volunteer_id, recruiter_name, recruiter_phone,"
            " recruiter_phone_norm, deadline_at, description)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO case_flags (case_id, code, reported_at)"
            " SELECT id, ?, created_at FROM cases WHERE id = ?",
            [(code, i) for i, code in flags],
        )
        conn.execute(
            "INSERT INTO console_accounts (username, name, password_hash, role, created_at)"
            " VALUES ('bench', 'Bench', ?, 'coordinator', ?)",
            (hash_password("bench password"), NOW),
        )
    conn.execute("ANALYZE")
    conn.close()


async def _migrate(db: Path) -> None:
    conn = await connect(db)
    await conn.close()


async def measure(db: Path, rounds: int) -> dict[str, list[float]]:
    from tests.fakes.clock import ManualClock

    app = create_app(replace(Settings(), database_path=db), clock=ManualClock(NOW), dispatch=False)
    times: dict[str, list[float]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            page = await http.get("/admin/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            r = await http.post(
                "/admin/login",
                data={"username": "bench", "password": "bench password", "csrf": token},
            )
            assert r.status_code == 303, r.text[:500]
            for name, path in PAGES:
                first = await http.get(path)  # warm-up (templates compiled, pages cached by SQLite)
                assert first.status_code == 200, (path, first.status_code)
                samples = []
                for _ in range(rounds):
                    if name == "dashboard":
                        app.state.console.views._figures.clear()
                    t0 = time.perf_counter()
                    r = await http.get(path)
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                times[name] = samples
    return times


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", action="store_true", help="also without the console indexes")
    parser.add_argument("--keep", type=Path, help="build into this file and keep it (reused)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.keep or Path(tmp) / "bench.db"
        if not db.exists():
            t0 = time.perf_counter()
            build(db, args.cases, args.volunteers, args.seed)
            took = time.perf_counter() - t0
            print(f"built {args.cases:,} cases, {args.volunteers} volunteers in {took:.1f} s")
        with_indexes = asyncio.run(measure(db, args.rounds))
        without = None
        if args.compare:  # on a copy, so a kept database keeps its indexes
            copy = Path(tmp) / "without-indexes.db"
            shutil.copy(db, copy)
            db = copy
            conn = sqlite3.connect(db)
            for name in CONSOLE_INDEXES:
                conn.execute(f"DROP INDEX {name}")
            conn.execute("ANALYZE")
            conn.close()
            without = asyncio.run(measure(db, args.rounds))
    head = f"{'page':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    if without:
        head += f" {'p95 no idx':>11} {'ratio':>6}"
    print(head)
    worst = 0.0
    for name, samples in with_indexes.items():
        line = (
            f"{name:<20} {statistics.median(samples):8.1f} {p95(samples):8.1f} {max(samples):8.1f}"
        )
        worst = max(worst, p95(samples))
        if without:
            other = p95(without[name])
            line += f" {other:11.1f} {other / p95(samples):6.1f}"
        print(line)
    print(f"worst p95: {worst:.1f} ms (target < 200 ms)")


if __name__ == "__main__":
    main()
