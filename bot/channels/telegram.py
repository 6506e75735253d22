"""The Telegram channel: Bot API updates ↔ Inbound, outbox rows → Bot API messages.

Two ways in, one path:

- **Webhook** (`POST /telegram`, `migrasi-aman serve`): Telegram POSTs each update with the
  secret token we registered in the `X-Telegram-Bot-Api-Secret-Token` header. We check it,
  parse the update, and await `engine.handle` — dedupe on `update_id`, handle, COMMIT, a few
  milliseconds — and only then answer 200. Nothing is sent while the request is open: replies
  are outbox rows, and the dispatcher sends them. So a crash before the commit leaves the
  update unacknowledged and Telegram delivers it again (nothing lost); a crash after the commit
  but before the 200 makes that redelivery a duplicate, which the dedupe drops (nothing
  doubled).
- **Long polling** (`migrasi-aman telegram-poll`, bot/polling.py): the same, with getUpdates. The
  offset that confirms an update to Telegram is advanced only after the update is committed,
  so the same reasoning holds; the last offset is confirmed on a clean stop.

A pressed inline button is answered (answerCallbackQuery, so the client's spinner stops) right
after the press is committed: in webhook mode as the method call in the 200's JSON body
(Telegram runs it; one Bot API call fewer per press), by a call when polling.

Every field we read is type-checked before PTB's de_json sees it (`check_update`): a number
where a text belongs, a NaN or infinite coordinate, a boolean id is answered 400 and nothing
is stored. Names are cleaned for display (bot/display.py) on the way in.

Rendering: plain text, never a parse_mode, so nothing a person or an article writes can break
formatting; long text is split under Telegram's 4096 characters; choices become an inline
keyboard (one button per row, callback_data = the choice key) on the last part; a request for a
location becomes a one-time reply keyboard with a "share my location" button. A channel never
decides what to say: every word comes from the Reply or the catalogs.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import functools
import hmac
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import BaseRequest, RequestData

# PTB's own parameter type (not in telegram.request's __all__): a request built from it is
# what PTB's Bot methods build. tests/channels/test_http.py checks the two stay identical.
from telegram.request._requestparameter import RequestParameter

from bot import display
from bot.capabilities import Capabilities
from bot.channels import register
from bot.channels.base import ChannelModule, adapter_of
from bot.channels.http import AiohttpRequest, is_loopback
from bot.config import Settings
from bot.engine import Engine, Handled
from bot.i18n import _, use_locale
from bot.messages import Inbound, Location, Outgoing, Reply
from bot.outbox import Attempt, Limits, SendError, Sent
from bot.render import numbered, split_text

# Opt in to PTB 22's timedelta periods: the int form is deprecated and warns on every access
# (RetryAfter.retry_after, Voice.duration, …). PTB reads the variable when a period is read,
# so setting it at import is early enough.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "telegram"

MAX_TEXT = 4096  # characters per message
MAX_CALLBACK_DATA = 64  # bytes of UTF-8
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The largest update we accept (bot/web.py answers 413 above it, before reading it): a 4096-
# character message with entities, a reply and a forward is a few tens of KB.
MAX_UPDATE_BYTES = 256 * 1024
# Above this an update is parsed in a worker thread, not on the event loop.
PARSE_INLINE_BYTES = 32 * 1024
# What we ask Telegram for, in both modes. Edited messages, channel posts, reactions, member
# changes… are never delivered, so they never cost a request.
ALLOWED_UPDATES: tuple[str, ...] = ("message", "callback_query")

# Message content we cannot read, named as Inbound.media says it. Order matters: an animation
# message also carries a `document`.
_MEDIA_KINDS = (
    "photo",
    "voice",
    "video_note",
    "video",
    "animation",
    "audio",
    "sticker",
    "document",
    "contact",
    "dice",
    "game",
    "story",
)


# --------------------------------------------------------------------------------------------
# The channel (bot/channels/base.py)
# --------------------------------------------------------------------------------------------


def configured(settings: Settings) -> bool:
    return bool(settings.telegram_bot_token)


def limits(settings: Settings) -> Limits:
    # The outbox defaults are Telegram's: ~30 messages/s per bot, evenly spaced, and ~1/s per
    # chat after a short burst (3, so a reply in three parts arrives together).
    return Limits()


def make_bot(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Bot:
    """A PTB Bot for the configured token and API base URL (`{token}` placeholder or appended),
    sending over aiohttp (bot/channels/http.py says why)."""
    trust_env = not is_loopback(settings.telegram_api_base_url)
    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        # The dispatcher sends to several people at once and answers callbacks meanwhile.
        request=request
        or AiohttpRequest(connection_pool_size=32, pool_timeout=5.0, trust_env=trust_env),
        # One long poll at a time; PTB adds the poll's timeout to this read timeout.
        get_updates_request=get_updates_request
        or AiohttpRequest(connection_pool_size=1, trust_env=trust_env),
    )


@dataclass
class TelegramAdapter:
    """What the web app and the poller hold for Telegram: the Bot, the sender, the engine."""

    bot: Bot
    sender: TelegramSender
    engine: Engine

    async def receive(self, update: Update | Inbound, *, checked: bool = False) -> Handled | None:
        """Hand one update to the engine; returns once it is committed (None: ignored kind,
        or a malformed update from getUpdates, which is confirmed and dropped: asking for it
        again would bring the same fields). `checked`: the webhook has already checked it
        (and hands a plain text message over as its Inbound, `parse_webhook`)."""
        if isinstance(update, Inbound):
            return await self.engine.handle(update)
        if not checked:
            try:
                check_update(update.to_dict())
            except MalformedUpdate as exc:
                log.warning("dropped a malformed Telegram update %s: %s", update.update_id, exc)
                return None
        inbound = to_inbound(update)
        if inbound is None:
            return None
        return await self.engine.handle(inbound)

    async def answer_callback(self, update: Update) -> None:
        """Stop the button's spinner. Best effort: a lost answer only leaves a spinner."""
        query = update.callback_query
        if query is None:
            return
        try:
            await self.bot.answer_callback_query(query.id)
        except TelegramError as exc:  # e.g. "query is too old" after a long outage
            log.info("answerCallbackQuery %s failed: %s", query.id, exc)


@asynccontextmanager
async def adapter(
    settings: Settings, engine: Engine, *, bot: Bot | None = None
) -> AsyncIterator[TelegramAdapter]:
    """The Telegram side of a running system. A `bot` passed in stays the caller's to close."""
    owned = bot is None
    bot = bot or make_bot(settings)
    try:
        await bot.initialize()
    except InvalidToken:
        raise
    except TelegramError as exc:
        # Telegram unreachable at start-up must not keep the web app (and WhatsApp) down: the
        # request objects are ready, sends retry through the outbox.
        log.warning("Telegram getMe failed at start-up (%s); continuing", exc)
    try:
        yield TelegramAdapter(bot=bot, sender=TelegramSender(bot), engine=engine)
    finally:
        if owned:
            await bot.shutdown()


def routes(settings: Settings) -> list[Route]:
    return [Route("/telegram", _webhook_endpoint(settings), methods=["POST"])]


def body_limits(settings: Settings) -> dict[str, int]:
    """The largest request body each route accepts (bot/web.py answers 413 above it)."""
    return {"/telegram": MAX_UPDATE_BYTES}


# --------------------------------------------------------------------------------------------
# Inbound: the wire → Update → Inbound
# --------------------------------------------------------------------------------------------


class MalformedUpdate(ValueError):
    """An update that is not what the Bot API sends: answered 400, nothing stored."""


def _need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *, where: str) -> Any:
    value = obj.get(key)
    if value is None:
        raise MalformedUpdate(f"{where}.{key} missing")
    _check(value, kind, f"{where}.{key}")
    return value


def _may(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *, where: str) -> Any:
    value = obj.get(key)
    if value is not None:
        _check(value, kind, f"{where}.{key}")
    return value


def _check(value: Any, kind: type | tuple[type, ...], where: str) -> None:
    # bool is an int to Python; to the Bot API a `true` where a number belongs is a forgery.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise MalformedUpdate(f"{where} is a boolean")
    if not isinstance(value, kind):
        raise MalformedUpdate(f"{where} is {type(value).__name__}")


def _check_user(user: Mapping[str, Any], where: str) -> None:
    _need(user, "id", int, where=where)
    _need(user, "first_name", str, where=where)
    _may(user, "language_code", str, where=where)
    _may(user, "is_bot", bool, where=where)


def _check_chat(chat: Mapping[str, Any], where: str) -> None:
    _need(chat, "id", int, where=where)
    _need(chat, "type", str, where=where)


def _coordinate(obj: Mapping[str, Any], key: str, bound: float, where: str) -> None:
    value = _need(obj, key, (int, float), where=where)
    # NaN fails every comparison, ±Infinity the bound: neither is a place.
    if not -bound <= value <= bound:
        raise MalformedUpdate(f"{where}.{key} {value!r} is not a coordinate")


def _check_message(message: Mapping[str, Any], where: str) -> None:
    _need(message, "message_id", int, where=where)
    _check_chat(_need(message, "chat", dict, where=where), f"{where}.chat")
    if (user := _may(message, "from", dict, where=where)) is not None:
        _check_user(user, f"{where}.from")
    _may(message, "text", str, where=where)
    _may(message, "caption", str, where=where)
    _may(message, "forward_origin", dict, where=where)
    if (location := _may(message, "location", dict, where=where)) is not None:
        _coordinate(location, "latitude", 90.0, f"{where}.location")
        _coordinate(location, "longitude", 180.0, f"{where}.location")
    if (venue := _may(message, "venue", dict, where=where)) is not None:
        _may(venue, "title", str, where=f"{where}.venue")
    for kind in _MEDIA_KINDS:
        _may(message, kind, list if kind == "photo" else dict, where=where)


def check_update(data: Any) -> None:
    """Raise MalformedUpdate unless every field we read has the Bot API's type: an object, an
    integer update_id, and in a message or a button press the ids, texts, names and
    coordinates (finite, on the globe). PTB's de_json trusts its input (a number as `text`
    reached the handlers and crashed them; NaN coordinates were stored)."""
    if not isinstance(data, dict):
        raise MalformedUpdate("not an object")
    update_id = _need(data, "update_id", int, where="update")
    if update_id < 0:
        raise MalformedUpdate("update.update_id is negative")
    if (query := _may(data, "callback_query", dict, where="update")) is not None:
        _need(query, "id", str, where="callback_query")
        _check_user(_need(query, "from", dict, where="callback_query"), "callback_query.from")
        _may(query, "data", str, where="callback_query")
        _may(query, "game_short_name", str, where="callback_query")
        if (message := _may(query, "message", dict, where="callback_query")) is not None:
            _need(message, "message_id", int, where="callback_query.message")
            _check_chat(
                _need(message, "chat", dict, where="callback_query.message"),
                "callback_query.message.chat",
            )
    if (message := _may(data, "message", dict, where="update")) is not None:
        _check_message(message, "message")


def checked_json(body: bytes) -> dict[str, Any]:
    """The request body as checked JSON (MalformedUpdate if it is not an update)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested 100,000 deep
        raise MalformedUpdate(f"not JSON: {exc}") from None
    check_update(data)
    return data  # type: ignore[no-any-return]


def _update_of(data: dict[str, Any], bot: Bot) -> Update:
    try:
        return Update.de_json(data, bot)
    except Exception as exc:  # a kind we never read, shaped wrongly: still the sender's fault
        raise MalformedUpdate(f"{type(exc).__name__}: {exc}") from None


def parse_webhook(body: bytes, bot: Bot) -> Update | Inbound | None:
    """What the webhook hands on: a plain text message as its Inbound (None: one we ignore),
    read from the JSON; any other update as PTB's Update."""
    data = checked_json(body)
    inbound = plain_text_inbound(data)
    if inbound is NOT_PLAIN:
        return _update_of(data, bot)
    return inbound  # type: ignore[return-value]


# The keys of a plain text message, the most common update by far. Such an update is read
# straight from its checked JSON (`plain_text_inbound`); anything else (a button, a
# location, media, a forward, a reply, an edit…) goes through PTB's Update.de_json.
_PLAIN_UPDATE = frozenset({"update_id", "message"})
_PLAIN_MESSAGE = frozenset({"message_id", "from", "chat", "date", "text", "entities"})
_PLAIN_USER = frozenset(
    {"id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium"}
)
_PLAIN_CHAT = frozenset({"id", "type", "first_name", "last_name", "username", "title"})
NOT_PLAIN = object()  # what plain_text_inbound answers for any other update


def _plain_entities(entities: Any) -> bool:
    return isinstance(entities, list) and all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and type(e.get("offset")) is int
        and type(e.get("length")) is int
        for e in entities
    )


def plain_text_inbound(data: dict[str, Any]) -> Inbound | object | None:
    """`to_inbound(Update.de_json(data))` for a checked update (`check_update`) that is a plain
    text message, read from the JSON itself; `NOT_PLAIN` for every other update. Building
    PTB's Update and Message was most of a text update's cost in the webhook (~0.5 ms, ten
    times the checks), and the engine reads five fields of it."""
    if data.keys() - _PLAIN_UPDATE:
        return NOT_PLAIN
    message = data.get("message")
    if message is None or message.keys() - _PLAIN_MESSAGE:
        return NOT_PLAIN
    chat, user, text = message["chat"], message.get("from"), message.get("text")
    if chat.keys() - _PLAIN_CHAT or (user is not None and user.keys() - _PLAIN_USER):
        return NOT_PLAIN
    if type(message.get("date")) is not int or not isinstance(text, str):
        return NOT_PLAIN
    if "entities" in message and not _plain_entities(message["entities"]):
        return NOT_PLAIN
    if chat["type"] != "private" or not text:
        return None  # as to_inbound: groups are never answered, an empty text is nothing
    if text.startswith("/"):
        text = _strip_bot_name(text)
    return Inbound(
        channel=CHANNEL,
        address=str(chat["id"]),
        external_id=str(data["update_id"]),
        text=text,
        locale_hint=user.get("language_code") if user is not None else None,
        display_name=display.name(user["first_name"]) if user is not None else None,
    )


def to_inbound(update: Update) -> Inbound | None:
    """The update as the engine reads it, or None for kinds we acknowledge and ignore (edits,
    service messages, group chats, …)."""
    external_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        if not query.data:  # a game button: nothing of ours
            return None
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != chat.PRIVATE:
            return None
        user = query.from_user
        return Inbound(
            channel=CHANNEL,
            address=str(chat.id if chat is not None else user.id),
            external_id=external_id,
            text="",
            choice=query.data,
            locale_hint=user.language_code,
            display_name=display.name(user.first_name),
        )

    message = update.message  # update.edited_message and every other kind: ignored
    if message is None:
        return None
    # Conversations hold personal data (reports!): answer in private chats only, never in a
    # group where everybody would read it.
    if message.chat.type != message.chat.PRIVATE:
        return None
    user = message.from_user
    text = message.text or message.caption or ""
    if message.text and message.text.startswith("/"):
        text = _strip_bot_name(text)
    location = None
    if message.location is not None:
        location = Location(
            lat=message.location.latitude,
            lon=message.location.longitude,
            label=display.name(message.venue.title) if message.venue is not None else None,
        )
    media = next((kind for kind in _MEDIA_KINDS if getattr(message, kind, None)), None)
    if not text and location is None and media is None:
        return None  # a service message (pinned, chat photo changed, …)
    return Inbound(
        channel=CHANNEL,
        address=str(message.chat.id),
        external_id=external_id,
        text=text,
        location=location,
        locale_hint=user.language_code if user is not None else None,
        display_name=display.name(user.first_name) if user is not None else None,
        forwarded=message.forward_origin is not None,
        media=media,
    )


def _strip_bot_name(text: str) -> str:
    # "/menu@MigrasiAmanBot payload" (command menus, links) → "/menu payload": the intents
    # match the bare command.
    command, sep, rest = text.partition(" ")
    if "@" in command:
        command = command.split("@", 1)[0]
    return command + sep + rest


# --------------------------------------------------------------------------------------------
# Outbound: Outgoing → Bot API messages
# --------------------------------------------------------------------------------------------

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
_REMOVE = ReplyKeyboardRemove()


@dataclass(frozen=True)
class Part:
    """One Bot API message of a rendered Reply."""

    text: str
    markup: Markup | None = None
    # An inline keyboard added by editing the message once sent: one message cannot both
    # remove a reply keyboard and carry inline buttons.
    attach: InlineKeyboardMarkup | None = None


def _fits_callback_data(key: str) -> bool:
    return 1 <= len(key.encode("utf-8")) <= MAX_CALLBACK_DATA


def render(reply: Reply, locale: str, *, reply_keyboard_shown: bool = False) -> list[Part]:
    """The messages that show `reply` on Telegram, in order.

    Keyboards: a message carries at most one markup. Choices go as inline buttons on the last
    part. A location request goes as a one-time reply keyboard — with the choices' labels as
    plain buttons, since the two kinds cannot share a message; the engine matches a typed
    label to its choice. Every other part carries ReplyKeyboardRemove, so a location keyboard
    left open disappears with the next plain message (harmless when none is shown). When the
    reply is a single message with inline buttons and a reply keyboard is known to be showing,
    the message is sent with ReplyKeyboardRemove and the buttons are added by an edit.
    """
    text = reply.text
    keyboard: ReplyKeyboardMarkup | None = None
    inline: InlineKeyboardMarkup | None = None
    if reply.ask_location:
        with use_locale(locale):
            share = _("Share my location")
        rows = [[KeyboardButton(share, request_location=True)]]
        rows += [[KeyboardButton(c.label)] for c in reply.choices]
        keyboard = ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    elif reply.choices:
        if all(_fits_callback_data(c.key) for c in reply.choices):
            inline = InlineKeyboardMarkup(
                [[InlineKeyboardButton(c.label, callback_data=c.key)] for c in reply.choices]
            )
        else:
            # A key Telegram would refuse (BUTTON_DATA_INVALID): numbers work everywhere.
            log.warning("choice key over %d bytes; sending numbered choices", MAX_CALLBACK_DATA)
            text = numbered(reply, locale)
    if not text.strip() and reply.choices:
        text = numbered(reply, locale)  # Telegram refuses an empty text even with buttons
    chunks = split_text(text, MAX_TEXT)
    if not chunks:
        return []
    parts = [Part(chunk, _REMOVE) for chunk in chunks]
    last = chunks[-1]
    if keyboard is not None:
        parts[-1] = Part(last, keyboard)
    elif inline is not None:
        if reply_keyboard_shown and len(parts) == 1:
            parts[-1] = Part(last, _REMOVE, attach=inline)
        else:
            parts[-1] = Part(last, inline)
    return parts


def _chat_id(address: str) -> int | str:
    try:
        return int(address)
    except ValueError:
        return address  # "@channelusername"


def period_seconds(value: int | float | dtm.timedelta) -> float:
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


def send_error(exc: TelegramError) -> SendError:
    """How the outbox should treat a failed Bot API call."""
    message = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        # Telegram's 429 does not say whether the chat's limit or the bot's was hit: no scope,
        # the dispatcher reads it from what it sent to the chat just before.
        return SendError(message, retry_after=period_seconds(exc.retry_after))
    if isinstance(exc, Forbidden):  # blocked, deactivated, never started the bot, kicked
        return SendError(message, blocked=True)
    if isinstance(exc, BadRequest | ChatMigrated):  # BadRequest is a NetworkError: first
        return SendError(message, permanent=True)
    # NetworkError, TimedOut (and 5xx, which PTB reports as NetworkError), Conflict,
    # InvalidToken…: worth another try later.
    return SendError(message)


# sendMessage parameters as PTB puts them on the wire (RequestParameter.json_value:
# json.dumps of the object's to_dict()), encoded once: they are on every message.
# No previews: links in articles and sources cost data on cheap phones.
_NO_PREVIEW_JSON = json.dumps(LinkPreviewOptions(is_disabled=True).to_dict())
_REMOVE_JSON = json.dumps(_REMOVE.to_dict())


def _markup_json(markup: Markup) -> str:
    if markup is _REMOVE:
        return _REMOVE_JSON
    if isinstance(markup, InlineKeyboardMarkup):
        return _inline_json(markup)
    return json.dumps(markup.to_dict())


@functools.lru_cache(maxsize=512)
def _inline_json(markup: InlineKeyboardMarkup) -> str:
    # The same few keyboards (the menu, yes/no, …) go out all day. An inline keyboard's
    # equality is its buttons' every field, so an equal one encodes the same.
    return json.dumps(markup.to_dict())


def send_message_request(chat_id: int | str, part: Part) -> RequestData:
    """The sendMessage request for one part, field for field what `Bot.send_message(chat_id,
    text, reply_markup=…, link_preview_options=no preview)` sends (same names, order and
    encoding), built without PTB's per-call work of filling in ~20 unset arguments' defaults
    and turning each object into JSON again."""
    parameters = [
        RequestParameter("chat_id", chat_id, None),
        RequestParameter("text", part.text, None),
        RequestParameter("link_preview_options", _NO_PREVIEW_JSON, None),
    ]
    if part.markup is not None:
        parameters.append(RequestParameter("reply_markup", _markup_json(part.markup), None))
    return RequestData(parameters)


@dataclass
class TelegramSender:
    bot: Bot
    channel: str = CHANNEL
    # Chats where we last showed a reply keyboard (in memory: after a restart, plain messages'
    # ReplyKeyboardRemove still clean up).
    _reply_keyboards: set[str] = field(default_factory=set)

    async def send(self, message: Outgoing, attempt: Attempt | None = None) -> Sent:
        """Send the parts of `message` not sent by an earlier attempt, each paced by the
        dispatcher (every part counts against Telegram's limits) and recorded once out."""
        attempt = attempt or Attempt(message)
        parts = render(
            message.reply,
            message.locale,
            reply_keyboard_shown=message.address in self._reply_keyboards,
        )
        if not parts:
            log.warning("outbox message %s renders to nothing; not sent", message.id)
            return Sent(None)
        chat_id = _chat_id(message.address)
        sent: dict[str, Any] | None = None
        for index in range(min(attempt.parts_sent, len(parts) - 1), len(parts)):
            part = parts[index]
            try:
                async with attempt.call():
                    sent = await self.send_part(chat_id, part)
            except TelegramError as exc:
                raise send_error(exc) from exc
            if isinstance(part.markup, ReplyKeyboardMarkup):
                self._reply_keyboards.add(message.address)
            elif isinstance(part.markup, ReplyKeyboardRemove):
                self._reply_keyboards.discard(message.address)
            if part.attach is not None:
                await self._attach(sent, part.attach)
            if index < len(parts) - 1:
                await attempt.delivered()
        message_id = sent.get("message_id") if sent is not None else None
        return Sent(provider_id=str(message_id) if message_id is not None else None)

    async def send_part(self, chat_id: int | str, part: Part) -> dict[str, Any]:
        """One sendMessage through PTB's request (its transport, status handling and error
        mapping: RetryAfter, Forbidden, BadRequest, NetworkError, TimedOut…), keeping the
        answer as the Bot API's JSON. What we read of it is the message id; building a
        `Message` from it (PTB's `Message.de_json`) cost more CPU than the HTTP call itself."""
        result = await self.bot.request.post(
            url=f"{self.bot.base_url}/sendMessage",
            request_data=send_message_request(chat_id, part),
        )
        if not isinstance(result, dict):
            # Accepted ("ok": true) but not a message: the send stands, resending would
            # deliver it twice.
            log.warning("sendMessage to %s answered %.200r", chat_id, result)
            return {}
        return result

    async def _attach(self, sent: dict[str, Any], markup: InlineKeyboardMarkup) -> None:
        message_id = sent.get("message_id")
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=sent["chat"]["id"], message_id=message_id, reply_markup=markup
            )
        except (TelegramError, KeyError, TypeError) as exc:
            # The text is delivered; raising would send it again. Typing the number or the
            # label still works without the buttons.
            log.warning("adding buttons to message %s failed: %s", message_id, exc)


# --------------------------------------------------------------------------------------------
# Webhook
# --------------------------------------------------------------------------------------------


def _secret_ok(expected: str, given: str | None) -> bool:
    if not expected or given is None:
        return False  # no secret configured: the route accepts nothing
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _webhook_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def telegram_webhook(request: Request) -> Response:
        # Authenticate before reading a byte of the body.
        if not _secret_ok(settings.telegram_webhook_secret, request.headers.get(SECRET_HEADER)):
            return PlainTextResponse("forbidden", status_code=403)
        tg: TelegramAdapter = adapter_of(request, CHANNEL)
        body = await request.body()  # capped before it is read (bot/web.py, BODY_LIMITS)
        try:
            if len(body) > PARSE_INLINE_BYTES:
                # A big update parses in a worker thread: the loop keeps serving everyone else.
                parsed = await asyncio.to_thread(parse_webhook, body, tg.bot)
            else:
                parsed = parse_webhook(body, tg.bot)
        except MalformedUpdate as exc:  # the sender's fault, never a 500
            log.info("rejected a malformed Telegram update: %s", exc)
            return PlainTextResponse("malformed update", status_code=400)
        update = parsed if isinstance(parsed, Update) else None
        try:
            if parsed is not None:
                await tg.receive(parsed, checked=True)  # committed before we answer
        except Exception:
            # Not committed: a 5xx makes Telegram deliver it again later.
            which = parsed.update_id if isinstance(parsed, Update) else parsed.external_id
            log.exception("Telegram update %s could not be handled", which)
            return PlainTextResponse("try again later", status_code=500)
        query = update.callback_query if update is not None else None
        if query is not None:
            # Stop the button's spinner in the response itself: Telegram runs a method named
            # in a webhook's answer, which saves one Bot API call per press. (Whether it
            # worked is not reported; a lost answer only leaves a spinner.)
            return JSONResponse({"method": "answerCallbackQuery", "callback_query_id": query.id})
        return Response(status_code=200)

    return telegram_webhook


async def set_webhook(settings: Settings, url: str, *, bot: Bot | None = None) -> bool:
    """Register `url` with Telegram, with our secret token and the update kinds we read."""
    if not settings.telegram_webhook_secret:
        raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set: /telegram accepts nothing without")
    async with _bot_for(settings, bot) as b:
        return await b.set_webhook(
            url,
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
        )


@asynccontextmanager
async def _bot_for(settings: Settings, bot: Bot | None) -> AsyncIterator[Bot]:
    if bot is not None:
        yield bot
        return
    async with make_bot(settings) as owned:
        yield owned


channel = register(
    ChannelModule(
        name=CHANNEL,
        capabilities=Capabilities(),
        configured=configured,
        limits=limits,
        adapter=adapter,
        routes=routes,
        body_limits=body_limits,
    )
)

__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "MAX_UPDATE_BYTES",
    "MalformedUpdate",
    "Part",
    "TelegramAdapter",
    "TelegramSender",
    "adapter",
    "body_limits",
    "channel",
    "check_update",
    "configured",
    "limits",
    "make_bot",
    "parse_webhook",
    "plain_text_inbound",
    "render",
    "routes",
    "send_error",
    "set_webhook",
    "to_inbound",
]
