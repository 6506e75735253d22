from __future__ import annotations

import math
import random

import pytest

from bot.geo import chord_to_km, haversine_km, km_to_chord, unit_vector
from bot.places import default_gazetteer
from bot.volunteer_index import Candidate, Ranked, VolunteerIndex, brute_force_nearest


def _ids(ranked: list[Ranked]) -> list[int]:
    return [r.candidate.volunteer_id for r in ranked]


def _random_candidates(rnd: random.Random, n: int) -> list[Candidate]:
    """Half uniform over Indonesia, half clustered around kab/kota seats (many share a seat
    exactly, as volunteers registered without coordinates do)."""
    places = list(default_gazetteer())
    out = []
    for i in range(n):
        if i % 2:
            out.append(Candidate(i, rnd.uniform(-11, 6), rnd.uniform(95, 141)))
        else:
            p = rnd.choice(places)
            if rnd.random() < 0.3:
                out.append(Candidate(i, p.lat, p.lon))
            else:
                out.append(Candidate(i, p.lat + rnd.gauss(0, 0.1), p.lon + rnd.gauss(0, 0.1)))
    return out


# ---- geometry -----------------------------------------------------------------------------


def test_haversine_known_distances() -> None:
    assert haversine_km(0, 0, 0, 0) == 0
    # One degree of latitude on the mean sphere.
    assert haversine_km(0, 100, 1, 100) == pytest.approx(111.195, abs=0.01)
    # Surabaya -> Kupang, about 1,200 km.
    assert haversine_km(-7.2589, 112.7470, -10.1539, 123.6194) == pytest.approx(1237, rel=0.01)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)
    assert haversine_km(1, 2, 3, 4) == haversine_km(3, 4, 1, 2)


def test_chord_conversions_round_trip() -> None:
    for km in (0.0, 1.0, 60.0, 500.0, 5000.0):
        assert chord_to_km(km_to_chord(km)) == pytest.approx(km, abs=1e-6)
    a, b = unit_vector(-7.26, 112.75), unit_vector(-10.15, 123.62)
    chord = math.dist(a, b)
    assert chord_to_km(chord) == pytest.approx(haversine_km(-7.26, 112.75, -10.15, 123.62))


# ---- the index against brute force --------------------------------------------------------


def test_matches_brute_force_on_random_points() -> None:
    rnd = random.Random(20240611)
    candidates = _random_candidates(rnd, 1_500)
    index = VolunteerIndex(candidates)
    assert len(index) == 1_500
    for trial in range(300):
        if trial % 4 == 0:  # a reporter somewhere in or near Indonesia
            lat, lon = rnd.uniform(-13, 8), rnd.uniform(93, 143)
        else:  # a reporter in a populated place
            c = rnd.choice(candidates)
            lat, lon = c.lat + rnd.gauss(0, 0.2), c.lon + rnd.gauss(0, 0.2)
        limit = rnd.choice([1, 3, 5, 10, 50])
        max_km = rnd.choice([None, None, 5.0, 30.0, 150.0, 1000.0])
        got = index.nearest(lat, lon, limit=limit, max_km=max_km)
        want = brute_force_nearest(candidates, lat, lon, limit=limit, max_km=max_km)
        assert _ids(got) == _ids(want), (lat, lon, limit, max_km)
        assert [r.distance_km for r in got] == [r.distance_km for r in want]


def test_matches_brute_force_with_accept_filter() -> None:
    rnd = random.Random(7)
    candidates = _random_candidates(rnd, 1_500)
    index = VolunteerIndex(candidates)
    busy = {c.volunteer_id for c in candidates if rnd.random() < 0.85}
    for _ in range(200):
        c = rnd.choice(candidates)
        lat, lon = c.lat + rnd.gauss(0, 0.1), c.lon + rnd.gauss(0, 0.1)
        got = index.nearest(lat, lon, limit=5, accept=lambda v: v not in busy)
        want = brute_force_nearest(candidates, lat, lon, limit=5, accept=lambda v: v not in busy)
        assert _ids(got) == _ids(want)
        assert not set(_ids(got)) & busy


def test_results_are_sorted_and_distances_exact() -> None:
    rnd = random.Random(3)
    candidates = _random_candidates(rnd, 500)
    index = VolunteerIndex(candidates)
    got = index.nearest(-7.0, 110.0, limit=20)
    assert len(got) == 20
    dists = [r.distance_km for r in got]
    assert dists == sorted(dists)
    for r in got:
        c = r.candidate
        assert r.distance_km == haversine_km(-7.0, 110.0, c.lat, c.lon)


def test_ties_are_broken_by_volunteer_id() -> None:
    # Everyone registered at the same seat (no own coordinates): equal distances.
    same = [Candidate(v, -6.3271, 108.3232) for v in (42, 7, 19, 3, 25)]
    index = VolunteerIndex(same)
    assert _ids(index.nearest(-6.0, 108.0, limit=5)) == [3, 7, 19, 25, 42]
    assert _ids(index.nearest(-6.0, 108.0, limit=2)) == [3, 7]


def test_many_identical_points_build_and_search() -> None:
    crowd = [Candidate(i, -7.2589, 112.7470) for i in range(500)]
    crowd.append(Candidate(999, -7.30, 112.70))
    index = VolunteerIndex(crowd)
    got = index.nearest(-7.30, 112.70, limit=3)
    assert _ids(got) == [999, 0, 1]
    assert got[0].distance_km == 0.0


# ---- accept, max_km, limit ----------------------------------------------------------------


@pytest.fixture
def java() -> VolunteerIndex:
    return VolunteerIndex(
        [
            Candidate(1, -7.2589, 112.7470),  # Surabaya
            Candidate(2, -7.4478, 112.7183),  # Sidoarjo, ~21 km
            Candidate(3, -7.9666, 112.6326),  # Malang, ~79 km
            Candidate(4, -6.3271, 108.3232),  # Indramayu, ~500 km
            Candidate(5, -10.1539, 123.6194),  # Kupang, ~1,240 km
        ]
    )


def test_nearest_first(java: VolunteerIndex) -> None:
    assert _ids(java.nearest(-7.2589, 112.7470)) == [1, 2, 3, 4, 5]
    assert java.nearest(-7.2589, 112.7470)[0].distance_km == 0.0


def test_accept_skips_volunteers(java: VolunteerIndex) -> None:
    asked: list[int] = []

    def accept(volunteer_id: int) -> bool:
        asked.append(volunteer_id)
        return volunteer_id not in {1, 2}

    got = java.nearest(-7.2589, 112.7470, limit=1, accept=accept)
    assert _ids(got) == [3]
    # Asked lazily, nearest first, and never about anyone beyond the answer.
    assert asked == [1, 2, 3]


def test_accept_rejecting_everyone(java: VolunteerIndex) -> None:
    assert java.nearest(-7.2589, 112.7470, accept=lambda v: False) == []


def test_max_km(java: VolunteerIndex) -> None:
    assert _ids(java.nearest(-7.2589, 112.7470, max_km=30)) == [1, 2]
    assert _ids(java.nearest(-7.2589, 112.7470, max_km=100)) == [1, 2, 3]
    assert _ids(java.nearest(-7.2589, 112.7470, max_km=0)) == [1]
    assert java.nearest(0.0, 100.0, max_km=100) == []
    assert java.nearest(-7.2589, 112.7470, max_km=-1) == []
    # Inclusive: a volunteer exactly max_km away is kept.
    d = haversine_km(-7.2589, 112.7470, -7.4478, 112.7183)
    assert _ids(java.nearest(-7.2589, 112.7470, max_km=d)) == [1, 2]


def test_max_km_with_accept(java: VolunteerIndex) -> None:
    got = java.nearest(-7.2589, 112.7470, max_km=100, accept=lambda v: v != 2)
    assert _ids(got) == [1, 3]


def test_limit(java: VolunteerIndex) -> None:
    assert _ids(java.nearest(-7.2589, 112.7470, limit=2)) == [1, 2]
    assert java.nearest(-7.2589, 112.7470, limit=0) == []
    assert len(java.nearest(-7.2589, 112.7470, limit=100)) == 5


def test_empty_index() -> None:
    index = VolunteerIndex([])
    assert len(index) == 0
    assert index.nearest(-7.0, 110.0) == []
    assert index.nearest(-7.0, 110.0, max_km=10, accept=lambda v: True) == []


def test_single_volunteer_far_away() -> None:
    index = VolunteerIndex([Candidate(1, -2.5, 140.7)])  # Jayapura
    got = index.nearest(5.5, 95.3)  # Banda Aceh, ~5,000 km
    assert _ids(got) == [1]
    assert got[0].distance_km == pytest.approx(haversine_km(5.5, 95.3, -2.5, 140.7))


def test_rejects_invalid_input() -> None:
    with pytest.raises(ValueError):
        VolunteerIndex([Candidate(1, 91.0, 100.0)])
    with pytest.raises(ValueError):
        VolunteerIndex([Candidate(1, float("nan"), 100.0)])
    with pytest.raises(ValueError):
        VolunteerIndex([Candidate(1, 0.0, 100.0), Candidate(1, 1.0, 100.0)])
    index = VolunteerIndex([Candidate(1, 0.0, 100.0)])
    with pytest.raises(ValueError):
        index.nearest(float("nan"), 100.0)


def test_accepts_any_iterable() -> None:
    index = VolunteerIndex(Candidate(i, -7.0 - i / 100, 110.0) for i in range(30))
    assert len(index) == 30
    assert _ids(index.nearest(-7.0, 110.0, limit=3)) == [0, 1, 2]
