"""Issue 14 on the real channels: navigation words in articles and natural answers in the
report form, through the Telegram and Twilio fakes (the console transcripts show the same)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.channels.telegram_helpers import TelegramRig
from tests.channels.whatsapp_helpers import SITI, whatsapp_harness
from tests.fakes.twilio import FakeTwilio

CHAT = 6281000014
STORY = "Ada sponsor datang ke rumah minta DP 5 juta untuk kerja di Taiwan pakai visa turis"


def _part(text: str) -> tuple[int, int] | None:
    m = re.search(r"\((\d)/(\d)\)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


async def test_telegram_navigation_words_move_through_an_article(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await rig.onboard(CHAT)
    await rig.press(CHAT, "menu:guide")
    await rig.press(CHAT, "art:official-route")
    first, parts = _part(rig.texts(CHAT)[-1])
    assert first == 1 and parts >= 3  # how long the article is, is the content's call
    # the button's own word, typed, and chat words for next and back
    assert _part((await rig.say(CHAT, "berikutnya"))[-1]["text"]) == (2, parts)
    assert rig.keys(CHAT)[:4] == ["next", "topics:0", "go:menu", "back"]  # same slots
    for n in range(3, parts + 1):
        assert _part((await rig.say(CHAT, "lanjut"))[-1]["text"]) == (n, parts)
    keys = rig.keys(CHAT)
    assert keys[0].startswith("art:") and keys[1:4] == ["topics:0", "go:menu", "back"]
    last = await rig.say(CHAT, "lanjut")  # no loop back from the last part
    assert "bagian terakhir" in last[-1]["text"]
    assert _part((await rig.say(CHAT, "sebelumnya"))[-1]["text"]) == (parts - 1, parts)
    for n in range(parts - 2, 0, -1):
        assert _part((await rig.say(CHAT, "kembali"))[-1]["text"]) == (n, parts)
    topics = await rig.say(CHAT, "kembali")  # back from the first part: the list
    assert "Info migrasi aman" in topics[-1]["text"]


async def test_telegram_report_form_takes_natural_answers_and_keeps_the_draft(
    telegram_rig: TelegramRig,
) -> None:
    rig = telegram_rig
    await rig.onboard(CHAT)
    await rig.press(CHAT, "menu:report")
    await rig.say(CHAT, "saya keluarganya")  # typed, not pressed
    await rig.say(CHAT, STORY)
    asked = await rig.say(CHAT, "gak tau")  # not saved as the recruiter's name
    assert "nomor HP" in asked[-1]["text"]
    leave = await rig.say(CHAT, "bahasa inggris")
    assert "sedang mengisi laporan" in leave[-1]["text"]
    assert rig.keys(CHAT) == ["leave:stay", "leave:go"]
    back = await rig.press(CHAT, "leave:go")  # switch language, come back to the same question
    assert "phone number" in back[-1]["text"]
    await rig.say(CHAT, "-")
    await rig.say(CHAT, "Indramayu")
    await rig.say(CHAT, "iya")
    await rig.say(CHAT, "nope")  # not urgent
    summary = await rig.say(CHAT, "yes")  # stay anonymous
    text = summary[-1]["text"]
    assert "Recruiter: not known" in text and "Anonymous: Yes" in text
    assert rig.keys(CHAT) == ["send", "fix", "discard"]


async def test_whatsapp_navigation_words_and_stable_numbers(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user(SITI)
        for line in ["halo", "2", "1", "2"]:  # English, agree, guides
            await siti.say(line)
        first = await siti.say("1")  # the first topic
        _one, parts = _part(first[0])
        assert _one == 1 and parts >= 3 and "1. Next part" in first[-1]
        second = await siti.say("next")
        assert f"(2/{parts})" in second[0] and "4. Previous part" in second[-1]
        third = await siti.say("more")
        assert f"(3/{parts})" in third[0] and "1. Next" in third[-1]  # 1 still goes forward
        # numbered steps in the article never read as choices: lettered ("a) "), or written
        # as "Step 1:" in the text itself
        body = "\n".join(b or "" for b in first + second + third)
        assert re.search(r"^(?:a\)|Step 1:) Register", body, re.MULTILINE)
        assert not re.search(r"^1\. Register", body, re.MULTILINE)
        assert f"(2/{parts})" in (await siti.say("back"))[0]


async def test_whatsapp_report_form_by_words(db_path: Path, fake_twilio: FakeTwilio) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user(SITI)
        for line in ["halo", "1", "1", "3", "2", STORY]:
            await siti.say(line)
        asked = await siti.say("tidak tahu")
        assert "nomor HP" in asked[-1]
        leave = await siti.say("data saya")
        assert "sedang mengisi laporan" in leave[-1]
        shown = await siti.say("2")  # show my data, then the same question again
        joined = "\n".join(b or "" for b in shown)
        assert "belum Anda kirim" in joined and "nomor HP" in shown[-1]
        for line in ["skip", "Indramayu", "ya", "gak"]:
            await siti.say(line)
        summary = await siti.say("ya")  # stay anonymous: WhatsApp needs no contact question
        assert "Ubah jawaban" in summary[-1]
        await siti.say("2")  # change an answer
        await siti.say("2")  # the recruiter
        fixed = await siti.say("Bu Sri")
        assert "Bu Sri" in fixed[-1] and "Ya, kirim" in fixed[-1]  # back to the summary
