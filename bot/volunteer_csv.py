"""Loading the volunteer registry from a CSV file.

Columns: name,channel,address,place (required), lat,lon,languages,capacity (optional).
place is a kab/kota name as people write it ("Kab. Malang", "Surabaya") or its BPS code;
without lat/lon the place's centre is used. A bad row is reported with its line number and
the reason, and the good rows are imported all the same.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from bot.geo import valid_coordinates
from bot.places import Gazetteer
from storage import Tx
from storage.volunteers import Volunteer

CHANNELS = ("telegram", "whatsapp", "console")
REQUIRED = ("name", "channel", "address", "place")


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def _address(channel: str, raw: str) -> str:
    raw = raw.strip()
    if channel == "whatsapp":
        return "".join(ch for ch in raw.removeprefix("whatsapp:") if ch.isdigit())
    return raw


async def import_csv(tx: Tx, source: Path | str, gazetteer: Gazetteer, now: float) -> ImportResult:
    text = Path(source).read_text(encoding="utf-8-sig") if isinstance(source, Path) else source
    reader = csv.DictReader(io.StringIO(text))
    result = ImportResult()
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append((1, f"missing column(s): {', '.join(missing)}"))
        return result
    reader.fieldnames = header
    for row in reader:
        line = reader.line_num
        row = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            volunteer = _parse(row, gazetteer)
        except ValueError as exc:
            result.errors.append((line, str(exc)))
            continue
        locale = volunteer.languages.split(";")[0] if volunteer.languages else "id"
        contact = await tx.contacts.get_or_create(volunteer.channel, volunteer.address, locale, now)
        volunteer.contact_id = contact.id
        await tx.volunteers.upsert(volunteer, now)
        result.imported += 1
    return result


def _parse(row: dict[str, str], gazetteer: Gazetteer) -> Volunteer:
    for column in REQUIRED:
        if not row.get(column):
            raise ValueError(f"{column} is empty")
    channel = row["channel"].lower()
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {row['channel']!r}")
    address = _address(channel, row["address"])
    if channel == "whatsapp" and len(address) < 8:
        raise ValueError(f"{row['address']!r} is not a WhatsApp number")
    if channel == "telegram" and not address.lstrip("-").isdigit():
        raise ValueError(f"{row['address']!r} is not a Telegram user id (digits)")
    place = gazetteer.get(row["place"]) or (
        m.place if (m := gazetteer.resolve(row["place"])) else None
    )
    if place is None:
        raise ValueError(f"unknown or ambiguous place {row['place']!r}")
    lat_s, lon_s = row.get("lat", ""), row.get("lon", "")
    if lat_s or lon_s:
        try:
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            raise ValueError(f"lat/lon must be numbers, not {lat_s!r}/{lon_s!r}") from None
        if not valid_coordinates(lat, lon):
            raise ValueError(f"lat/lon {lat}, {lon} out of range")
    else:
        lat, lon = place.lat, place.lon
    capacity_s = row.get("capacity", "") or "3"
    if not capacity_s.isdigit() or int(capacity_s) < 1:
        raise ValueError(f"capacity must be a whole number ≥ 1, not {capacity_s!r}")
    languages = ";".join(
        x.strip().lower()
        for x in (row.get("languages") or "id").replace(",", ";").split(";")
        if x.strip()
    )
    return Volunteer(
        id=0,
        contact_id=None,
        name=row["name"],
        channel=channel,
        address=address,
        place_code=place.code,
        place_name=place.name,
        lat=lat,
        lon=lon,
        languages=languages or "id",
        capacity=int(capacity_s),
        available=True,
    )
