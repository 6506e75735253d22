"""Loading the volunteer registry from a CSV file.

Columns: name,channel,address,place (required), lat,lon,languages,capacity,show_name (optional).
place is a kab/kota name as people write it ("Kab. Malang", "Surabaya") or its BPS code;
without lat/lon the place's centre is used. A bad row is reported with its line number and
the reason, and the good rows are imported all the same: a row that fails to parse as CSV, a
capacity of 23 digits, a name that is nothing but control characters is one bad row, never a
traceback that loses the rest.

Addresses are where alerts with report details go, so they are checked strictly: a Telegram
address must be a private chat (a user id, positive; a group or channel id is negative and
would show the report to everybody in it), a WhatsApp address a valid number by Google's
libphonenumber metadata (the `phonenumbers` package: a kept library that knows every
country's number lengths and prefixes, where a digit count cannot), stored as E.164 digits.
Names are cleaned for display (bot/display.py) before they are stored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from bot import display
from bot.geo import valid_coordinates
from bot.places import Gazetteer
from storage import Tx
from storage.volunteers import Volunteer

CHANNELS = ("telegram", "whatsapp", "console")
REQUIRED = ("name", "channel", "address", "place")
MAX_CAPACITY = 50  # open cases at once; more is a typo, not a volunteer
MAX_TELEGRAM_ID = 2**52  # Telegram user ids fit in 52 bits
_CAPACITY = re.compile(r"[0-9]{1,6}")
_PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]{6,24}")


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def _shown(raw: str, limit: int = 40) -> str:
    """A value quoted in an error message: escaped and short (errors go to a terminal)."""
    return repr(display.terminal(raw[:limit]) + ("…" if len(raw) > limit else ""))


def _address(channel: str, raw: str) -> str:
    raw = raw.strip()
    if channel == "whatsapp":
        return _whatsapp_number(raw)
    if channel == "telegram":
        if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < MAX_TELEGRAM_ID:
            what = "a group or channel" if raw.startswith("-") else "not a Telegram user id"
            raise ValueError(
                f"{_shown(raw)} is {what}: alerts go to private chats only (a positive user id)"
            )
        return str(int(raw))
    return raw


def _whatsapp_number(raw: str) -> str:
    """E.164 digits ("6281234567890") of a valid number; "0812…" is read as Indonesian."""
    number = raw.removeprefix("whatsapp:").strip()
    # libphonenumber reads letters as keypad digits ("ABC" → 222): an address has none.
    if not _PHONE_CHARS.fullmatch(number):
        raise ValueError(f"{_shown(raw)} is not a phone number")
    try:
        parsed = phonenumbers.parse(number, "ID")
    except phonenumbers.NumberParseException:
        raise ValueError(f"{_shown(raw)} is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{_shown(raw)} is not a valid WhatsApp number (E.164, e.g. +62812…)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def _rows(text: str, result: ImportResult):
    """(line, row) for each row that parses as CSV; a row that does not is a bad row."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        result.errors.append((1, f"header: {exc}"))
        return
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append((1, f"missing column(s): {', '.join(missing)}"))
        return
    reader.fieldnames = header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the size limit
            result.errors.append((reader.line_num, f"not a CSV row: {exc}"))
            continue
        extra = row.pop(None, None)  # type: ignore[call-overload]
        if extra:
            result.errors.append((reader.line_num, f"{len(extra)} value(s) more than columns"))
            continue
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


async def import_csv(
    tx: Tx,
    source: Path | str,
    gazetteer: Gazetteer,
    now: float,
    *,
    place_allowed: Callable[[str | None], bool] | None = None,
) -> ImportResult:
    """Every good line registered (or updated, by channel and address); a bad line is an
    error with its number. With `place_allowed` (a province-scoped coordinator's console), a
    line placing a volunteer outside it, or changing one registered outside it, is an error
    too: nobody registers or moves volunteers where they may not see them."""
    result = ImportResult()
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            result.errors.append((1, f"not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"))
            return result
    else:
        text = source
    for line, row in _rows(text, result):
        try:
            volunteer = _parse(row, gazetteer)
        except ValueError as exc:
            result.errors.append((line, str(exc)))
            continue
        if place_allowed is not None and not await _allowed(tx, volunteer, place_allowed):
            result.errors.append((line, "the place is outside the provinces of your account"))
            continue
        locale = volunteer.languages.split(";")[0] if volunteer.languages else "id"
        contact = await tx.contacts.get_or_create(volunteer.channel, volunteer.address, locale, now)
        volunteer.contact_id = contact.id
        await tx.volunteers.upsert(volunteer, now)
        result.imported += 1
    return result


async def _allowed(
    tx: Tx, volunteer: Volunteer, place_allowed: Callable[[str | None], bool]
) -> bool:
    if not place_allowed(volunteer.place_code):
        return False
    contact = await tx.contacts.find(volunteer.channel, volunteer.address)
    existing = await tx.volunteers.for_contact(contact.id) if contact else None
    return existing is None or place_allowed(existing.place_code)


def _parse(row: dict[str, str], gazetteer: Gazetteer) -> Volunteer:
    for column in REQUIRED:
        if not row.get(column):
            raise ValueError(f"{column} is empty")
    name = display.name(row["name"])
    if name is None:
        raise ValueError("name has no visible characters")
    channel = row["channel"].lower()
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {_shown(channel)}")
    address = _address(channel, row["address"])
    # A volunteer abroad (Kuala Lumpur, Taipei, Riyadh…) is placed at that city; its code
    # carries the country ("MY:kualalumpur"), so reports from there reach them.
    abroad = gazetteer.resolve_abroad(row["place"], exact=True)
    place = (
        None
        if abroad
        else gazetteer.get(row["place"])
        or (m.place if (m := gazetteer.resolve(row["place"])) else None)
    )
    if place is None and abroad is None:
        abroad = gazetteer.resolve_abroad(row["place"])
    if place is None and abroad is None:
        raise ValueError(f"unknown or ambiguous place {_shown(row['place'])}")
    if place is not None:
        code, where, home = place.code, place.name, (place.lat, place.lon)
    else:
        assert abroad is not None
        code, where, home = abroad.code, abroad.name, (abroad.lat, abroad.lon)
    lat_s, lon_s = row.get("lat", ""), row.get("lon", "")
    if lat_s or lon_s:
        try:
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            raise ValueError(
                f"lat/lon must be numbers, not {_shown(lat_s)}/{_shown(lon_s)}"
            ) from None
        if not valid_coordinates(lat, lon):
            raise ValueError(f"lat/lon {lat}, {lon} out of range")
    else:
        lat, lon = home
    capacity_s = row.get("capacity", "") or "3"
    if not _CAPACITY.fullmatch(capacity_s) or not 1 <= int(capacity_s) <= MAX_CAPACITY:
        raise ValueError(
            f"capacity must be a whole number from 1 to {MAX_CAPACITY}, not {_shown(capacity_s)}"
        )
    languages = ";".join(
        x.strip().lower()
        for x in (row.get("languages") or "id").replace(",", ";").split(";")
        if x.strip()
    )
    return Volunteer(
        id=0,
        contact_id=None,
        name=name,
        channel=channel,
        address=address,
        place_code=code,
        place_name=where,
        lat=lat,
        lon=lon,
        languages=languages or "id",
        capacity=int(capacity_s),
        available=True,
        # show_name=no: the reporter is not told this volunteer's first name.
        show_name=(row.get("show_name") or "yes").strip().lower()
        not in ("no", "0", "false", "tidak"),
    )
