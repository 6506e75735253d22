"""Routing benchmark: latency of VolunteerIndex.nearest() over a realistic volunteer spread.

    python bench/routing.py [--volunteers 10000] [--queries 2000] [--seed 1] [--check 200]

Volunteers are placed in kab/kota drawn by population (so Java, Lombok and Medan are dense and
Papua is sparse): 30 % exactly at the seat (registered without coordinates), the rest scattered
~10 km around it. Reports come 90 % from populated places the same way and 10 % from anywhere
in Indonesia's bounding box (remote areas, islands, sea). Scenarios:

  all available   nearest(limit=5), everyone accepted
  10% available   accept() passes a random 10 % (capacity, away, declined...)
  local blackout  every volunteer within 50 km of the report is rejected (a busy area), so the
                  search must pass all of them before answering
  100 km, 10%     as "10% available" with max_km=100 (answers may be fewer than 5)

Prints p50/p99/max per scenario and checks a sample of answers against a brute-force scan.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.geo import INDONESIA_BBOX
from bot.places import default_gazetteer
from bot.volunteer_index import Candidate, VolunteerIndex, brute_force_nearest

SEAT_SHARE = 0.3
VOLUNTEER_SPREAD_DEG = 0.09  # ~10 km
REPORT_SPREAD_DEG = 0.15
REMOTE_SHARE = 0.1
BLACKOUT_KM = 50.0


def make_volunteers(rnd: random.Random, n: int) -> list[Candidate]:
    places = list(default_gazetteer())
    weights = [max(p.population, 1) for p in places]
    out = []
    for i, p in enumerate(rnd.choices(places, weights=weights, k=n)):
        if rnd.random() < SEAT_SHARE:
            out.append(Candidate(i + 1, p.lat, p.lon))
        else:
            lat = p.lat + rnd.gauss(0, VOLUNTEER_SPREAD_DEG)
            lon = p.lon + rnd.gauss(0, VOLUNTEER_SPREAD_DEG)
            out.append(Candidate(i + 1, lat, lon))
    return out


def make_reports(rnd: random.Random, n: int) -> list[tuple[float, float]]:
    places = list(default_gazetteer())
    weights = [max(p.population, 1) for p in places]
    lat_min, lat_max, lon_min, lon_max = INDONESIA_BBOX
    out = []
    for _ in range(n):
        if rnd.random() < REMOTE_SHARE:
            out.append((rnd.uniform(lat_min, lat_max), rnd.uniform(lon_min, lon_max)))
        else:
            p = rnd.choices(places, weights=weights)[0]
            out.append(
                (p.lat + rnd.gauss(0, REPORT_SPREAD_DEG), p.lon + rnd.gauss(0, REPORT_SPREAD_DEG))
            )
    return out


def percentile(sorted_ms: list[float], q: float) -> float:
    idx = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[idx]


def run(
    index: VolunteerIndex,
    reports: list[tuple[float, float]],
    *,
    max_km: float | None = None,
    accept_for: Callable[[int], Callable[[int], bool] | None] = lambda i: None,
) -> tuple[list[float], float]:
    times = []
    answered = 0
    for i, (lat, lon) in enumerate(reports):
        accept = accept_for(i)
        t0 = time.perf_counter_ns()
        got = index.nearest(lat, lon, limit=5, max_km=max_km, accept=accept)
        times.append((time.perf_counter_ns() - t0) / 1e6)
        answered += len(got)
    return sorted(times), answered / len(reports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="VolunteerIndex.nearest() latency")
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", type=int, default=200, help="answers verified by brute force")
    args = parser.parse_args(argv)

    rnd = random.Random(args.seed)
    volunteers = make_volunteers(rnd, args.volunteers)
    reports = make_reports(rnd, args.queries)

    t0 = time.perf_counter()
    index = VolunteerIndex(volunteers)
    build_ms = (time.perf_counter() - t0) * 1000

    available = {c.volunteer_id for c in volunteers if rnd.random() < 0.10}

    def ten_percent(_i: int) -> Callable[[int], bool]:
        return available.__contains__

    # Who is within BLACKOUT_KM of each report, computed before timing starts.
    blackout = [
        frozenset(
            r.candidate.volunteer_id
            for r in index.nearest(lat, lon, limit=10**9, max_km=BLACKOUT_KM)
        )
        for lat, lon in reports
    ]

    def local_blackout(i: int) -> Callable[[int], bool]:
        busy = blackout[i]
        return lambda v: v not in busy

    scenarios: list[tuple[str, dict]] = [
        ("all available", {}),
        ("10% available", {"accept_for": ten_percent}),
        (f"local blackout {BLACKOUT_KM:.0f} km", {"accept_for": local_blackout}),
        ("100 km, 10% available", {"accept_for": ten_percent, "max_km": 100.0}),
    ]

    print(
        f"{args.volunteers} volunteers, {args.queries} reports, seed {args.seed}; "
        f"index built in {build_ms:.0f} ms; Python {sys.version.split()[0]}"
    )
    busy_sizes = sorted(len(b) for b in blackout)
    print(
        f"volunteers rejected in the blackout scenario: median {statistics.median(busy_sizes):.0f}, "
        f"p99 {percentile(busy_sizes, 0.99):.0f}, max {busy_sizes[-1]}"
    )
    print(f"{'scenario':28} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'answers':>8}")
    worst_p99 = 0.0
    for name, kwargs in scenarios:
        run(index, reports[: min(200, len(reports))], **kwargs)  # warm-up
        times, answers = run(index, reports, **kwargs)
        p99 = percentile(times, 0.99)
        worst_p99 = max(worst_p99, p99)
        print(f"{name:28} {percentile(times, 0.5):8.3f} {p99:8.3f} {times[-1]:8.3f} {answers:8.2f}")

    mismatches = 0
    for i, (lat, lon) in enumerate(reports[: args.check]):
        for kwargs in ({}, {"accept": available.__contains__}, {"max_km": 100.0}):
            fast = index.nearest(lat, lon, limit=5, **kwargs)
            slow = brute_force_nearest(volunteers, lat, lon, limit=5, **kwargs)
            if [r.candidate.volunteer_id for r in fast] != [r.candidate.volunteer_id for r in slow]:
                mismatches += 1
                print(f"MISMATCH report {i} {kwargs}", file=sys.stderr)
    print(
        f"brute-force check: {min(args.check, len(reports)) * 3} answers, {mismatches} mismatches"
    )
    print(f"worst p99 {worst_p99:.3f} ms (target < 5 ms)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
