"""Forged, malformed, mistyped and oversized requests against the real web app.

Each case asserts what the platform and the person would see: the status code, and that
nothing was stored (no contact, no dedupe key, no outbox row) when the request was refused.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.channels import telegram as tg
from bot.channels import whatsapp
from bot.web import BodyLimit, Runtime, create_app
from storage import Tx
from tests.channels.telegram_helpers import settings_for
from tests.channels.whatsapp_helpers import SITI, WhatsAppHarness, digits, whatsapp_harness
from tests.fakes.telegram import (
    FakeTelegram,
    callback_update,
    location_update,
    text_update,
)
from tests.fakes.twilio import FakeTwilio, inbound_location, inbound_text

CHAT = 5550001
SECRET = {"X-Telegram-Bot-Api-Secret-Token": "test-secret_0123"}


@pytest.fixture(autouse=True)
def _quick(quick_telegram_requests: None) -> None:
    """Bots built from settings reuse the fake's request objects."""


@asynccontextmanager
async def telegram_app(
    fake: FakeTelegram, db: Path, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    app: Starlette = create_app(settings_for(fake, db, **overrides), dispatch=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
            yield client, app.state.runtime


async def stored(rt: Runtime, channel: str, address: str) -> dict[str, int]:
    """What the store holds for one person: contacts, outbox rows, dedupe keys of the channel."""

    async def count(tx: Tx) -> dict[str, int]:
        contact = await tx.contacts.find(channel, address)
        rows = await tx.sql.fetch("SELECT COUNT(*) AS n FROM outbox WHERE address = ?", [address])
        seen = await tx.sql.fetch("SELECT COUNT(*) AS n FROM inbound WHERE channel = ?", [channel])
        return {
            "contacts": int(contact is not None),
            "outbox": rows[0]["n"],
            "inbound": seen[0]["n"],
        }

    return await rt.system.engine.run(count)


NOTHING = {"contacts": 0, "outbox": 0, "inbound": 0}


def _set(update: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    update = copy.deepcopy(update)
    *parents, last = path.split(".")
    node = update
    for key in parents:
        node = node[key]
    node[last] = value
    return update


MISTYPED = [
    ("text-number", _set(text_update(CHAT, "halo"), "message.text", 12345)),
    ("text-object", _set(text_update(CHAT, "halo"), "message.text", {"a": 1})),
    ("text-list", _set(text_update(CHAT, "halo"), "message.text", ["halo"])),
    ("caption-number", _set(text_update(CHAT, "halo"), "message.caption", 7)),
    ("chat-id-string", _set(text_update(CHAT, "halo"), "message.chat.id", str(CHAT))),
    ("chat-id-bool", _set(text_update(CHAT, "halo"), "message.chat.id", True)),
    ("first-name-number", _set(text_update(CHAT, "halo"), "message.from.first_name", 1)),
    ("language-object", _set(text_update(CHAT, "halo"), "message.from.language_code", {})),
    ("update-id-bool", _set(text_update(CHAT, "halo"), "update_id", True)),
    ("update-id-negative", _set(text_update(CHAT, "halo"), "update_id", -5)),
    ("message-list", _set(text_update(CHAT, "halo"), "message", [1, 2])),
    ("callback-data-number", _set(callback_update(CHAT, "lang:id"), "callback_query.data", 42)),
    ("callback-data-object", _set(callback_update(CHAT, "lang:id"), "callback_query.data", {})),
    ("callback-id-number", _set(callback_update(CHAT, "lang:id"), "callback_query.id", 9)),
    ("callback-from-missing", _set(callback_update(CHAT, "lang:id"), "callback_query.from", None)),
    ("location-string", _set(location_update(CHAT, -6.2, 106.8), "message.location.latitude", "x")),
    ("location-list", _set(location_update(CHAT, -6.2, 106.8), "message.location", [1, 2])),
    ("photo-string", _set(text_update(CHAT, "halo"), "message.photo", "big")),
]


@pytest.mark.parametrize("update", [u for _n, u in MISTYPED], ids=[n for n, _u in MISTYPED])
async def test_a_mistyped_telegram_update_is_400_and_nothing_is_stored(
    fake_telegram: FakeTelegram, db_path: Path, update: dict[str, Any]
) -> None:
    async with telegram_app(fake_telegram, db_path) as (client, rt):
        response = await client.post("/telegram", json=update, headers=SECRET)
        assert response.status_code == 400
        assert await stored(rt, "telegram", str(CHAT)) == NOTHING


@pytest.mark.parametrize(
    "raw",
    ["NaN", "Infinity", "-Infinity", "91", "-90.5", "1e400"],
)
async def test_a_location_off_the_globe_is_refused(
    fake_telegram: FakeTelegram, db_path: Path, raw: str
) -> None:
    # JSON has no NaN, but Python's json (and so a forger) writes and reads it.
    body = json.dumps(location_update(CHAT, 0.0, 106.8)).replace(
        '"latitude": 0.0', f'"latitude": {raw}'
    )
    assert raw in body
    async with telegram_app(fake_telegram, db_path) as (client, rt):
        response = await client.post(
            "/telegram", content=body, headers={**SECRET, "Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert await stored(rt, "telegram", str(CHAT)) == NOTHING


async def test_a_well_formed_update_still_works(fake_telegram: FakeTelegram, db_path: Path) -> None:
    async with telegram_app(fake_telegram, db_path) as (client, rt):
        response = await client.post("/telegram", json=text_update(CHAT, "halo"), headers=SECRET)
        assert response.status_code == 200
        assert (await stored(rt, "telegram", str(CHAT)))["contacts"] == 1


async def test_deeply_nested_json_is_400_not_500(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    body = '{"update_id": 1, "message": ' + "[" * 50_000 + "]" * 50_000 + "}"
    async with telegram_app(fake_telegram, db_path) as (client, _rt):
        response = await client.post(
            "/telegram", content=body, headers={**SECRET, "Content-Type": "application/json"}
        )
    assert response.status_code in (400, 413)


# --- sizes --------------------------------------------------------------------------------


async def test_an_oversized_telegram_update_is_413_before_it_is_read(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    big = _set(text_update(CHAT, "halo"), "message.text", "x" * (tg.MAX_UPDATE_BYTES + 1))
    async with telegram_app(fake_telegram, db_path) as (client, rt):
        response = await client.post("/telegram", json=big, headers=SECRET)
        assert response.status_code == 413
        assert await stored(rt, "telegram", str(CHAT)) == NOTHING


async def test_an_oversized_whatsapp_form_is_413_even_unsigned(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        body = b"Body=" + b"A" * (10 * 1024 * 1024)
        response = await wa.http.post(
            "/whatsapp",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413
        assert await wa.contact(SITI) is None


async def test_a_chunked_body_is_cut_off_at_the_cap(db_path: Path, fake_twilio: FakeTwilio) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(1000):  # 64 MB if it were all read
            sent += 1
            yield b"A" * 65536

    async with whatsapp_harness(db_path, fake_twilio) as wa:
        response = await wa.http.post("/whatsapp", content=chunks())
        assert response.status_code == 413
    assert sent < 10  # refused at the cap, not after the whole body


async def test_a_form_just_under_the_cap_is_handled(db_path: Path, fake_twilio: FakeTwilio) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user(SITI)
        params = inbound_text(SITI, "halo " + "a" * 30_000)
        response = await wa.post(params)
        assert response.status_code == 200  # parsed off the loop, still handled
        assert await wa.contact(SITI) is not None
        assert siti is not None


async def test_a_slow_body_is_408() -> None:
    reached = False

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal reached
        reached = True

    limited = BodyLimit(app, {"/x": 1000}, timeout=0.2)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.15)
        return {"type": "http.request", "body": b"a", "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [], "query_string": b""}
    await limited(scope, receive, send)
    assert sent[0]["status"] == 408
    assert not reached


async def test_a_lying_content_length_is_refused() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be called")

    limited = BodyLimit(app, {"/x": 1000})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for value, status in ((b"abc", 400), (b"-1", 400), (b"99999999999", 413)):
        sent.clear()
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/x",
            "headers": [(b"content-length", value)],
            "query_string": b"",
        }
        await limited(scope, receive, send)
        assert sent[0]["status"] == status, value


async def test_a_big_forged_post_does_not_stall_health(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    """Four forged 10 MB posts at once, and /healthz still answers at once."""
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        body = b"Body=" + b"A" * (10 * 1024 * 1024)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}
        loop = asyncio.get_running_loop()
        started = loop.time()
        forged = [wa.http.post("/whatsapp", content=body, headers=headers) for _ in range(4)]
        responses = await asyncio.gather(*forged, wa.http.get("/healthz"))
        assert [r.status_code for r in responses] == [413, 413, 413, 413, 200]
        assert loop.time() - started < 2.0


# --- WhatsApp fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("nan", "106.8"), ("-6.2", "inf"), ("-Infinity", "106.8"), ("95", "106.8"), ("x", "1")],
)
async def test_a_whatsapp_location_off_the_globe_is_400(
    db_path: Path, fake_twilio: FakeTwilio, lat: str, lon: str
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        params = {**inbound_location(SITI, -6.2, 106.8), "Latitude": lat, "Longitude": lon}
        response = await wa.post(params)
        assert response.status_code == 400
        assert await wa.contact(SITI) is None


@pytest.mark.parametrize(
    "field",
    [
        {"MessageSid": "SM" + "a" * 2000},
        {"NumMedia": "99999999999999999999999"},
        {"NumMedia": "-1"},
        {"WaId": "6" * 40, "From": "whatsapp:+" + "6" * 40},
    ],
    ids=["huge-sid", "huge-num-media", "negative-num-media", "40-digit-number"],
)
async def test_whatsapp_fields_twilio_never_sends_are_400(
    db_path: Path, fake_twilio: FakeTwilio, field: dict[str, str]
) -> None:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        response = await wa.post({**inbound_text(SITI, "halo"), **field})
        assert response.status_code == 400
        assert await stored(wa.runtime, "whatsapp", digits(SITI)) == NOTHING


async def test_forged_whatsapp_posts_are_403(wa_harness: WhatsAppHarness) -> None:
    wa = wa_harness
    response = await wa.post(inbound_text(SITI, "halo"), token="not-the-token")
    assert response.status_code == 403
    response = await wa.post(inbound_text(SITI, "halo"), signed=False)
    assert response.status_code == 403
    assert await wa.contact(SITI) is None


@pytest.fixture
async def wa_harness(db_path: Path, fake_twilio: FakeTwilio) -> AsyncIterator[WhatsAppHarness]:
    async with whatsapp_harness(db_path, fake_twilio) as wa:
        yield wa


# --- /metrics -------------------------------------------------------------------------------


async def _metrics(app: Starlette, client: tuple[str, int], **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as http:
        return await http.get("/metrics", headers=headers)


async def test_metrics_without_a_token_answer_loopback_only(db_path: Path) -> None:
    from dataclasses import replace

    from bot.config import Settings

    app = create_app(replace(Settings(), database_path=db_path, channels=()), dispatch=False)
    async with app.router.lifespan_context(app):
        assert (await _metrics(app, ("127.0.0.1", 5000))).status_code == 200
        assert (await _metrics(app, ("::1", 5000))).status_code == 200
        assert (await _metrics(app, ("203.0.113.9", 5000))).status_code == 403
        # Through a proxy on the same host: the proxy connects from loopback, and says so.
        proxied = await _metrics(app, ("127.0.0.1", 5000), **{"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403


async def test_metrics_with_a_token_want_the_bearer(db_path: Path) -> None:
    from dataclasses import replace

    from bot.config import Settings

    settings = replace(Settings(), database_path=db_path, channels=(), metrics_token="s3cret-t0ken")
    app = create_app(settings, dispatch=False)
    async with app.router.lifespan_context(app):
        far = ("203.0.113.9", 5000)
        assert (await _metrics(app, far)).status_code == 401
        assert (await _metrics(app, ("127.0.0.1", 1))).status_code == 401  # token wins
        wrong = await _metrics(app, far, Authorization="Bearer s3cret-t0ke")
        assert wrong.status_code == 401
        right = await _metrics(app, far, Authorization="Bearer s3cret-t0ken")
        assert right.status_code == 200
        assert "migrasi_aman_outbox_messages" in right.text


def test_every_channel_route_has_a_cap() -> None:
    from dataclasses import replace

    from bot.config import Settings
    from bot.web import body_limits

    limits = body_limits(replace(Settings()), ["telegram", "whatsapp"])
    assert limits["/telegram"] == tg.MAX_UPDATE_BYTES < 1024 * 1024
    assert limits[whatsapp.INBOUND_PATH] == limits[whatsapp.STATUS_PATH] <= 64 * 1024


async def test_a_mistyped_update_from_get_updates_is_dropped_not_retried(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    """Long polling: the same checks; a bad update is confirmed and dropped (asking again
    would bring the same fields), the next one is handled."""
    from telegram import Update

    async with telegram_app(fake_telegram, db_path) as (_client, rt):
        adapter = rt.channels["telegram"]
        bad = Update.de_json(MISTYPED[0][1], adapter.bot)
        assert await adapter.receive(bad) is None
        assert await stored(rt, "telegram", str(CHAT)) == NOTHING
        good = Update.de_json(text_update(CHAT, "halo"), adapter.bot)
        assert (await adapter.receive(good)) is not None
