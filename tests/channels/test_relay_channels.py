"""Relay across channels: a Telegram volunteer and a WhatsApp reporter write to each other
through the bot without seeing each other's number; outside WhatsApp's 24-hour window the
reporter gets the relay template and reads the message when they answer."""

from __future__ import annotations

from pathlib import Path

from bot.channels import telegram as tg
from bot.outbox import Dispatcher
from tests.channels.telegram_helpers import FAST, TelegramRig, telegram_settings
from tests.channels.test_report_channels import VOLUNTEER_TG, report_by_numbers
from tests.channels.whatsapp_helpers import SITI, digits, whatsapp_harness
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.helpers import add_volunteers

RELAY_TEMPLATES = {"relay": {"id": "HX" + "r" * 32, "en": "HX" + "e" * 32}}


async def test_telegram_volunteer_and_whatsapp_reporter_write_to_each_other(
    db_path: Path, fake_twilio: FakeTwilio, fake_telegram: FakeTelegram
) -> None:
    async with whatsapp_harness(
        db_path,
        fake_twilio,
        whatsapp_templates=RELAY_TEMPLATES,
        **telegram_settings(fake_telegram),
    ) as wa:
        adapter = wa.runtime.channels[tg.CHANNEL]
        rig = TelegramRig(
            fake_telegram,
            wa.system,
            adapter,
            Dispatcher(wa.system.engine, adapter.sender, FAST),
            wa.clock,
        )
        await add_volunteers(
            wa.system,
            f"name,channel,address,place\nRelawan Indramayu,telegram,{VOLUNTEER_TG},Kabupaten Indramayu\n",
        )
        await report_by_numbers(wa, "Calo minta DP 10 juta, katanya kerja di Arab pakai visa umroh")
        await rig.flush()
        accept = next(k for k in rig.keys(VOLUNTEER_TG) if k.startswith("case:accept:"))
        await rig.press(VOLUNTEER_TG, accept)
        await rig.press(VOLUNTEER_TG, "v:write")
        await rig.say(VOLUNTEER_TG, "Ibu, apakah paspornya masih dipegang calo?")
        reporter = wa.user(SITI)
        got = " ".join(b or "" for b in await reporter.inbox())
        assert "paspornya masih dipegang" in got
        assert str(VOLUNTEER_TG) not in got  # the volunteer's Telegram id is never shown

        await reporter.say("Iya pak, paspor masih di calo")
        await rig.flush()
        to_volunteer = " ".join(rig.texts(VOLUNTEER_TG))
        assert "paspor masih di calo" in to_volunteer
        assert digits(SITI) not in to_volunteer  # anonymous: the number is never shown

        # A day later WhatsApp refuses free text to the silent reporter: the relay template
        # goes ("a new message about MA-…, reply to read it"), the words wait in the case.
        wa.clock.advance(25 * 3600)
        write = next(k for k in rig.keys(VOLUNTEER_TG) if k.startswith("relay:write:"))
        await rig.press(VOLUNTEER_TG, write)  # "Reply" under the reporter's message
        await rig.say(VOLUNTEER_TG, "Besok saya ke rumah Ibu jam sembilan")
        await reporter.inbox()
        notice = reporter.messages[-1]
        assert notice.get("ContentSid") == RELAY_TEMPLATES["relay"]["id"]
        assert "jam sembilan" not in str(notice)
        shown = " ".join(b or "" for b in await reporter.say("oke"))
        shown += " ".join(b or "" for b in await reporter.inbox())
        assert "jam sembilan" in shown
