"""The report flow end to end on each real channel: reporter → alert → accept → status."""

from __future__ import annotations

import re
from pathlib import Path

from tests.channels.telegram_helpers import TelegramRig
from tests.channels.whatsapp_helpers import BUDI, SITI, whatsapp_harness
from tests.fakes.twilio import FakeTwilio
from tests.helpers import add_volunteers

INDRAMAYU = (-6.33, 108.32)
REPORTER_TG = 6281000001
VOLUNTEER_TG = 6281000002
VOLUNTEER_TG_2 = 6281000003
CASE = re.compile(r"MA-[0-9A-Z]{5}")
TELEGRAM_VOLUNTEERS = (
    "name,channel,address,place\n"
    f"Relawan Indramayu,telegram,{VOLUNTEER_TG},Kabupaten Indramayu\n"
    f"Relawan Cirebon,telegram,{VOLUNTEER_TG_2},Kabupaten Cirebon\n"
)


async def latest_case(system):
    async def read(tx):
        case_id = await tx.sql.fetchval("SELECT id FROM cases ORDER BY id DESC LIMIT 1")
        return await tx.cases.get(case_id)

    return await system.engine.run(read)


async def report_by_numbers(wa, description: str, *, role: str = "2") -> None:
    """Siti reports on WhatsApp by numbers: menu 3, who (2 = family), what happened, recruiter
    and phone unknown, Indramayu, yes, not urgent, anonymous, send."""
    reporter = wa.user(SITI)
    for line in [
        "halo",
        "1",
        "1",
        "3",
        role,
        description,
        "1",
        "1",
        "Indramayu",
        "1",
        "2",
        "2",
        "1",
    ]:
        await reporter.say(line)


async def test_report_over_telegram_with_a_shared_location(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await add_volunteers(rig.system, TELEGRAM_VOLUNTEERS)
    await rig.onboard(REPORTER_TG)
    await rig.press(REPORTER_TG, "menu:report")
    await rig.press(REPORTER_TG, "rep:family")
    await rig.say(REPORTER_TG, "Sponsor minta uang 5 juta untuk berangkat ke Malaysia lewat Batam")
    await rig.say(REPORTER_TG, "Pak Darto")
    asked = await rig.say(REPORTER_TG, "0812 7777 8888")
    # the place question shows Telegram's "share my location" keyboard
    markup = asked[-1]["reply_markup"]
    assert any(b.get("request_location") for row in markup["keyboard"] for b in row)
    confirm = await rig.share_location(REPORTER_TG, *INDRAMAYU)
    assert "Indramayu" in confirm[-1]["text"]
    await rig.press(REPORTER_TG, "yes")
    await rig.press(REPORTER_TG, "urg:no")
    await rig.press(REPORTER_TG, "anon:no")
    await rig.say(REPORTER_TG, "0813 2222 3333")
    sent = await rig.press(REPORTER_TG, "send")

    number = CASE.search(" ".join(m["text"] for m in sent if m["chat_id"] == REPORTER_TG)).group(0)
    alert = [m for m in sent if m["chat_id"] == VOLUNTEER_TG]
    assert alert and number in alert[-1]["text"] and "0813 2222 3333" not in alert[-1]["text"]
    assert rig.keys(VOLUNTEER_TG)[:3] == [
        f"case:{a}:{(await latest_case(rig.system)).id}" for a in ("accept", "decline", "conflict")
    ]

    accepted = await rig.press(VOLUNTEER_TG, rig.keys(VOLUNTEER_TG)[0])
    to_volunteer = " ".join(m["text"] for m in accepted if m["chat_id"] == VOLUNTEER_TG)
    to_reporter = " ".join(m["text"] for m in accepted if m["chat_id"] == REPORTER_TG)
    assert "0813 2222 3333" in to_volunteer
    assert number in to_reporter and "Kawan PMI" in to_reporter
    assert rig.fake.answered_callbacks()  # every press stopped its spinner


async def test_a_volunteer_who_blocked_the_bot_is_skipped(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await add_volunteers(rig.system, TELEGRAM_VOLUNTEERS)
    rig.fake.block(VOLUNTEER_TG)
    await rig.onboard(REPORTER_TG)
    for key in ("menu:report", "rep:self"):
        await rig.press(REPORTER_TG, key)
    await rig.say(
        REPORTER_TG, "Saya ditawari kerja di Kamboja jadi admin, disuruh bayar tiket sendiri"
    )
    await rig.press(REPORTER_TG, "skip")
    await rig.press(REPORTER_TG, "skip")
    await rig.say(REPORTER_TG, "Indramayu")
    for key in ("yes", "urg:no", "anon:yes", "send"):
        await rig.press(REPORTER_TG, key)
    await rig.flush()
    case = await latest_case(rig.system)
    volunteers = {v.address: v.id for v in await rig.system.engine.run(_all_volunteers)}
    assert case.offered_to == volunteers[str(VOLUNTEER_TG_2)]
    assert "undeliverable" in [
        e.kind for e in await rig.system.engine.run(lambda tx: tx.cases.events(case.id))
    ]


async def _all_volunteers(tx):

    return await tx.volunteers.all()


async def test_report_over_whatsapp_to_acceptance_and_status(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        await add_volunteers(
            wa.system,
            f"name,channel,address,place\nRelawan Indramayu,whatsapp,{BUDI},Kabupaten Indramayu\n",
        )
        volunteer = wa.user(BUDI, "Budi")
        await volunteer.say("halo")  # inside the 24-hour window: free text is allowed
        reporter = wa.user(SITI)
        for line in [
            "halo",
            "1",
            "1",
            "3",
            "2",
            "Calo minta DP 10 juta, katanya kerja di Arab pakai visa umroh",
            "Bu Yati",
            "0812 1111 2222",
        ]:
            await reporter.say(line)
        confirm = await reporter.share_location(*INDRAMAYU)
        assert "Indramayu" in confirm[-1]
        await reporter.say("1")  # yes, that place
        await reporter.say("2")  # not urgent
        await reporter.say("1")  # share my contact (on WhatsApp the number is known)
        done = await reporter.say("1")  # send it
        number = CASE.search(" ".join(done)).group(0)

        alert = await volunteer.inbox()
        assert number in alert[-1] and "Balas 1, 2, atau 3" in alert[-1]
        accepted = " ".join(await volunteer.say("1"))
        assert (
            "+6281234567890" in accepted
        )  # the reporter's WhatsApp number, for this volunteer only
        assert number in " ".join(await reporter.inbox())
        await volunteer.say("2")  # set status
        await volunteer.say("2")  # referred to BP3MI
        update = " ".join(await reporter.inbox())
        assert number in update and "BP3MI" in update


async def test_whatsapp_alert_to_a_silent_volunteer_uses_the_template(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    templates = {"alert": {"id": "HX" + "a" * 32, "en": "HX" + "b" * 32}}
    async with whatsapp_harness(db_path, fake_twilio, whatsapp_templates=templates) as wa:
        await add_volunteers(
            wa.system,
            f"name,channel,address,place\nRelawan Indramayu,whatsapp,{BUDI},Kabupaten Indramayu\n",
        )
        await report_by_numbers(
            wa, "Saya disuruh bilang mau liburan di bandara lalu kerja di Malaysia", role="1"
        )
        await wa.user(BUDI).inbox()
        [alert] = fake_twilio.sent(BUDI)  # Budi never wrote: outside the 24-hour window
        assert alert.get("ContentSid") == templates["alert"]["id"] and not alert.get("Body")


async def test_a_failed_alert_delivery_reroutes_the_case(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    second = "+6285799990000"
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        await add_volunteers(
            wa.system,
            "name,channel,address,place\n"
            f"Relawan Indramayu,whatsapp,{BUDI},Kabupaten Indramayu\n"
            f"Relawan Cirebon,whatsapp,{second},Kabupaten Cirebon\n",
        )
        await wa.user(BUDI).say("halo")
        await wa.user(second).say("halo")
        await report_by_numbers(wa, "Ada calo minta paspor adik saya dipegang agen")
        [alert] = [m for m in await wa.user(BUDI).inbox() if m and "MA-" in m]
        case = await latest_case(wa.system)
        assert case.number in alert
        sid = fake_twilio.sent(BUDI)[-1]["sid"]
        await wa.status(sid, "failed", error_code="63016")
        case = await latest_case(wa.system)
        assert case.attempts == 2
        rerouted = await wa.user(second).inbox()
        assert any(case.number in (m or "") for m in rerouted)


async def test_no_template_the_alert_goes_through_the_volunteers_other_channel(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        await add_volunteers(
            wa.system,
            "name,channel,address,place\n"
            f"Relawan Budi,whatsapp,{BUDI},Kabupaten Indramayu\n"
            "Relawan Budi,console,budi-console,Kabupaten Indramayu\n",
        )
        await report_by_numbers(
            wa, "Calo minta uang 8 juta untuk kerja di Brunei, belum ada kontrak"
        )
        await wa.user(BUDI).inbox()  # the WhatsApp alert fails: Budi has not written in 24 hours
        assert fake_twilio.sent(BUDI) == []
        case = await latest_case(wa.system)
        people = {v.address: v.id for v in await wa.system.engine.run(_all_volunteers)}
        assert case.status == "alerted" and case.offered_to == people["budi-console"]
        events = await wa.system.engine.run(lambda tx: tx.cases.events(case.id))
        assert events[-1].kind == "alerted" and "via console" in events[-1].detail


async def test_no_template_and_no_other_channel_the_coordinator_is_asked_to_call(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(
        db_path, fake_twilio, coordinator_address="console:koordinator"
    ) as wa:
        await add_volunteers(
            wa.system,
            f"name,channel,address,place\nRelawan Budi,whatsapp,{BUDI},Kabupaten Indramayu\n",
        )
        await report_by_numbers(
            wa, "Calo minta uang 8 juta untuk kerja di Brunei, belum ada kontrak"
        )
        await wa.user(BUDI).inbox()
        case = await latest_case(wa.system)
        assert case.status == "alerted"  # still waiting for Budi until the deadline
        kinds = [e.kind for e in await wa.system.engine.run(lambda tx: tx.cases.events(case.id))]
        assert kinds[-1] == "alert_via_coordinator"

        async def coordinator_inbox(tx):
            rows = await tx.sql.fetch("SELECT payload FROM outbox WHERE address = 'koordinator'")
            return [row[0] for row in rows]

        [note] = await wa.system.engine.run(coordinator_inbox)
        assert case.number in note and BUDI.lstrip("+") in note
