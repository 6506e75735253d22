"""Gettext catalogs compiled in memory from content/<lang>/LC_MESSAGES/messages.po.

The locale of the person being answered lives in a ContextVar, so `_()` anywhere in a handler
speaks that person's language; `use_locale()` switches it to write to somebody else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from io import BytesIO

from babel.dates import format_date, get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

from bot.language import guess_language
from bot.paths import CONTENT, DEFAULT_LOCALE, LOCALES

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)

BABEL_LOCALE = {"id": "id_ID", "en": "en_GB"}


@cache
def translations(locale: str) -> Translations:
    path = CONTENT / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain="messages")


def current_locale() -> str:
    return _locale.get()


def set_locale(locale: str | None) -> None:
    _locale.set(normalize_locale(locale))


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    token = _locale.set(normalize_locale(locale))
    try:
        yield
    finally:
        _locale.reset(token)


def normalize_locale(locale: str | None) -> str:
    """'en-US', 'en_GB', 'EN' → 'en'; Malay counts as Indonesian; anything else → default."""
    if not locale:
        return DEFAULT_LOCALE
    short = re.split(r"[-_]", locale.strip().lower(), maxsplit=1)[0]
    if short == "ms":
        return "id"
    return short if short in LOCALES else DEFAULT_LOCALE


def gettext(message: str) -> str:
    return translations(_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


_ = gettext


def initial_locale(hint: str | None, text: str) -> str:
    """The language of a new contact: clear English text wins, then the platform's hint."""
    guessed = guess_language(text) if text else None
    if guessed:
        return guessed
    if hint:
        return normalize_locale(hint)
    return DEFAULT_LOCALE


def format_timestamp(
    ts: float, locale: str | None = None, zone: tuple[str, str] = ("Asia/Jakarta", "WIB")
) -> str:
    """A moment in the reader's zone: (IANA name, label), e.g. ("Asia/Makassar", "WITA").
    Without one, WIB (UTC+7): most users and volunteers are on Java/Sumatra.

    The same text as babel's format_datetime(…, "d MMM yyyy HH:mm") (a test holds them
    equal, tests/bot/test_i18n.py), built from the locale's month names read once: babel reads its locale data and
    parses the pattern on every call, which made a console page of 50 cases spend more time
    on dates than on its queries."""
    from datetime import datetime

    tzname, label = zone
    moment = datetime.fromtimestamp(ts, tz=_zone(tzname))
    month = _months(BABEL_LOCALE[normalize_locale(locale or current_locale())])[moment.month]
    return f"{moment.day} {month} {moment.year:04d} {moment.hour:02d}:{moment.minute:02d} {label}"


@cache
def _months(babel_locale: str) -> dict[int, str]:
    return dict(get_month_names("abbreviated", context="format", locale=babel_locale))


@cache
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def format_rupiah(amount: int, locale: str | None = None) -> str:
    loc = BABEL_LOCALE[normalize_locale(locale or current_locale())]
    return format_currency(amount, "IDR", locale=loc, currency_digits=False)


def format_day(day: date, locale: str | None = None) -> str:
    loc = BABEL_LOCALE[normalize_locale(locale or current_locale())]
    return format_date(day, "d MMMM yyyy", locale=loc)
