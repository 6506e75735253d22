"""Cases as CSV, safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection, OWASP); such a cell gets a leading
apostrophe, which the spreadsheet shows as text. Recruiter phones like "+62 812…" keep their
digits, only behind the apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Without personal data: what any signed-in account may export.
PLAIN_COLUMNS = (
    "number",
    "status",
    "created_at",
    "accepted_at",
    "updated_at",
    "place_code",
    "place_name",
    "urgent",
    "anonymous",
    "reporter_role",
    "reporter_locale",
    "flags",
    "volunteer_id",
)
# With the reporter's and the recruiter's details: coordinators only, every case audited.
CONTACT_COLUMNS = (
    "volunteer_name",
    "reporter_name",
    "reporter_reach",
    "recruiter_name",
    "recruiter_phone",
    "description",
)
TIME_COLUMNS = {"created_at", "accepted_at", "updated_at"}


def neutralise(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def cell(column: str, value: object) -> str:
    if column in TIME_COLUMNS and isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "1" if value else "0"
    return neutralise(value)


def header(columns: Iterable[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(list(columns))
    return buf.getvalue()


def line(row: dict[str, object], columns: Iterable[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([cell(c, row.get(c)) for c in columns])
    return buf.getvalue()
