"""The Telegram channel, with the real python-telegram-bot talking to the fake Bot API."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import polling
from bot.channels import telegram as tg
from bot.i18n import _, use_locale
from bot.messages import Choice, Inbound, Location, Outgoing, Reply
from bot.web import Runtime, create_app
from storage.outbox import NewMessage
from tests.channels.telegram_helpers import TelegramRig, open_rig, settings_for
from tests.fakes.telegram import (
    FakeTelegram,
    callback_update,
    command_update,
    forwarded_update,
    location_update,
    photo_update,
    sticker_update,
    text_update,
    voice_update,
)

SITI = 6281234501  # private chats: chat id == user id
BUDI = 6281234502


def t(locale: str, msgid: str) -> str:
    with use_locale(locale):
        return _(msgid)


def outgoing(reply: Reply, address: str = str(SITI), locale: str = "id", id: int = 1) -> Outgoing:
    return Outgoing(
        id=id, contact_id=None, channel="telegram", address=address, locale=locale,
        kind="reply", reply=reply,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Update → Inbound
# --------------------------------------------------------------------------------------------


def _edited(update: dict[str, Any]) -> dict[str, Any]:
    message = update.pop("message")
    return {**update, "edited_message": {**message, "edit_date": message["date"] + 5}}


def _group(update: dict[str, Any]) -> dict[str, Any]:
    update["message"]["chat"] = {"id": -1001234, "type": "supergroup", "title": "Grup PMI"}
    return update


def _service(update: dict[str, Any]) -> dict[str, Any]:
    del update["message"]["text"]
    update["message"]["pinned_message"] = {
        "message_id": 1, "date": 0, "chat": update["message"]["chat"]
    }  # fmt: skip
    return update


def _venue(update: dict[str, Any]) -> dict[str, Any]:
    location = update["message"]["location"]
    update["message"]["venue"] = {"location": location, "title": "BP3MI", "address": "Jl. X"}
    return update


def _no_data(update: dict[str, Any]) -> dict[str, Any]:
    del update["callback_query"]["data"]
    update["callback_query"]["game_short_name"] = "game"
    return update


def _base(**kw: Any) -> dict[str, Any]:
    return {
        "channel": "telegram", "address": str(SITI), "locale_hint": "id", "display_name": "Siti",
        **kw,
    }  # fmt: skip


INBOUND_CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
    ("text", text_update(SITI, "halo kak", update_id=101), _base(text="halo kak")),
    (
        "english user",
        text_update(SITI, "hello", language_code="en-GB", first_name="Sue", update_id=102),
        _base(text="hello", locale_hint="en-GB", display_name="Sue"),
    ),
    (
        "command with payload",
        command_update(SITI, "/start", "ref-kupang", update_id=103),
        _base(text="/start ref-kupang"),
    ),
    ("command", command_update(SITI, "/bahasa", update_id=104), _base(text="/bahasa")),
    (
        "command addressed to the bot",
        command_update(SITI, "/menu@MigrasiAmanTestBot", update_id=105),
        _base(text="/menu"),
    ),
    (
        "callback",
        callback_update(SITI, "lang:en", update_id=106),
        _base(text="", choice="lang:en"),
    ),
    (
        "location",
        location_update(SITI, -7.2589, 112.747, update_id=107),
        _base(location=Location(-7.2589, 112.747)),
    ),
    (
        "venue",
        _venue(location_update(SITI, -10.15, 123.61, update_id=108)),
        _base(location=Location(-10.15, 123.61, "BP3MI")),
    ),
    (
        "forwarded, hidden user",
        forwarded_update(SITI, "Lowongan Taiwan, visa turis", update_id=109),
        _base(text="Lowongan Taiwan, visa turis", forwarded=True),
    ),
    (
        "forwarded, user",
        forwarded_update(SITI, "Gaji 30 juta", sender_user_id=555, update_id=110),
        _base(text="Gaji 30 juta", forwarded=True),
    ),
    (
        "forwarded, channel",
        forwarded_update(SITI, "Info loker", channel_title="Loker LN", update_id=111),
        _base(text="Info loker", forwarded=True),
    ),
    (
        "photo with caption",
        photo_update(SITI, caption="ini brosurnya", update_id=112),
        _base(text="ini brosurnya", media="photo"),
    ),
    ("photo", photo_update(SITI, update_id=113), _base(media="photo")),
    ("voice", voice_update(SITI, update_id=114), _base(media="voice")),
    ("sticker", sticker_update(SITI, update_id=115), _base(media="sticker")),
    ("edited message", _edited(text_update(SITI, "halo", update_id=116)), None),
    ("group chat", _group(text_update(SITI, "halo", update_id=117)), None),
    ("service message", _service(text_update(SITI, "x", update_id=118)), None),
    ("game button", _no_data(callback_update(SITI, "x", update_id=119)), None),
]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [pytest.param(p, e, id=name) for name, p, e in INBOUND_CASES],
)
def test_to_inbound(payload: dict[str, Any], expected: dict[str, Any] | None) -> None:
    update = Update.de_json(payload, None)
    inbound = tg.to_inbound(update)
    if expected is None:
        assert inbound is None
    else:
        assert inbound == Inbound(external_id=str(payload["update_id"]), **expected)


def _without_from(update: dict[str, Any]) -> dict[str, Any]:
    del update["message"]["from"]
    return update


def _with(update: dict[str, Any], **fields: Any) -> dict[str, Any]:
    update["message"].update(fields)
    return update


PLAIN_CASES = [
    *((name, p) for name, p, _e in INBOUND_CASES),
    ("empty text", _with(text_update(SITI, "x", update_id=120), text="")),
    ("no sender", _without_from(text_update(SITI, "halo", update_id=121))),
    ("no language", text_update(SITI, "halo", language_code=None, update_id=122)),
    ("url entity", _with(text_update(SITI, "lihat https://x.id", update_id=123),
                         entities=[{"type": "url", "offset": 6, "length": 12}])),
    ("a reply", _with(text_update(SITI, "ya", update_id=124),
                      reply_to_message={"message_id": 1, "date": 0, "chat": {"id": SITI,
                                                                             "type": "private"}})),
    ("odd entity", _with(text_update(SITI, "halo", update_id=125), entities=[{"type": "bold"}])),
    ("name to clean", text_update(SITI, "halo", first_name="  Siti\u202e\n", update_id=126)),
]  # fmt: skip


@pytest.mark.parametrize("payload", [pytest.param(p, id=name) for name, p in PLAIN_CASES])
def test_the_webhook_reads_an_update_as_ptb_would(payload: dict[str, Any]) -> None:
    # A plain text message is read from the JSON without building PTB's Update (its cost was
    # most of a text update's in the webhook); whatever it reads must be what PTB's reading
    # gives, and every other kind still goes through PTB.
    body = json.dumps(payload).encode()
    try:
        expected = tg.to_inbound(Update.de_json(payload, None))
    except TypeError:  # PTB cannot build it: a malformed update, answered 400
        with pytest.raises(tg.MalformedUpdate):
            tg.parse_webhook(body, None)  # type: ignore[arg-type]
        return
    parsed = tg.parse_webhook(body, None)  # type: ignore[arg-type]
    if isinstance(parsed, Update):
        assert tg.to_inbound(parsed) == expected
        assert tg.plain_text_inbound(payload) is tg.NOT_PLAIN
    else:
        assert parsed == expected


def test_a_plain_text_update_builds_no_ptb_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("Update.de_json called for a plain text message")

    monkeypatch.setattr(Update, "de_json", refuse)
    for payload in (text_update(SITI, "halo", update_id=130), command_update(SITI, "/menu")):
        parsed = tg.parse_webhook(json.dumps(payload).encode(), None)  # type: ignore[arg-type]
        assert isinstance(parsed, Inbound) and parsed.address == str(SITI)


# --------------------------------------------------------------------------------------------
# Reply → messages
# --------------------------------------------------------------------------------------------

YES_NO = (Choice("yes", "Ya"), Choice("no", "Tidak"))


def test_render_choices_as_inline_keyboard_one_per_row() -> None:
    [part] = tg.render(Reply("Setuju?", YES_NO), "id")
    assert part.text == "Setuju?"
    assert part.markup.to_dict() == {
        "inline_keyboard": [
            [{"text": "Ya", "callback_data": "yes"}],
            [{"text": "Tidak", "callback_data": "no"}],
        ]
    }


def test_render_splits_long_text_with_the_keyboard_on_the_last_part() -> None:
    text = "\n\n".join(f"Paragraf {i}. " + "kata " * 150 for i in range(12))
    parts = tg.render(Reply(text, YES_NO), "id")
    assert len(parts) > 1
    assert all(len(p.text) <= 4096 for p in parts)
    assert [p.markup.to_dict() for p in parts[:-1]] == [{"remove_keyboard": True}] * (
        len(parts) - 1
    )
    assert "inline_keyboard" in parts[-1].markup.to_dict()


def test_render_falls_back_to_numbers_when_a_key_is_too_long() -> None:
    # 64 bytes is the limit, counted in UTF-8: 22 "é" are 44 bytes, 33 are 66.
    ok = Reply("Pilih:", (Choice("é" * 22, "A"), Choice("b", "B")))
    assert "inline_keyboard" in tg.render(ok, "id")[0].markup.to_dict()
    too_long = Reply("Pilih:", (Choice("é" * 33, "A"), Choice("b", "B")))
    [part] = tg.render(too_long, "id")
    assert part.text.startswith("Pilih:\n\n1. A\n2. B")
    assert part.markup.to_dict() == {"remove_keyboard": True}


@pytest.mark.parametrize("locale", ["id", "en"])
def test_render_location_request_as_reply_keyboard(locale: str) -> None:
    [part] = tg.render(Reply("Di mana?", YES_NO, ask_location=True), locale)
    assert part.markup.to_dict() == {
        "keyboard": [
            [{"text": t(locale, "Share my location"), "request_location": True}],
            [{"text": "Ya"}],
            [{"text": "Tidak"}],
        ],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def test_render_plain_text_removes_a_reply_keyboard_and_never_uses_parse_mode() -> None:
    [part] = tg.render(Reply("<b>PT *Maju* & [Jaya]</b>"), "id")
    assert part.text == "<b>PT *Maju* & [Jaya]</b>"
    assert part.markup.to_dict() == {"remove_keyboard": True}
    assert tg.render(Reply(""), "id") == []


def test_render_buttons_after_a_reply_keyboard_are_attached_by_edit() -> None:
    [part] = tg.render(Reply("Setuju?", YES_NO), "id", reply_keyboard_shown=True)
    assert part.markup.to_dict() == {"remove_keyboard": True}
    assert part.attach is not None and "inline_keyboard" in part.attach.to_dict()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(dtm.timedelta(seconds=2.5)), {"retry_after": 2.5, "permanent": False}),
        (RetryAfter(3), {"retry_after": 3.0, "permanent": False}),
        (Forbidden("Forbidden: bot was blocked by the user"), {"blocked": True}),
        (BadRequest("Bad Request: chat not found"), {"permanent": True, "blocked": False}),
        (NetworkError("Bad Gateway"), {"permanent": False, "retry_after": None}),
        (TimedOut(), {"permanent": False, "retry_after": None}),
    ],
)
def test_send_errors(error: Exception, expected: dict[str, Any]) -> None:
    mapped = tg.send_error(error)
    for name, value in expected.items():
        assert getattr(mapped, name) == value, name
    assert type(error).__name__ in str(mapped)


# --------------------------------------------------------------------------------------------
# Conversations over the wire
# --------------------------------------------------------------------------------------------


async def test_start_language_consent_menu_and_language_switch(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    [greeting] = await rig.command(SITI, "/start")
    assert "parse_mode" not in greeting
    assert rig.keys(SITI) == ["lang:id", "lang:en"]

    sent = await rig.press(SITI, "lang:id")
    assert len(rig.fake.answered_callbacks()) == 1  # the spinner stops
    assert t("id", "Before we start, a word about your privacy:") in sent[-1]["text"]
    assert rig.keys(SITI) == ["yes", "no"]

    sent = await rig.press(SITI, "yes")
    assert sent[-1]["text"].startswith(t("id", "What would you like to do?"))
    assert rig.keys(SITI)[:2] == ["menu:check", "menu:guide"]
    assert len(rig.fake.answered_callbacks()) == 2

    await rig.command(SITI, "/bahasa")
    assert rig.keys(SITI) == ["lang:id", "lang:en"]
    sent = await rig.press(SITI, "lang:en")
    texts = [m["text"] for m in sent]
    assert t("en", "Done: I will write to you in English.") in texts
    assert texts[-1].startswith(t("en", "What would you like to do?"))
    assert [label for label, _key in rig.buttons(SITI)][1] == t("en", "Safe migration info")
    contact = await rig.contact(SITI)
    assert contact is not None and contact.locale == "en"


async def test_a_typed_label_works_like_the_button(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await rig.command(SITI, "/start")
    await rig.say(SITI, "English")  # the label of a language button, typed
    assert rig.keys(SITI) == ["yes", "no"]
    sent = await rig.say(SITI, "1")  # or its number
    assert sent[-1]["text"].startswith(t("en", "What would you like to do?"))


async def test_guidance_topics_article_and_next_part(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await rig.onboard(SITI)
    await rig.press(SITI, "menu:guide")
    topics = rig.keys(SITI)
    assert "art:official-route" in topics and topics[-1] == "go:menu"

    [first] = await rig.press(SITI, "art:official-route")
    assert first["text"].startswith("📖 ")
    assert "next" in rig.keys(SITI)
    [second] = await rig.press(SITI, "next")
    assert "(2/" in second["text"].split("\n", 1)[0]
    assert "back" in rig.keys(SITI)
    assert all(len(text) <= 4096 for text in rig.texts(SITI))
    assert len(rig.fake.answered_callbacks()) == 5


@pytest.mark.parametrize(
    ("update", "locale"),
    [
        (photo_update(SITI), "id"),
        (voice_update(SITI), "id"),
        (sticker_update(SITI), "id"),
        (voice_update(SITI, language_code="en"), "en"),
    ],
    ids=["photo", "voice", "sticker", "voice-en"],
)
async def test_media_gets_a_polite_please_type(
    telegram_rig: TelegramRig, update: dict[str, Any], locale: str
) -> None:
    rig = telegram_rig
    await rig.onboard(SITI, lang=locale)
    sent = await rig.deliver(update)
    please = t(
        locale, "I can only read text messages. Please type your message (or choose a number)."
    )
    assert [m["text"] for m in sent] == [please]


# --------------------------------------------------------------------------------------------
# Sending: failures, retries, keyboards
# --------------------------------------------------------------------------------------------


async def _queue(rig: TelegramRig, *replies: Reply, chat: int = SITI, contact: bool = True) -> None:
    """Outbox rows for `chat`, as the engine writes them."""
    if contact:
        await rig.say(chat, "halo")  # the contact exists and has a greeting behind it
    person = await rig.contact(chat)

    async def add(tx: Any) -> None:
        await tx.outbox.add_many(
            [
                NewMessage(person.id if person else None, "telegram", str(chat), "id", r)
                for r in replies
            ],
            rig.clock.now(),
        )

    await rig.system.engine.run(add)


async def _status(rig: TelegramRig) -> dict[str, int]:
    async with rig.system.store.reader() as reader:
        return await reader.outbox_counts()


async def test_429_waits_retry_after_then_sends_once(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await _queue(rig, Reply("Pesan penting"), contact=False)
    rig.fake.fail("sendMessage", 429, retry_after=0.5)
    await rig.flush()
    assert rig.texts(SITI) == []
    assert len(rig.fake.calls_to("sendMessage", ok=False)) == 1
    assert await rig.advance(0.2) == 0  # not before retry_after
    await rig.advance(0.4)
    assert rig.texts(SITI) == ["Pesan penting"]
    assert await rig.advance(60) == 0


async def test_500_is_retried_with_backoff(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    await _queue(rig, Reply("Pesan penting"), contact=False)
    rig.fake.fail("sendMessage", 500)
    await rig.flush()
    assert rig.texts(SITI) == []
    await rig.advance(3)  # backoff 2 s ± 20 %
    assert rig.texts(SITI) == ["Pesan penting"]
    assert (await _status(rig))["sent"] == 1


async def test_blocked_bot_marks_contact_unreachable_and_stops_sending(
    telegram_rig: TelegramRig,
) -> None:
    rig = telegram_rig
    await rig.onboard(SITI)
    await rig.onboard(BUDI)
    rig.fake.block(SITI)
    await _queue(rig, Reply("satu"), Reply("dua"), contact=False)
    await _queue(rig, Reply("untuk Budi"), chat=BUDI, contact=False)
    await rig.flush()
    await rig.advance(3600)

    siti = await rig.contact(SITI)
    assert siti is not None and siti.unreachable_at is not None
    assert len(rig.fake.calls_to("sendMessage", chat_id=SITI, ok=False)) == 1
    assert (await rig.contact(BUDI)).unreachable_at is None
    assert rig.texts(BUDI)[-1] == "untuk Budi"
    status = await _status(rig)
    assert status["failed"] == 1 and status["dropped"] == 1


async def test_a_split_reply_resumes_where_a_429_stopped_it(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    reply = Reply("\n\n".join(f"Bagian {i}. " + "kata " * 300 for i in range(5)), YES_NO)
    parts = [p.text for p in tg.render(reply, "id")]
    assert len(parts) == 3
    await _queue(rig, reply, contact=False)
    rig.fake.flood_control(per_chat=1, overall=None, window=0.15, retry_after=0.15)
    await rig.flush()
    assert len(rig.texts(SITI)) == 1  # the second part hit the flood limit
    for _attempt in range(8):
        await asyncio.sleep(0.16)  # the fake's flood window is real time
        await rig.advance(0.2)
        if len(rig.texts(SITI)) >= len(parts):
            break
    assert rig.texts(SITI) == parts  # each part once, in order
    assert "inline_keyboard" in rig.fake.sent(SITI)[-1]["reply_markup"]


async def test_location_keyboard_then_buttons(telegram_rig: TelegramRig) -> None:
    rig = telegram_rig
    sender = rig.adapter.sender
    await sender.send(outgoing(Reply("Di mana Anda?", ask_location=True)))
    [asked] = rig.fake.sent(SITI)
    assert asked["reply_markup"]["keyboard"][0][0]["request_location"] is True

    # The next question has inline buttons: the location keyboard goes, the buttons come.
    sent = await sender.send(outgoing(Reply("Setuju?", YES_NO), id=2))
    [edit] = rig.fake.calls_to("editMessageReplyMarkup", ok=True)
    assert edit.params["message_id"] == int(sent.provider_id)
    assert rig.fake.sent(SITI)[-1]["reply_markup"] == {"remove_keyboard": True}
    assert "inline_keyboard" in edit.params["reply_markup"]

    # Once removed, buttons travel with their message again.
    await sender.send(outgoing(Reply("Lanjut?", YES_NO), id=3))
    assert len(rig.fake.calls_to("editMessageReplyMarkup")) == 1
    assert "inline_keyboard" in rig.fake.sent(SITI)[-1]["reply_markup"]


async def test_rate_limits_per_chat_and_overall(fake_telegram: FakeTelegram, db_path: Path) -> None:
    """The channel's real limits: ~1 message/s per chat after a burst of 3, ~30/s overall
    after a burst of 30. 40 chats get one message each, two of them four; ~1 s in all."""
    async with open_rig(fake_telegram, db_path, limits=None) as rig:
        busy = [900001, 900002]
        for chat in busy:
            await _queue(rig, *(Reply(f"{chat} #{i}") for i in range(4)), chat=chat, contact=False)
        for chat in range(910000, 910038):
            await _queue(rig, Reply(f"{chat}"), chat=chat, contact=False)
        await rig.flush()

    fake = fake_telegram
    assert len(fake.sent()) == 46
    for chat in busy:
        at = [c.at for c in fake.calls_to("sendMessage", ok=True, chat_id=chat)]
        assert at[3] - at[0] >= 0.9  # the 4th waited for a token: 1 per second
        assert fake.peak_rate(0.9, chat_id=chat) <= 3
    at = sorted(c.at for c in fake.calls_to("sendMessage", ok=True))
    for i in range(30, len(at)):  # after the burst of 30, 30 per second at most
        assert at[i] - at[0] >= (i - 29) / 30 * 0.9, i
    assert fake.peak_rate(1.0) <= 60


# --------------------------------------------------------------------------------------------
# Webhook mode
# --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _quick(quick_telegram_requests: None) -> None:
    """Bots built from settings reuse one SSL context (see the helper)."""


@asynccontextmanager
async def webhook_app(
    fake: FakeTelegram, db: Path, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    app: Starlette = create_app(settings_for(fake, db, **overrides), dispatch=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
            yield client, app.state.runtime


def secret(value: str = "test-secret_0123") -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": value}


async def test_webhook_takes_a_text_message_without_building_ptb_objects(
    fake_telegram: FakeTelegram, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    de_json = Update.de_json
    built: list[int] = []

    def counted(data: Any, bot: Any) -> Update:
        built.append(data["update_id"])
        return de_json(data, bot)

    async with webhook_app(fake_telegram, db_path) as (client, rt):
        monkeypatch.setattr(Update, "de_json", counted)
        text = text_update(SITI, "halo", update_id=9001)
        assert (await client.post("/telegram", json=text, headers=secret())).status_code == 200
        await rt.dispatchers["telegram"].run_once()
        assert len(fake_telegram.sent(SITI)) == 1  # answered
        pressed = callback_update(SITI, "lang:id", message_id=1, update_id=9002)
        assert (await client.post("/telegram", json=pressed, headers=secret())).status_code == 200
    assert built == [9002]  # the button press still went through PTB


async def test_webhook_handles_and_replies(fake_telegram: FakeTelegram, db_path: Path) -> None:
    async with webhook_app(fake_telegram, db_path) as (client, rt):
        response = await client.post(
            "/telegram", json=command_update(SITI, "/start"), headers=secret()
        )
        assert response.status_code == 200
        await rt.dispatchers["telegram"].run_once()
        [greeting] = fake_telegram.sent(SITI)
        assert [b[0]["callback_data"] for b in greeting["reply_markup"]["inline_keyboard"]] == [
            "lang:id",
            "lang:en",
        ]

        pressed = callback_update(SITI, "lang:id", message_id=1)
        response = await client.post("/telegram", json=pressed, headers=secret())
        assert response.status_code == 200
        # The press is answered in the webhook's response (Telegram runs the method named
        # there), not by a separate Bot API call.
        assert response.json() == {
            "method": "answerCallbackQuery",
            "callback_query_id": pressed["callback_query"]["id"],
        }
        assert fake_telegram.answered_callbacks() == []


async def test_webhook_with_dispatch_on_sends_by_itself(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    app = create_app(settings_for(fake_telegram, db_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
            response = await client.post(
                "/telegram", json=text_update(SITI, "halo"), headers=secret()
            )
            assert response.status_code == 200
            await fake_telegram.wait_sent(1, chat_id=SITI)


@pytest.mark.parametrize(
    ("headers", "configured"),
    [
        ({}, "test-secret_0123"),
        (secret("wrong"), "test-secret_0123"),
        (secret("test-secret_012"), "test-secret_0123"),
        (secret(""), ""),
        ({}, ""),
    ],
    ids=["missing", "wrong", "prefix", "none-configured-empty-header", "none-configured"],
)
async def test_webhook_rejects_without_the_secret(
    fake_telegram: FakeTelegram, db_path: Path, headers: dict[str, str], configured: str
) -> None:
    async with webhook_app(fake_telegram, db_path, telegram_webhook_secret=configured) as (
        client,
        rt,
    ):
        response = await client.post("/telegram", json=text_update(SITI, "halo"), headers=headers)
        assert response.status_code == 403
        await rt.dispatchers["telegram"].run_once()
    assert fake_telegram.sent() == []


async def test_webhook_same_update_twice_is_handled_once(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    update = text_update(SITI, "halo")
    async with webhook_app(fake_telegram, db_path) as (client, rt):
        for _ in range(2):
            response = await client.post("/telegram", json=update, headers=secret())
            assert response.status_code == 200
        await rt.dispatchers["telegram"].run_once()
    assert len(fake_telegram.sent(SITI)) == 1


async def test_webhook_answers_500_when_not_committed_and_the_retry_works(
    fake_telegram: FakeTelegram, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update = text_update(SITI, "halo")
    async with webhook_app(fake_telegram, db_path) as (client, rt):
        adapter = rt.channels["telegram"]

        async def down(_update: Update) -> None:
            raise RuntimeError("disk full")

        with monkeypatch.context() as patch:
            patch.setattr(adapter, "receive", down)
            response = await client.post("/telegram", json=update, headers=secret())
        assert response.status_code == 500  # Telegram delivers it again
        response = await client.post("/telegram", json=update, headers=secret())
        assert response.status_code == 200
        await rt.dispatchers["telegram"].run_once()
    assert len(fake_telegram.sent(SITI)) == 1


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}', b"\xff\xfe", b""],
    ids=["broken", "list", "no-update-id", "string-id", "not-utf8", "empty"],
)
async def test_webhook_malformed_is_400(
    fake_telegram: FakeTelegram, db_path: Path, body: bytes
) -> None:
    async with webhook_app(fake_telegram, db_path) as (client, _rt):
        response = await client.post(
            "/telegram", content=body, headers={**secret(), "Content-Type": "application/json"}
        )
    assert response.status_code == 400


async def test_webhook_ignored_kinds_are_acknowledged(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    async with webhook_app(fake_telegram, db_path) as (client, rt):
        for update in (_edited(text_update(SITI, "halo")), {"update_id": 99, "poll": None}):
            response = await client.post("/telegram", json=update, headers=secret())
            assert response.status_code == 200
        await rt.dispatchers["telegram"].run_once()
    assert fake_telegram.sent() == []


async def test_set_webhook_registers_url_secret_and_updates(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    settings = settings_for(fake_telegram, db_path)
    assert await tg.set_webhook(settings, "https://bot.example.org/telegram")
    hook = fake_telegram.webhook
    assert hook is not None and hook.url == "https://bot.example.org/telegram"
    assert hook.secret_token == settings.telegram_webhook_secret
    assert hook.allowed_updates == ["message", "callback_query"]

    # What Telegram then sends gets through our endpoint.
    async with webhook_app(fake_telegram, db_path) as (client, rt):
        response = await client.post(
            "/telegram",
            json=text_update(SITI, "halo"),
            headers=fake_telegram.webhook_headers(),
        )
        assert response.status_code == 200
        await rt.dispatchers["telegram"].run_once()
    assert len(fake_telegram.sent(SITI)) == 1

    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        await tg.set_webhook(settings_for(fake_telegram, db_path, telegram_webhook_secret=""), "x")


# --------------------------------------------------------------------------------------------
# Polling mode
# --------------------------------------------------------------------------------------------


async def test_polling_end_to_end(fake_telegram: FakeTelegram, db_path: Path) -> None:
    fake = fake_telegram
    settings = settings_for(fake, db_path)
    await tg.set_webhook(settings, "https://old.example.org/telegram")  # poll removes it
    fake.push_update(command_update(SITI, "/start"))
    stop = asyncio.Event()
    bot = fake.bot()
    task = asyncio.create_task(polling.poll(settings, stop=stop, bot=bot, poll_timeout=5))
    try:
        await fake.wait_sent(1, chat_id=SITI)
        greeting_id = fake.calls_to("sendMessage", ok=True)[0].result["message_id"]
        assert fake.webhook is None

        # Pushed while polling: a button press and another person.
        pressed = fake.push_update(callback_update(SITI, "lang:en", message_id=greeting_id))
        fake.push_update(text_update(BUDI, "halo"))
        await fake.wait_sent(2, chat_id=SITI)
        await fake.wait_sent(1, chat_id=BUDI)
        await fake.wait_calls("answerCallbackQuery", 1)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        await bot.shutdown()

    assert fake.pending_updates() == []  # every handled update was confirmed
    polls = fake.calls_to("getUpdates", ok=True)
    assert polls[-1].params["offset"] == pressed + 2
    assert all(p.params["allowed_updates"] == ["message", "callback_query"] for p in polls)


async def test_polling_stops_promptly_while_waiting(
    fake_telegram: FakeTelegram, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_telegram, "long_poll_cap", 10.0)  # a real, long long poll
    stop = asyncio.Event()
    settings = settings_for(fake_telegram, db_path)
    async with fake_telegram.bot() as bot:
        task = asyncio.create_task(polling.poll(settings, stop=stop, bot=bot))
        # getUpdates is recorded when it returns; the long poll is in flight after this.
        await fake_telegram.wait_calls("deleteWebhook", 1)
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        assert loop.time() - started < 2  # not the 10 s the poll would have been held


class _Flaky:
    """A stand-in adapter whose engine fails the first time it sees update 3."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.failed = False
        self.answered: list[int] = []

    async def receive(self, update: Update) -> None:
        if update.update_id == 3 and not self.failed:
            self.failed = True
            raise RuntimeError("database is locked")
        self.seen.append(update.update_id)

    async def answer_callback(self, update: Update) -> None:
        self.answered.append(update.update_id)


async def test_poller_never_advances_past_an_uncommitted_update() -> None:
    flaky = _Flaky()
    stopping = asyncio.Event()
    stopping.set()  # so the pause after a failure does not sleep in this test
    poller = polling.Poller(flaky, stopping)  # type: ignore[arg-type]
    updates = [Update(update_id=i) for i in (1, 2, 3, 4)]
    await poller.handle(updates)
    assert poller.offset == 3  # 3 failed: it and 4 come again
    await poller.handle(updates[2:])
    assert poller.offset == 5
    assert flaky.seen == [1, 2, 4, 3, 4]  # 4 twice: the engine's dedupe drops the repeat


async def test_api_base_url_with_token_placeholder(
    fake_telegram: FakeTelegram, db_path: Path
) -> None:
    settings = settings_for(
        fake_telegram, db_path, telegram_api_base_url=fake_telegram.url + "/bot{token}"
    )
    async with tg.make_bot(settings) as bot:
        assert (await bot.get_me()).username == "MigrasiAmanTestBot"
    assert tg.configured(settings)
    assert not tg.configured(settings_for(fake_telegram, db_path, telegram_bot_token=""))
