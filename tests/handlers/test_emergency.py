"""Emergency help by where the person in danger is, on the console, Telegram and WhatsApp.

Each case: what a person writes (or chooses), and the numbers the answer must start with, in
that order. Every reply is scanned: a number the bot shows must be a shown (high or medium)
number of content/contacts.toml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.directory import Directory
from bot.i18n import use_locale
from handlers.emergency import ABROAD, country_at, country_in_text, emergency_for
from tests.channels.telegram_helpers import TelegramRig
from tests.channels.whatsapp_helpers import SITI, whatsapp_harness
from tests.fakes.twilio import FakeTwilio
from tests.helpers import ConsoleDriver, running

DIRECTORY = Directory.load()

# (case, language, what the person writes, the first numbers of the answer, in order)
ABROAD_CASES = [
    ("malaysia", "id", "tolong adik saya disekap majikan di Malaysia", ["999", "+60 17-668 8032"]),
    (
        "malaysia",
        "en",
        "help, my sister is locked up by her employer in Malaysia",
        ["999", "+60 17-668 8032"],
    ),
    (
        "hong_kong",
        "id",
        "tolong kakak saya dipukul majikan di Hong Kong",
        ["999", "+852 5242 2240", "+852 6773 0466"],
    ),
    (
        "hong_kong",
        "en",
        "help, my mother is beaten by her employer in Hong Kong",
        ["999", "+852 5242 2240", "+852 6773 0466"],
    ),
    ("saudi", "id", "istri saya disekap di Arab Saudi", ["911", "997", "999", "+966 50 360 9667"]),
    (
        "saudi",
        "en",
        "my wife is held against my will in Saudi Arabia",
        ["911", "997", "999", "+966 50 360 9667"],
    ),
    ("cambodia", "id", "anak saya tidak boleh pulang dari Kamboja", ["117", "+855 12 813 282"]),
    ("cambodia", "en", "my son cannot go home from Cambodia", ["117", "+855 12 813 282"]),
    ("myanmar", "id", "istri saya di myanmar disekap", ["+95 9 503 7055", "+62 812-9007-0027"]),
    ("myanmar", "en", "my wife is trapped in Myanmar", ["+95 9 503 7055", "+62 812-9007-0027"]),
]
INDONESIA_FIRST = ["110", "112", "119", "129"]
LINE = re.compile(r"^• [^:\n]+: (.+)$", re.MULTILINE)
DATE = re.compile(r"\b\d{1,2} [A-Za-z]{3,9}\.? \d{4}\b")
TIME = re.compile(r"\b\d{1,2}[.:]\d{2}\b")
NUMBER = re.compile(r"\+?\d[\d -]*\d")


def first_numbers(text: str, n: int) -> list[str]:
    """The numbers of the first n contact lines, in order (each line's first number)."""
    numbers = []
    for m in LINE.finditer(text):
        first = m.group(1).split(" — ")[0].split(" / ")[0].strip()
        numbers.append(first)
    return numbers[:n]


def unlisted_numbers(text: str) -> list[str]:
    """Numbers of 3+ digits in a reply that are not shown numbers of contacts.toml."""
    shown = DIRECTORY.shown_numbers()
    text = TIME.sub(" ", DATE.sub(" ", text))
    out = []
    for m in NUMBER.finditer(text):
        digits = "".join(ch for ch in m.group(0) if ch.isdigit())
        if len(digits) >= 3 and digits not in shown:
            out.append(m.group(0))
    return out


def assert_answer(text: str, expected: list[str]) -> None:
    assert first_numbers(text, len(expected)) == expected, text
    assert unlisted_numbers(text) == [], text


# --- the pieces -------------------------------------------------------------------------------


def test_the_country_named_in_the_text_wins_over_indonesian_places() -> None:
    assert country_in_text("anak saya di Jakarta bilang adiknya disekap di Malaysia") == "MY"
    assert country_in_text("istri saya di myanmar disekap") == "MM"
    assert country_in_text("disekap calo di Jawa") == "ID"
    assert country_in_text("dia di luar negeri") == ABROAD
    assert country_in_text("tolong") is None


@pytest.mark.parametrize(
    ("lat", "lon", "country"),
    [
        (22.28, 114.16, "HK"),
        (24.71, 46.67, "SA"),
        (21.49, 39.19, "SA"),  # Jeddah
        (25.20, 55.27, "AE"),  # Dubai
        (11.56, 104.92, "KH"),  # Phnom Penh
        (16.87, 96.20, "MM"),  # Yangon
        (1.29, 103.85, "SG"),
        (1.49, 103.74, "MY"),  # Johor Bahru, next to Singapore
        (3.14, 101.69, "MY"),
        (25.03, 121.56, "TW"),
        (51.5, -0.12, None),  # London: not a country we have numbers for
    ],
)
def test_a_point_abroad_falls_in_the_right_country(lat: float, lon: float, country: str) -> None:
    assert country_at(lat, lon) == country


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_line_that_works_only_in_indonesia_is_given_to_someone_abroad(lang: str) -> None:
    with use_locale(lang):
        for code in ("MY", "HK", "SA", "KH", "MM", "TW", "JP", "KR", "SG", ABROAD):
            text = emergency_for(code, directory=DIRECTORY)
            assert "0800-1000" not in text, code
            assert "\n• Polisi (Call Center Polri 110)" not in text
            assert unlisted_numbers(text) == [], code


def test_hidden_numbers_are_never_shown() -> None:
    with use_locale("en"):
        for code in ("HK", "SA", "SG", "PH"):
            text = emergency_for(code, directory=DIRECTORY)
            for old in ("6894 2799", "5294 4184", "59 888 1945", "9295 3964", "917 319 8470"):
                assert old not in text, (code, old)
        assert "(check this number" not in emergency_for("MY", directory=DIRECTORY)


def test_indonesia_with_a_known_province_names_its_bp3mi() -> None:
    with use_locale("id"):
        text = emergency_for("ID", province="Jawa Barat", directory=DIRECTORY)
    assert first_numbers(text, 4) == INDONESIA_FIRST
    assert "BP3MI Jawa Barat" in text and "Bandung" in text
    assert "Hanya dari telepon di Indonesia" in text  # 110 works only inside Indonesia


# --- the console ---------------------------------------------------------------------------


async def at_menu(chat: ConsoleDriver, lang: str) -> None:
    for line in ["halo", "1" if lang == "id" else "2", "1"]:
        await chat.send(line)


@pytest.mark.parametrize(("case", "lang", "text", "expected"), ABROAD_CASES)
async def test_console_person_abroad_gets_the_local_number_first(
    db_path: Path, case: str, lang: str, text: str, expected: list[str]
) -> None:
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user=f"{case}-{lang}")
        await at_menu(chat, lang)
        out = await chat.send(text)
        assert_answer(out, expected)
        assert "0800-1000" not in out
        assert ("Laporkan ke relawan" if lang == "id" else "Report it to a volunteer") in out


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_console_family_in_indonesia_is_asked_where_then_gets_110_first(
    db_path: Path, lang: str
) -> None:
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user=f"family-{lang}")
        await at_menu(chat, lang)
        asked = await chat.send("4")  # Emergency contacts: nothing says where yet
        assert (
            "Di mana orang yang dalam bahaya" if lang == "id" else "Where is the person"
        ) in asked
        assert unlisted_numbers(asked) == []
        out = await chat.send("1")  # In Indonesia
        assert_answer(out, INDONESIA_FIRST)
        located = await chat.send("/location -6.33 108.32")  # Indramayu, Jawa Barat
        assert_answer(located, INDONESIA_FIRST)
        assert "BP3MI" in located and "Bandung" in located
        await chat.send("2")  # somewhere else
        typed = await chat.send("Kota Surabaya")  # a kab/kota typed as the answer
        assert_answer(typed, INDONESIA_FIRST)
        assert "Surabaya" in typed and ("Jawa Timur" in typed or "East Java" in typed)


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_console_a_shared_location_abroad_gives_that_country(
    db_path: Path, lang: str
) -> None:
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user=f"loc-{lang}")
        await at_menu(chat, lang)
        await chat.send("4")
        out = await chat.send("/location 22.28 114.16")  # Hong Kong
        assert_answer(out, ["999", "+852 5242 2240"])
        other = await chat.send("2")  # the person is somewhere else
        assert "8." in other
        typed = await chat.send("8")  # another country
        assert unlisted_numbers(typed) == []
        unknown = await chat.send("Peru")  # no numbers for it: the lines that work anywhere
        assert_answer(unknown, ["+62 812-9007-0027"])


# --- Telegram ------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "lang", "text", "expected"), ABROAD_CASES)
async def test_telegram_person_abroad_gets_the_local_number_first(
    telegram_rig: TelegramRig, case: str, lang: str, text: str, expected: list[str]
) -> None:
    rig = telegram_rig
    chat = 6281009000 + len(case) * 10 + (lang == "en")
    await rig.onboard(chat, lang=lang)
    sent = await rig.say(chat, text, language_code=lang)
    answer = "\n".join(m["text"] for m in sent if m["chat_id"] == chat)
    assert_answer(answer, expected)
    assert "0800-1000" not in answer
    assert "report" in rig.keys(chat)


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_telegram_family_in_indonesia(telegram_rig: TelegramRig, lang: str) -> None:
    rig = telegram_rig
    chat = 6281009900 + (lang == "en")
    await rig.onboard(chat, lang=lang)
    asked = await rig.press(chat, "menu:emergency", language_code=lang)
    assert all(unlisted_numbers(m["text"]) == [] for m in asked)
    # The question comes with a reply keyboard: "share my location" and the places to tap.
    keyboard = [b["text"] for row in asked[-1]["reply_markup"]["keyboard"] for b in row]
    in_indonesia = "Di Indonesia" if lang == "id" else "In Indonesia"
    assert in_indonesia in keyboard and "Malaysia" in keyboard
    sent = await rig.say(chat, in_indonesia, language_code=lang)
    answer = "\n".join(m["text"] for m in sent if m["chat_id"] == chat)
    assert_answer(answer, INDONESIA_FIRST)


# --- WhatsApp ------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "lang", "text", "expected"), ABROAD_CASES)
async def test_whatsapp_person_abroad_gets_the_local_number_first(
    db_path: Path,
    fake_twilio: FakeTwilio,
    case: str,
    lang: str,
    text: str,
    expected: list[str],
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user(SITI)
        for line in ["halo", "1" if lang == "id" else "2", "1"]:
            await siti.say(line)
        replies = await siti.say(text)
        answer = "\n".join(replies)
        assert_answer(answer, expected)
        assert "0800-1000" not in answer
        assert all(len(body or "") <= 1600 for body in replies)


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_whatsapp_family_in_indonesia(
    db_path: Path, fake_twilio: FakeTwilio, lang: str
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user(SITI)
        for line in ["halo", "1" if lang == "id" else "2", "1"]:
            await siti.say(line)
        asked = await siti.say("4")
        assert all(unlisted_numbers(body) == [] for body in asked)
        replies = await siti.say("1")  # In Indonesia
        assert_answer("\n".join(replies), INDONESIA_FIRST)


def test_every_contact_line_in_the_golden_transcripts_shows_only_listed_numbers() -> None:
    golden = Path(__file__).resolve().parents[1] / "data" / "transcripts"
    for path in sorted(golden.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        # a number the person typed (the recruiter's, read back for the report) is theirs,
        # not a contact the bot gives
        typed = {
            "".join(ch for ch in m.group(0) if ch.isdigit())
            for line in lines
            if line.startswith("> ")
            for m in NUMBER.finditer(line)
        }
        for line in lines:
            if line.startswith(("• ", "  ")) or "Kemlu" in line or "110" in line:
                unlisted = [
                    n
                    for n in unlisted_numbers(line)
                    if "".join(filter(str.isdigit, n)) not in typed
                ]
                assert unlisted == [], (path.name, line)


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_in_a_form_with_nothing_saying_where_both_short_lists_come_and_the_form_goes_on(
    db_path: Path, lang: str
) -> None:
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user=f"form-{lang}")
        await at_menu(chat, lang)
        await chat.send("3")  # report
        await chat.send("2")  # family
        text = (
            "anak saya disekap calo dan tidak boleh pulang"
            if lang == "id"
            else "my son is locked up by a broker and cannot go home"
        )
        out = await chat.send(text)
        contacts, _sep, rest = out.partition("\n\n" + ("Siapa" if lang == "id" else "What is"))
        assert first_numbers(contacts, 1) == ["110"] and "+62 812-9007-0027" in contacts
        assert len(contacts) < 1600 and unlisted_numbers(out) == []
        assert rest  # the form asks its next question


async def test_another_part_of_the_bot_can_say_where_the_person_is(db_path: Path) -> None:
    # The understanding helper finds a country in what was written and enters the emergency
    # conversation with it: ctx.goto("emergency", country=...).
    async with running(db_path) as system:
        router = system.services.router

        @router.intent("test-understood", lambda ctx: ctx.norm == "/from-elsewhere")
        async def understood(ctx) -> None:
            await ctx.goto("emergency", country="kh")

        chat = ConsoleDriver(system, user="understood")
        await at_menu(chat, "id")
        out = await chat.send("/from-elsewhere")  # no country or danger word in it
        assert_answer(out, ["117", "+855 12 813 282"])
    with use_locale("en"):
        assert first_numbers(emergency_for("kh", directory=DIRECTORY), 1) == ["117"]
        assert first_numbers(emergency_for(ABROAD, directory=DIRECTORY), 1) == ["+62 812-9007-0027"]


async def test_danger_goes_to_the_country_the_understanding_step_found(db_path: Path) -> None:
    # The understanding step's country says where, also when no word of emergency.toml names it
    # (here: its answer is changed to say Cambodia for a message that names no country).
    import dataclasses

    async with running(db_path) as system:
        real = system.services.understander

        class Understander:
            def understand(self, text: str, lang: str | None = None):
                found = real.understand(text, lang)
                return dataclasses.replace(found, country="KH") if "disekap" in text else found

        system.services.understander = Understander()
        chat = ConsoleDriver(system, user="where-from-understanding")
        await at_menu(chat, "id")
        text = "tolong anak saya disekap"
        assert country_in_text(text) is None
        out = await chat.send(text)
        assert_answer(out, ["117", "+855 12 813 282"])
