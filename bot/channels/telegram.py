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
- **Long polling** (`migrasi-aman telegram-poll`, `poll()`): the same, with getUpdates. The
  offset that confirms an update to Telegram is advanced only after the update is committed,
  so the same reasoning holds; the last offset is confirmed on a clean stop.

A pressed inline button is answered (answerCallbackQuery, so the client's spinner stops) right
after the press is committed; in webhook mode that happens after the 200 is sent.

Rendering: plain text, never a parse_mode, so nothing a person or an article writes can break
formatting; long text is split under Telegram's 4096 characters; choices become an inline
keyboard (one button per row, callback_data = the choice key) on the last part; a request for a
location becomes a one-time reply keyboard with a "share my location" button. A channel never
decides what to say: every word comes from the Reply or the catalogs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hmac
import json
import logging
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
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
from telegram.request import BaseRequest, HTTPXRequest

from bot.app import System, open_system
from bot.clock import Clock
from bot.config import Settings
from bot.engine import Handled
from bot.i18n import _, use_locale
from bot.messages import Inbound, Location, Outgoing, Reply
from bot.outbox import Dispatcher, Limits, SendError, Sent
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
    "poll",
    "dice",
    "game",
    "story",
)


# --------------------------------------------------------------------------------------------
# Module contract (bot/web.py)
# --------------------------------------------------------------------------------------------


def configured(settings: Settings) -> bool:
    return bool(settings.telegram_bot_token)


def limits(settings: Settings) -> Limits:
    # The outbox defaults are Telegram's: ~30 messages/s per bot, ~1/s per chat (short burst).
    return Limits()


def make_bot(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Bot:
    """A PTB Bot for the configured token and API base URL (`{token}` placeholder or appended)."""
    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        # The dispatcher sends to several people at once and answers callbacks meanwhile.
        request=request or HTTPXRequest(connection_pool_size=32, pool_timeout=5.0),
        # One long poll at a time; PTB adds the poll's timeout to this read timeout.
        get_updates_request=get_updates_request or HTTPXRequest(connection_pool_size=1),
    )


@dataclass
class TelegramAdapter:
    """What the web app and the poller hold for Telegram: the Bot, the sender, the system."""

    bot: Bot
    sender: TelegramSender
    system: System

    async def receive(self, update: Update) -> Handled | None:
        """Hand one update to the engine; returns once it is committed (None: ignored kind)."""
        inbound = to_inbound(update)
        if inbound is None:
            return None
        return await self.system.engine.handle(inbound)

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
    settings: Settings, system: System, *, bot: Bot | None = None
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
        yield TelegramAdapter(bot=bot, sender=TelegramSender(bot), system=system)
    finally:
        if owned:
            await bot.shutdown()


def routes(settings: Settings) -> list[Route]:
    return [Route("/telegram", _webhook_endpoint(settings), methods=["POST"])]


# --------------------------------------------------------------------------------------------
# Inbound: Update → Inbound
# --------------------------------------------------------------------------------------------


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
            display_name=user.first_name,
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
            label=message.venue.title if message.venue is not None else None,
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
        display_name=user.first_name if user is not None else None,
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


def _seconds(value: int | float | dtm.timedelta) -> float:
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


def send_error(exc: TelegramError) -> SendError:
    """How the outbox should treat a failed Bot API call."""
    message = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        return SendError(message, retry_after=_seconds(exc.retry_after))
    if isinstance(exc, Forbidden):  # blocked, deactivated, never started the bot, kicked
        return SendError(message, blocked=True)
    if isinstance(exc, BadRequest | ChatMigrated):  # BadRequest is a NetworkError: first
        return SendError(message, permanent=True)
    # NetworkError, TimedOut (and 5xx, which PTB reports as NetworkError), Conflict,
    # InvalidToken…: worth another try later.
    return SendError(message)


@dataclass
class TelegramSender:
    bot: Bot
    channel: str = CHANNEL
    # Chats where we last showed a reply keyboard (in memory: after a restart, plain messages'
    # ReplyKeyboardRemove still clean up).
    _reply_keyboards: set[str] = field(default_factory=set)
    # Outbox id → parts already delivered, so a retry of a split reply does not repeat them.
    _progress: dict[int, int] = field(default_factory=dict)

    async def send(self, message: Outgoing) -> Sent:
        parts = render(
            message.reply,
            message.locale,
            reply_keyboard_shown=message.address in self._reply_keyboards,
        )
        if not parts:
            log.warning("outbox message %s renders to nothing; not sent", message.id)
            return Sent(None)
        chat_id = _chat_id(message.address)
        done = self._progress.get(message.id, 0)
        sent: Message | None = None
        for index in range(done, len(parts)):
            part = parts[index]
            try:
                sent = await self.bot.send_message(
                    chat_id=chat_id,
                    text=part.text,
                    reply_markup=part.markup,
                    # No previews: links in articles and sources cost data on cheap phones.
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except TelegramError as exc:
                error = send_error(exc)
                if error.permanent:
                    self._progress.pop(message.id, None)
                raise error from exc
            self._progress[message.id] = index + 1
            if isinstance(part.markup, ReplyKeyboardMarkup):
                self._reply_keyboards.add(message.address)
            elif isinstance(part.markup, ReplyKeyboardRemove):
                self._reply_keyboards.discard(message.address)
            if part.attach is not None:
                await self._attach(sent, part.attach)
        self._progress.pop(message.id, None)
        return Sent(provider_id=str(sent.message_id) if sent is not None else None)

    async def _attach(self, sent: Message, markup: InlineKeyboardMarkup) -> None:
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=sent.chat_id, message_id=sent.message_id, reply_markup=markup
            )
        except TelegramError as exc:
            # The text is delivered; raising would send it again. Typing the number or the
            # label still works without the buttons.
            log.warning("adding buttons to message %s failed: %s", sent.message_id, exc)


# --------------------------------------------------------------------------------------------
# Webhook
# --------------------------------------------------------------------------------------------


def _secret_ok(expected: str, given: str | None) -> bool:
    if not expected or given is None:
        return False  # no secret configured: the route accepts nothing
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _webhook_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def telegram_webhook(request: Request) -> Response:
        from bot.web import runtime  # bot.web imports this module

        # Authenticate before reading a byte of the body.
        if not _secret_ok(settings.telegram_webhook_secret, request.headers.get(SECRET_HEADER)):
            return PlainTextResponse("forbidden", status_code=403)
        tg: TelegramAdapter = runtime(request).channels[CHANNEL]
        try:
            data = json.loads(await request.body())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an Update")
            update = Update.de_json(data, tg.bot)
        except Exception as exc:  # anything unparsable is the sender's fault, never a 500
            log.info("rejected a malformed Telegram update: %s", exc)
            return PlainTextResponse("malformed update", status_code=400)
        try:
            await tg.receive(update)  # committed before we answer
        except Exception:
            # Not committed: a 5xx makes Telegram deliver it again later.
            log.exception("Telegram update %s could not be handled", update.update_id)
            return PlainTextResponse("try again later", status_code=500)
        background = None
        if update.callback_query is not None:
            background = BackgroundTask(tg.answer_callback, update)
        return Response(status_code=200, background=background)

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


# --------------------------------------------------------------------------------------------
# Long polling
# --------------------------------------------------------------------------------------------

POLL_TIMEOUT = 30.0  # seconds Telegram holds an empty getUpdates
MAX_UPDATE_ATTEMPTS = 5  # then an update that keeps failing is skipped, not retried forever
_BACKOFF_MAX = 30.0


class _Stopped(Exception):
    pass


async def poll(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    bot: Bot | None = None,
    poll_timeout: float = POLL_TIMEOUT,
) -> None:
    """Run the bot by long polling until `stop` is set (without one: until SIGINT/SIGTERM).

    Opens the system, starts the outbox dispatcher for Telegram, removes any webhook (Telegram
    refuses getUpdates while one is set) and handles updates batch by batch.
    """
    own_stop = stop is None
    stop = stop or asyncio.Event()
    restore = _stop_on_signals(stop) if own_stop else (lambda: None)
    try:
        async with (
            open_system(settings, clock=clock, schedule=True) as system,
            adapter(settings, system, bot=bot) as tg,
        ):
            dispatcher = Dispatcher(system.engine, tg.sender, limits(settings))
            await dispatcher.start()
            try:
                await tg.bot.delete_webhook(drop_pending_updates=False)
                await Poller(tg, stop, poll_timeout).run()
            finally:
                await dispatcher.stop()
    finally:
        restore()


def _stop_on_signals(stop: asyncio.Event) -> Callable[[], None]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, not main thread
            pass

    def restore() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return restore


@dataclass
class Poller:
    """getUpdates → engine, advancing the offset only past committed updates."""

    tg: TelegramAdapter
    stop: asyncio.Event
    poll_timeout: float = POLL_TIMEOUT
    offset: int | None = None
    handled: int = 0  # updates committed (or skipped after MAX_UPDATE_ATTEMPTS)
    _poll_failures: int = 0  # consecutive failed getUpdates
    _update_failures: int = 0  # consecutive failures of the update at the offset

    async def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    updates = await self._unless_stopped(
                        self.tg.bot.get_updates(
                            offset=self.offset,
                            timeout=int(self.poll_timeout),
                            allowed_updates=list(ALLOWED_UPDATES),
                        )
                    )
                except _Stopped:
                    break
                except InvalidToken:
                    raise
                except RetryAfter as exc:
                    await self._pause(_seconds(exc.retry_after))
                    continue
                except TelegramError as exc:
                    # Conflict (another poller, or a webhook set meanwhile), NetworkError,
                    # TimedOut: wait and ask again.
                    self._poll_failures += 1
                    log.warning("getUpdates failed (%s); retrying", exc)
                    await self._pause(_backoff(self._poll_failures))
                    continue
                self._poll_failures = 0
                if updates:
                    await self.handle(updates)
        finally:
            await self._confirm()

    async def handle(self, updates: Sequence[Update]) -> None:
        """Commit a batch, then move the offset past what was committed."""
        # All at once: the engine queues them in this order and group-commits them, so a
        # person's messages keep their order.
        results = await asyncio.gather(
            *(self.tg.receive(u) for u in updates), return_exceptions=True
        )
        committed: list[Update] = []
        failed = False
        for update, result in zip(updates, results, strict=True):
            if isinstance(result, BaseException):
                self._update_failures += 1
                if self._update_failures < MAX_UPDATE_ATTEMPTS:
                    log.error("update %s failed; will retry", update.update_id, exc_info=result)
                    # Stop here: this one and the rest come again (the rest as duplicates).
                    failed = True
                    break
                log.error(
                    "update %s failed %d times; skipping it",
                    update.update_id,
                    self._update_failures,
                    exc_info=result,
                )
            self._update_failures = 0
            committed.append(update)
            self.offset = update.update_id + 1
        self.handled += len(committed)
        await asyncio.gather(*(self.tg.answer_callback(u) for u in committed))
        if failed:
            self.offset = updates[len(committed)].update_id
            await self._pause(_backoff(self._update_failures))

    async def _confirm(self) -> None:
        # Tell Telegram what we committed, or the last batch comes again on the next start
        # (harmless, deduped, but slower). Best effort, bounded.
        if self.offset is None:
            return
        with contextlib.suppress(TelegramError, TimeoutError):
            await asyncio.wait_for(
                self.tg.bot.get_updates(
                    offset=self.offset, limit=1, timeout=0, allowed_updates=list(ALLOWED_UPDATES)
                ),
                timeout=5.0,
            )

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)

    async def _unless_stopped(self, work: Awaitable[T]) -> T:
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await task
        if task.cancelled():
            raise _Stopped
        return task.result()


def _backoff(failures: int) -> float:
    return min(_BACKOFF_MAX, 0.5 * 2 ** max(0, failures - 1))


__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "Part",
    "Poller",
    "TelegramAdapter",
    "TelegramSender",
    "adapter",
    "configured",
    "limits",
    "make_bot",
    "poll",
    "render",
    "routes",
    "send_error",
    "set_webhook",
    "to_inbound",
]
