"""Casework benchmark: a simulated month of reports on the real system, with a controllable clock.

    python bench/casework.py [--reports 300] [--days 30] [--seed 1] [--coordinators 1]

Reports arrive across Indonesia's migrant-sending kab/kota (by population) and from abroad
(Kuala Lumpur, Hong Kong, Taipei, Riyadh, Singapore, Seoul, Doha). Volunteers are registered in
the busiest kab/kota and in some destination cities; each has a behaviour: a response time
drawn from a log-normal (median ~40 min, long tail), some away for the month, some who never
answer, some who decline, small capacities, and cases closed after a few days (capacity comes
back). Coordinators answer escalations after 30-180 minutes: they assign the nearest volunteer
who can take it, or take it themselves. Everything goes through Casework and the scheduler's
tick (deadlines, reminders), with a ManualClock advanced 10 minutes at a time.

Runs the same month twice, side by side: with the given number of coordinators and with none.
Prints, per run:

    reached a person: N%      accepted by a volunteer or taken by a coordinator
    left with nobody: N%      still without anyone at the end (two days of grace)
    report→acceptance median / p90 (hours)
    escalated: N%             went to the coordinators at least once
    heard every status change: N%   the reporter got a message for each accept/escalate/status
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cases import Casework, coordination
from bot.config import Settings
from bot.postman import Postman
from bot.scheduler import tick
from bot.system import open_system
from bot.volunteer_csv import import_csv
from storage.cases import CLOSED

STEP = 600.0  # seconds of simulated time per step
ABROAD = ["Kuala Lumpur", "Hong Kong", "Taipei", "Riyadh", "Singapore", "Seoul", "Doha"]
ABROAD_SHARE = 0.2
VOLUNTEER_CITIES_ABROAD = ["Kuala Lumpur", "Hong Kong", "Taipei", "Singapore"]


class Clock:
    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t


@dataclass
class Behaviour:
    median_minutes: float
    never_answers: bool
    declines: float  # probability of declining an offer
    away: bool


@dataclass
class Sim:
    rng: random.Random
    behaviours: dict[str, Behaviour] = field(default_factory=dict)  # volunteer address → behaviour
    answer_at: dict[tuple[int, int], float] = field(default_factory=dict)  # (case, volunteer)
    coordinator_at: dict[int, float] = field(default_factory=dict)  # case → when a coordinator acts
    close_at: dict[int, float] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    reached: dict[int, float] = field(default_factory=dict)


def volunteers_csv(rng: random.Random, gazetteer, n: int) -> tuple[str, dict[str, Behaviour]]:
    places = sorted((p for p in gazetteer._places if p.population), key=lambda p: -p.population)[
        :120
    ]
    rows = ["name,channel,address,place,lat,lon,languages,capacity"]
    behaviours = {}
    for i in range(n):
        abroad = i % 8 == 0
        place = (
            VOLUNTEER_CITIES_ABROAD[(i // 8) % len(VOLUNTEER_CITIES_ABROAD)]
            if abroad
            else rng.choice(places).code
        )
        address = f"v{i}"
        langs = "id;en" if rng.random() < 0.3 else "id"
        rows.append(f"Relawan {i},console,{address},{place},,,{langs},{rng.choice((1, 2, 3))}")
        behaviours[address] = Behaviour(
            median_minutes=rng.choice((15, 40, 40, 90, 240)),
            never_answers=rng.random() < 0.1,
            declines=rng.choice((0.0, 0.1, 0.3)),
            away=rng.random() < 0.15,
        )
    return "\n".join(rows) + "\n", behaviours


async def run(args: argparse.Namespace, coordinators: int) -> dict[str, float]:
    rng = random.Random(args.seed)
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), database_path=Path(tmp) / "bench.db")
        async with open_system(settings, clock=clock) as system:
            services, engine = system.services, system.engine
            gazetteer = services.gazetteer
            text, behaviours = volunteers_csv(rng, gazetteer, args.volunteers)
            sim = Sim(rng, behaviours)
            await engine.run(lambda tx: import_csv(tx, text, gazetteer, clock.now()))
            for i in range(coordinators):
                await engine.run(
                    lambda tx, i=i: tx.coordinators.add("console", f"koord{i}", f"K{i}", (), 0.0)
                )

            async def set_away(tx):
                for v in await tx.volunteers.all():
                    if sim.behaviours[v.address].away:
                        await tx.volunteers.set_available(v.id, False)

            await engine.run(set_away)
            places = sorted(
                (p for p in gazetteer._places if p.population), key=lambda p: -p.population
            )
            weights = [p.population for p in places]
            end = clock.t + args.days * 86400
            arrivals = sorted(
                clock.t + rng.random() * args.days * 86400 for _ in range(args.reports)
            )
            while clock.t < end + 2 * 86400:
                due = [a for a in arrivals if a <= clock.t]
                arrivals = arrivals[len(due) :]
                for _ in due:
                    await engine.run(
                        lambda tx: open_report(tx, services, clock, sim, places, weights, gazetteer)
                    )
                await engine.run(lambda tx: step(tx, services, clock, sim))
                await tick(engine)
                clock.t += STEP
            return await engine.run(lambda tx: figures(tx, sim))


async def open_report(tx, services, clock, sim: Sim, places, weights, gazetteer) -> None:
    rng = sim.rng
    now = clock.now()
    contact = await tx.contacts.create("console", f"r{len(sim.created)}", "id", now)
    if rng.random() < ABROAD_SHARE:
        city = gazetteer.resolve_abroad(rng.choice(ABROAD), exact=True)
        code, name, lat, lon = city.code, city.name, city.lat, city.lon
    else:
        place = rng.choices(places, weights)[0]
        code, name, lat, lon = place.code, place.name, place.lat, place.lon
    post = Postman(tx, now)
    work = Casework(tx, post, services, now)
    case = await work.open(
        {
            "reporter_contact_id": contact.id,
            "reporter_locale": "id",
            "reporter_role": "family",
            "description": "Sponsor minta uang untuk berangkat",
            "place_code": code,
            "place_name": name,
            "lat": lat,
            "lon": lon,
            "urgent": int(rng.random() < 0.2),
        }
    )
    sim.created[case.id] = now
    await post.flush()


async def step(tx, services, clock, sim: Sim) -> None:
    """Volunteers and coordinators act on what is due for them."""
    rng = sim.rng
    now = clock.now()
    post = Postman(tx, now)
    work = Casework(tx, post, services, now)
    for case in await tx.cases.queue("open", now, now):
        if case.status == "alerted" and case.offered_to:
            volunteer = await tx.volunteers.get(case.offered_to)
            if volunteer is None:
                continue
            b = sim.behaviours[volunteer.address]
            key = (case.id, volunteer.id)
            if key not in sim.answer_at:
                if b.never_answers:
                    sim.answer_at[key] = math.inf
                else:
                    minutes = rng.lognormvariate(math.log(b.median_minutes), 0.9)
                    sim.answer_at[key] = now + minutes * 60
            if sim.answer_at[key] <= now:
                if rng.random() < b.declines:
                    await work.decline(case, volunteer, "declined")
                elif await work.accept(case, volunteer):
                    sim.reached.setdefault(case.id, now)
                    sim.close_at[case.id] = now + rng.uniform(2, 6) * 86400
        elif case.status == "escalated" and case.volunteer_id is None:
            who = await coordination.coordinator_of(work, "console", "koord0")
            if who is None:
                continue
            sim.coordinator_at.setdefault(case.id, now + rng.uniform(30, 180) * 60)
            if sim.coordinator_at[case.id] > now:
                continue
            seen = coordination.snapshot(case)
            # A coordinator gives it to the nearest volunteer once; when that did not work,
            # they take it themselves (so it never bounces between people who do not answer).
            tried = any(e.kind == "assigned" for e in await tx.cases.events(case.id))
            found = [] if tried else await coordination.candidates(work, case, limit=1)
            if found:
                await coordination.assign(work, who, case, found[0][0], seen)
            else:
                await coordination.take(work, who, case, seen)
                sim.reached.setdefault(case.id, now)
                sim.close_at[case.id] = now + rng.uniform(2, 6) * 86400
            del sim.coordinator_at[case.id]
        elif case.id in sim.close_at and sim.close_at[case.id] <= now:
            fresh = await tx.cases.get(case.id)
            if fresh and fresh.status not in CLOSED:
                if fresh.volunteer_id:
                    volunteer = await tx.volunteers.get(fresh.volunteer_id)
                    if volunteer is not None:
                        await work.set_status(fresh, volunteer, "resolved")
                else:
                    who = await coordination.coordinator_of(work, "console", "koord0")
                    if who is not None:
                        await coordination.close(work, who, fresh, coordination.snapshot(fresh))
            del sim.close_at[case.id]
    await post.flush()


async def figures(tx, sim: Sim) -> dict[str, float]:
    total = len(sim.created)
    waits = sorted((sim.reached[c] - sim.created[c]) / 3600 for c in sim.reached)
    escalated = heard_all = 0
    for case_id in sim.created:
        events = await tx.cases.events(case_id)
        kinds = [e.kind for e in events]
        if "escalated" in kinds:
            escalated += 1
        changes = sum(1 for k in kinds if k in ("accepted", "escalated", "status", "taken"))
        case = await tx.cases.get(case_id)
        told = await tx.sql.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE contact_id = ? AND kind = 'status'",
            (case.reporter_contact_id,),
        )
        if told >= changes:
            heard_all += 1
    p90 = waits[min(len(waits) - 1, int(0.9 * len(waits)))] if waits else float("nan")
    return {
        "reports": total,
        "reached": 100 * len(sim.reached) / total,
        "nobody": 100 * (total - len(sim.reached)) / total,
        "median_h": statistics.median(waits) if waits else float("nan"),
        "p90_h": p90,
        "escalated": 100 * escalated / total,
        "heard": 100 * heard_all / total,
    }


def show(title: str, f: dict[str, float]) -> None:
    print(f"== {title} ({f['reports']:.0f} reports)")
    print(f"reached a person: {f['reached']:.1f}%")
    print(f"left with nobody: {f['nobody']:.1f}%")
    print(f"report→acceptance median: {f['median_h']:.2f} h, p90: {f['p90_h']:.2f} h")
    print(f"escalated: {f['escalated']:.1f}%")
    print(f"heard every status change: {f['heard']:.1f}%")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--volunteers", type=int, default=60)
    parser.add_argument("--coordinators", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    show(f"{args.coordinators} coordinator(s)", await run(args, args.coordinators))
    show("no coordinator", await run(args, 0))


if __name__ == "__main__":
    asyncio.run(main())
