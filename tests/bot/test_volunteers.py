from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.places import default_gazetteer
from bot.volunteer_csv import import_csv
from storage import Tx
from storage.sqlite import SQLiteStore


@asynccontextmanager
async def transaction(path: Path) -> AsyncIterator[Tx]:
    async with SQLiteStore(path) as store, store.transaction() as tx:
        yield tx


BAD = """name,channel,address,place,lat,lon,languages,capacity
Siti,console,siti,Kab. Indramayu,,,id,2
,console,nobody,Indramayu,,,id,2
Budi,fax,123,Indramayu,,,id,2
Ani,telegram,not-a-number,Indramayu,,,id,2
Dewi,whatsapp,+62 812-3456-7890,Kota Surabaya,,,id;en,3
Rina,console,rina,Atlantis,,,id,2
Tono,console,tono,Kab. Cirebon,abc,108.5,id,2
Wati,console,wati,Kota Kupang,-10.15,123.6,id,zero
Eka,console,eka,Bandung,,,id,2
Joko,console,joko,Kota Bandung,-6.9,107.6,id,1
"""


async def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_imported(
    tmp_path: Path,
) -> None:
    async with transaction(tmp_path / "v.db") as tx:
        result = await import_csv(tx, BAD, default_gazetteer(), 1.0)
        assert result.imported == 3  # Siti, Dewi, Joko
        lines = dict(result.errors)
        assert "name is empty" in lines[3]
        assert "channel" in lines[4]
        assert "Telegram user id" in lines[5]
        assert "unknown or ambiguous place 'Atlantis'" in lines[7]
        assert "lat/lon must be numbers" in lines[8]
        assert "capacity" in lines[9]
        assert "ambiguous" in lines[10]  # Bandung: Kota or Kabupaten?
        people = {v.name: v for v in await tx.volunteers.all()}
        assert people["Dewi"].address == "6281234567890"
        assert people["Dewi"].languages == "id;en"
        assert people["Siti"].place_name == "Kabupaten Indramayu"
        assert people["Siti"].contact_id is not None


async def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    async with transaction(tmp_path / "v.db") as tx:
        result = await import_csv(tx, "nama,kanal\nSiti,console\n", default_gazetteer(), 1.0)
        assert result.imported == 0
        assert result.errors[0][0] == 1 and "missing column" in result.errors[0][1]


async def test_importing_again_updates_instead_of_duplicating(tmp_path: Path) -> None:
    async with transaction(tmp_path / "v.db") as tx:
        await import_csv(
            tx,
            "name,channel,address,place\nSiti,console,siti,Indramayu\n",
            default_gazetteer(),
            1.0,
        )
        await import_csv(
            tx,
            "name,channel,address,place\nSiti R.,console,siti,Kab. Cirebon\n",
            default_gazetteer(),
            2.0,
        )
        [siti] = await tx.volunteers.all()
        assert siti.name == "Siti R." and siti.place_name == "Kabupaten Cirebon"
