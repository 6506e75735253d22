"""Nearest available volunteers for a report: an exact great-circle k-nearest-neighbour index.

Why a k-d tree on unit vectors rather than a lat/lon grid: volunteers cluster in a few dense
sending areas (Java, Lombok, Kupang) and are sparse elsewhere (Papua, Maluku). A fixed grid is
either too coarse for Java or needs thousands of empty cells scanned for a report from Papua; a
k-d tree adapts to density on its own. Points live on the unit sphere in 3-D, where the straight
chord between two points grows monotonically with great-circle distance, so ordering by chord is
exactly ordering by distance — no projection error, no date-line or pole special cases.

Search is best-first: one heap holds tree boxes (keyed by the least chord any point inside could
have) and single volunteers (keyed by their exact chord). A volunteer popped from the heap is
therefore the next nearest overall. `accept` is asked only then, in distance order, so a busy
neighbourhood costs one call per rejected volunteer and nothing is computed for volunteers
farther than the last one returned.

The index is immutable: availability changes go through `accept`; adding or moving volunteers
means building a new index (10,000 volunteers build in well under a second).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.geo import haversine_km, km_to_chord, unit_vector, valid_coordinates

# Points per leaf: small enough to keep wasted distance computations low, large enough that
# heap traffic for boxes stays modest. 8, 12 and 24 gave similar p99s in bench/routing.py.
LEAF_SIZE = 12
# Boxes are keyed a hair below their true lower bound so float rounding can never let a
# volunteer inside an unexpanded box be overtaken by a farther one.
_BOUND_SLACK = 1e-12


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    distance_km: float


# A tree node is a plain tuple, which Python unpacks faster than it reads attributes:
#   (x_lo, x_hi, y_lo, y_hi, z_lo, z_hi, points, left, right)
# `points` is None for inner nodes; for a leaf it is a tuple of (x, y, z, volunteer_id, index).
_Tree = tuple


class VolunteerIndex:
    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self._candidates: list[Candidate] = []
        seen: set[int] = set()
        for c in candidates:
            if not valid_coordinates(c.lat, c.lon):
                raise ValueError(
                    f"volunteer {c.volunteer_id}: invalid coordinates {c.lat}, {c.lon}"
                )
            if c.volunteer_id in seen:
                raise ValueError(f"volunteer {c.volunteer_id} appears twice")
            seen.add(c.volunteer_id)
            self._candidates.append(c)
        points = [
            (*unit_vector(c.lat, c.lon), c.volunteer_id, i) for i, c in enumerate(self._candidates)
        ]
        self._root = self._build(points) if points else None

    def __len__(self) -> int:
        return len(self._candidates)

    @property
    def candidates(self) -> Sequence[Candidate]:
        return tuple(self._candidates)

    def _build(self, points: list[tuple[float, float, float, int, int]]) -> _Tree:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        zs = [p[2] for p in points]
        box = (min(xs), max(xs), min(ys), max(ys), min(zs), max(zs))
        if len(points) <= LEAF_SIZE:
            return (*box, tuple(points), None, None)
        spreads = (box[1] - box[0], box[3] - box[2], box[5] - box[4])
        axis = spreads.index(max(spreads))
        points.sort(key=lambda p: p[axis])
        # Splitting by position (not by value) always terminates, even when many volunteers
        # share one coordinate (everyone registered at the same kab/kota seat).
        mid = len(points) // 2
        return (*box, None, self._build(points[:mid]), self._build(points[mid:]))

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        limit: int = 5,
        max_km: float | None = None,
        accept: Callable[[int], bool] | None = None,
    ) -> list[Ranked]:
        """Up to `limit` accepted volunteers, nearest first (ties by volunteer_id).

        `accept(volunteer_id)` returning False skips that volunteer; it is called lazily in
        distance order, at most once per volunteer, and never for volunteers beyond the last one
        returned. `max_km` (inclusive) bounds the search.
        """
        if not valid_coordinates(lat, lon):
            raise ValueError(f"invalid coordinates {lat}, {lon}")
        if self._root is None or limit <= 0:
            return []
        if max_km is not None:
            if math.isnan(max_km) or max_km < 0:
                return []
            reach = km_to_chord(max_km)
            # A little slack here; the exact cut is the haversine check below, the same test a
            # brute-force scan would make.
            limit_sq = reach * reach * (1 + 1e-9) + 1e-15
        else:
            limit_sq = math.inf

        qx, qy, qz = unit_vector(lat, lon)
        cands = self._candidates
        out: list[Ranked] = []
        push = heapq.heappush
        pop = heapq.heappop
        seq = 0
        # Entries: (key, kind, tiebreak, payload): a box is (bound, 0, seq, node), a volunteer
        # (chord², 1, volunteer_id, index). At equal keys a box is opened before a volunteer is
        # emitted, and equal-distance volunteers come out in volunteer_id order.
        heap: list[tuple[float, int, int, object]] = [(0.0, 0, 0, self._root)]
        while heap:
            key, kind, tie, item = pop(heap)
            if key > limit_sq:
                break
            if kind:
                if accept is not None and not accept(tie):
                    continue
                c = cands[item]  # type: ignore[index]
                dist = haversine_km(lat, lon, c.lat, c.lon)
                if max_km is not None and dist > max_km:
                    continue
                out.append(Ranked(c, dist))
                if len(out) >= limit:
                    break
                continue
            _x0, _x1, _y0, _y1, _z0, _z1, points, left, right = item  # type: ignore[misc]
            if points is not None:
                for px, py, pz, vid, i in points:
                    dx = px - qx
                    dy = py - qy
                    dz = pz - qz
                    d = dx * dx + dy * dy + dz * dz
                    if d <= limit_sq:
                        push(heap, (d, 1, vid, i))
                continue
            for child in (left, right):
                x0, x1, y0, y1, z0, z1 = child[:6]
                b = -_BOUND_SLACK
                if qx < x0:
                    b += (x0 - qx) * (x0 - qx)
                elif qx > x1:
                    b += (qx - x1) * (qx - x1)
                if qy < y0:
                    b += (y0 - qy) * (y0 - qy)
                elif qy > y1:
                    b += (qy - y1) * (qy - y1)
                if qz < z0:
                    b += (z0 - qz) * (z0 - qz)
                elif qz > z1:
                    b += (qz - z1) * (qz - z1)
                if b <= limit_sq:
                    seq += 1
                    push(heap, (b, 0, seq, child))
        return out


def brute_force_nearest(
    candidates: Iterable[Candidate],
    lat: float,
    lon: float,
    *,
    limit: int = 5,
    max_km: float | None = None,
    accept: Callable[[int], bool] | None = None,
) -> list[Ranked]:
    """Reference answer: scan everything. For tests, benchmarks and tiny deployments."""
    scored = sorted(
        (haversine_km(lat, lon, c.lat, c.lon), c.volunteer_id, i, c)
        for i, c in enumerate(candidates)
    )
    out: list[Ranked] = []
    for dist, vid, _i, c in scored:
        if len(out) >= limit or (max_km is not None and dist > max_km):
            break
        if accept is not None and not accept(vid):
            continue
        out.append(Ranked(c, dist))
    return out
