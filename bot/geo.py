"""Small spherical geometry: great-circle distance and the unit-vector form used for indexing.

A sphere of mean Earth radius is plenty for routing: the ellipsoid changes distances by < 0.5 %,
far less than the gap between a kab/kota seat and where a person actually is.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

# Indonesia's extent with a small margin (Weh island ~5.9 N, Rote ~11 S, 95-141 E).
INDONESIA_BBOX = (-11.0, 6.0, 95.0, 141.0)  # lat_min, lat_max, lon_min, lon_max


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # min() guards against h creeping past 1.0 by rounding for antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    """Point on the unit sphere. Straight-line (chord) distance between two such vectors grows
    monotonically with great-circle distance, so nearest-neighbour search can run in plain 3-D
    Euclidean space and stay exact."""
    p = math.radians(lat)
    lam = math.radians(lon)
    c = math.cos(p)
    return (c * math.cos(lam), c * math.sin(lam), math.sin(p))


def km_to_chord(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance (capped at the diameter)."""
    half_angle = km / (2 * EARTH_RADIUS_KM)
    return 2.0 if half_angle >= math.pi / 2 else 2 * math.sin(half_angle)


def chord_to_km(chord: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def valid_coordinates(lat: float, lon: float) -> bool:
    """Finite and on the globe (NaN compares false, so it fails too)."""
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def in_indonesia_bbox(lat: float, lon: float) -> bool:
    lat_min, lat_max, lon_min, lon_max = INDONESIA_BBOX
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
