"""The WhatsApp channel through Twilio: webhooks in, REST API out.

    POST /whatsapp          a person's message (Twilio's inbound webhook)
    POST /whatsapp/status   what became of a message we sent (Twilio's StatusCallback)

Acknowledge fast. Every webhook is authenticated first: X-Twilio-Signature is checked with
twilio's RequestValidator against PUBLIC_BASE_URL + the path, never against `request.url`,
because a proxy in front of us changes scheme and host and every check would fail; with no
auth token or public URL configured nothing is accepted (403). The endpoint then awaits
`engine.handle`, which dedupes on MessageSid, handles the message and COMMITS in a few
milliseconds, and only then answers 200 with an empty TwiML <Response/>. Replies are rows in
the outbox, sent later by the dispatcher through `TwilioSender`. So a crash before the commit
means Twilio retries (nothing lost), and a retry after it is a duplicate (nothing doubled).

Rendering. WhatsApp has no buttons in a plain message: choices are numbered ("Balas 1 atau
2") by bot/render.numbered, and the number, the label or a template button's payload all come
back as the choice. A message body holds at most 1600 characters: longer text is split in
order and the numbered choices stay with the last part.

The 24-hour window. WhatsApp delivers free-form text only within 24 hours of the person's
last message to us (`Contact.last_inbound_at`). Outside it (a volunteer alert, a status update
to a reporter who went quiet) only an approved template may be sent: ContentSid + a JSON
ContentVariables, no Body. The template for an outbox row is
`settings.whatsapp_templates[row.kind][row.locale]` (TWILIO_TEMPLATE_{ALERT,STATUS,REPLY}_
{ID,EN}). It must be a single-variable template such as "Migrasi Aman: {{1}} Balas pesan ini
untuk melanjutkan." — the whole rendered message goes into variable "1", flattened to one line
(WhatsApp rejects variables with newlines, tabs or more than four spaces in a row) and trimmed
to fit the 1024-character template limit. (A template that ENDS with a variable needs a
sample value when submitted to Meta; trailing text avoids that.) With no template configured
the send fails permanently; the casework's DeliveryFailed listener then reroutes the alert
or tells the coordinator. A message without a contact counts as inside the window only if it
is a reply.

Why our own HTTP call and not the twilio library for sending. Sending is one form POST to
{TWILIO_API_BASE_URL}/2010-04-01/Accounts/{sid}/Messages.json with Basic auth. The library's
async client must be built inside a running loop, ignores its timeout and warns on every
request under current aiohttp; the sync client would need a worker thread per send (threads
cannot be cancelled when the dispatcher stops, and a requests.Session shared between threads
is not documented as safe), and its TwilioRestException carries no response headers, so a
429's Retry-After is lost. An aiohttp session of our own is native to our loop, has real
timeouts and cancellation, pools connections, lets us read Retry-After, and costs a third of
httpx's CPU per POST (bot/channels/http.py). The wire format is small and is checked against
the fake Twilio server, whose behaviour was verified with the real library. The twilio package
is still used where it matters most: signature validation.

Errors. Network errors, 429 and 5xx are transient (Retry-After honoured when present; a 429
or a rate-limit code is the account's or the number's limit, so the whole channel waits); a 4xx is
permanent (resending the same request cannot help) with the Twilio code in the message, except
401 (credentials being rotated: retry) and the rate-limit codes; 21610 (the person sent STOP)
means blocked: the dispatcher marks the contact unreachable. A reply split into parts remembers
in the outbox row (bot/outbox.py, durably, before the next part) which parts went out, so a
retry after a failure in the middle, or after a crash, does not repeat them.

Inbound fields are checked before use (`to_inbound`, `MalformedForm` → 400, nothing stored):
coordinates must be finite and on the globe, MessageSid a SID, the sender at most 15 digits,
NumMedia a small number; the profile name is cleaned for display (bot/display.py). Bodies are
capped at MAX_FORM_BYTES before they are read (bot/web.py) and a large one is parsed and
its signature checked in a worker thread, off the event loop.

Delivery receipts. /whatsapp/status records MessageStatus on the outbox row (by the sid of the
row's last part) and, when a message failed or was undelivered — often 63016 arrives this way,
after Twilio accepted the send — takes the outbox's one delivery-failure path (a DeliveryFailed
event), as the dispatcher does for a failed send, so a failed volunteer alert counts as "no
answer" for routing. Statuses never go backwards (callbacks can arrive out of order; the
ranking is storage's) and a repeated failure is reported once.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl

import aiohttp
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot import display
from bot.capabilities import Capabilities
from bot.channels import register
from bot.channels.base import ChannelModule, adapter_of
from bot.channels.http import FORM_HEADERS, form_body, is_loopback
from bot.config import Settings
from bot.engine import Engine
from bot.i18n import _, normalize_locale, use_locale
from bot.messages import Inbound, Location, Outgoing, Reply
from bot.outbox import Attempt, Limits, RetryScope, SendError, Sent, delivery_failed
from bot.render import numbered, split_text
from storage import Tx
from storage.contacts import Contact

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
INBOUND_PATH = "/whatsapp"
STATUS_PATH = "/whatsapp/status"

MAX_BODY = 1600  # Twilio refuses a longer WhatsApp body (21617)
# The largest webhook form we accept (bot/web.py answers 413 above it, before reading it):
# 1,600 characters of emoji percent-encoded are ~19 KB, plus ten media URLs and the rest.
MAX_FORM_BYTES = 64 * 1024
PARSE_INLINE_BYTES = 16 * 1024  # above this a form is parsed off the event loop
# A template's text with its variables filled in may not exceed 1024 characters; the approved
# wording around {{1}} takes some of that.
TEMPLATE_VARIABLE_MAX = 1024 - 124
WINDOW_SECONDS = 24 * 3600
# A send takes a moment to reach WhatsApp after we decide: do not cut it that close.
WINDOW_MARGIN = 300

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

# 21610: the person replied STOP. Nothing more may be sent to them until they write again.
BLOCKED_CODES = frozenset({21610})
# 4xx codes that mean "later", not "never": rate limits of the account or the channel.
TRANSIENT_CODES = frozenset({20429, 63018})


# --- the channel (bot/channels/base.py) ---------------------------------------------------------------
def configured(settings: Settings) -> bool:
    return bool(
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from
    )


def limits(settings: Settings) -> Limits:
    # Meta also limits messages to one person (the "pair rate", error 131056: roughly one per
    # 6 s sustained, short bursts tolerated). A conversation at human pace sends a few messages
    # per turn: a burst of 10, then 1/s. The overall rate is the sender's Twilio/Meta throughput.
    return Limits(
        overall_per_second=settings.whatsapp_rate_per_second,
        per_chat_per_second=1.0,
        per_chat_burst=10.0,
    )


@dataclass
class WhatsApp:
    """What the running system keeps for this channel (`System.channels["whatsapp"]`)."""

    settings: Settings
    engine: Engine
    http: aiohttp.ClientSession
    sender: TwilioSender


def session(settings: Settings) -> aiohttp.ClientSession:
    """The HTTP session the sender posts to Twilio with (use as `async with`)."""
    base = settings.twilio_api_base_url.rstrip("/")
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=15.0, sock_connect=5.0),
        # A proxy from the environment must not receive traffic meant for a loopback fake.
        trust_env=not is_loopback(base),
        headers={
            "User-Agent": "migrasi-aman",
            "Authorization": _basic_auth(settings.twilio_account_sid, settings.twilio_auth_token),
        },
    )


def _basic_auth(user: str, password: str) -> str:
    # By hand: aiohttp deprecates its BasicAuth helper, and its replacement is recent.
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


@asynccontextmanager
async def adapter(settings: Settings, engine: Engine) -> AsyncIterator[WhatsApp]:
    async with session(settings) as http:
        yield WhatsApp(settings, engine, http, TwilioSender(settings, engine, http))


def routes(settings: Settings) -> list[Route]:
    return [
        Route(INBOUND_PATH, inbound_webhook, methods=["POST"]),
        Route(STATUS_PATH, status_webhook, methods=["POST"]),
    ]


def body_limits(settings: Settings) -> dict[str, int]:
    return {INBOUND_PATH: MAX_FORM_BYTES, STATUS_PATH: MAX_FORM_BYTES}


# --- addresses -----------------------------------------------------------------------------------
_NOT_DIGITS = re.compile(r"\D")


def wa_address(address: str) -> str:
    """Digits, "+62 …" with spaces or dashes, or "whatsapp:+62…" → "whatsapp:+62…" (digits only)."""
    return "whatsapp:+" + _NOT_DIGITS.sub("", address.removeprefix("whatsapp:"))


# --- inbound: the wire → Inbound ---------------------------------------------------------------
class Form(dict[str, str]):
    """A webhook's form fields: the first value of each for reading, and every value for the
    signature (RequestValidator reads repeated fields through `getall`, like a MultiDict)."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        self._all: dict[str, list[str]] = {}
        for key, value in pairs:
            self.setdefault(key, value)
            self._all.setdefault(key, []).append(value)

    def getall(self, key: str) -> list[str]:
        return self._all.get(key, [])

    @classmethod
    def parse(cls, body: bytes) -> Form:
        return cls(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def media_kind(content_type: str, message_type: str = "") -> str:
    """What kind of thing we cannot read: image, audio, video, sticker or document."""
    content_type = content_type.lower().split(";", 1)[0].strip()
    if message_type == "sticker" or content_type == "image/webp":
        return "sticker"  # WhatsApp stickers arrive as WebP images
    major = content_type.partition("/")[0]
    return major if major in ("image", "audio", "video") else "document"


class MalformedForm(ValueError):
    """Fields Twilio never sends in that shape: answered 400, nothing stored."""


# Twilio SIDs are two letters and 32 hex digits; a little room for other prefixes.
_SID = re.compile(r"[A-Za-z]{2}[0-9a-fA-F]{32}|[A-Za-z0-9]{1,64}")
MAX_NUMBER_DIGITS = 15  # E.164


def _coordinate(raw: str | None, bound: float, name: str) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise MalformedForm(f"{name} is not a number") from None
    if not -bound <= value <= bound:  # NaN fails every comparison, ±inf the bound
        raise MalformedForm(f"{name} {raw!r} is not a coordinate")
    return value


def to_inbound(form: Mapping[str, str]) -> Inbound | None:
    """Twilio's inbound WhatsApp fields → an Inbound; None when it names no sender.
    MalformedForm when a field has a shape Twilio never sends (a NaN latitude, a MessageSid
    of a kilobyte, a number of 40 digits)."""
    address = _NOT_DIGITS.sub("", form.get("WaId", ""))
    if not address:
        address = _NOT_DIGITS.sub("", form.get("From", "").removeprefix("whatsapp:"))
    external_id = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid")
    if not address or not external_id:
        return None
    if len(address) > MAX_NUMBER_DIGITS:
        raise MalformedForm(f"sender has {len(address)} digits")
    if not _SID.fullmatch(external_id):
        raise MalformedForm("MessageSid is not a Twilio SID")

    location = None
    lat = _coordinate(form.get("Latitude"), 90.0, "Latitude")
    lon = _coordinate(form.get("Longitude"), 180.0, "Longitude")
    if lat is not None and lon is not None:
        # A chosen place has a name and an address; a dropped pin has neither.
        label = ", ".join(p for p in (form.get("Label"), form.get("Address")) if p)
        label = display.name(label, 200)
        location = Location(lat, lon, label)

    media = None
    raw_media = form.get("NumMedia") or "0"
    if not (raw_media.isascii() and raw_media.isdigit() and len(raw_media) <= 2):
        raise MalformedForm("NumMedia is not a small whole number")
    num_media = int(raw_media)
    if num_media > 0:
        media = media_kind(form.get("MediaContentType0", ""), form.get("MessageType", ""))

    return Inbound(
        channel=CHANNEL,
        address=address,
        external_id=external_id,
        text=form.get("Body", ""),
        # A template quick-reply button, or a row of an interactive list.
        choice=form.get("ButtonPayload") or form.get("ListId") or None,
        location=location,
        display_name=display.name(form.get("ProfileName")),
        forwarded=any(
            form.get(k, "").lower() == "true" for k in ("Forwarded", "FrequentlyForwarded")
        ),
        media=media,
    )


# --- the webhooks --------------------------------------------------------------------------------
def verified_form(
    settings: Settings, path: str, headers: Mapping[str, str], body: bytes
) -> Form | None:
    """The form, if the request is signed by Twilio for PUBLIC_BASE_URL + path; else None."""
    token, base = settings.twilio_auth_token, settings.public_base_url.rstrip("/")
    signature = headers.get("x-twilio-signature", "")
    if not token or not base or not signature:
        return None
    form = Form.parse(body)
    if not RequestValidator(token).validate(base + path, form, signature):
        return None
    return form


async def _verified(request: Request, wa: WhatsApp, path: str) -> Form | None:
    body = await request.body()  # capped before it is read (bot/web.py, body_limits)
    if len(body) > PARSE_INLINE_BYTES:
        # Parsing and the HMAC of a large form run in a worker thread, off the event loop.
        return await asyncio.to_thread(verified_form, wa.settings, path, request.headers, body)
    return verified_form(wa.settings, path, request.headers, body)


async def inbound_webhook(request: Request) -> Response:
    wa: WhatsApp = adapter_of(request, CHANNEL)
    form = await _verified(request, wa, INBOUND_PATH)
    if form is None:
        log.warning("WhatsApp webhook with a missing or wrong signature refused")
        return Response(status_code=403)
    try:
        message = to_inbound(form)
    except MalformedForm as exc:
        log.warning("WhatsApp webhook refused: %s", exc)
        return Response("malformed request", status_code=400)
    if message is None:
        log.warning("WhatsApp webhook without sender or MessageSid ignored")
    else:
        await wa.engine.handle(message)  # committed when this returns
    return Response(EMPTY_TWIML, media_type="text/xml")


async def status_webhook(request: Request) -> Response:
    wa: WhatsApp = adapter_of(request, CHANNEL)
    form = await _verified(request, wa, STATUS_PATH)
    if form is None:
        log.warning("WhatsApp status callback with a missing or wrong signature refused")
        return Response(status_code=403)
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    code = form.get("ErrorCode")
    if (
        (sid and not _SID.fullmatch(sid))
        or (status and not (status.isascii() and status.isalpha() and len(status) <= 20))
        or (code and not (code.isascii() and code.isdigit() and len(code) <= 6))
    ):
        log.warning("WhatsApp status callback with malformed fields refused")
        return Response("malformed request", status_code=400)
    if sid and status:
        message = display.name(form.get("ErrorMessage", ""), 300) or ""
        error = f"Twilio {code}: {message}".strip() if code else None
        await record_status(wa.engine, sid, status, error)
    return Response(EMPTY_TWIML, media_type="text/xml")


async def record_status(engine: Engine, provider_id: str, status: str, error: str | None) -> None:
    """Write a delivery status on its outbox row; a first failure takes the outbox's one
    delivery-failure path, as a failed send does."""
    now = engine.services.clock.now()

    async def record(tx: Tx) -> None:
        failed = await tx.outbox.record_delivery_status(provider_id, status, error)
        if failed is not None:
            await delivery_failed(
                tx, failed, now, engine.services, failure=status, error=error or ""
            )

    await engine.run(record)


# --- outbound: Outgoing → the wire -------------------------------------------------------------
def location_hint(locale: str) -> str:
    with use_locale(locale):
        return _("To share your location: tap 📎 (attach), then Location.")


def render(message: Outgoing, limit: int = MAX_BODY) -> list[str]:
    """The message as WhatsApp bodies of at most `limit` characters, in order; the numbered
    choices (and the "Reply 1 or 2" line) stay together at the end of the last one."""
    reply = message.reply
    tail = numbered(
        Reply("", reply.choices, reply.ask_location),
        message.locale,
        location_hint=location_hint(message.locale),
    )
    parts = split_text(reply.text, limit)
    if not tail:
        return parts
    if parts and len(parts[-1]) + 2 + len(tail) <= limit:
        parts[-1] = f"{parts[-1]}\n\n{tail}"
        return parts
    return parts + split_text(tail, limit)


_LINE_BREAKS = re.compile(r"\s*\n\s*")
_BLANKS = re.compile(r"[ \t\u00a0]+")


def template_text(message: Outgoing, limit: int = TEMPLATE_VARIABLE_MAX) -> str:
    """The message as one template variable: one line (WhatsApp refuses line breaks, tabs and
    runs of spaces in a variable), at most `limit` characters, the choices kept whole."""
    reply = message.reply
    body = _one_line(reply.text)
    tail = _one_line(numbered(Reply("", reply.choices), message.locale)) if reply.choices else ""
    room = limit - (len(tail) + 1 if tail else 0)
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip() + "…"
    return " ".join(p for p in (body, tail) if p)[:limit]


def _one_line(text: str) -> str:
    return _BLANKS.sub(" ", _LINE_BREAKS.sub(" · ", text.strip()))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after", "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _twilio_error(body: bytes) -> tuple[int | None, str]:
    try:
        data = json.loads(body)
    except ValueError:
        return None, body.decode("utf-8", "replace")[:200]
    if not isinstance(data, dict):
        return None, str(data)[:200]
    code = data.get("code")
    return (code if isinstance(code, int) else None), str(data.get("message", ""))


@dataclass
class TwilioSender:
    """Sends outbox rows through Twilio's Messages API (see the module docstring for why our
    own HTTP call)."""

    settings: Settings
    engine: Engine
    http: aiohttp.ClientSession
    channel: str = CHANNEL

    @property
    def messages_url(self) -> str:
        base = self.settings.twilio_api_base_url.rstrip("/")
        return f"{base}/2010-04-01/Accounts/{self.settings.twilio_account_sid}/Messages.json"

    async def send(self, message: Outgoing, attempt: Attempt | None = None) -> Sent:
        """Send what an earlier attempt did not; every POST is paced by the dispatcher (each
        part counts against the limits) and each part but the last recorded once accepted."""
        attempt = attempt or Attempt(message)
        if await self.inside_window(message):
            return await self._send_text(message, attempt)
        return await self._send_template(message, attempt)

    async def inside_window(self, message: Outgoing) -> bool:
        """Whether the person wrote to us recently enough for free-form text."""
        if message.contact_id is None:
            return message.kind == "reply"
        last_inbound_at = message.last_inbound_at  # read with the row's claim, if it was
        if last_inbound_at is None:
            # Not read with the row (a sender called directly), or the contact is gone or
            # never wrote: read the contact itself.
            contact_id = message.contact_id

            async def load(tx: Tx) -> Contact | None:
                return await tx.contacts.get(contact_id)

            contact = await self.engine.run(load)
            if contact is None:
                return message.kind == "reply"
            if contact.last_inbound_at is None:
                return False
            last_inbound_at = contact.last_inbound_at
        age = self.engine.services.clock.now() - last_inbound_at
        return age < WINDOW_SECONDS - WINDOW_MARGIN

    async def _send_text(self, message: Outgoing, attempt: Attempt) -> Sent:
        parts = render(message)
        sid = ""
        for index in range(min(attempt.parts_sent, len(parts) - 1), len(parts)):
            async with attempt.call():
                sid = await self._create(message, {"Body": parts[index]})
            if index < len(parts) - 1:
                await attempt.delivered()
        return Sent(sid or None)

    async def _send_template(self, message: Outgoing, attempt: Attempt) -> Sent:
        lang = normalize_locale(message.locale)
        content_sid = self.settings.whatsapp_templates.get(message.kind, {}).get(lang)
        if not content_sid:
            raise SendError(
                f"outside the 24-hour window and no template for {message.kind}/{lang}",
                permanent=True,
                reason="outside_window",
            )
        variables = json.dumps({"1": template_text(message)}, ensure_ascii=False)
        async with attempt.call():
            sid = await self._create(
                message, {"ContentSid": content_sid, "ContentVariables": variables}
            )
        return Sent(sid)

    async def _create(self, message: Outgoing, content: dict[str, str]) -> str:
        """POST one message; its sid, or a SendError that says what kind of failure it was."""
        form = {
            "To": wa_address(message.address),
            "From": wa_address(self.settings.twilio_whatsapp_from),
        }
        form.update(content)
        if self.settings.public_base_url:
            form["StatusCallback"] = self.settings.public_base_url.rstrip("/") + STATUS_PATH
        try:
            async with self.http.post(
                self.messages_url, data=form_body(form), headers=FORM_HEADERS
            ) as response:
                status, headers, body = response.status, response.headers, await response.read()
        # aiohttp's own timeout is a TimeoutError: a network error here, not the dispatcher's
        # send timeout (that one cancels this call).
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"network error: {type(exc).__name__}: {exc}") from exc
        if status in (200, 201):
            try:
                return str(json.loads(body)["sid"])
            except (ValueError, KeyError, TypeError):
                # Accepted but unreadable: the send stands (resending would deliver it twice).
                log.warning("Twilio accepted outbox message %s without a readable sid", message.id)
                return ""
        code, text = _twilio_error(body)
        detail = f"Twilio {status}" + (f" error {code}" if code else "") + f": {text}"
        if status == 429 or code in TRANSIENT_CODES:
            # The account's or the sender number's rate (20429, 63018): the whole bot waits.
            raise SendError(detail, retry_after=_retry_after(headers), scope=RetryScope.BOT)
        if status >= 500:
            raise SendError(detail, retry_after=_retry_after(headers))
        if code in BLOCKED_CODES:
            raise SendError(detail, blocked=True)
        if status == 401:
            raise SendError(detail)  # credentials being changed: worth another try later
        raise SendError(detail, permanent=True)


channel = register(
    ChannelModule(
        name=CHANNEL,
        capabilities=Capabilities(
            address_is_phone=True,
            label="WhatsApp",
            template_outside_window=True,
            window_hours=24.0,
        ),
        configured=configured,
        limits=limits,
        adapter=adapter,
        routes=routes,
        body_limits=body_limits,
    )
)
