"""Figures drawn as SVG by the templates: numbers in, coordinates out, no JavaScript.

The map is an equirectangular projection of Indonesia's box (at the equator a degree of
longitude and of latitude are nearly the same length, so no further correction is needed):
the Natural Earth outline from content/indonesia_outline.json as the backdrop, and a circle
per kab/kota seat from the gazetteer, its area growing with the count.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache

from bot.paths import CONTENT

LON_MIN, LON_MAX = 94.6, 141.8  # margins so a dot on the coast is not cut
LAT_MIN, LAT_MAX = -11.2, 6.3
MAP_WIDTH = 1000.0
SCALE = MAP_WIDTH / (LON_MAX - LON_MIN)
MAP_HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE, 1)


def project(lat: float, lon: float) -> tuple[float, float]:
    return round((lon - LON_MIN) * SCALE, 1), round((LAT_MAX - lat) * SCALE, 1)


@cache
def outline_paths() -> tuple[str, ...]:
    """One SVG path per ring of the outline (Natural Earth, public domain)."""
    data = json.loads((CONTENT / "indonesia_outline.json").read_text(encoding="utf-8"))
    paths = []
    for ring in data["rings"]:
        points = [project(lat, lon) for lon, lat in ring]
        paths.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
    return tuple(paths)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str  # the week's first day, short


def bars(weeks: list[tuple[str, int]], width: float = 600, height: float = 160) -> list[Bar]:
    """Bars for (label, count) pairs, scaled to the largest count."""
    if not weeks:
        return []
    top = max(count for _label, count in weeks) or 1
    slot = width / len(weeks)
    result = []
    for i, (label, count) in enumerate(weeks):
        h = round(height * count / top, 1)
        result.append(
            Bar(
                round(i * slot + slot * 0.15, 1),
                round(height - h, 1),
                round(slot * 0.7, 1),
                h,
                count,
                label,
            )
        )
    return result


@dataclass
class Dot:
    code: str
    name: str
    x: float
    y: float
    r: float
    reports: int
    volunteers: int


def dots(
    places: list[tuple[str, str, float, float]],
    reports: dict[str, int],
    volunteers: dict[str, int],
) -> list[Dot]:
    """A dot per kab/kota with reports or volunteers; places are (code, name, lat, lon)."""
    top = max([*reports.values(), 1])
    found = []
    for code, name, lat, lon in places:
        r_count, v_count = reports.get(code, 0), volunteers.get(code, 0)
        if not r_count and not v_count:
            continue
        x, y = project(lat, lon)
        radius = 3.0 + 14.0 * math.sqrt(r_count / top) if r_count else 3.0
        found.append(Dot(code, name, x, y, round(radius, 1), r_count, v_count))
    found.sort(key=lambda d: -d.r)  # big circles first, so small ones stay on top and tappable
    return found
