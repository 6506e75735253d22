"""Recognising the same recruiter across reports: phone numbers in any spelling, names with
titles and company forms set aside, and near-identical spellings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from storage import Tx
from storage.cases import Case


def normalize_phone(raw: str | None) -> str | None:
    """Indonesian numbers in any spelling → 62…; None when there are too few digits."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8") and len(digits) >= 9:
        digits = "62" + digits
    return digits if len(digits) >= 8 else None


def name_key(name: str | None) -> str | None:
    """The name as matching compares it, or None when too short to compare."""
    key = _name_key(name)
    return key if len(key) >= 4 else None


def _name_key(name: str | None) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", (name or "").lower()).split()
    ignore = {
        "pt",
        "cv",
        "bu",
        "ibu",
        "pak",
        "bapak",
        "mas",
        "mbak",
        "bang",
        "sdr",
        "calo",
        "sponsor",
    }
    return " ".join(w for w in words if w not in ignore)


def _similar(ka: str, kb: str) -> bool:
    if len(ka) < 4 or len(kb) < 4:
        return False
    return ka == kb or difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.85


async def linked_reports(
    tx: Tx, case: Case, place_allowed: Callable[[str | None], bool] | None = None
) -> int:
    """How many other reports name the same recruiter: the same phone number in any spelling,
    or a near-identical name (with `place_allowed`, only reports of places it allows: a
    province-scoped coordinator learns nothing of other provinces)."""
    others = await tx.cases.recruiter_candidates(
        case.id, case.recruiter_phone_norm, name_key(case.recruiter_name)
    )
    # The candidates share a few spellings between them, hundreds of reports each at worst:
    # compare each spelling once (a comparison costs ~0.1 ms, inside the writer).
    key, phone = _name_key(case.recruiter_name), case.recruiter_phone_norm
    similar: dict[str, bool] = {}
    linked = 0
    for other in others:
        if place_allowed is not None and not place_allowed(other.place_code):
            continue
        if phone and phone == other.recruiter_phone_norm:
            linked += 1
            continue
        other_key = _name_key(other.recruiter_name)
        if other_key not in similar:
            similar[other_key] = _similar(key, other_key)
        linked += similar[other_key]
    return linked


async def backfill_name_keys(tx: Tx, now: float, limit: int = 500) -> int:
    """Key a batch of reports written before names were keyed (the scheduler calls this)."""
    missing = await tx.cases.missing_name_keys(limit)
    for case_id, name in missing:
        # A name too short to compare gets "" so it is not read again.
        await tx.cases.update(case_id, now, recruiter_name_key=name_key(name) or "")
    return len(missing)
