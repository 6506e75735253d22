"""Routing a report to the nearest volunteer who can take it, however many cannot."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.cases import nearest
from bot.geo import haversine_km
from tests.helpers import VOLUNTEERS_CSV, add_volunteers, running

MANY_AT_INDRAMAYU = "".join(
    f"Relawan Indramayu {i},console,rel-indramayu-{i},Kabupaten Indramayu,,,id,2\n"
    for i in range(40)
)


async def ranked_names(system, lat: float, lon: float, limit: int = 3) -> list[str]:
    async def rank(tx) -> list[str]:
        found = await nearest.nearest_available(
            tx, system.services, lat, lon, limit=limit, max_km=math.inf
        )
        people = {v.id: v.name for v in await tx.volunteers.all()}
        return [people[r.candidate.volunteer_id] for r in found]

    return await system.engine.run(rank)


@pytest.mark.parametrize("few_able", [0.0, 0.125, 1.0])  # the index walk, the default, the few
async def test_the_nearest_who_can_take_it_whoever_is_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, few_able: float
) -> None:
    monkeypatch.setattr(nearest, "FEW_ABLE", few_able)
    async with running(tmp_path / "n.db") as system:
        await add_volunteers(system, VOLUNTEERS_CSV + MANY_AT_INDRAMAYU)
        people = await system.engine.run(lambda tx: tx.volunteers.all())
        here = next(v for v in people if v.name == "Relawan Indramayu")
        at_indramayu = [v for v in people if v.name.startswith("Relawan Indramayu")]

        async def away(tx) -> None:
            for v in at_indramayu:
                await tx.volunteers.set_available(v.id, False)

        await system.engine.run(away)
        # 3 of 44 can take it: the 41 nearest are away and never chosen
        others = sorted(
            (v for v in people if v not in at_indramayu),
            key=lambda v: haversine_km(here.lat, here.lon, v.lat, v.lon),
        )
        assert await ranked_names(system, here.lat, here.lon) == [v.name for v in others]

        async def back(tx) -> None:
            await tx.volunteers.set_available(here.id, True)

        await system.engine.run(back)
        names = await ranked_names(system, here.lat, here.lon)
        assert names == ["Relawan Indramayu", others[0].name, others[1].name]
