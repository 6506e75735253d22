"""Names and texts that lie: bidi overrides and isolates, zero-width characters, NUL, ESC,
newlines that fake a contact line. What another person is shown must be what was visible."""

from __future__ import annotations

import pytest
from telegram import Update

from bot import display
from bot.channels import telegram as tg
from bot.channels import whatsapp
from bot.messages import Inbound
from tests.fakes.telegram import FakeTelegram, text_update
from tests.fakes.twilio import inbound_text

FAKE_LINE = "Siti\nKontak: +62 811 0000 0000"
HOSTILE = [
    ("rlo", "Siti \u202e0000 118 26+", "Siti 0000 118 26+"),
    ("isolates", "\u2066Siti\u2069 \u2067Ani\u2069 \u2068x\u2069", "Siti Ani x"),
    ("embeddings", "\u202aSi\u202bti\u202c\u200e\u200f\u061c", "Siti"),
    ("zero-width", "S\u200bi\u200ct\u2060i\ufeff", "Siti"),
    ("nul-esc", "Si\x00ti\x1b[31m\x07", "Siti[31m"),
    ("newline", FAKE_LINE, "Siti Kontak: +62 811 0000 0000"),
    ("separators", "Siti\u2028Kontak\u2029x\x85y", "Siti Kontak x y"),
    ("tabs-spaces", "  Siti\t\t  Rahayu\u3000 ", "Siti Rahayu"),
    ("soft-hyphen-tags", "Si\u00adti\U000e0041\U000e007f", "Siti"),
    ("zalgo", "S" + "\u0336" * 200 + "iti", "S" + "\u0336" * display.MAX_MARKS + "iti"),
    ("only-invisible", "\u200b\u202e\u2066\x00", None),
    ("emoji-family-kept", "Ibu 👨\u200d👩\u200d👧", "Ibu 👨\u200d👩\u200d👧"),
    ("lone-zwj-dropped", "Si\u200dti", "Siti"),
    ("long", "A" * 500, "A" * (display.NAME_CHARS - 1) + "…"),
]


@pytest.mark.parametrize(
    ("raw", "shown"), [(r, s) for _n, r, s in HOSTILE], ids=[n for n, _r, _s in HOSTILE]
)
def test_a_hostile_name_is_shown_as_what_was_visible(raw: str, shown: str | None) -> None:
    assert display.name(raw) == shown


def test_text_keeps_lines_but_nothing_invisible() -> None:
    raw = "Agen\u202e bilang\r\n\r\n\r\n\r\ngaji\u200b 10 juta\x00\n\u2066lihat\u2069"
    assert display.text(raw) == "Agen bilang\n\ngaji 10 juta\nlihat"
    assert display.text("x" * 5000, 600).endswith("…")
    assert len(display.text("x" * 5000, 600)) == 600
    assert display.text(12) == "" and display.name(None) is None


def test_terminal_escapes_every_control() -> None:
    assert display.terminal("Budi\x1b[2J\u202e\x00\U000e0041") == (
        "Budi\\x1b[2J\\u202e\\x00\\U000e0041"
    )


def test_a_telegram_first_name_is_cleaned_on_the_way_in(fake_telegram: FakeTelegram) -> None:
    update = Update.de_json(text_update(42, "halo", first_name=FAKE_LINE), fake_telegram.bot())
    inbound = tg.to_inbound(update)
    assert isinstance(inbound, Inbound)
    assert inbound.display_name == "Siti Kontak: +62 811 0000 0000"


def test_a_whatsapp_profile_name_is_cleaned_on_the_way_in() -> None:
    form = {**inbound_text("+6281234567890", "halo"), "ProfileName": "\u202eSiti\u200b\x00"}
    inbound = whatsapp.to_inbound(form)
    assert inbound is not None and inbound.display_name == "Siti"
    form["ProfileName"] = "\u200b\u2066"
    assert whatsapp.to_inbound(form).display_name is None  # type: ignore[union-attr]


def test_the_volunteers_contact_block_has_one_line_per_field() -> None:
    from bot.cases.wording import summary_lines
    from storage.cases import Case

    fields = {f: None for f in Case.__dataclass_fields__}
    case = Case(
        **{
            **fields,
            "id": 1,
            "number": "MA-1",
            "description": "Saya\u202e ditipu\n\n\n\n\x1b[2Jagen",
            "recruiter_name": "PT\nKontak: +62 800",
            "recruiter_phone": "0812\u200b3456",
        }
    )
    lines = "\n".join(summary_lines(case, 0))
    assert "\u202e" not in lines and "\x1b" not in lines and "\u200b" not in lines
    assert "PT Kontak: +62 800, 08123456" in lines
    assert "\n\n\n" not in lines
