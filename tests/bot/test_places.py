from __future__ import annotations

import csv
import importlib.util
import time
from pathlib import Path

import pytest

from bot.geo import haversine_km, in_indonesia_bbox
from bot.paths import CONTENT
from bot.places import Gazetteer, Place, PlaceMatch, bounded_levenshtein, default_gazetteer


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def _name(match: PlaceMatch | None) -> str | None:
    return match.place.name if match else None


# ---- the data -----------------------------------------------------------------------------


def test_all_places_and_provinces_loaded(gaz: Gazetteer) -> None:
    assert len(gaz) == 514
    assert len(gaz.provinces()) == 38
    assert len({p.code for p in gaz}) == 514
    assert {p.kind for p in gaz} == {"kota", "kabupaten"}
    assert sum(p.kind == "kota" for p in gaz) == 98
    with (CONTENT / "provinces.csv").open(encoding="utf-8") as fh:
        provinces = list(csv.DictReader(fh))
    assert len(provinces) == 38
    assert [p["name"] for p in provinces] == gaz.provinces()


def test_every_row_inside_indonesia(gaz: Gazetteer) -> None:
    outside = [p.name for p in gaz if not in_indonesia_bbox(p.lat, p.lon)]
    assert outside == []
    with (CONTENT / "provinces.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert in_indonesia_bbox(float(row["lat"]), float(row["lon"])), row


def test_every_place_is_in_its_province(gaz: Gazetteer) -> None:
    for p in gaz:
        assert p.code.startswith(p.province_code)
        assert p.province in gaz.provinces()


def test_wakatobi_longitude_fixed(gaz: Gazetteer) -> None:
    wakatobi = gaz.get("7407")
    assert wakatobi is not None and wakatobi.name == "Kabupaten Wakatobi"
    assert wakatobi.lon == pytest.approx(123.5389, abs=1e-3)
    # Neighbours in Sulawesi Tenggara: Buton is ~100 km away, not 10,000.
    buton = gaz.get("7404")
    assert buton is not None
    assert haversine_km(wakatobi.lat, wakatobi.lon, buton.lat, buton.lon) < 200


@pytest.mark.parametrize(
    ("code", "name", "kind", "province", "lat", "lon"),
    [
        ("3578", "Kota Surabaya", "kota", "Jawa Timur", -7.2589, 112.7470),
        ("3212", "Kabupaten Indramayu", "kabupaten", "Jawa Barat", -6.3271, 108.3232),
        ("5371", "Kota Kupang", "kota", "Nusa Tenggara Timur", -10.1539, 123.6194),
        ("6503", "Kabupaten Nunukan", "kabupaten", "Kalimantan Utara", 4.0771, 117.7189),
    ],
)
def test_sample_rows(
    gaz: Gazetteer, code: str, name: str, kind: str, province: str, lat: float, lon: float
) -> None:
    place = gaz.get(code)
    assert place is not None
    assert (place.name, place.kind, place.province) == (name, kind, province)
    assert place.lat == pytest.approx(lat, abs=1e-4)
    assert place.lon == pytest.approx(lon, abs=1e-4)


def test_notice_keeps_the_licence() -> None:
    notice = (CONTENT / "places.NOTICE").read_text(encoding="utf-8")
    assert "MIT License" in notice
    assert "Copyright (c)" in notice
    assert "Permission is hereby granted" in notice
    assert "content/places.csv" in notice and "content/provinces.csv" in notice
    assert "7407" in notice


def test_get_accepts_dotted_code(gaz: Gazetteer) -> None:
    assert gaz.get("35.78") == gaz.get("3578")
    assert gaz.get("9999") is None


def test_places_in_province(gaz: Gazetteer) -> None:
    ntb = gaz.places_in("Nusa Tenggara Barat")
    assert len(ntb) == 10
    assert {p.name for p in ntb} >= {"Kabupaten Lombok Timur", "Kota Mataram"}
    assert gaz.places_in("52") == ntb


# ---- name lookup --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Indramayu", "Kabupaten Indramayu"),
        ("Indramyu", "Kabupaten Indramayu"),
        ("indramayuu", "Kabupaten Indramayu"),
        ("kab indramayu", "Kabupaten Indramayu"),
        ("Kab. Indramayu", "Kabupaten Indramayu"),
        ("KABUPATEN   INDRAMAYU", "Kabupaten Indramayu"),
        ("surabya", "Kota Surabaya"),
        ("Surabaya", "Kota Surabaya"),
        ("Kotamadya Surabaya", "Kota Surabaya"),
        ("kodya surabaya", "Kota Surabaya"),
        ("KOTA  KUPANG", "Kota Kupang"),
        ("Kab. Kupang", "Kabupaten Kupang"),
        ("Nunukan", "Kabupaten Nunukan"),
        ("Lombok Timur", "Kabupaten Lombok Timur"),
        ("lombok timor", "Kabupaten Lombok Timur"),
        ("lotim", "Kabupaten Lombok Timur"),
        ("Jogja", "Kota Yogyakarta"),
        ("Yogya", "Kota Yogyakarta"),
        ("Solo", "Kota Surakarta"),
        ("Jakarta Selatan", "Kota Administrasi Jakarta Selatan"),
        ("jaksel", "Kota Administrasi Jakarta Selatan"),
        ("Timor Tengah Selatan", "Kabupaten Timor Tengah Selatan"),
        ("TTS", "Kabupaten Timor Tengah Selatan"),
        ("Kabupaten Lima Puluh Kota", "Kabupaten Lima Puluh Kota"),
        ("kota baru", "Kabupaten Kotabaru"),
        ("labuhan batu", "Kabupaten Labuhanbatu"),
        ("Bau-Bau", "Kota Bau Bau"),
        ("fakfak", "Kabupaten Fak Fak"),
        ("Mentawai", "Kabupaten Kepulauan Mentawai"),
        ("Cibinong", "Kabupaten Bogor"),
        ("Selong", "Kabupaten Lombok Timur"),
        ("Kab. Pontianak", "Kabupaten Mempawah"),
        ("Pontianak", "Kota Pontianak"),
        ("Batu", "Kota Batu"),
        ("Lampung Timur", "Kabupaten Lampung Timur"),
        ("Indramayu, Jawa Barat", "Kabupaten Indramayu"),
        ("Kab. Malang, Jatim", "Kabupaten Malang"),
        ("saya di indramayu", "Kabupaten Indramayu"),
        ("Desa Juntinyuat Kec. Juntinyuat Kab. Indramayu", "Kabupaten Indramayu"),
        ("3578", "Kota Surabaya"),
        ("35.78", "Kota Surabaya"),
        ("Kab. Surabaya", "Kota Surabaya"),  # no such kabupaten: the kota is the only candidate
        ("Jambi", "Kota Jambi"),
    ],
)
def test_resolve(gaz: Gazetteer, query: str, expected: str) -> None:
    assert _name(gaz.resolve(query)) == expected


@pytest.mark.parametrize(
    ("query", "both"),
    [
        ("Bandung", {"Kabupaten Bandung", "Kota Bandung"}),
        ("Malang", {"Kabupaten Malang", "Kota Malang"}),
        ("kupang", {"Kabupaten Kupang", "Kota Kupang"}),
        ("Bima", {"Kabupaten Bima", "Kota Bima"}),
        ("Cirebon", {"Kabupaten Cirebon", "Kota Cirebon"}),
        ("Tangerang", {"Kabupaten Tangerang", "Kota Tangerang"}),
        ("Gorontalo", {"Kabupaten Gorontalo", "Kota Gorontalo"}),
        ("Banjar", {"Kabupaten Banjar", "Kota Banjar"}),
    ],
)
def test_kota_and_kabupaten_of_one_name_are_ambiguous(
    gaz: Gazetteer, query: str, both: set[str]
) -> None:
    assert gaz.resolve(query) is None
    top = gaz.lookup(query)
    assert {m.place.name for m in top[:2]} == both
    assert top[0].score == top[1].score == 1.0


def test_seat_town_shared_by_two_kabupaten_is_ambiguous(gaz: Gazetteer) -> None:
    assert gaz.resolve("Martapura") is None
    assert {m.place.name for m in gaz.lookup("Martapura")} == {
        "Kabupaten Banjar",
        "Kabupaten Ogan Komering Ulu Timur",
    }


def test_prefix_hint_breaks_the_tie(gaz: Gazetteer) -> None:
    assert _name(gaz.resolve("Kota Bandung")) == "Kota Bandung"
    assert _name(gaz.resolve("Kab. Bandung")) == "Kabupaten Bandung"
    scores = {m.place.name: m.score for m in gaz.lookup("Kota Bandung")}
    assert scores["Kota Bandung"] == 1.0
    assert 0.6 <= scores["Kabupaten Bandung"] < 0.9


def test_partial_names_list_candidates_without_resolving(gaz: Gazetteer) -> None:
    lombok = gaz.lookup("Lombok")
    assert {m.place.name for m in lombok} == {
        "Kabupaten Lombok Barat",
        "Kabupaten Lombok Tengah",
        "Kabupaten Lombok Timur",
        "Kabupaten Lombok Utara",
    }
    assert gaz.resolve("Lombok") is None
    jakarta = gaz.lookup("Jakarta")
    assert len(jakarta) == 5 and all("Jakarta" in m.place.name for m in jakarta)
    assert gaz.resolve("Jakarta") is None


@pytest.mark.parametrize(
    "query", ["Jawa Timur", "jatim", "NTB", "Nusa Tenggara Timur", "Bali", "DIY"]
)
def test_province_alone_is_not_a_place(gaz: Gazetteer, query: str) -> None:
    assert gaz.lookup(query) == []
    assert gaz.resolve(query) is None
    assert gaz.match_province(query) is not None


def test_match_province(gaz: Gazetteer) -> None:
    assert gaz.match_province("Jawa Timur") == "Jawa Timur"
    assert gaz.match_province("jatim") == "Jawa Timur"
    assert gaz.match_province("Provinsi NTB") == "Nusa Tenggara Barat"
    assert gaz.match_province("Kaltara") == "Kalimantan Utara"
    assert gaz.match_province("Indramayu") is None


@pytest.mark.parametrize(
    "query",
    [
        "asdfghjkl",
        "xyz",
        "Kuala Lumpur",
        "Hong Kong",
        "Malaysia",
        "Singapura",
        "Tawau",
        "saya mau kerja di luar negeri",
        "a b c d e f g h i j k l m n o p q r s t",
        "1234",
    ],
)
def test_nonsense_resolves_to_nothing(gaz: Gazetteer, query: str) -> None:
    assert gaz.resolve(query) is None
    assert all(m.score < 0.8 for m in gaz.lookup(query))


ODD_QUERIES = [
    "",
    "   ",
    "🙂",
    "🇮🇩🇮🇩",
    "\x00\n\t",
    "x" * 20_000,
    "Indramayu " * 2_000,
    "ا ب ت",
    "...",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_input_does_not_crash(gaz: Gazetteer, query: str) -> None:
    matches = gaz.lookup(query)
    gaz.resolve(query)
    assert all(0.0 <= m.score <= 1.0 for m in matches)


@pytest.mark.timing
@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_input_is_answered_quickly(gaz: Gazetteer, query: str) -> None:
    start = time.perf_counter()
    gaz.lookup(query)
    gaz.resolve(query)
    assert time.perf_counter() - start < 0.5


def test_lookup_scores_limit_and_order(gaz: Gazetteer) -> None:
    matches = gaz.lookup("Sumba Barat", limit=10)
    assert matches[0].place.name == "Kabupaten Sumba Barat"
    assert all(0.0 < m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len(gaz.lookup("Sumba Barat", limit=1)) == 1
    assert gaz.lookup("Sumba Barat", limit=0) == []


def test_to_dict_contract(gaz: Gazetteer) -> None:
    match = gaz.resolve("Kota Surabaya")
    assert match is not None
    d = match.to_dict()
    assert list(d) == ["code", "name", "province", "lat", "lon", "score"]
    assert d["code"] == "3578" and d["name"] == "Kota Surabaya" and d["score"] == 1.0
    assert d["province"] == "Jawa Timur"


@pytest.mark.timing
def test_lookup_is_fast(gaz: Gazetteer) -> None:
    queries = ["Indramyu", "surabya", "KOTA  KUPANG", "Lombok", "sya di indramyu", "Jawa Timur"]
    for q in queries:  # warm up
        gaz.lookup(q)
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for q in queries:
            gaz.lookup(q)
    mean_ms = (time.perf_counter() - start) * 1000 / (rounds * len(queries))
    assert mean_ms < 2.0, mean_ms


def test_bounded_levenshtein() -> None:
    assert bounded_levenshtein("indramayu", "indramyu", 2) == 1
    assert bounded_levenshtein("kitten", "sitting", 3) == 3
    assert bounded_levenshtein("kitten", "sitting", 2) == 3  # k + 1: "more than 2"
    assert bounded_levenshtein("", "abc", 3) == 3
    assert bounded_levenshtein("same", "same", 0) == 0


# ---- coordinates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (-7.2575, 112.7521, "Kota Surabaya"),
        (-6.33, 108.32, "Kabupaten Indramayu"),
        (-10.16, 123.60, "Kota Kupang"),
        (4.14, 117.67, "Kabupaten Nunukan"),  # Nunukan town, ~25 km from Tawau
        (1.13, 104.05, "Kota Batam"),  # ~30 km from Singapore
        (-5.33, 123.60, "Kabupaten Wakatobi"),
    ],
)
def test_nearest_place(gaz: Gazetteer, lat: float, lon: float, expected: str) -> None:
    hit = gaz.nearest(lat, lon)
    assert hit is not None
    place, km = hit
    assert place.name == expected
    assert 0 <= km < 60


@pytest.mark.parametrize(
    ("where", "lat", "lon"),
    [
        ("Kuala Lumpur", 3.139, 101.687),
        ("Singapore", 1.2903, 103.8520),
        ("Hong Kong", 22.3193, 114.1694),
        ("Taipei", 25.0330, 121.5654),
        ("Tawau", 4.2448, 117.8911),
        ("Johor Bahru", 1.4927, 103.7414),
        ("Dili", -8.5569, 125.5603),
        ("Riyadh", 24.7136, 46.6753),
        ("Indian Ocean", -9.0, 100.0),
    ],
)
def test_nearest_refuses_abroad(gaz: Gazetteer, where: str, lat: float, lon: float) -> None:
    assert gaz.nearest(lat, lon) is None, where


def test_nearest_cutoff_and_bad_input(gaz: Gazetteer) -> None:
    surabaya = gaz.get("3578")
    assert surabaya is not None
    assert gaz.nearest(surabaya.lat, surabaya.lon, max_km=0.01) == (surabaya, 0.0)
    assert gaz.nearest(-9.0, 100.0, max_km=60) is None
    assert gaz.nearest(float("nan"), 110.0) is None
    assert gaz.nearest(95.0, 110.0) is None


def test_abroad_names_the_place(gaz: Gazetteer) -> None:
    assert gaz.abroad(1.2903, 103.8520) == "Singapore"
    assert gaz.abroad(4.2448, 117.8911) == "Tawau"
    assert gaz.abroad(22.3, 114.2) == "outside Indonesia"
    assert gaz.abroad(-7.2575, 112.7521) is None


# ---- data files ---------------------------------------------------------------------------


def test_sample_volunteers_resolve(gaz: Gazetteer) -> None:
    path = CONTENT / "sample" / "volunteers.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert 12 <= len(rows) <= 20
    assert set(rows[0]) == {
        "name",
        "channel",
        "address",
        "place",
        "lat",
        "lon",
        "languages",
        "capacity",
    }
    provinces = set()
    for row in rows:
        assert "Contoh" in row["name"]  # clearly fictional
        assert row["channel"] == "console"
        assert row["address"].startswith("relawan-")
        match = gaz.resolve(row["place"])
        assert match is not None, row["place"]
        provinces.add(match.place.province)
        assert 2 <= int(row["capacity"]) <= 5
        assert set(row["languages"].split(";")) <= {"id", "en"}
        if row["lat"]:
            lat, lon = float(row["lat"]), float(row["lon"])
            near = gaz.nearest(lat, lon)
            assert near is not None and near[0] == match.place, row["name"]
        else:
            assert row["lon"] == ""
    assert len({r["address"] for r in rows}) == len(rows)
    assert {
        "Jawa Timur",
        "Jawa Tengah",
        "Jawa Barat",
        "Nusa Tenggara Barat",
        "Nusa Tenggara Timur",
        "Lampung",
        "Sumatera Utara",
        "Kalimantan Barat",
        "Kalimantan Utara",
        "Kepulauan Riau",
        "Bali",
        "Banten",
    } <= provinces


def test_alias_file_is_consistent(gaz: Gazetteer) -> None:
    # Loading validates every target; also make sure no alias shadows a real kab/kota name.
    path = CONTENT / "place_aliases.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    names = {p.name.split(" ", 1)[1].lower() for p in gaz}
    for row in rows:
        if row["kind"] == "place":
            assert row["alias"] not in names, row
            assert gaz.get(row["target"]) is not None, row


def test_load_rejects_a_place_outside_indonesia(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(
        "code,name,kind,province_code,province,lat,lon\n"
        "7407,Kabupaten Wakatobi,kabupaten,74,Sulawesi Tenggara,-5.3283,23.5389\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="outside Indonesia"):
        Gazetteer.load(path)


def test_gazetteer_from_objects() -> None:
    g = Gazetteer(
        [
            Place("3578", "Kota Surabaya", "kota", "Jawa Timur", "35", -7.2589, 112.747),
            Place(
                "3212", "Kabupaten Indramayu", "kabupaten", "Jawa Barat", "32", -6.3271, 108.3232
            ),
        ]
    )
    assert len(g) == 2
    assert _name(g.resolve("surabaya")) == "Kota Surabaya"
    assert g.provinces() == ["Jawa Barat", "Jawa Timur"]


# ---- the build script ---------------------------------------------------------------------


def _build_module():
    path = Path(__file__).resolve().parents[2] / "scripts" / "build_places.py"
    spec = importlib.util.spec_from_file_location("build_places", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(code: str, lat: float, lon: float, name: str = "Kabupaten Contoh") -> dict[str, str]:
    return {
        "id": code,
        "province_id": code[:2],
        "name": name,
        "capital": "Contoh",
        "latitude": str(lat),
        "longitude": str(lon),
        "population": "1",
    }


def test_build_script_fixes_wakatobi_and_fails_loudly_on_bad_rows() -> None:
    build = _build_module()
    provinces = [{"id": "74", "name": "Sulawesi Tenggara", "capital": "Kendari",
                  "latitude": "-4.0", "longitude": "122.5"}]  # fmt: skip
    good = [_row("7407", -5.3283, 23.5389, "Kabupaten Wakatobi")]
    _, places = build.convert(provinces, good)
    assert places[0]["lon"] == pytest.approx(123.5389, abs=1e-3)

    bad = [*good, _row("7402", -4.0, 22.1, "Kabupaten Konawe")]
    with pytest.raises(build.BuildError, match="7402"):
        build.convert(provinces, bad)
