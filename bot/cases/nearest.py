"""The nearest volunteers who can take a case now, on an index kept between messages.

A case in Indonesia goes to volunteers in Indonesia within the configured distance; a case
abroad goes to the nearest volunteer in that same country, however far (a report from Kota
Kinabalu is still better with a volunteer in Kuala Lumpur than with nobody). Among the
nearest, one who speaks the reporter's language is preferred when not much farther.
"""

from __future__ import annotations

from bot.services import Services
from bot.volunteer_index import Candidate, Ranked, VolunteerIndex
from storage import Tx

# A volunteer who speaks the reporter's language is preferred over a nearer one who does not
# when at most this much farther (km, or this factor of the nearest distance).
LANGUAGE_SLACK_KM = 30.0
LANGUAGE_SLACK_FACTOR = 1.5


# When at most this share of the indexed volunteers can take a case, the nearest are looked for
# among those alone (an index of them built on the spot) instead of walking the whole index
# past every one who is away: 10,000 volunteers of whom 4 available cost 20 ms the long way.
FEW_ABLE = 0.125


async def _cached(
    tx: Tx, services: Services
) -> tuple[VolunteerIndex, dict[int, tuple[str, str]], dict[int, Candidate]]:
    version = await tx.volunteers.positions_version()
    cached = services.cache.get("volunteer_index")
    if cached is None or cached[0] != version:
        people = await tx.volunteers.all()
        where = {v.id: Candidate(v.id, v.lat, v.lon) for v in people}
        index = VolunteerIndex(where.values())
        about = {v.id: (v.country, v.languages) for v in people}
        cached = (version, index, about, where)
        services.cache["volunteer_index"] = cached
    return cached[1], cached[2], cached[3]


async def _index(tx: Tx, services: Services) -> tuple[VolunteerIndex, dict[int, tuple[str, str]]]:
    index, about, _where = await _cached(tx, services)
    return index, about


async def volunteer_index(tx: Tx, services: Services) -> VolunteerIndex:
    """Every volunteer's position, kept between messages and rebuilt when one is added, moved
    or removed (availability is checked at query time, so it does not invalidate the index)."""
    return (await _index(tx, services))[0]


async def nearest_available(
    tx: Tx,
    services: Services,
    lat: float,
    lon: float,
    *,
    limit: int,
    max_km: float,
    case_id: int | None = None,
    country: str | None = None,
    language: str | None = None,
) -> list[Ranked]:
    """The nearest volunteers who can take a case now: available, under capacity, reachable,
    (for a given case) not already asked, and in `country` when given ('ID' = Indonesia).
    With `language`, a speaker of it comes first when not much farther than the nearest."""
    able = await tx.volunteers.able_to_take(case_id)
    index, about, where = await _cached(tx, services)
    if len(able) <= FEW_ABLE * len(index):
        # the same answer (the index is exact, ties by id), from the few who can take it
        index = VolunteerIndex(where[vid] for vid in sorted(able) if vid in where)

    def accept(vid: int) -> bool:
        return vid in able and (country is None or about.get(vid, ("", ""))[0] == country)

    wanted = limit if language is None else max(limit, 5)
    found = index.nearest(lat, lon, limit=wanted, max_km=max_km, accept=accept)
    if language is None or not found:
        return found[:limit]
    nearest_km = found[0].distance_km
    reach = max(nearest_km + LANGUAGE_SLACK_KM, nearest_km * LANGUAGE_SLACK_FACTOR)

    def speaks(r: Ranked) -> bool:
        langs = about.get(r.candidate.volunteer_id, ("", ""))[1]
        return language in langs.replace(",", ";").split(";")

    preferred = [r for r in found if speaks(r) and r.distance_km <= reach]
    rest = [r for r in found if r not in preferred]
    return (preferred + rest)[:limit]
