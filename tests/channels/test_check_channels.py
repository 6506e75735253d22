"""Checking an offer on the real channels: pasted, forwarded, answered by number."""

from __future__ import annotations

from pathlib import Path

from tests.channels.telegram_helpers import TelegramRig
from tests.channels.whatsapp_helpers import SITI, whatsapp_harness
from tests.fakes.telegram import forwarded_update
from tests.fakes.twilio import FakeTwilio

OFFER = (
    "Lowongan kerja admin di Kamboja gaji 15 juta/bln, syarat cuma bisa ngetik. Berangkat pakai "
    "visa turis, tiket ditanggung, nanti bilang ke petugas bandara mau liburan ya"
)
CHAT = 6281000010


async def test_a_pasted_offer_on_telegram_gets_the_risk_and_a_report_button(
    telegram_rig: TelegramRig,
) -> None:
    rig = telegram_rig
    await rig.onboard(CHAT)
    sent = await rig.say(CHAT, OFFER)
    text = sent[-1]["text"]
    assert "TINGGI" in text and "visa turis" in text
    assert "report" in rig.keys(CHAT)
    reported = await rig.press(CHAT, "report")
    assert "Siapa yang melapor" in reported[-1]["text"]


async def test_a_forwarded_offer_on_telegram_is_checked_from_anywhere(
    telegram_rig: TelegramRig,
) -> None:
    rig = telegram_rig
    await rig.onboard(CHAT, lang="en")
    await rig.press(CHAT, "menu:guide")  # reading the guides, then forwards something
    sent = await rig.deliver(forwarded_update(CHAT, OFFER, language_code="en"))
    assert "HIGH" in sent[-1]["text"]
    assert "art:online-scams" in rig.keys(CHAT)


async def test_a_pasted_offer_on_whatsapp_by_numbers(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user(SITI)
        for line in ["halo", "1", "1", "1"]:
            await siti.say(line)
        result = await siti.say(OFFER)
        assert "TINGGI" in result[0] and "Balas 1, 2, 3" in result[-1]  # long: split, choices last
        assert all(len(body or "") <= 1600 for body in result)
