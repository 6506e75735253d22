"""Hostile volunteer CSV rows: each bad row is reported with its line and reason, every good
row is imported, nothing raises; addresses are private chats and valid numbers; what the
operator's terminal prints is escaped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.places import default_gazetteer
from bot.volunteer_csv import import_csv
from storage.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = (
    "name,channel,address,place,lat,lon,languages,capacity\n"
    "Siti,console,siti,Kab. Indramayu,,,id,2\n"  # 2 good
    "Capacity Overflow,console,cap,Kab. Indramayu,,,id,12345678901234567890123\n"  # 3
    "Too Many,console,many,Kab. Indramayu,,,id,51\n"  # 4
    "Superscript,console,sup,Kab. Indramayu,,,id,²\n"  # 5
    "Group,telegram,-1001234567890,Kab. Indramayu,,,id,2\n"  # 6
    "Zero,telegram,0,Kab. Indramayu,,,id,2\n"  # 7
    "Huge Id,telegram,99999999999999999999,Kab. Indramayu,,,id,2\n"  # 8
    "Arabic Digits,telegram,١٢٣٤٥,Kab. Indramayu,,,id,2\n"  # 9
    "Short,whatsapp,+62 812,Kab. Indramayu,,,id,2\n"  # 10
    "Letters,whatsapp,+62 812 ABC DEF,Kab. Indramayu,,,id,2\n"  # 11
    "\u202e\u200b\x00\x1b\x07\u2066,console,ghost,Kab. Indramayu,,,id,2\n"  # 12 no name left
    "Dewi,whatsapp,0812-3456-7890,Kota Surabaya,,,id,2\n"  # 13 good, national form
    "NaN Place,console,nan,Kab. Indramayu,nan,nan,id,2\n"  # 14
    "Inf Place,console,inf,Kab. Indramayu,inf,106,id,2\n"  # 15
    "Extra,console,extra,Kab. Indramayu,,,id,2,surplus,more\n"  # 16
    "Budi\x1b[2J\x1b[31m\u202eevil,telegram,123456789,Kota Bandung,,,id,3\n"  # 17 good, cleaned
)


async def test_hostile_rows_are_each_reported_and_the_good_ones_imported(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "v.db") as store, store.transaction() as tx:
        result = await import_csv(tx, HOSTILE, default_gazetteer(), 1.0)
        people = {v.address: v for v in await tx.volunteers.all()}
    errors = dict(result.errors)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16]
    assert result.imported == 3
    assert "capacity" in errors[3] and "1 to 50" in errors[3]
    assert "group" in errors[6] and "private" in errors[6]
    assert "WhatsApp number" in errors[10]
    assert "no visible" in errors[12]
    assert "out of range" in errors[14] and "out of range" in errors[15]
    # The national form is stored in E.164 digits, as WhatsApp webhooks name the person.
    assert "6281234567890" in people
    # ESC and bidi characters are gone from the stored name.
    assert people["123456789"].name == "Budi[2J[31mevil"
    # Error messages quote values escaped: nothing in them can drive a terminal.
    assert all("\x1b" not in reason and "\x00" not in reason for reason in errors.values())


async def test_a_csv_row_over_the_field_limit_is_one_bad_row(tmp_path: Path) -> None:
    text = (
        "name,channel,address,place,capacity\n"
        'Siti,console,siti,Kab. Indramayu,2\n"' + "x" * 200_000 + '",console,big,Indramayu,2\n'
        "Joko,console,joko,Kota Bandung,1\n"
    )
    async with SQLiteStore(tmp_path / "v.db") as store, store.transaction() as tx:
        result = await import_csv(tx, text, default_gazetteer(), 1.0)
    assert result.imported == 2
    assert len(result.errors) == 1 and "CSV" in result.errors[0][1]


async def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes(
        "name,channel,address,place\nJos\xe9,console,j,Kota Bandung\n".encode("latin-1")
    )
    async with SQLiteStore(tmp_path / "v.db") as store, store.transaction() as tx:
        result = await import_csv(tx, path, default_gazetteer(), 1.0)
    assert result.imported == 0
    assert "UTF-8" in result.errors[0][1]


def test_the_cli_imports_good_rows_and_prints_names_escaped(tmp_path: Path) -> None:
    csv_path = tmp_path / "v.csv"
    csv_path.write_text(HOSTILE, encoding="utf-8")
    db = tmp_path / "cli.db"
    env_args = [sys.executable, "-m", "bot"]
    imported = subprocess.run(
        [*env_args, "volunteers", "import", str(csv_path), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 volunteer(s), 13 row(s) with errors" in imported.stdout
    assert f"{csv_path}:3: capacity" in imported.stderr
    assert "Traceback" not in imported.stderr
    listed = subprocess.run(
        [*env_args, "volunteers", "list", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "\u202e" not in listed.stdout
    assert "3 volunteer(s)" in listed.stdout
