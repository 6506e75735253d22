"""Tests of the fake Bot API, driven by the real python-telegram-bot over loopback HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import (
    BOT_ID,
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

# Registers the fixtures when run alone; a no-op once the root conftest lists the plugin.
pytest_plugins = ["tests.fakes.telegram"]

CHAT = 6281234567  # private chat: chat id == user id


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # Opt in to PTB 22's timedelta periods (RetryAfter.retry_after, Voice.duration): the int
    # form is deprecated and warns on every access.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with fake_telegram.bot() as bot:
        yield bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"b{i}", callback_data=d)] for i, d in enumerate(data)]
    )


# -- identity, sending, recording ---------------------------------------------------------------


async def test_initialize_calls_get_me(fake_telegram: FakeTelegram) -> None:
    # Plain PTB, no helpers: just the token and base_url.
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        assert bot.id == BOT_ID
        assert bot.username == "MigrasiAmanTestBot"
    assert [c.method for c in fake_telegram.calls] == ["getMe"]


async def test_send_message_records_inline_keyboard_as_json(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    message = await bot.send_message(CHAT, "Pilih:", reply_markup=keyboard("lang:id", "lang:en"))
    again = await bot.send_message(CHAT, "Lagi")

    assert again.message_id > message.message_id
    assert message.chat.id == CHAT and message.chat.type == "private"
    assert message.from_user.id == BOT_ID
    assert message.text == "Pilih:"
    assert message.reply_markup.inline_keyboard[1][0].callback_data == "lang:en"
    assert isinstance(message.date, dtm.datetime)
    [first, second] = fake_telegram.sent(CHAT)
    assert first["chat_id"] == CHAT  # decoded from the form's JSON, an int again
    assert first["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "b0", "callback_data": "lang:id"}],
            [{"text": "b1", "callback_data": "lang:en"}],
        ]
    }
    assert second["text"] == "Lagi"
    assert fake_telegram.sent(CHAT + 1) == []


async def test_string_params_stay_strings(fake_telegram: FakeTelegram, bot: Bot) -> None:
    # A user answering a numbered menu: "1" must not come back as the int 1.
    await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT, "true")
    assert fake_telegram.sent_texts(CHAT) == ["1", "true"]


async def test_reply_keyboard_with_location_request(fake_telegram: FakeTelegram, bot: Bot) -> None:
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("Kirim lokasi", request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    message = await bot.send_message(CHAT, "Di mana Anda?", reply_markup=markup)

    assert message.reply_markup is None  # Telegram echoes only inline keyboards
    [sent] = fake_telegram.sent(CHAT)
    assert sent["reply_markup"]["keyboard"] == [
        [{"text": "Kirim lokasi", "request_location": True}]
    ]
    assert sent["reply_markup"]["resize_keyboard"] is True


async def test_other_methods(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_chat_action(CHAT, "typing")
    await bot.set_my_commands([("start", "Mulai"), ("bantuan", "Bantuan")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "bantuan"]
    message = await bot.send_message(CHAT, "Hapus saya")
    assert await bot.delete_message(CHAT, message.message_id) is True
    chat = await bot.get_chat(CHAT)
    assert chat.id == CHAT and chat.type == "private"
    venue = await bot.send_venue(CHAT, -6.2, 106.8, "BP3MI Jakarta", "Jl. Contoh 1")
    assert venue.venue.title == "BP3MI Jakarta"
    contact = await bot.send_contact(CHAT, "+62211500", "Hotline")
    assert contact.contact.phone_number == "+62211500"
    photo = await bot.send_photo(CHAT, b"\x89PNG fake bytes", caption="Poster")
    assert photo.photo[-1].width == 1280
    [call] = fake_telegram.calls_to("sendPhoto")
    assert call.params["caption"] == "Poster"
    assert call.params["photo"]["size"] == len(b"\x89PNG fake bytes")  # multipart upload
    assert [c.method for c in fake_telegram.calls][:3] == [
        "getMe",
        "sendChatAction",
        "setMyCommands",
    ]


async def test_edit_message_text_and_markup(fake_telegram: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "Pilih:", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("Terpilih: a", CHAT, message.message_id)
    assert edited.text == "Terpilih: a" and edited.edit_date is not None
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Terpilih: a", CHAT, message.message_id)
    edited = await bot.edit_message_reply_markup(
        CHAT, message.message_id, reply_markup=keyboard("b")
    )
    assert edited.reply_markup.inline_keyboard[0][0].callback_data == "b"
    # A message the fake never sent (from a built callback update) can be edited too.
    other = await bot.edit_message_text("ok", CHAT, 999_999)
    assert other.message_id == 999_999


# -- errors and failure injection --------------------------------------------------------------


async def test_429_raises_retry_after_then_succeeds(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail("sendMessage", 429, retry_after=3)

    with pytest.raises(RetryAfter) as info:
        await bot.send_message(CHAT, "Halo")
    assert info.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(CHAT, "Halo")

    assert fake_telegram.sent_texts() == ["Halo"]
    attempts = fake_telegram.calls_to("sendMessage")
    assert [c.status for c in attempts] == [429, 200]


async def test_403_raises_forbidden(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail("sendMessage", 403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "Halo")
    await bot.send_message(CHAT, "Halo")
    assert len(fake_telegram.sent()) == 1


async def test_block_until_unblocked(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.block(CHAT)
    for _ in range(3):
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "Halo")
    await bot.send_message(CHAT + 1, "Orang lain")  # other chats unaffected
    fake_telegram.unblock(CHAT)
    await bot.send_message(CHAT, "Halo lagi")
    assert fake_telegram.sent_texts(CHAT) == ["Halo lagi"]


async def test_500_raises_network_error(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail("sendMessage", 500)
    with pytest.raises(NetworkError) as info:
        await bot.send_message(CHAT, "Halo")
    assert not isinstance(info.value, TimedOut | BadRequest)
    await bot.send_message(CHAT, "Halo")


async def test_failures_are_consumed_in_order_and_per_chat(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    fake_telegram.fail("sendMessage", 429, retry_after=1, times=2)
    fake_telegram.fail("sendMessage", 500)
    fake_telegram.fail("sendMessage", 403, chat_id=CHAT + 1)

    for _ in range(2):
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(CHAT, "x")
        assert info.value.retry_after == dtm.timedelta(seconds=1)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT, "x")
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT + 1, "x")
    await bot.send_message(CHAT + 1, "x")


async def test_fail_any_method_and_forever(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail("*", 502, times=None)
    for _ in range(3):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_chat(CHAT)
    fake_telegram.reset()
    await bot.get_chat(CHAT)


async def test_text_validation(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "  ")
    assert len(fake_telegram.sent()) == 1
    assert [c.status for c in fake_telegram.calls_to("sendMessage")] == [200, 400, 400]


async def test_callback_data_limit_is_in_bytes(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "too long", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "33 chars, 66 bytes", reply_markup=keyboard("é" * 33))


async def test_parse_mode_errors(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "<b>Penting</b> &lt;3", parse_mode=ParseMode.HTML)
    await bot.send_message(
        CHAT,
        r"*Biaya* Rp 1\.500\.000 [info](https://bp2mi.go.id)",
        parse_mode=ParseMode.MARKDOWN_V2,
    )
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "gaji <5 juta", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "<b>tebal", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved"):
        await bot.send_message(CHAT, "Rp 1.500.000", parse_mode=ParseMode.MARKDOWN_V2)
    await bot.send_message(CHAT, "Rp 1.500.000 <5 juta")  # plain text: anything goes


async def test_unknown_method_and_bad_token(fake_telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendCarrierPigeon", {"chat_id": CHAT})
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot(
            "1:wrong-token", base_url=fake_telegram.base_url, request=fake_telegram.request()
        ):
            pass
    async with httpx.AsyncClient(base_url=fake_telegram.url) as client:
        response = await client.post(f"/bot{fake_telegram.token}/fooBar")
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        response = await client.post("/bot1:wrong/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_json_body_and_get(fake_telegram: FakeTelegram) -> None:
    async with httpx.AsyncClient(base_url=f"{fake_telegram.base_url}{fake_telegram.token}") as c:
        response = await c.post("/sendMessage", json={"chat_id": CHAT, "text": "dari JSON"})
        assert response.json()["result"]["text"] == "dari JSON"
        response = await c.get("/getMe")
        assert response.json()["result"]["id"] == BOT_ID
        response = await c.get("/sendmessage", params={"chat_id": CHAT, "text": "7"})
        assert response.json()["ok"] is True  # method names are case-insensitive
    assert fake_telegram.sent_texts() == ["dari JSON", "7"]


async def test_flood_control_and_timing(fake_telegram: FakeTelegram, bot: Bot) -> None:
    for text in ("a", "b", "c"):
        await bot.send_message(CHAT, text)
    calls = fake_telegram.calls_to("sendMessage")
    assert [c.at for c in calls] == sorted(c.at for c in calls)
    assert fake_telegram.peak_rate(1.0, chat_id=CHAT) == 3
    assert fake_telegram.peak_rate(0.0) == 0

    fake_telegram.reset()
    fake_telegram.flood_control(per_chat=1, overall=2, window=0.3, retry_after=0.3)
    await bot.send_message(CHAT, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "b")
    await bot.send_message(CHAT + 1, "c")
    with pytest.raises(RetryAfter):  # overall limit
        await bot.send_message(CHAT + 2, "d")
    await asyncio.sleep(0.3)
    await bot.send_message(CHAT, "b")
    assert fake_telegram.peak_rate(0.3, chat_id=CHAT) == 1


async def test_wait_sent_reports_what_was_sent(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "Selamat datang")
    fake_telegram.fail("sendMessage", 403, chat_id=CHAT + 1)
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT + 1, "Halo")
    assert len(await fake_telegram.wait_sent(1, chat_id=CHAT)) == 1
    with pytest.raises(AssertionError) as info:
        await fake_telegram.wait_sent(2, timeout=0.05)
    report = str(info.value)
    assert "expected at least 2 successful sendMessage within 0.05s, got 1" in report
    assert "Selamat datang" in report
    assert "sendMessage 403" in report


def test_wait_sent_sync(fake_telegram: FakeTelegram) -> None:
    def send_later() -> None:
        time.sleep(0.05)
        httpx.post(
            f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage",
            data={"chat_id": str(CHAT), "text": "dari thread"},
        )

    thread = threading.Thread(target=send_later)
    thread.start()
    [sent] = fake_telegram.wait_sent_sync(1, chat_id=CHAT, timeout=2)
    thread.join()
    assert sent == {"chat_id": CHAT, "text": "dari thread"}
    with pytest.raises(AssertionError, match="got 0"):
        fake_telegram.wait_sent_sync(1, chat_id=CHAT + 1, timeout=0.02)


async def test_reset_clears_everything(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/tg")
    fake_telegram.fail("sendMessage", 500, times=None)
    fake_telegram.block(CHAT)
    fake_telegram.push_update(text_update(CHAT, "halo"))
    fake_telegram.reset()
    assert fake_telegram.calls == [] and fake_telegram.pending_updates() == []
    assert fake_telegram.webhook is None
    await bot.send_message(CHAT, "ok")
    assert await bot.get_updates() == ()


# -- webhook ----------------------------------------------------------------------------------


async def test_webhook(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook(
        "https://bot.example.org/telegram", secret_token="s3cret_-X", allowed_updates=["message"]
    )
    assert fake_telegram.webhook.url == "https://bot.example.org/telegram"
    assert fake_telegram.webhook.secret_token == "s3cret_-X"
    assert fake_telegram.webhook_headers()["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_-X"
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org/telegram"
    assert info.allowed_updates == ("message",)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL"):
        await bot.set_webhook("http://bot.example.org/telegram")
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://bot.example.org/telegram", secret_token="no spaces")
    await bot.delete_webhook()
    assert fake_telegram.webhook is None
    assert (await bot.get_webhook_info()).url == ""


# -- getUpdates -------------------------------------------------------------------------------


async def test_get_updates_offset_and_limit(fake_telegram: FakeTelegram, bot: Bot) -> None:
    ids = [fake_telegram.push_update(text_update(CHAT, f"m{i}")) for i in range(4)]
    assert ids == sorted(ids)

    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    # offset confirms everything below it, for good
    assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]
    with pytest.raises(ValueError, match="below the confirmed offset"):
        fake_telegram.push_update(text_update(CHAT, "late", update_id=ids[0]))
    # negative offset: only the last -offset updates, older ones forgotten
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates()] == ids[3:]
    assert await bot.get_updates(offset=ids[3] + 1) == ()
    assert fake_telegram.pending_updates() == []


async def test_get_updates_allowed_updates(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.push_update(text_update(CHAT, "halo"))
    callback_id = fake_telegram.push_update(callback_update(CHAT, "ya"))
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.update_id for u in updates] == [callback_id]


async def test_long_poll_holds_then_wakes_on_push(fake_telegram: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=30) == ()
    held = time.monotonic() - started
    assert 0.4 <= held < 1.5, held

    loop = asyncio.get_running_loop()
    loop.call_later(0.1, fake_telegram.push_update, text_update(CHAT, "bangun"))
    started = time.monotonic()
    [update] = await bot.get_updates(timeout=30)
    assert update.message.text == "bangun"
    assert time.monotonic() - started < 0.4

    started = time.monotonic()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert time.monotonic() - started < 0.2


async def test_stale_long_poll_does_not_leak_into_next_test(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    stale = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.05)  # the poll is now held by the server
    fake_telegram.reset()  # what the fixture does between tests
    update_id = fake_telegram.push_update(text_update(CHAT, "untuk tes berikutnya"))
    started = time.monotonic()
    assert await stale == ()
    assert time.monotonic() - started < 0.3  # reset woke it
    assert fake_telegram.calls == []
    assert [u["update_id"] for u in fake_telegram.pending_updates()] == [update_id]


async def test_webhook_mode_application(fake_telegram: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Anda menulis: {update.message.text}")

    app = fake_telegram.application_builder().updater(None).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        # What our webhook endpoint does with the POSTed JSON.
        await app.update_queue.put(Update.de_json(text_update(CHAT, "halo"), app.bot))
        [reply] = await fake_telegram.wait_sent(1, chat_id=CHAT)
        await app.stop()
    assert reply["text"] == "Anda menulis: halo"


async def test_in_process_without_socket(fake_telegram: FakeTelegram) -> None:
    bot = Bot(
        fake_telegram.token,
        base_url="http://telegram.invalid/bot",  # never resolved: the transport is in-process
        request=fake_telegram.asgi_request(),
        get_updates_request=fake_telegram.asgi_request(),
    )
    async with bot:
        fake_telegram.push_update(text_update(CHAT, "halo"))
        [update] = await bot.get_updates(timeout=5)
        await bot.send_message(update.effective_chat.id, "Halo juga")
    assert fake_telegram.sent_texts(CHAT) == ["Halo juga"]


async def test_polling_application_end_to_end(fake_telegram: FakeTelegram) -> None:
    seen: list[str] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(f"start:{','.join(context.args)}")
        await update.effective_chat.send_message(
            "Selamat datang!", reply_markup=keyboard("lang:id")
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        seen.append(f"button:{query.data}")
        await query.answer("Tersimpan")
        await query.edit_message_text("Bahasa: Indonesia")

    async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        loc = update.message.location
        seen.append(f"location:{loc.latitude},{loc.longitude}")
        await update.message.reply_text("Lokasi diterima")

    async def forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(f"forwarded:{update.message.forward_origin.type}")
        await update.message.reply_text("Pesan terusan diterima")

    # Plain PTB configuration (fake_telegram.application_builder() would also set fast requests).
    app = ApplicationBuilder().token(fake_telegram.token).base_url(fake_telegram.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.LOCATION, location))
    app.add_handler(MessageHandler(filters.FORWARDED, forwarded))

    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        try:
            fake_telegram.push_update(command_update(CHAT, "/start", "ref_abc"))
            [welcome] = await fake_telegram.wait_sent(1, chat_id=CHAT)
            assert welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "lang:id"
            message_id = fake_telegram.calls_to("sendMessage")[0].result["message_id"]

            fake_telegram.push_update(callback_update(CHAT, "lang:id", message_id=message_id))
            [edit] = await fake_telegram.wait_calls("editMessageText")
            assert edit.params["message_id"] == message_id

            fake_telegram.push_update(location_update(CHAT, -6.3271, 108.3232))
            fake_telegram.push_update(
                forwarded_update(CHAT, "Lowongan kerja Malaysia, gaji 10 juta")
            )
            await fake_telegram.wait_sent(3, chat_id=CHAT)
        finally:
            await app.updater.stop()
            await app.stop()

    assert seen == [
        "start:ref_abc",
        "button:lang:id",
        "location:-6.3271,108.3232",
        "forwarded:hidden_user",
    ]
    [answer] = fake_telegram.answered_callbacks()
    assert answer["text"] == "Tersimpan" and answer["callback_query_id"]
    assert fake_telegram.calls_to("deleteWebhook")  # start_polling clears any webhook first
    # updater.stop() confirmed the last batch with a non-blocking getUpdates
    last_poll = fake_telegram.calls_to("getUpdates")[-1]
    assert last_poll.params["timeout"] == 0 and last_poll.ok
    assert fake_telegram.pending_updates() == []


# -- builders ---------------------------------------------------------------------------------


_OFFLINE = FakeTelegram()  # never served: only lends its token and request objects
_OFFLINE_BOT = Bot(
    _OFFLINE.token, request=_OFFLINE.request(), get_updates_request=_OFFLINE.request()
)


def _parse(data: dict[str, Any]) -> Update:
    return Update.de_json(data, _OFFLINE_BOT)


def test_text_update() -> None:
    update = _parse(text_update(CHAT, "Halo", first_name="Dewi", language_code="jv"))
    assert update.message.text == "Halo"
    assert update.effective_chat.id == update.effective_user.id == CHAT
    assert update.effective_chat.type == "private"
    assert update.effective_user.first_name == "Dewi"
    assert update.effective_user.language_code == "jv"
    assert update.effective_user.is_bot is False


def test_builders_assign_increasing_ids() -> None:
    first, second = text_update(CHAT, "a"), text_update(CHAT, "b")
    assert second["update_id"] > first["update_id"]
    assert second["message"]["message_id"] > first["message"]["message_id"]
    assert text_update(CHAT, "c", update_id=5, user_id=7)["update_id"] == 5


def test_command_update() -> None:
    update = _parse(command_update(CHAT, "start", "ref_abc"))
    assert update.message.text == "/start ref_abc"
    [entity] = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)


def test_callback_update() -> None:
    markup = keyboard("lang:id").to_dict()
    update = _parse(callback_update(CHAT, "lang:id", message_id=77, reply_markup=markup))
    query = update.callback_query
    assert query.data == "lang:id" and query.id and query.chat_instance
    assert query.from_user.id == CHAT
    assert query.message.message_id == 77 and query.message.from_user.id == BOT_ID
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "lang:id"
    assert update.effective_chat.id == CHAT


def test_location_update() -> None:
    location = _parse(location_update(CHAT, 3.139, 101.6869)).message.location
    assert (location.latitude, location.longitude) == (3.139, 101.6869)


def test_forwarded_update_origins() -> None:
    hidden = _parse(forwarded_update(CHAT, "Lowongan")).message
    assert hidden.text == "Lowongan"
    assert hidden.forward_origin.type == "hidden_user"
    assert hidden.forward_origin.sender_user_name == "Agen PT Maju Jaya"
    visible = _parse(forwarded_update(CHAT, "x", sender_user_id=99, sender_name="Budi")).message
    assert visible.forward_origin.type == "user"
    assert visible.forward_origin.sender_user.first_name == "Budi"
    channel = _parse(forwarded_update(CHAT, "x", channel_title="Info Kerja LN")).message
    assert channel.forward_origin.type == "channel"
    assert channel.forward_origin.chat.title == "Info Kerja LN"
    assert filters.FORWARDED.check_update(_parse(forwarded_update(CHAT, "x")))


def test_media_updates() -> None:
    photo = _parse(photo_update(CHAT, caption="Paspor")).message
    assert photo.caption == "Paspor" and len(photo.photo) == 3 and photo.photo[-1].file_id
    voice = _parse(voice_update(CHAT, duration=7)).message.voice
    assert voice.duration == dtm.timedelta(seconds=7)
    sticker = _parse(sticker_update(CHAT, emoji="👍")).message.sticker
    assert sticker.emoji == "👍" and sticker.type == "regular"
    assert filters.PHOTO.check_update(_parse(photo_update(CHAT)))
    assert filters.VOICE.check_update(_parse(voice_update(CHAT)))
    assert filters.Sticker.ALL.check_update(_parse(sticker_update(CHAT)))
