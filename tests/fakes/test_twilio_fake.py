"""The fake Twilio API, driven by the REAL twilio library, and the webhook signing helpers.

Run: python -m pytest tests/fakes/test_twilio_fake.py -q -p tests.fakes.twilio
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from datetime import datetime
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

from tests.fakes.twilio import (
    BOT_WHATSAPP,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    inbound_button,
    inbound_location,
    inbound_media,
    inbound_text,
    sign,
    signed_request,
    status_callback,
    twilio_client_for,
)

BOT = BOT_WHATSAPP
USER = "whatsapp:+6281234567890"
OTHER = "whatsapp:+6285712345678"
SID_RE = re.compile(r"SM[0-9a-f]{32}")
PUBLIC_URL = "https://bot.migrasi-aman.example/webhooks/whatsapp"


# ---- sending through the real client ---------------------------------------------------------


def test_create_text_message(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    msg = twilio_client.messages.create(from_=BOT, to=USER, body="Halo Siti")

    assert isinstance(msg, MessageInstance)
    assert SID_RE.fullmatch(msg.sid)
    assert msg.status == "queued"
    assert msg.to == USER
    assert msg.from_ == BOT
    assert msg.body == "Halo Siti"
    assert msg.direction == "outbound-api"
    assert msg.account_sid == fake_twilio.account_sid
    assert isinstance(msg.date_created, datetime)
    assert msg.error_code is None

    [sent] = fake_twilio.sent(to=USER)
    assert sent["Body"] == "Halo Siti"
    assert sent["From"] == BOT
    assert sent["sid"] == msg.sid
    assert fake_twilio.bodies() == ["Halo Siti"]


def test_raw_resource_has_twilio_shape(fake_twilio: FakeTwilio) -> None:
    r = httpx.post(
        f"{fake_twilio.base_url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json",
        data={"From": BOT, "To": USER, "Body": "x"},
        auth=(fake_twilio.account_sid, fake_twilio.auth_token),
    )
    assert r.status_code == 201
    res = r.json()
    assert {
        "sid",
        "account_sid",
        "from",
        "to",
        "body",
        "status",
        "num_segments",
        "direction",
        "date_created",
        "api_version",
        "uri",
        "error_code",
        "error_message",
        "price",
        "messaging_service_sid",
        "subresource_uris",
    } <= res.keys()
    assert res["api_version"] == "2010-04-01"
    assert (
        res["uri"] == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages/{res['sid']}.json"
    )
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", res["date_created"])
    assert res["error_code"] is None and res["price"] is None


def test_content_template(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    variables = json.dumps({"1": "Siti", "2": "Kuala Lumpur"})
    msg = twilio_client.messages.create(
        from_=BOT, to=USER, content_sid="HX" + "a" * 32, content_variables=variables
    )
    assert msg.status == "queued"
    [sent] = fake_twilio.sent()
    assert "Body" not in sent
    assert sent["ContentSid"] == "HX" + "a" * 32
    assert json.loads(sent["ContentVariables"]) == {"1": "Siti", "2": "Kuala Lumpur"}


def test_media_and_status_callback_recorded(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    msg = twilio_client.messages.create(
        from_=BOT,
        to=USER,
        media_url=["https://example.org/a.jpg", "https://example.org/b.jpg"],
        status_callback="https://bot.example/status",
    )
    assert msg.sid.startswith("MM")
    assert msg.num_media == "2"
    [sent] = fake_twilio.sent()
    assert sent["MediaUrl"] == ["https://example.org/a.jpg", "https://example.org/b.jpg"]
    assert sent["StatusCallback"] == "https://bot.example/status"


def test_fetch_message_and_set_status(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    sid = twilio_client.messages.create(from_=BOT, to=USER, body="x").sid
    assert twilio_client.messages(sid).fetch().status == "queued"
    fake_twilio.set_status(sid, "failed", error_code=63016)
    fetched = twilio_client.messages(sid).fetch()
    assert (fetched.status, fetched.error_code) == ("failed", 63016)

    with pytest.raises(TwilioRestException) as exc:
        twilio_client.messages("SM" + "0" * 32).fetch()
    assert (exc.value.status, exc.value.code) == (404, 20404)


# ---- failures --------------------------------------------------------------------------------


def test_500_once_then_success(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    fake_twilio.fail(500)
    with pytest.raises(TwilioRestException) as exc:
        twilio_client.messages.create(from_=BOT, to=USER, body="coba")
    assert (exc.value.status, exc.value.code) == (500, 20500)
    assert "Internal Server Error" in exc.value.msg
    assert fake_twilio.sent() == []

    msg = twilio_client.messages.create(from_=BOT, to=USER, body="coba")
    assert msg.status == "queued"
    assert [r["status"] for r in fake_twilio.requests] == [500, 201]
    assert fake_twilio.requests[0]["form"]["Body"] == "coba"


def test_429_with_retry_after(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    fake_twilio.fail(429, times=2, retry_after=3)
    with pytest.raises(TwilioRestException) as exc:
        twilio_client.messages.create(from_=BOT, to=USER, body="x")
    assert (exc.value.status, exc.value.code) == (429, 20429)
    # TwilioRestException does not carry response headers; see Retry-After on the wire.
    r = httpx.post(
        f"{fake_twilio.base_url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json",
        data={"From": BOT, "To": USER, "Body": "x"},
        auth=(fake_twilio.account_sid, fake_twilio.auth_token),
    )
    assert (r.status_code, r.headers["Retry-After"]) == (429, "3")
    assert r.json()["message"] == "Too Many Requests"
    twilio_client.messages.create(from_=BOT, to=USER, body="x")
    assert [r["status"] for r in fake_twilio.requests] == [429, 429, 201]


def test_failures_consumed_in_order_and_filtered_by_recipient(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    fake_twilio.fail(400, code=63016, to=USER)
    fake_twilio.fail(400, code=21610)

    with pytest.raises(TwilioRestException) as exc:
        twilio_client.messages.create(from_=BOT, to=OTHER, body="x")
    assert exc.value.code == 21610  # the USER-only failure is skipped for OTHER
    with pytest.raises(TwilioRestException) as exc:
        twilio_client.messages.create(from_=BOT, to=USER, body="x")
    assert (exc.value.status, exc.value.code) == (400, 63016)
    assert "outside the allowed window" in exc.value.msg
    twilio_client.messages.create(from_=BOT, to=USER, body="x")
    assert [r["code"] for r in fake_twilio.requests] == [21610, 63016, None]


def test_fail_needs_code_for_400(fake_twilio: FakeTwilio) -> None:
    with pytest.raises(ValueError):
        fake_twilio.fail(400)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"from_": BOT, "to": USER, "body": "x" * 1601}, 21617),
        ({"from_": BOT, "to": USER}, 21619),
        ({"from_": BOT, "to": "+6281234567890", "body": "x"}, 21211),
        ({"from_": BOT, "to": "whatsapp:081234567890", "body": "x"}, 21211),
        ({"from_": "whatsapp:bot", "to": USER, "body": "x"}, 21212),
        ({"to": USER, "body": "x"}, 21603),
        ({"from_": BOT, "to": USER, "content_sid": "HX1", "content_variables": "{1: x"}, 21656),
    ],
)
def test_validation_errors(
    fake_twilio: FakeTwilio, twilio_client: Client, kwargs: dict[str, str], code: int
) -> None:
    with pytest.raises(TwilioRestException) as exc:
        twilio_client.messages.create(**kwargs)
    assert (exc.value.status, exc.value.code) == (400, code)
    assert fake_twilio.sent() == []
    assert fake_twilio.requests[-1]["status"] == 400


def test_body_of_exactly_1600_chars_is_accepted(twilio_client: Client) -> None:
    assert twilio_client.messages.create(from_=BOT, to=USER, body="x" * 1600).status == "queued"


def test_wrong_token_is_401(fake_twilio: FakeTwilio) -> None:
    client = Client(fake_twilio.account_sid, "wrong")
    client.api.base_url = fake_twilio.base_url
    with pytest.raises(TwilioRestException) as exc:
        client.messages.create(from_=BOT, to=USER, body="x")
    assert (exc.value.status, exc.value.code) == (401, 20003)
    assert fake_twilio.sent() == []
    assert fake_twilio.requests[0]["status"] == 401


def test_other_account_in_path_is_401(fake_twilio: FakeTwilio) -> None:
    r = httpx.post(
        f"{fake_twilio.base_url}/2010-04-01/Accounts/AC{'f' * 32}/Messages.json",
        data={"From": BOT, "To": USER, "Body": "x"},
        auth=(fake_twilio.account_sid, fake_twilio.auth_token),
    )
    assert r.status_code == 401
    assert r.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


# ---- pointing the client at the fake ---------------------------------------------------------


def test_base_url_attribute_points_plain_client_at_fake(fake_twilio: FakeTwilio) -> None:
    # The way the tech notes describe: a stock Client and TwilioHttpClient.
    client = Client(fake_twilio.account_sid, fake_twilio.auth_token)
    assert type(client.http_client) is TwilioHttpClient
    client.api.base_url = fake_twilio.base_url
    assert client.messages.create(from_=BOT, to=USER, body="x").status == "queued"
    assert len(fake_twilio.sent()) == 1


def test_http_client_rewrites_every_twilio_domain(fake_twilio: FakeTwilio) -> None:
    client = twilio_client_for(fake_twilio)
    # content.twilio.com is not faked: the call must land on the fake (404), not the internet.
    with pytest.raises(TwilioRestException) as exc:
        client.content.v1.contents("HX" + "a" * 32).fetch()
    assert (exc.value.status, exc.value.code) == (404, 20404)
    assert fake_twilio.requests[-1]["path"] == "/v1/Content/HX" + "a" * 32


async def test_sync_client_in_worker_thread(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    msg = await asyncio.to_thread(twilio_client.messages.create, from_=BOT, to=USER, body="async")
    assert msg.status == "queued"
    [sent] = await fake_twilio.wait_sent(1, to=USER)
    assert sent["Body"] == "async"


async def test_concurrent_sends_from_threads(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    async def send(i: int) -> str:
        msg = await asyncio.to_thread(
            twilio_client.messages.create, from_=BOT, to=USER, body=f"n{i}"
        )
        return msg.sid

    sids = await asyncio.gather(*(send(i) for i in range(20)))
    assert len(set(sids)) == 20
    sent = await fake_twilio.wait_sent(20)
    assert sorted(m["Body"] for m in sent) == sorted(f"n{i}" for i in range(20))


# ---- waiting -----------------------------------------------------------------------------------


def test_wait_sent_sync_wakes_on_send(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    t = threading.Timer(
        0.05, twilio_client.messages.create, kwargs={"from_": BOT, "to": USER, "body": "later"}
    )
    t.start()
    try:
        [sent] = fake_twilio.wait_sent_sync(1, to=USER, timeout=5)
    finally:
        t.join()
    assert sent["Body"] == "later"


def test_wait_sent_sync_timeout_lists_what_was_sent(
    fake_twilio: FakeTwilio, twilio_client: Client
) -> None:
    twilio_client.messages.create(from_=BOT, to=OTHER, body="ke orang lain")
    fake_twilio.fail(500)
    with pytest.raises(TwilioRestException):
        twilio_client.messages.create(from_=BOT, to=USER, body="gagal")
    with pytest.raises(AssertionError) as exc:
        fake_twilio.wait_sent_sync(1, to=USER, timeout=0.05)
    text = str(exc.value)
    assert "expected 1 message(s) to whatsapp:+6281234567890" in text
    assert "'ke orang lain'" in text
    assert "500 code=20500" in text


async def test_wait_sent_async_timeout(fake_twilio: FakeTwilio) -> None:
    with pytest.raises(AssertionError, match="0 accepted"):
        await fake_twilio.wait_sent(1, timeout=0.05)


def test_reset_clears_everything(fake_twilio: FakeTwilio, twilio_client: Client) -> None:
    twilio_client.messages.create(from_=BOT, to=USER, body="x")
    fake_twilio.fail(500)
    fake_twilio.reset()
    assert fake_twilio.messages == [] and fake_twilio.requests == []
    assert twilio_client.messages.create(from_=BOT, to=USER, body="x").status == "queued"


# ---- signing -----------------------------------------------------------------------------------


def test_signed_request_validates() -> None:
    params = inbound_text("+6281234567890", "halo, saya mau tanya")
    headers, body = signed_request(PUBLIC_URL, params, TEST_AUTH_TOKEN)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["I-Twilio-Idempotency-Token"]
    posted = dict(parse_qsl(body.decode(), keep_blank_values=True))
    assert posted == params

    validator = RequestValidator(TEST_AUTH_TOKEN)
    sig = headers["X-Twilio-Signature"]
    assert sig == sign(PUBLIC_URL, params, TEST_AUTH_TOKEN)
    assert validator.validate(PUBLIC_URL, posted, sig)
    # The validator also accepts the explicit default port.
    assert validator.validate(PUBLIC_URL.replace(".example/", ".example:443/"), posted, sig)

    assert not validator.validate(PUBLIC_URL, {**posted, "Body": "diubah"}, sig)
    assert not validator.validate(PUBLIC_URL.replace("https://", "http://"), posted, sig)
    assert not validator.validate(PUBLIC_URL + "/", posted, sig)
    assert not RequestValidator("wrong-token").validate(PUBLIC_URL, posted, sig)


def test_same_idempotency_token_for_a_retry() -> None:
    params = inbound_text("+6281234567890", "halo", sid="SM" + "1" * 32)
    h1, b1 = signed_request(PUBLIC_URL, params, idempotency_token="tok-1")
    h2, b2 = signed_request(PUBLIC_URL, params, idempotency_token="tok-1")
    assert h1 == h2 and b1 == b2


async def test_post_signed_webhook_to_an_app() -> None:
    # How a project test uses it: sign for the PUBLIC url, post to the local app.
    async def webhook(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        ok = RequestValidator(TEST_AUTH_TOKEN).validate(
            PUBLIC_URL, form, request.headers.get("X-Twilio-Signature", "")
        )
        return Response("<Response/>" if ok else "", 200 if ok else 403)

    app = Starlette(routes=[Route("/webhooks/whatsapp", webhook, methods=["POST"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        headers, body = signed_request(PUBLIC_URL, inbound_text("+62812345678", "halo"))
        r = await http.post("/webhooks/whatsapp", content=body, headers=headers)
        assert r.status_code == 200
        headers["X-Twilio-Signature"] = sign(PUBLIC_URL + "/", inbound_text("+62812", "x"))
        r = await http.post("/webhooks/whatsapp", content=body, headers=headers)
        assert r.status_code == 403


# ---- inbound payload builders -------------------------------------------------------------------


def test_inbound_text_fields() -> None:
    p = inbound_text("6281234567890", "Halo", profile_name="Ani")
    assert p["From"] == "whatsapp:+6281234567890"
    assert p["To"] == BOT
    assert p["Body"] == "Halo"
    assert SID_RE.fullmatch(p["MessageSid"])
    assert p["SmsMessageSid"] == p["SmsSid"] == p["MessageSid"]
    assert p["AccountSid"] == TEST_ACCOUNT_SID
    assert p["WaId"] == "6281234567890"
    assert p["ProfileName"] == "Ani"
    assert (p["NumMedia"], p["NumSegments"], p["SmsStatus"]) == ("0", "1", "received")
    assert (p["ApiVersion"], p["MessageType"]) == ("2010-04-01", "text")
    assert all(isinstance(v, str) for v in p.values())
    assert inbound_text("whatsapp:+6281234567890", "x")["From"] == p["From"]
    assert inbound_text("+62812", "x", sid="SM" + "2" * 32)["MessageSid"] == "SM" + "2" * 32


def test_inbound_location_fields() -> None:
    p = inbound_location("+6281234567890", -7.2589, 112.747, "Jl. Pemuda", "Kantor BP3MI")
    assert (p["Latitude"], p["Longitude"]) == ("-7.2589", "112.747")
    assert (p["Address"], p["Label"]) == ("Jl. Pemuda", "Kantor BP3MI")
    assert (p["MessageType"], p["Body"]) == ("location", "")
    pin = inbound_location("+6281234567890", 3.139, 101.6869)
    assert "Address" not in pin and "Label" not in pin


def test_inbound_button_fields() -> None:
    p = inbound_button("+6281234567890", "MENU_HELP", "Bantuan", replied_to="SM" + "3" * 32)
    assert (p["ButtonPayload"], p["ButtonText"], p["Body"]) == ("MENU_HELP", "Bantuan", "Bantuan")
    assert p["MessageType"] == "button"
    assert p["OriginalRepliedMessageSid"] == "SM" + "3" * 32


def test_inbound_media_fields() -> None:
    p = inbound_media("+6281234567890")
    assert (p["NumMedia"], p["MediaContentType0"], p["MessageType"]) == ("1", "image/jpeg", "image")
    assert p["MessageSid"].startswith("MM")
    assert p["MediaUrl0"].startswith(
        f"https://api.twilio.com/2010-04-01/Accounts/{TEST_ACCOUNT_SID}/"
    )
    assert inbound_media("+62812345678", "audio/ogg")["MessageType"] == "audio"
    assert inbound_media("+62812345678", "application/pdf")["MessageType"] == "document"


def test_status_callback_fields() -> None:
    sid = "SM" + "4" * 32
    p = status_callback(sid, "delivered")
    assert (p["MessageSid"], p["MessageStatus"], p["SmsStatus"]) == (sid, "delivered", "delivered")
    assert (p["To"], p["From"], p["ChannelPrefix"]) == (USER, BOT, "whatsapp")
    assert p["AccountSid"] == TEST_ACCOUNT_SID
    assert "ErrorCode" not in p

    failed = status_callback(sid, "failed", error_code=63016, to="+6285712345678")
    assert failed["ErrorCode"] == "63016"
    assert "outside the allowed window" in failed["ErrorMessage"]
    assert failed["To"] == OTHER
    with pytest.raises(ValueError):
        status_callback(sid, "bounced")
