from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import _, initial_locale, normalize_locale, translations, use_locale
from bot.paths import CONTENT

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import catalogs

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def catalog(locale: str):
    with (CONTENT / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=locale)


def test_every_string_in_the_code_is_translated_in_both_catalogs() -> None:
    assert catalogs.problems() == []


def test_translations_keep_the_same_placeholders() -> None:
    for locale in ("id", "en"):
        for message in catalog(locale):
            if not message.id or not message.string:
                continue
            sources = message.id if isinstance(message.id, tuple) else (message.id,)
            targets = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = sorted(PLACEHOLDER.findall(sources[0]))
            for target in targets:
                assert sorted(PLACEHOLDER.findall(target)) == expected, (locale, message.id)


def test_indonesian_has_one_plural_form() -> None:
    text = (CONTENT / "id" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text


def test_both_catalogs_really_load() -> None:
    # babel returns an empty translation silently when a catalog is missing
    for locale in ("id", "en"):
        assert len(translations(locale)._catalog) > 10, locale
    with use_locale("id"):
        assert _("Yes") == "Ya"
    with use_locale("en"):
        assert _("Yes") == "Yes"


def test_locale_names_are_normalised() -> None:
    assert normalize_locale("en-US") == "en"
    assert normalize_locale("ms") == "id"
    assert normalize_locale("fr") == "id"
    assert normalize_locale(None) == "id"


def test_a_first_message_clearly_in_english_gets_english() -> None:
    assert initial_locale(None, "Hello, can I work in Taiwan on a tourist visa?") == "en"
    assert initial_locale("en", "halo kak, mau tanya kerja di taiwan") == "id"
    assert initial_locale("en", "ok") == "en"
    assert initial_locale(None, "ok") == "id"


def test_timestamps_read_as_babel_writes_them_in_every_zone_and_language() -> None:
    import random
    from datetime import UTC, datetime

    from babel.dates import format_datetime

    from bot.i18n import BABEL_LOCALE, format_timestamp

    zones = [
        ("Asia/Jakarta", "WIB"),
        ("Asia/Makassar", "WITA"),
        ("Asia/Jayapura", "WIT"),
        ("Asia/Kuala_Lumpur", "MYT"),
        ("Asia/Taipei", "CST"),
        ("Europe/London", "UK"),  # summer time changes
    ]
    rng = random.Random(3)
    for _round in range(3000):
        ts = rng.uniform(0, 2_500_000_000)
        for locale in ("id", "en"):
            zone = rng.choice(zones)
            moment = datetime.fromtimestamp(ts, tz=UTC)
            expected = format_datetime(
                moment, "d MMM yyyy HH:mm", tzinfo=zone[0], locale=BABEL_LOCALE[locale]
            )
            assert format_timestamp(ts, locale, zone) == f"{expected} {zone[1]}"
    assert format_timestamp(1_797_036_800, "id") == "12 Des 2026 07:53 WIB"
