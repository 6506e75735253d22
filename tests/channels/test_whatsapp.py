"""The WhatsApp channel end to end: signed Twilio webhooks into the real web app, replies out
through our sender to the fake Twilio REST API."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels import whatsapp
from bot.config import Settings
from bot.events import DeliveryFailed
from bot.messages import Choice, Inbound, Location, Outgoing, Reply
from bot.outbox import SendError
from bot.web import create_app
from storage import Tx
from storage.contacts import Contact
from storage.repos.contacts import SQLContacts
from tests.channels.whatsapp_helpers import (
    BUDI,
    INBOUND_URL,
    SITI,
    STATUS_URL,
    WhatsAppHarness,
    WhatsAppUser,
    digits,
    whatsapp_harness,
    whatsapp_settings,
)
from tests.fakes.clock import ManualClock
from tests.fakes.twilio import (
    BOT_WHATSAPP,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    inbound_button,
    inbound_location,
    inbound_media,
    inbound_text,
    signed_request,
)

HOUR = 3600.0
ALERT_TEMPLATES = {"alert": {"id": "HX" + "a1" * 16, "en": "HX" + "e1" * 16}}


@pytest.fixture
async def wa(db_path: Path, fake_twilio: FakeTwilio) -> AsyncIterator[WhatsAppHarness]:
    async with whatsapp_harness(db_path, fake_twilio) as harness:
        yield harness


async def to_menu(user: WhatsAppUser, lang_answer: str = "1") -> list[str | None]:
    """Greeting → language → consent → menu; the replies to the consent."""
    await user.say("halo")
    await user.say(lang_answer)
    return await user.say("1")


def choice_number(body: str, label: str) -> str:
    m = re.search(rf"^(\d+)\. {re.escape(label)}$", body, re.M)
    assert m, f"no choice {label!r} in:\n{body}"
    return m.group(1)


# --- the wire format: real Twilio payloads → Inbound ---------------------------------------------
_SID = "SM" + "0" * 32
_MM = "MM" + "1" * 32

# A payload as Twilio posts it, without WaId (older accounts, SMS-style senders).
_NO_WAID = {
    "SmsMessageSid": _SID,
    "NumMedia": "0",
    "SmsSid": _SID,
    "SmsStatus": "received",
    "Body": "Halo",
    "To": BOT_WHATSAPP,
    "NumSegments": "1",
    "MessageSid": _SID,
    "AccountSid": TEST_ACCOUNT_SID,
    "From": "whatsapp:+6281234567890",
    "ApiVersion": "2010-04-01",
}

INBOUND_TABLE: list[tuple[str, dict[str, str], Inbound]] = [
    (
        "text",
        inbound_text(SITI, "Halo, saya mau kerja di Taiwan", sid=_SID, profile_name="Siti A."),
        Inbound(
            "whatsapp",
            "6281234567890",
            _SID,
            text="Halo, saya mau kerja di Taiwan",
            display_name="Siti A.",
        ),
    ),
    (
        "no WaId: the address comes from From",
        _NO_WAID,
        Inbound("whatsapp", "6281234567890", _SID, text="Halo"),
    ),
    (
        "dropped pin",
        inbound_location(SITI, -7.2589, 112.747, sid=_SID),
        Inbound(
            "whatsapp",
            "6281234567890",
            _SID,
            location=Location(-7.2589, 112.747),
            display_name="Siti",
        ),
    ),
    (
        "chosen place",
        inbound_location(
            SITI,
            -6.3271,
            108.3232,
            address="Jl. Jend. Sudirman, Indramayu",
            label="Balai Desa",
            sid=_SID,
        ),
        Inbound(
            "whatsapp",
            "6281234567890",
            _SID,
            location=Location(-6.3271, 108.3232, "Balai Desa, Jl. Jend. Sudirman, Indramayu"),
            display_name="Siti",
        ),
    ),
    (
        "template quick-reply button",
        inbound_button(SITI, "accept:42", "Terima", sid=_SID),
        Inbound(
            "whatsapp",
            "6281234567890",
            _SID,
            text="Terima",
            choice="accept:42",
            display_name="Siti",
        ),
    ),
    (
        "photo",
        inbound_media(SITI, "image/jpeg", sid=_MM),
        Inbound("whatsapp", "6281234567890", _MM, media="image", display_name="Siti"),
    ),
    (
        "voice note",
        inbound_media(SITI, "audio/ogg", sid=_MM),
        Inbound("whatsapp", "6281234567890", _MM, media="audio", display_name="Siti"),
    ),
    (
        "video",
        inbound_media(SITI, "video/mp4", sid=_MM),
        Inbound("whatsapp", "6281234567890", _MM, media="video", display_name="Siti"),
    ),
    (
        "document",
        inbound_media(SITI, "application/pdf", sid=_MM),
        Inbound("whatsapp", "6281234567890", _MM, media="document", display_name="Siti"),
    ),
    (
        "sticker",
        {**inbound_media(SITI, "image/webp", sid=_MM), "MessageType": "sticker"},
        Inbound("whatsapp", "6281234567890", _MM, media="sticker", display_name="Siti"),
    ),
    (
        "photo with a caption",
        inbound_media(SITI, "image/jpeg", caption="Ini tawaran kerjanya", sid=_MM),
        Inbound(
            "whatsapp",
            "6281234567890",
            _MM,
            text="Ini tawaran kerjanya",
            media="image",
            display_name="Siti",
        ),
    ),
    (
        "forwarded",
        {**inbound_text(SITI, "Dicari TKW ke Malaysia", sid=_SID), "Forwarded": "true"},
        Inbound(
            "whatsapp",
            "6281234567890",
            _SID,
            text="Dicari TKW ke Malaysia",
            display_name="Siti",
            forwarded=True,
        ),
    ),
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [(p, e) for _name, p, e in INBOUND_TABLE],
    ids=[name for name, _p, _e in INBOUND_TABLE],
)
def test_twilio_payload_to_inbound(params: dict[str, str], expected: Inbound) -> None:
    assert whatsapp.to_inbound(params) == expected


def test_payload_without_sender_is_ignored() -> None:
    assert whatsapp.to_inbound({"Body": "halo", "MessageSid": _SID}) is None


def test_contract() -> None:
    settings = Settings(
        twilio_account_sid=TEST_ACCOUNT_SID,
        twilio_auth_token=TEST_AUTH_TOKEN,
        twilio_whatsapp_from=BOT_WHATSAPP,
        whatsapp_rate_per_second=7.0,
    )
    assert whatsapp.CHANNEL == "whatsapp"
    assert whatsapp.configured(settings)
    assert not whatsapp.configured(Settings(twilio_account_sid=TEST_ACCOUNT_SID))
    limits = whatsapp.limits(settings)
    assert limits.overall_per_second == 7.0
    assert limits.per_chat_burst >= 3
    assert {r.path for r in whatsapp.routes(settings)} == {"/whatsapp", "/whatsapp/status"}


# --- the conversation over WhatsApp ------------------------------------------------------------
async def test_first_message_greets_with_numbered_languages(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    response = await wa.post(inbound_text(SITI, "halo"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text == whatsapp.EMPTY_TWIML
    [greeting] = await siti.inbox()
    assert "1. Bahasa Indonesia\n2. English" in greeting
    assert greeting.endswith("Balas 1 atau 2.")
    [sent] = siti.messages
    assert sent["From"] == BOT_WHATSAPP
    assert sent["To"] == "whatsapp:" + SITI
    assert sent["StatusCallback"] == STATUS_URL


@pytest.mark.parametrize("how", ["number", "word", "button"])
async def test_language_by_number_word_or_button(wa: WhatsAppHarness, how: str) -> None:
    siti = wa.user(SITI)
    await siti.say("halo")
    if how == "number":
        replies = await siti.say("2")
    elif how == "word":
        replies = await siti.say("English")
    else:
        replies = await siti.tap("lang:en", "English")

    [consent] = replies
    assert "Do you agree?" in consent
    assert "1. Yes, I agree\n2. No" in consent
    assert consent.endswith("Reply 1 or 2.")

    menu = await siti.say("1")
    assert "Thank you." in menu[0]
    assert "What would you like to do?" in menu[-1]
    contact = await wa.contact(SITI)
    assert contact is not None and contact.locale == "en"
    assert contact.display_name == "Siti"


async def test_indonesian_path_to_the_menu(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    await siti.say("halo")
    [consent] = await siti.say("1")
    assert "Apakah Anda setuju?" in consent
    menu = await siti.say("1")
    assert "Terima kasih." in menu[0]
    assert "1. Cek tawaran kerja" in menu[-1]
    assert menu[-1].endswith("Balas 1, 2, 3, 4, atau 5.")


async def test_guidance_topics_and_article_parts_fit_whatsapp(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    await to_menu(siti, "2")
    [topics] = await siti.say("2")
    assert re.search(r"^1\. ", topics, re.M)
    assert "Reply 1, 2," in topics

    seen: list[str] = [topics]
    [article] = await siti.say("1")
    seen.append(article)
    assert article.startswith("📖 ")
    # Read on to the end of the article, part after part.
    for _ in range(12):
        body = seen[-1]
        if "Next part" not in body:
            break
        replies = await siti.say(choice_number(body, "Next part"))
        assert replies
        seen.extend(r for r in replies if r)
    else:
        pytest.fail("the article never ended")
    assert len(seen) >= 3
    assert all(len(body) <= whatsapp.MAX_BODY for body in seen)
    assert "Sources" in seen[-1]


async def test_shared_location_reaches_the_engine(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    await to_menu(siti)
    received: list[Inbound] = []
    engine = wa.system.engine
    handle = engine.handle

    async def spy(inbound: Inbound) -> Any:
        received.append(inbound)
        return await handle(inbound)

    engine.handle = spy  # type: ignore[method-assign]
    replies = await siti.share_location(-7.2589, 112.747, address="Surabaya", label="Rumah")

    assert [m.location for m in received] == [Location(-7.2589, 112.747, "Rumah, Surabaya")]
    assert replies  # the conversation answered, whatever the step does with a location


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("1", "Saya hanya bisa membaca pesan teks"), ("2", "I can only read text messages")],
)
async def test_media_gets_please_type_it(wa: WhatsAppHarness, lang: str, expected: str) -> None:
    siti = wa.user(SITI)
    await to_menu(siti, lang)
    [reply] = await siti.send_media("audio/ogg")
    assert expected in reply
    [reply] = await siti.send_media("image/webp")  # a sticker
    assert expected in reply


# --- authentication at the edge ----------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {"token": "f" * 32},  # forged: signed with another token
        {"signed": False},  # no X-Twilio-Signature at all
        {"url": INBOUND_URL.replace("https://", "http://")},  # signed for another URL
        {"url": INBOUND_URL + "/"},  # a trailing slash is another URL too
    ],
    ids=["forged", "missing", "http-not-https", "trailing-slash"],
)
async def test_bad_signature_is_refused_and_nothing_handled(
    wa: WhatsAppHarness, kwargs: dict[str, Any]
) -> None:
    response = await wa.post(inbound_text(SITI, "halo"), path="/whatsapp", **kwargs)

    assert response.status_code == 403
    assert await wa.contact(SITI) is None
    assert await wa.deliver() == 0
    assert wa.fake.messages == []


async def test_no_public_url_means_nothing_is_accepted(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio, public_base_url="") as wa:
        response = await wa.post(inbound_text(SITI, "halo"))
        assert response.status_code == 403
        response = await wa.status("SM" + "9" * 32, "delivered")
        assert response.status_code == 403
        assert await wa.contact(SITI) is None


async def test_same_message_sid_twice_is_handled_once(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    params = inbound_text(SITI, "halo")
    first = await wa.post(params)
    again = await wa.post(params)  # Twilio retrying after a timeout

    assert first.status_code == again.status_code == 200
    [greeting] = await siti.inbox()
    assert "Bahasa Indonesia" in greeting
    assert len(wa.fake.messages) == 1


# --- sending -------------------------------------------------------------------------------------
async def test_500_then_success_arrives_once(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    wa.fake.fail(500, times=1)
    assert await siti.say("halo") == []  # the first attempt failed; a retry is scheduled

    [row] = await wa.outbox_rows()
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "500" in row["last_error"]

    wa.clock.advance(60)
    [greeting] = await siti.inbox()
    assert "Bahasa Indonesia" in greeting
    assert [r["status"] for r in wa.fake.requests] == [500, 201]
    [row] = await wa.outbox_rows()
    assert row["status"] == "sent"
    assert row["provider_id"] == wa.fake.messages[0]["sid"]


def _outgoing(text: str, choices: tuple[Choice, ...] = (), **kw: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "id": 1,
        "contact_id": None,
        "channel": "whatsapp",
        "address": digits(SITI),
        "locale": "id",
        "kind": "reply",
        "reply": Reply(text, choices),
    }
    fields.update(kw)
    return Outgoing(**fields)


async def test_long_message_is_split_in_order_with_choices_last(wa: WhatsAppHarness) -> None:
    paragraphs = [f"Paragraf {i}: " + ("kata " * 60).strip() + "." for i in range(1, 21)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 3 * whatsapp.MAX_BODY
    choices = (Choice("next", "Bagian berikutnya"), Choice("go:menu", "Menu utama"))

    sent = await wa.sender.send(_outgoing(text, choices))

    bodies = wa.fake.bodies(SITI)
    assert len(bodies) >= 3
    assert all(b is not None and len(b) <= whatsapp.MAX_BODY for b in bodies)
    joined = "\n\n".join(b for b in bodies if b)
    assert [int(n) for n in re.findall(r"Paragraf (\d+):", joined)] == list(range(1, 21))
    assert all("Balas" not in b for b in bodies[:-1])
    assert bodies[-1].endswith("1. Bagian berikutnya\n2. Menu utama\n\nBalas 1 atau 2.")
    assert sent.provider_id == wa.fake.messages[-1]["sid"]


async def test_split_message_retry_does_not_repeat_parts(
    wa: WhatsAppHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "\n\n".join(f"Bagian {i}. " + "x" * 1000 for i in range(1, 4))
    message = _outgoing(text)
    create = wa.sender._create
    calls = 0

    async def second_part_times_out(msg: Outgoing, content: dict[str, str]) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise SendError("network error: ReadTimeout")
        return await create(msg, content)

    monkeypatch.setattr(wa.sender, "_create", second_part_times_out)
    with pytest.raises(SendError):
        await wa.sender.send(message)
    sent = await wa.sender.send(message)  # the dispatcher's retry

    bodies = wa.fake.bodies(SITI)
    assert [b[:8] for b in bodies if b] == ["Bagian 1", "Bagian 2", "Bagian 3"]
    assert sent.provider_id == wa.fake.messages[-1]["sid"]


@pytest.mark.parametrize(
    ("status", "code", "permanent", "blocked", "retry_after"),
    [
        (500, None, False, False, None),
        (503, None, False, False, None),
        (429, None, False, False, 7.0),
        (401, None, False, False, None),
        (400, 21211, True, False, None),
        (400, 21617, True, False, None),
        (400, 63016, True, False, None),
        (400, 21610, True, True, None),
    ],
)
async def test_errors_become_send_errors(
    wa: WhatsAppHarness,
    status: int,
    code: int | None,
    permanent: bool,
    blocked: bool,
    retry_after: float | None,
) -> None:
    wa.fake.fail(status, code=code, retry_after=7 if status == 429 else None)
    with pytest.raises(SendError) as caught:
        await wa.sender.send(_outgoing("Halo"))
    err = caught.value
    assert (err.permanent, err.blocked, err.retry_after) == (permanent, blocked, retry_after)
    if code:
        assert str(code) in str(err)


async def test_network_error_is_transient(wa: WhatsAppHarness) -> None:
    settings = replace(wa.settings, twilio_api_base_url="http://127.0.0.1:9")  # nobody there
    async with whatsapp.session(settings) as dead:
        sender = whatsapp.TwilioSender(settings, wa.system.engine, dead)
        with pytest.raises(SendError) as caught:
            await sender.send(_outgoing("Halo"))
    assert not caught.value.permanent
    assert "network error" in str(caught.value)


async def test_unsubscribed_recipient_becomes_unreachable(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    await to_menu(siti)
    wa.fake.fail(400, code=21610, to=SITI)
    await wa.enqueue(SITI, "Kabar terbaru kasus Anda", kind="status")
    await wa.enqueue(SITI, "Kabar lain", kind="status")
    assert await siti.inbox() == []
    contact = await wa.contact(SITI)
    assert contact is not None and contact.unreachable_at is not None
    assert [r["status"] for r in (await wa.outbox_rows())[-2:]] == ["failed", "dropped"]


# --- the 24-hour window --------------------------------------------------------------------------
ALERT = Reply(
    "Laporan baru di dekat Anda:\nCalo menahan paspor, Kab. Indramayu.",
    (Choice("accept", "Terima"), Choice("decline", "Tolak")),
)


async def quiet_for(wa: WhatsAppHarness, number: str, hours: float) -> WhatsAppUser:
    """A person who went through the greeting and then said nothing for `hours`."""
    user = wa.user(number, name="Budi")
    await to_menu(user)
    wa.clock.advance(hours * HOUR)
    return user


async def test_outside_window_sends_the_template(db_path: Path, fake_twilio: FakeTwilio) -> None:
    async with whatsapp_harness(db_path, fake_twilio, whatsapp_templates=ALERT_TEMPLATES) as wa:
        budi = await quiet_for(wa, BUDI, 25)
        await wa.enqueue(BUDI, ALERT, kind="alert")

        assert await budi.inbox() == [None]  # a template has no Body
        sent = budi.messages[-1]
        assert "Body" not in sent
        assert sent["ContentSid"] == ALERT_TEMPLATES["alert"]["id"]
        variables = json.loads(sent["ContentVariables"])
        assert list(variables) == ["1"]
        assert variables["1"].startswith("Laporan baru di dekat Anda: · Calo menahan paspor")
        assert variables["1"].endswith("1. Terima · 2. Tolak · Balas 1 atau 2.")
        assert "\n" not in variables["1"]


async def test_outside_window_without_template_fails_permanently(wa: WhatsAppHarness) -> None:
    failed: list[Outgoing] = []

    @wa.system.router.events.on(DeliveryFailed)
    async def on_failure(event: DeliveryFailed) -> None:
        failed.append(event.message)

    budi = await quiet_for(wa, BUDI, 25)
    await wa.enqueue(BUDI, ALERT, kind="alert")
    before = len(budi.messages)

    assert await budi.inbox() == []
    assert len(budi.messages) == before
    row = (await wa.outbox_rows())[-1]
    assert row["status"] == "failed" and row["attempts"] == 1
    assert "outside the 24-hour window and no template for alert/id" in row["last_error"]
    assert [o.kind for o in failed] == ["alert"]

    contact = await wa.contact(BUDI)
    assert contact is not None
    with pytest.raises(SendError) as caught:
        await wa.sender.send(_outgoing("x", contact_id=contact.id, kind="status", locale="en"))
    assert caught.value.permanent and not caught.value.blocked
    assert "no template for status/en" in str(caught.value)


async def test_inside_window_sends_free_text(db_path: Path, fake_twilio: FakeTwilio) -> None:
    async with whatsapp_harness(db_path, fake_twilio, whatsapp_templates=ALERT_TEMPLATES) as wa:
        budi = await quiet_for(wa, BUDI, 2)
        await wa.enqueue(BUDI, ALERT, kind="alert")

        [alert] = await budi.inbox()
        assert alert.startswith("Laporan baru di dekat Anda:\nCalo")
        assert alert.endswith("1. Terima\n2. Tolak\n\nBalas 1 atau 2.")
        assert "ContentSid" not in budi.messages[-1]


async def test_the_window_comes_with_the_claim_not_from_another_writer_trip(
    db_path: Path, fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The dispatcher's claim of the row reads the contact's last inbound time with it: a send
    # costs no extra trip to the single writer to look the contact up, and the rule holds on
    # both sides of 24 hours.
    async with whatsapp_harness(db_path, fake_twilio, whatsapp_templates=ALERT_TEMPLATES) as wa:
        budi = await quiet_for(wa, BUDI, 23)
        lookups: list[int] = []
        get = SQLContacts.get

        async def counted(self: SQLContacts, contact_id: int) -> Contact | None:
            lookups.append(contact_id)
            return await get(self, contact_id)

        monkeypatch.setattr(SQLContacts, "get", counted)
        await wa.enqueue(BUDI, ALERT, kind="alert")
        [alert] = await budi.inbox()
        assert alert is not None and alert.startswith("Laporan baru di dekat Anda")

        wa.clock.advance(2 * HOUR)  # 25 hours since Budi last wrote
        await wa.enqueue(BUDI, ALERT, kind="alert")
        assert await budi.inbox() == [None]  # outside: the template, never free text
        assert budi.messages[-1]["ContentSid"] == ALERT_TEMPLATES["alert"]["id"]
        assert lookups == []


async def test_a_message_written_outside_the_window_goes_as_text_once_they_write(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    # The window is read when the row is claimed for its send, not when it was written.
    async with whatsapp_harness(db_path, fake_twilio, whatsapp_templates=ALERT_TEMPLATES) as wa:
        budi = await quiet_for(wa, BUDI, 30)
        await wa.enqueue(BUDI, "Kabar kasus Anda", kind="status")
        bodies = await budi.say("halo")  # the status row is sent after this is committed
        assert "Kabar kasus Anda" in bodies
        assert all("ContentSid" not in m for m in budi.messages[-len(bodies) :])


async def test_a_claimed_row_carries_its_contacts_last_inbound_time(wa: WhatsAppHarness) -> None:
    await to_menu(wa.user(SITI))
    contact = await wa.contact(SITI)
    assert contact is not None and contact.last_inbound_at is not None
    await wa.enqueue(SITI, "Halo", kind="status")
    await wa.enqueue("+6281299990000", "Halo", kind="reply")  # nobody we know

    async def claim_all(tx: Tx) -> list[Outgoing]:
        rows = await tx.outbox.pending_for(whatsapp.CHANNEL, digits(SITI))
        rows += await tx.outbox.pending_for(whatsapp.CHANNEL, "6281299990000")
        claimed = [await tx.outbox.claim(r.id, wa.clock.now()) for r in rows]
        return [c for c in claimed if c is not None]

    mine, stranger = await wa.system.engine.run(claim_all)
    assert mine.last_inbound_at == contact.last_inbound_at
    assert stranger.contact_id is None and stranger.last_inbound_at is None


async def test_no_contact_is_inside_only_for_a_reply(wa: WhatsAppHarness) -> None:
    assert await wa.sender.inside_window(_outgoing("x", kind="reply"))
    assert not await wa.sender.inside_window(_outgoing("x", kind="alert"))


def test_template_variable_fits_and_keeps_the_choices() -> None:
    long = "\n\n".join(["Ringkasan kasus:\tpanjang    sekali."] * 100)
    text = whatsapp.template_text(_outgoing(long, ALERT.choices, kind="alert"))
    assert len(text) <= whatsapp.TEMPLATE_VARIABLE_MAX
    assert "\n" not in text and "\t" not in text and "     " not in text
    assert text.endswith("1. Terima · 2. Tolak · Balas 1 atau 2.")
    assert "…" in text


# --- delivery status callbacks -------------------------------------------------------------------
async def test_delivered_status_is_recorded(wa: WhatsAppHarness) -> None:
    siti = wa.user(SITI)
    await siti.say("halo")
    sid = siti.messages[-1]["sid"]

    assert (await wa.status(sid, "delivered")).status_code == 200
    assert (await wa.status(sid, "sent")).status_code == 200  # late and out of order
    [row] = await wa.outbox_rows()
    assert row["provider_id"] == sid
    assert row["delivery_status"] == "delivered"


async def test_failed_status_emits_delivery_failed_once(wa: WhatsAppHarness) -> None:
    calls: list[tuple[Outgoing, float]] = []

    @wa.system.router.events.on(DeliveryFailed)
    async def listener(event: DeliveryFailed) -> None:
        calls.append((event.message, event.now))

    budi = wa.user(BUDI)
    await to_menu(budi)
    await wa.enqueue(BUDI, ALERT, kind="alert")
    await budi.inbox()
    sid = budi.messages[-1]["sid"]

    response = await wa.status(sid, "failed", error_code=63016)
    assert response.status_code == 200
    await wa.status(sid, "failed", error_code=63016)  # a repeated callback
    assert len(calls) == 1
    outgoing, now = calls[0]
    assert outgoing.kind == "alert" and outgoing.address == digits(BUDI)
    assert now == wa.clock.now()
    row = (await wa.outbox_rows())[-1]
    assert row["delivery_status"] == "failed"
    assert "63016" in row["last_error"]


async def test_forged_status_callback_is_refused(wa: WhatsAppHarness) -> None:
    calls: list[Outgoing] = []

    @wa.system.router.events.on(DeliveryFailed)
    async def listener(event: DeliveryFailed) -> None:
        calls.append(event.message)

    siti = wa.user(SITI)
    await siti.say("halo")
    sid = siti.messages[-1]["sid"]

    forged = await wa.status(sid, "failed", error_code=63016, token="0" * 32)
    wrong_url = await wa.status(sid, "failed", url=INBOUND_URL)  # signed for the other hook
    assert forged.status_code == wrong_url.status_code == 403
    [row] = await wa.outbox_rows()
    assert row["delivery_status"] is None
    assert calls == []


async def test_unknown_status_sid_is_acknowledged(wa: WhatsAppHarness) -> None:
    response = await wa.status("SM" + "f" * 32, "delivered")
    assert response.status_code == 200


async def test_the_running_app_sends_by_itself(db_path: Path, fake_twilio: FakeTwilio) -> None:
    """With its own dispatcher loop (as `migrasi-aman serve` runs), at the channel's limits."""
    app = create_app(whatsapp_settings(db_path, fake_twilio), clock=ManualClock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            headers, body = signed_request(INBOUND_URL, inbound_text(SITI, "halo"))
            response = await http.post("/whatsapp", content=body, headers=headers)
            assert response.status_code == 200
            [greeting] = await fake_twilio.wait_sent(1, to=SITI)
            assert "Bahasa Indonesia" in greeting["Body"]
            health = await http.get("/healthz")
            assert "whatsapp" in health.json()["channels"]
