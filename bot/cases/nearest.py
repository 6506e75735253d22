"""The nearest volunteers who can take a case now, on an index kept between messages."""

from __future__ import annotations

from bot.services import Services
from bot.volunteer_index import Candidate, Ranked, VolunteerIndex
from storage import Tx


async def volunteer_index(tx: Tx, services: Services) -> VolunteerIndex:
    """Every volunteer's position, kept between messages and rebuilt when one is added, moved
    or removed (availability is checked at query time, so it does not invalidate the index)."""
    version = await tx.volunteers.positions_version()
    cached = services.cache.get("volunteer_index")
    if cached is None or cached[0] != version:
        people = await tx.volunteers.all()
        cached = (version, VolunteerIndex(Candidate(v.id, v.lat, v.lon) for v in people))
        services.cache["volunteer_index"] = cached
    return cached[1]


async def nearest_available(
    tx: Tx,
    services: Services,
    lat: float,
    lon: float,
    *,
    limit: int,
    max_km: float,
    case_id: int | None = None,
) -> list[Ranked]:
    """The nearest volunteers who can take a case now: available, under capacity, reachable,
    and (for a given case) not already asked."""
    skip = await tx.volunteers.unable_to_take(case_id)
    index = await volunteer_index(tx, services)
    return index.nearest(lat, lon, limit=limit, max_km=max_km, accept=lambda vid: vid not in skip)
