"""A local fake of the Telegram Bot API, for tests that run the real python-telegram-bot.

The real library talks real HTTP (on loopback, see ``server.py``) to this fake, which speaks
the Bot API wire format: form-encoded requests with JSON-encoded non-string values, replies
``{"ok": true, "result": ...}`` and error replies that make PTB raise the same exceptions as
the real service (RetryAfter, Forbidden, BadRequest, NetworkError, InvalidToken, Conflict).

Usable as a pytest plugin (``pytest_plugins = ["tests.fakes.telegram"]``)::

    async def test_reply(fake_telegram):
        fake_telegram.push_update(command_update(42, "/start"))
        ...  # run the bot against fake_telegram.base_url with token fake_telegram.token
        [msg] = await fake_telegram.wait_sent(1, chat_id=42)

The module also holds builders of real Bot API update JSON (``text_update``,
``command_update``, ``callback_update``, ...) that ``telegram.Update.de_json`` parses.

PYTEST_DONT_REWRITE: this module has no bare asserts (it raises AssertionErrors with its own
reports) and test modules may import it before pytest loads it as a plugin, which would
otherwise warn "Module already imported so cannot be rewritten".
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import cache
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram import Bot
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from tests.fakes.server import LoopbackServer

# --------------------------------------------------------------------------------------------
# Identity of the fake bot
# --------------------------------------------------------------------------------------------

BOT_ID = 7000000001
# Shaped like a real token (bot id, colon, 35 characters of [A-Za-z0-9_-]) so that code which
# validates or masks tokens behaves as it would in production.
TOKEN = f"{BOT_ID}:AAFakeTokenForMigrasiAmanTests-0123"
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Migrasi Aman (test)",
    "username": "MigrasiAmanTestBot",
}

# Telegram answers 404 to a malformed token and 401 to a well-formed but unknown one.
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
# An empty long poll is held at most this long: long enough that PTB's Updater does not
# busy-loop, short enough that stopping it (which cancels the poll) stays fast.
LONG_POLL_CAP = 0.5

# PTB sends str values raw and everything else JSON-encoded, so a text of "1" or "true" would
# be mis-decoded by a blind json.loads. These parameters are strings in the Bot API.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "action",
        "title",
        "address",
        "phone_number",
        "first_name",
        "last_name",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
    }
)

# Methods that put a message in a chat: subject to flood control and counted by peak_rate.
_SENDING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVenue", "sendContact"}
)

# getUpdates delivers these only when asked for explicitly (Bot API, allowed_updates).
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# One counter per id space for the whole session, shared by the builders and the fake, so ids
# only ever increase even across fake.reset() (a long-lived bot never sees an id go back).
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)
_file_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


@cache
def _shared_ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request the fake received (successful or not), in order of completion."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() on arrival, for rate-limit assertions
    status: int = 200
    result: Any = None  # the "result" sent back, or the error description

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class Failure:
    method: str  # Bot API method name, or "*" for any method
    status: int
    description: str
    retry_after: float | None = None
    remaining: int | None = 1  # None: until reset()
    chat_id: int | str | None = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or _same_chat(params.get("chat_id"), self.chat_id)


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int | None = None
    set_at: float = field(default_factory=time.monotonic)


@dataclass
class FloodControl:
    per_chat: int | None
    overall: int | None
    window: float
    retry_after: float


class ApiError(Exception):
    """Raised inside a method handler to answer with a Bot API error."""

    def __init__(self, status: int, description: str, retry_after: float | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _same_chat(a: Any, b: Any) -> bool:
    # chat ids arrive as int (JSON-encoded) but tests may pass "123" or "@channel".
    return a is not None and b is not None and str(a) == str(b)


def _error_body(status: int, description: str, retry_after: float | None = None) -> dict:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------


def _decode_value(name: str, raw: str) -> Any:
    if name in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


async def _read_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {k: _decode_value(k, v) for k, v in request.query_params.multi_items()}
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise _bad_request("can't parse JSON object") from exc
        if not isinstance(data, dict):
            raise _bad_request("can't parse JSON object")
        params.update(data)
    elif content_type.startswith("multipart/form-data"):
        params.update(_parse_multipart(content_type, body))
    else:
        params.update(
            (k, _decode_value(k, v)) for k, v in parse_qsl(body.decode(), keep_blank_values=True)
        )
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    # python-multipart (what Starlette's request.form() needs) is not a dependency; the stdlib
    # MIME parser is enough for PTB's uploads. Files are recorded, not kept.
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(payload),
            }
        else:
            params[name] = _decode_value(name, payload.decode())
    return params


# --------------------------------------------------------------------------------------------
# Validation shared by send and edit methods
# --------------------------------------------------------------------------------------------


def _check_text(text: Any) -> str:
    if text is None or not str(text).strip():
        raise _bad_request("message text is empty")
    text = str(text)
    # Telegram counts after entity parsing; counting the raw string is stricter, never looser.
    if len(text) > MAX_TEXT_LENGTH:
        raise _bad_request("message is too long")
    return text


def _check_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                data = button.get("callback_data") if isinstance(button, dict) else None
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
    return markup


_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "tg-emoji", "code", "pre", "blockquote"}
)  # fmt: skip
_HTML_TOKEN_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)?[^<>]*>|<|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);|&"
)
_MDV2_STRIP_RE = re.compile(r"```.*?```|`[^`]*`|\]\((?:\\.|[^)\\])*\)", re.DOTALL)
_MDV2_ALWAYS_RESERVED = ".!-=+#{}"


def _check_entities(text: str, parse_mode: Any) -> None:
    """Catch the common ways unescaped user text breaks a parse_mode message.

    Deliberately partial: it flags only what Telegram certainly rejects (unknown or unbalanced
    HTML tags, a bare '<' or '&'; in MarkdownV2, characters that have no markup meaning and
    must always be escaped outside code and link URLs). It does not validate nesting rules.
    """
    mode = str(parse_mode or "").lower()
    if mode == "html":
        open_tags: list[str] = []
        for m in _HTML_TOKEN_RE.finditer(text):
            token = m.group(0)
            offset = len(text[: m.start()].encode())
            if token.startswith("&"):
                if token == "&":
                    raise _bad_request(
                        f"can't parse entities: Unclosed character entity at byte offset {offset}"
                    )
                continue
            closing, tag = m.group(1), (m.group(2) or "").lower()
            if token == "<" or tag not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise _bad_request(
                    f'can\'t parse entities: Unsupported {kind} tag "{tag}" at byte offset {offset}'
                )
            if not closing:
                open_tags.append(tag)
            elif not open_tags or open_tags.pop() != tag:
                raise _bad_request(
                    f'can\'t parse entities: Unmatched end tag at byte offset {offset}, expected "</{tag}>"'
                )
        if open_tags:
            raise _bad_request(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{open_tags[-1]}\""
            )
    elif mode == "markdownv2":
        stripped = _MDV2_STRIP_RE.sub("", text)
        escaped = False
        for ch in stripped:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch in _MDV2_ALWAYS_RESERVED:
                raise _bad_request(
                    f"can't parse entities: Character '{ch}' is reserved and must be escaped "
                    "with the preceding '\\'"
                )


def _chat_for(chat_id: Any, known: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if str(chat_id) in known:
        return dict(known[str(chat_id)])
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        return {
            "id": -1001000000000,
            "type": "channel",
            "title": chat_id[1:],
            "username": chat_id[1:],
        }
    try:
        cid = int(chat_id)
    except (TypeError, ValueError) as exc:
        raise _bad_request("chat not found") from exc
    if cid > 0:
        return {"id": cid, "type": "private"}
    if str(cid).startswith("-100"):
        return {"id": cid, "type": "supergroup", "title": "Test group"}
    return {"id": cid, "type": "group", "title": "Test group"}


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """Fake Bot API. Thread-safe: it serves from the LoopbackServer thread while tests read."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {**BOT_USER, "id": int(token.split(":", 1)[0])}
        # Until serve() binds a port; .invalid never resolves, so a forgotten serve() fails fast
        # instead of reaching the internet. In-process use (asgi_request) works with it as is.
        self.url = "http://telegram.invalid"
        self._lock = threading.RLock()
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": lambda p: True,
                "close": lambda p: True,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates_placeholder,
                "sendMessage": self._send_message,
                "sendLocation": self._send_location,
                "sendVenue": self._send_venue,
                "sendContact": self._send_contact,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "answerCallbackQuery": self._answer_callback_query,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "sendChatAction": self._send_chat_action,
                "deleteMessage": self._delete_message,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getChat": self._get_chat,
            }.items()
        }
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        # How long an empty getUpdates long poll is held; see LONG_POLL_CAP.
        self.long_poll_cap = LONG_POLL_CAP
        self._generation = 0
        self._clear()

    # -- lifecycle ---------------------------------------------------------------------------

    @contextmanager
    def serve(self) -> Iterator[FakeTelegram]:
        """Serve on a loopback port for the duration of the block (outside pytest fixtures)."""
        with LoopbackServer(self.app) as server:
            self.url = server.url
            yield self

    @property
    def base_url(self) -> str:
        """Pass as PTB's ``base_url``; PTB appends the token."""
        return f"{self.url}/bot"

    def request(self, **kwargs: Any) -> HTTPXRequest:
        """A PTB request object suited to this fake (kwargs go to ``HTTPXRequest``).

        Optional, but it keeps tests fast and hermetic: httpx builds a fresh SSL context per
        client (~60 ms, and PTB makes two per Bot), pointless for plain-HTTP loopback, so one
        shared context is reused; and ``trust_env=False`` keeps an ``HTTP(S)_PROXY`` set in
        the environment from routing loopback calls elsewhere.
        """
        httpx_kwargs = {"verify": _shared_ssl_context(), "trust_env": False}
        httpx_kwargs |= kwargs.pop("httpx_kwargs", {})
        return HTTPXRequest(httpx_kwargs=httpx_kwargs, **kwargs)

    def asgi_request(self, **kwargs: Any) -> HTTPXRequest:
        """A PTB request object that calls this fake in-process (no socket), see tech notes.

        Give PTB one per purpose (``request=`` and ``get_updates_request=``), as PTB itself
        does. Works without serve(): the host in ``base_url`` is never resolved.
        """
        transport = httpx.ASGITransport(app=self.app)
        return self.request(httpx_kwargs={"transport": transport}, **kwargs)

    def bot(self) -> Bot:
        """A PTB Bot pointed at this fake (use as ``async with fake.bot() as bot:``)."""
        return Bot(
            self.token,
            base_url=self.base_url,
            request=self.request(),
            get_updates_request=self.request(),
        )

    def application_builder(self) -> ApplicationBuilder:
        """An ApplicationBuilder with token, base_url and requests set for this fake."""
        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .request(self.request())
            .get_updates_request(self.request())
        )

    def reset(self) -> None:
        """Forget calls, queued updates, failures, blocks, webhook and known messages."""
        with self._lock:
            # A long poll left over from the previous test (its client already gone) must
            # neither record into nor confirm updates of the next one: it checks generation.
            self._generation += 1
            waiters = self._waiters
            self._clear()
        self._wake(waiters)

    def _clear(self) -> None:
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._confirmed_below = 0  # updates with update_id below this are gone for good
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._failures: list[Failure] = []
        self._blocked: set[str] = set()
        self._flood: FloodControl | None = None
        self._webhook: Webhook | None = None
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}
        self._chats: dict[str, dict[str, Any]] = {}
        self._commands: list[dict[str, Any]] = []

    # -- updates -----------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id (assigned if missing)."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = next_update_id()
        update_id = int(update["update_id"])
        with self._lock:
            if update_id < self._confirmed_below:
                # Telegram would never deliver it: fail loudly rather than drop it silently.
                raise ValueError(
                    f"update_id {update_id} is below the confirmed offset {self._confirmed_below}; "
                    "build updates in the order you push them"
                )
            self._updates.append(update)
            self._remember_chats(update)
            waiters, self._waiters = self._waiters, []
        self._wake(waiters)
        return update_id

    @staticmethod
    def _wake(waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
        for loop, event in waiters:
            # RuntimeError: that poller's event loop is already closed.
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset (delivered or not)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def _remember_chats(self, update: dict[str, Any]) -> None:
        for value in update.values():
            if isinstance(value, dict):
                message = value.get("message", value)
                chat = message.get("chat") if isinstance(message, dict) else None
                if isinstance(chat, dict) and "id" in chat:
                    self._chats[str(chat["id"])] = dict(chat)

    # -- failure injection -------------------------------------------------------------------

    def fail(
        self,
        method: str = "sendMessage",
        status: int = 429,
        *,
        retry_after: float = 1,
        times: int | None = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching calls with an error (None: until reset()).

        Failures are consumed in the order they were added. ``method="*"`` matches any
        method. A 429 carries ``parameters.retry_after`` (PTB raises RetryAfter; real Telegram
        sends whole seconds, a fraction keeps retry tests fast and PTB accepts it).
        """
        if status == 429 and not retry_after > 0:
            raise ValueError("a 429 needs retry_after > 0, or PTB raises NetworkError instead")
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after:g}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        with self._lock:
            self._failures.append(
                Failure(
                    method=method,
                    status=status,
                    description=description,
                    retry_after=retry_after if status == 429 else None,
                    remaining=times,
                    chat_id=chat_id,
                )
            )

    def block(self, chat_id: int | str) -> None:
        """The user blocked the bot: every call addressed to this chat gets 403."""
        with self._lock:
            self._blocked.add(str(chat_id))

    def unblock(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked.discard(str(chat_id))

    def flood_control(
        self,
        *,
        per_chat: int | None = 1,
        overall: int | None = 30,
        window: float = 1.0,
        retry_after: float = 1,
    ) -> None:
        """Answer 429 like Telegram when a bot sends more than allowed within ``window``.

        Telegram's limits are soft (~1 msg/s per chat, ~30/s overall); this makes them hard so
        that a test can check that an outbound queue backs off instead of hammering.
        """
        with self._lock:
            self._flood = FloodControl(per_chat, overall, window, retry_after)

    def _injected_error(self, method: str, params: dict[str, Any], now: float) -> ApiError | None:
        for failure in self._failures:
            if failure.matches(method, params):
                if failure.remaining is not None:
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                return ApiError(failure.status, failure.description, failure.retry_after)
        chat_id = params.get("chat_id")
        if chat_id is not None and str(chat_id) in self._blocked:
            return ApiError(403, _DEFAULT_DESCRIPTIONS[403])
        if self._flood is not None and method in _SENDING_METHODS:
            flood = self._flood
            recent = [
                c
                for c in self._calls
                if c.ok and c.method in _SENDING_METHODS and now - c.at < flood.window
            ]
            same_chat = [c for c in recent if _same_chat(c.chat_id, chat_id)]
            if (flood.overall is not None and len(recent) >= flood.overall) or (
                flood.per_chat is not None and len(same_chat) >= flood.per_chat
            ):
                return ApiError(
                    429, f"Too Many Requests: retry after {flood.retry_after:g}", flood.retry_after
                )
        return None

    # -- reading what happened ---------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(
        self, method: str, *, ok: bool | None = None, chat_id: int | str | None = None
    ) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method.lower() == method.lower()
            and (ok is None or c.ok == ok)
            and (chat_id is None or _same_chat(c.chat_id, chat_id))
        ]

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Params of the sendMessage calls that succeeded (what users saw), in order."""
        return [c.params for c in self.calls_to("sendMessage", ok=True, chat_id=chat_id)]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def answered_callbacks(self) -> list[dict[str, Any]]:
        return [c.params for c in self.calls_to("answerCallbackQuery", ok=True)]

    @property
    def webhook(self) -> Webhook | None:
        with self._lock:
            return copy.copy(self._webhook)

    def webhook_headers(self) -> dict[str, str]:
        """Headers Telegram sends with each webhook POST, for driving our webhook endpoint."""
        headers = {"Content-Type": "application/json"}
        with self._lock:
            if self._webhook is not None and self._webhook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook.secret_token
        return headers

    def peak_rate(
        self,
        window: float = 1.0,
        *,
        method: str | None = "sendMessage",
        chat_id: int | str | None = None,
    ) -> int:
        """Most successful calls seen within any ``window`` seconds (sliding, half-open).

        ``method=None`` counts every message-sending method. E.g. ``peak_rate(1.0,
        chat_id=42) <= 1`` and ``peak_rate(1.0) <= 30`` for Telegram's flood limits.
        """
        times = sorted(
            c.at
            for c in self.calls
            if c.ok
            and (c.method == method if method else c.method in _SENDING_METHODS)
            and (chat_id is None or _same_chat(c.chat_id, chat_id))
        )
        best, start = 0, 0
        for end, t in enumerate(times):
            while start <= end and t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # -- waiting -----------------------------------------------------------------------------

    async def wait_sent(
        self, n: int = 1, chat_id: int | str | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until at least ``n`` messages were sent (to ``chat_id``); returns all of them."""
        deadline = time.monotonic() + timeout
        while len(sent := self.sent(chat_id)) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report("sendMessage", n, chat_id, timeout))
            await asyncio.sleep(0.005)
        return sent

    def wait_sent_sync(
        self, n: int = 1, chat_id: int | str | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Blocking variant, for sync tests. Never call it on the loop that serves the bot."""
        deadline = time.monotonic() + timeout
        while len(sent := self.sent(chat_id)) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report("sendMessage", n, chat_id, timeout))
            time.sleep(0.005)
        return sent

    async def wait_calls(
        self,
        method: str,
        n: int = 1,
        *,
        ok: bool | None = True,
        chat_id: int | str | None = None,
        timeout: float = 5.0,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(method, ok=ok, chat_id=chat_id)) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(method, n, chat_id, timeout))
            await asyncio.sleep(0.005)
        return found

    def wait_calls_sync(
        self,
        method: str,
        n: int = 1,
        *,
        ok: bool | None = True,
        chat_id: int | str | None = None,
        timeout: float = 5.0,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(method, ok=ok, chat_id=chat_id)) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(method, n, chat_id, timeout))
            time.sleep(0.005)
        return found

    def _timeout_report(self, method: str, n: int, chat_id: Any, timeout: float) -> str:
        target = f" to chat {chat_id}" if chat_id is not None else ""
        done = self.calls_to(method, ok=True, chat_id=chat_id)
        lines = [
            f"expected at least {n} successful {method}{target} within {timeout}s, got {len(done)}:"
        ]
        lines += [f"  {json.dumps(c.params, ensure_ascii=False)[:300]}" for c in done]
        others = [c for c in self.calls if c.method != "getUpdates" and c not in done]
        if others:
            lines.append("other calls (method, status, chat_id, result):")
            lines += [
                f"  {c.method} {c.status} {c.chat_id} {str(c.result)[:120]}" for c in others[-15:]
            ]
        pending = self.pending_updates()
        if pending:
            lines.append(f"{len(pending)} update(s) never confirmed by getUpdates")
        return "\n".join(lines)

    # -- HTTP --------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        token, raw_method = request.path_params["token"], request.path_params["method"]
        if not _TOKEN_RE.fullmatch(token):
            return JSONResponse(_error_body(404, "Not Found"), status_code=404)
        if token != self.token:
            return JSONResponse(_error_body(401, "Unauthorized"), status_code=401)
        known = self._methods.get(raw_method.lower())  # Bot API method names ignore case
        method = known[0] if known else raw_method
        params: dict[str, Any] = {}
        with self._lock:
            generation = self._generation
        try:
            params = await _read_params(request)
            with self._lock:
                error = self._injected_error(method, params, arrived)
            if error is not None:
                raise error
            if known is None:
                raise ApiError(404, "Not Found")
            if method == "getUpdates":
                result = await self._get_updates(params, generation)
            else:
                with self._lock:
                    result = known[1](params)
        except ApiError as exc:
            self._record(Call(method, params, arrived, exc.status, exc.description), generation)
            body = _error_body(exc.status, exc.description, exc.retry_after)
            return JSONResponse(body, status_code=exc.status)
        self._record(Call(method, params, arrived, 200, result), generation)
        return JSONResponse({"ok": True, "result": result})

    def _record(self, call: Call, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self._calls.append(call)

    # -- methods (called with the lock held, except getUpdates) ------------------------------

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            self._webhook = None
            return True
        if not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=params.get("allowed_updates"),
            max_connections=params.get("max_connections"),
        )
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            if self._webhook.max_connections is not None:
                info["max_connections"] = self._webhook.max_connections
            if self._webhook.allowed_updates is not None:
                info["allowed_updates"] = self._webhook.allowed_updates
        return info

    def _get_updates_placeholder(self, params: dict[str, Any]) -> Any:
        raise AssertionError("getUpdates is async and handled in _endpoint")

    async def _get_updates(self, params: dict[str, Any], generation: int) -> list[dict[str, Any]]:
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(max(timeout, 0.0), self.long_poll_cap)
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if generation != self._generation:
                    return []
                if self._webhook is not None:
                    raise ApiError(
                        409,
                        "Conflict: can't use getUpdates method while webhook is active; "
                        "use deleteWebhook to delete the webhook first",
                    )
                result = self._take_updates(params)
                remaining = deadline - time.monotonic()
                if result or remaining <= 0:
                    return result
                # Registered under the lock that push_update takes, so no wake-up is lost.
                event = asyncio.Event()
                self._waiters.append((loop, event))
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if offset is not None:
            offset = int(offset)
            if offset < 0:
                # Bot API: the last -offset updates; all previous ones are forgotten.
                forget = self._updates[:offset] if -offset < len(self._updates) else []
                if forget:
                    self._confirmed_below = max(u["update_id"] for u in forget) + 1
                self._updates = self._updates[len(forget) :]
            else:
                self._confirmed_below = max(self._confirmed_below, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        limit = min(max(limit, 1), 100)
        allowed = params.get("allowed_updates") or []

        def wanted(update: dict[str, Any]) -> bool:
            kinds = set(update) - {"update_id"}
            if allowed:
                return bool(kinds & set(allowed))
            return not kinds & _OPT_IN_UPDATE_TYPES

        return copy.deepcopy([u for u in self._updates if wanted(u)][:limit])

    def _new_message(self, chat_id: Any, **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "from": dict(self.bot_user),
            "chat": _chat_for(chat_id, self._chats),
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        self._messages[(str(chat_id), message["message_id"])] = message
        return copy.deepcopy(message)

    @staticmethod
    def _require(params: dict[str, Any], name: str) -> Any:
        value = params.get(name)
        if value is None or value == "":
            raise _bad_request(f"{name} is empty" if name != "chat_id" else "chat_id is empty")
        return value

    @staticmethod
    def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        # A Message carries reply_markup only for inline keyboards; reply keyboards are not
        # echoed (PTB would fail to parse them as InlineKeyboardMarkup).
        return markup if markup and "inline_keyboard" in markup else None

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require(params, "chat_id")
        text = _check_text(params.get("text"))
        _check_entities(text, params.get("parse_mode"))
        markup = _check_markup(params.get("reply_markup"))
        return self._new_message(chat_id, text=text, reply_markup=self._inline_only(markup))

    def _send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require(params, "chat_id")
        location = {"latitude": params.get("latitude"), "longitude": params.get("longitude")}
        markup = _check_markup(params.get("reply_markup"))
        return self._new_message(chat_id, location=location, reply_markup=self._inline_only(markup))

    def _send_venue(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require(params, "chat_id")
        location = {"latitude": params.get("latitude"), "longitude": params.get("longitude")}
        venue = {
            "location": location,
            "title": params.get("title"),
            "address": params.get("address"),
        }
        markup = _check_markup(params.get("reply_markup"))
        return self._new_message(
            chat_id, venue=venue, location=location, reply_markup=self._inline_only(markup)
        )

    def _send_contact(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require(params, "chat_id")
        contact = {
            "phone_number": self._require(params, "phone_number"),
            "first_name": self._require(params, "first_name"),
        }
        if params.get("last_name"):
            contact["last_name"] = params["last_name"]
        return self._new_message(chat_id, contact=contact)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require(params, "chat_id")
        self._require(params, "photo")
        return self._new_message(chat_id, photo=_photo_sizes(), caption=params.get("caption"))

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require(params, "chat_id")
        upload = self._require(params, "document")
        n = next(_file_ids)
        document = {"file_id": f"BQACAgfake{n}", "file_unique_id": f"AgADfake{n}"}
        if isinstance(upload, dict):
            document |= {"file_name": upload["filename"], "file_size": upload["size"]}
        return self._new_message(chat_id, document=document, caption=params.get("caption"))

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        self._require(params, "callback_query_id")
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        return True

    def _edited(self, params: dict[str, Any], **changes: Any) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        chat_id = self._require(params, "chat_id")
        message_id = int(self._require(params, "message_id"))
        key = (str(chat_id), message_id)
        old = self._messages.get(key)
        if old is not None and all(old.get(k) == v for k, v in changes.items()):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a content and reply markup of the current content of the "
                "message"
            )
        if old is None:
            # A message the fake never sent (e.g. from callback_update): accept the edit, as
            # tests build such updates without sending the original first.
            old = {
                "message_id": message_id,
                "from": dict(self.bot_user),
                "chat": _chat_for(chat_id, self._chats),
                "date": int(time.time()),
            }
        new = {k: v for k, v in {**old, **changes}.items() if v is not None}
        new["edit_date"] = int(time.time())
        self._messages[key] = new
        return copy.deepcopy(new)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text = _check_text(params.get("text"))
        _check_entities(text, params.get("parse_mode"))
        markup = self._inline_only(_check_markup(params.get("reply_markup")))
        return self._edited(params, text=text, reply_markup=markup)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = self._inline_only(_check_markup(params.get("reply_markup")))
        return self._edited(params, reply_markup=markup)

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._require(params, "chat_id")
        self._require(params, "action")
        return True

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._require(params, "chat_id")
        message_id = int(self._require(params, "message_id"))
        self._messages.pop((str(chat_id), message_id), None)
        return True

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
        self._commands = commands
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands)

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands = []
        return True

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = _chat_for(self._require(params, "chat_id"), self._chats)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


# --------------------------------------------------------------------------------------------
# Update builders: real Bot API JSON that telegram.Update.de_json parses
# --------------------------------------------------------------------------------------------


def _user(user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def _user_message(
    chat_id: int,
    *,
    user_id: int | None,
    first_name: str,
    language_code: str | None,
    message_id: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    sender = _user(user_id if user_id is not None else chat_id, first_name, language_code)
    if chat_id > 0:
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
    else:
        chat = {"id": chat_id, "type": "supergroup", "title": "Test group"}
    return {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "from": sender,
        "chat": chat,
        "date": int(time.time()),
        **content,
    }


def _update(kind: str, payload: dict[str, Any], update_id: int | None) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next_update_id(), kind: payload}


def text_update(
    chat_id: int,
    text: str,
    *,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
    message_id: int | None = None,
) -> dict[str, Any]:
    message = _user_message(
        chat_id,
        user_id=user_id,
        first_name=first_name,
        language_code=language_code,
        message_id=message_id,
        text=text,
    )
    return _update("message", message, update_id)


def command_update(
    chat_id: int,
    command: str,
    payload: str | None = None,
    *,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
) -> dict[str, Any]:
    """A command such as ``/start`` (deep-link payload after a space), with the bot_command
    entity that CommandHandler needs."""
    if not command.startswith("/"):
        command = "/" + command
    text = f"{command} {payload}" if payload else command
    message = _user_message(
        chat_id,
        user_id=user_id,
        first_name=first_name,
        language_code=language_code,
        text=text,
        entities=[{"type": "bot_command", "offset": 0, "length": len(command)}],
    )
    return _update("message", message, update_id)


def callback_update(
    chat_id: int,
    data: str,
    *,
    message_id: int | None = None,
    message_text: str = "Pilih salah satu:",
    reply_markup: dict[str, Any] | None = None,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
    callback_id: str | None = None,
) -> dict[str, Any]:
    """A press on an inline button of a bot message (``message_id``) in ``chat_id``."""
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "from": dict(BOT_USER),
        "chat": {"id": chat_id, "type": "private", "first_name": first_name}
        if chat_id > 0
        else {"id": chat_id, "type": "supergroup", "title": "Test group"},
        "date": int(time.time()),
        "text": message_text,
    }
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    query = {
        "id": callback_id or str(4_000_000_000_000_000_000 + next(_callback_ids)),
        "from": _user(user_id if user_id is not None else chat_id, first_name, language_code),
        "message": message,
        "chat_instance": str(-(6_000_000_000_000_000_000 + abs(chat_id))),
        "data": data,
    }
    return _update("callback_query", query, update_id)


def location_update(
    chat_id: int,
    lat: float,
    lon: float,
    *,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
) -> dict[str, Any]:
    message = _user_message(
        chat_id,
        user_id=user_id,
        first_name=first_name,
        language_code=language_code,
        location={"latitude": lat, "longitude": lon},
    )
    return _update("message", message, update_id)


def forwarded_update(
    chat_id: int,
    text: str,
    *,
    sender_name: str = "Agen PT Maju Jaya",
    sender_user_id: int | None = None,
    channel_title: str | None = None,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
) -> dict[str, Any]:
    """A forwarded message (Bot API 7+ ``forward_origin``).

    Default origin ``hidden_user`` (the sender hides their account, the usual case);
    ``sender_user_id`` gives a visible ``user`` origin; ``channel_title`` a ``channel`` origin
    (job adverts are often forwarded from channels).
    """
    date = int(time.time()) - 3600
    origin: dict[str, Any]
    if channel_title is not None:
        origin = {
            "type": "channel",
            "date": date,
            "chat": {"id": -1001234567890, "type": "channel", "title": channel_title},
            "message_id": 321,
        }
    elif sender_user_id is not None:
        origin = {
            "type": "user",
            "date": date,
            "sender_user": _user(sender_user_id, sender_name, None),
        }
    else:
        origin = {"type": "hidden_user", "date": date, "sender_user_name": sender_name}
    message = _user_message(
        chat_id,
        user_id=user_id,
        first_name=first_name,
        language_code=language_code,
        text=text,
        forward_origin=origin,
    )
    return _update("message", message, update_id)


def _photo_sizes() -> list[dict[str, Any]]:
    n = next(_file_ids)
    return [
        {"file_id": f"AgACAgfake{n}s", "file_unique_id": f"AQADfake{n}s", "width": 90,
         "height": 67, "file_size": 1200},
        {"file_id": f"AgACAgfake{n}m", "file_unique_id": f"AQADfake{n}m", "width": 320,
         "height": 240, "file_size": 15800},
        {"file_id": f"AgACAgfake{n}x", "file_unique_id": f"AQADfake{n}x", "width": 1280,
         "height": 960, "file_size": 140300},
    ]  # fmt: skip


def photo_update(
    chat_id: int,
    *,
    caption: str | None = None,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"photo": _photo_sizes()}
    if caption is not None:
        content["caption"] = caption
    message = _user_message(
        chat_id, user_id=user_id, first_name=first_name, language_code=language_code, **content
    )
    return _update("message", message, update_id)


def voice_update(
    chat_id: int,
    *,
    duration: int = 4,
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
) -> dict[str, Any]:
    n = next(_file_ids)
    voice = {
        "file_id": f"AwACAgfake{n}",
        "file_unique_id": f"AgADfake{n}",
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 4200 * duration,
    }
    message = _user_message(
        chat_id, user_id=user_id, first_name=first_name, language_code=language_code, voice=voice
    )
    return _update("message", message, update_id)


def sticker_update(
    chat_id: int,
    *,
    emoji: str = "🙏",
    user_id: int | None = None,
    first_name: str = "Siti",
    language_code: str | None = "id",
    update_id: int | None = None,
) -> dict[str, Any]:
    n = next(_file_ids)
    sticker = {
        "file_id": f"CAACAgfake{n}",
        "file_unique_id": f"AgADfake{n}",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "file_size": 23000,
    }
    message = _user_message(
        chat_id,
        user_id=user_id,
        first_name=first_name,
        language_code=language_code,
        sticker=sticker,
    )
    return _update("message", message, update_id)


# --------------------------------------------------------------------------------------------
# Pytest fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    """One fake Bot API on a loopback port for the whole session (uvicorn stops slowly)."""
    fake = FakeTelegram()
    with fake.serve():
        yield fake


@pytest.fixture
def fake_telegram(telegram_server: FakeTelegram) -> Iterator[FakeTelegram]:
    """The session's fake, reset before and after each test."""
    telegram_server.reset()
    yield telegram_server
    telegram_server.reset()
