"""A local fake of Twilio's Messages REST API, inbound webhook builders and signing helpers.

The REAL twilio library talks to this fake over a loopback socket, so tests exercise the same
HTTP requests, auth, error bodies and exceptions as production, without the internet.

Usable as a pytest plugin (``pytest_plugins = ["tests.fakes.twilio"]``), which provides:

- ``twilio_server`` (session): one running :class:`FakeTwilio`, started once.
- ``fake_twilio`` (function): the same fake, reset (records and queued failures cleared).
- ``twilio_client`` (function): a real ``twilio.rest.Client`` pointed at the fake.

Typical test::

    async def test_reply(fake_twilio):
        client = twilio_client_for(fake_twilio)
        await asyncio.to_thread(client.messages.create, from_=BOT, to=USER, body="Halo")
        [msg] = await fake_twilio.wait_sent(1, to=USER)
        assert msg["Body"] == "Halo"

An inbound webhook, signed as Twilio would sign it for the project's PUBLIC url::

    params = inbound_text("+6281234567890", "halo")
    headers, body = signed_request(PUBLIC_URL, params, fake_twilio.auth_token)
    await http.post("/webhooks/whatsapp", content=body, headers=headers)

Pointing the client at the fake (both verified in test_twilio_fake.py against twilio 9.13):
``client.api.base_url = fake.base_url`` works because the ``Api`` domain object is cached on the
client and builds every absolute URL from ``base_url`` at request time. :func:`twilio_client_for`
instead passes :class:`FakeOriginHttpClient`, which rewrites every ``https://*.twilio.com`` URL
to the fake: it also catches the other Twilio domains (content, messaging, ...), so a stray call
gets a 404 from the fake instead of reaching the internet.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.fakes.server import LoopbackServer

# Fixed credentials: webhook builders default to this account, and a test that configures the
# app with them needs no access to the fake object.
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_AUTH_TOKEN = "fa4e" * 8
# Twilio's WhatsApp sandbox sender; the default "To" of inbound messages (our bot's number).
BOT_WHATSAPP = "whatsapp:+14155238886"
TEST_USER_WHATSAPP = "whatsapp:+6281234567890"

API_VERSION = "2010-04-01"
MAX_BODY_CHARS = 1600

# Messages Twilio puts in its JSON error body; the code alone decides behaviour in clients.
ERROR_MESSAGES: dict[int, str] = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "The 'To' number is not a valid phone number.",
    21212: "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21619: "A text message body or media urls must be specified.",
    21656: "The ContentVariables Parameter is invalid.",
    63016: (
        "Failed to send freeform message because you are outside the allowed window. "
        "If you are using WhatsApp, please use a Message Template."
    ),
    63018: "Rate limit exceeded for Channel",
}
_DEFAULT_CODE_FOR_STATUS = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}

# E.164 after the channel prefix: "+", no leading zero, 7 to 15 digits.
_WHATSAPP_ADDRESS = re.compile(r"whatsapp:\+[1-9]\d{6,14}")
# Form fields the API accepts several times; always recorded as lists.
_MULTI_FIELDS = frozenset({"MediaUrl", "PersistentAction"})
MESSAGE_STATUSES = frozenset(
    {"accepted", "queued", "sending", "sent", "delivered", "read", "failed", "undelivered"}
)


def new_sid(prefix: str = "SM") -> str:
    return prefix + uuid.uuid4().hex


def whatsapp_address(number: str) -> str:
    """ "+62812…", "62812…" or "whatsapp:+62812…" → "whatsapp:+62812…"."""
    digits = number.removeprefix("whatsapp:").lstrip("+")
    return f"whatsapp:+{digits}"


def twilio_error(status: int, code: int, message: str | None = None) -> dict[str, Any]:
    """The JSON body Twilio's 2010 API returns with an error status."""
    return {
        "code": code,
        "message": message or ERROR_MESSAGES.get(code, f"Error {code}"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _rfc2822(ts: float) -> str:
    # format_datetime is locale independent, unlike strftime("%a").
    return email.utils.format_datetime(datetime.fromtimestamp(ts, UTC))


@dataclass
class _Failure:
    status: int
    code: int
    message: str | None
    retry_after: int | None
    to: str | None
    remaining: int


@dataclass(eq=False)  # identity semantics: one live server per object
class FakeTwilio:
    """Fake Twilio Messages API. Records are read from the test thread while the server thread
    writes them, so every access goes through ``_cond``."""

    account_sid: str = TEST_ACCOUNT_SID
    auth_token: str = TEST_AUTH_TOKEN
    _messages: list[dict[str, Any]] = field(default_factory=list, init=False, repr=False)
    _requests: list[dict[str, Any]] = field(default_factory=list, init=False, repr=False)
    _resources: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    _failures: list[_Failure] = field(default_factory=list, init=False, repr=False)
    _cond: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)
    _server: LoopbackServer | None = field(default=None, init=False, repr=False)
    app: Starlette = field(init=False, repr=False)

    def __post_init__(self) -> None:
        base = f"/{API_VERSION}/Accounts/{{account_sid}}"
        self.app = Starlette(
            routes=[
                Route(f"{base}/Messages.json", self._create_message, methods=["POST"]),
                Route(f"{base}/Messages/{{message_sid}}.json", self._fetch_message),
                Route("/{path:path}", self._not_found, methods=["GET", "POST", "DELETE"]),
            ]
        )

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        self._server = LoopbackServer(self.app).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        return self._server.url

    def reset(self) -> None:
        with self._cond:
            self._messages.clear()
            self._requests.clear()
            self._resources.clear()
            self._failures.clear()

    # ---- recorded traffic -----------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Accepted messages: the posted form fields (only those sent; ``MediaUrl`` a list)
        plus ``sid`` and ``time`` (epoch seconds)."""
        with self._cond:
            return [dict(m) for m in self._messages]

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request, failed ones included: method, path, form, status, code (Twilio
        error code or None), sid (for a created message, else None), time."""
        with self._cond:
            return [dict(r) for r in self._requests]

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return self._sent_locked(to)

    def bodies(self, to: str | None = None) -> list[str | None]:
        return [m.get("Body") for m in self.sent(to)]

    def _sent_locked(self, to: str | None) -> list[dict[str, Any]]:
        want = whatsapp_address(to) if to else None
        return [dict(m) for m in self._messages if want is None or m.get("To") == want]

    def wait_sent_sync(
        self, n: int = 1, to: str | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Block until at least ``n`` messages (to ``to``) were accepted; return them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(found := self._sent_locked(to)) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(self._timeout_report(n, to, timeout))
                self._cond.wait(left)
            return found

    async def wait_sent(
        self, n: int = 1, to: str | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Async form of :meth:`wait_sent_sync`; polls so the event loop keeps running the
        code under test (and cancellation works)."""
        deadline = time.monotonic() + timeout
        while len(found := self.sent(to)) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(n, to, timeout))
            await asyncio.sleep(0.005)
        return found

    def _timeout_report(self, n: int, to: str | None, timeout: float) -> str:
        with self._cond:
            sent, reqs = list(self._messages), list(self._requests)
        lines = [
            f"expected {n} message(s) to {to or 'anyone'} within {timeout}s; "
            f"{len(sent)} accepted in total:"
        ]
        lines += [
            f"  {m.get('To')}: "
            + (repr(m["Body"]) if "Body" in m else f"ContentSid={m.get('ContentSid')}")
            for m in sent
        ]
        failed = [r for r in reqs if r["status"] >= 300]
        if failed:
            lines.append(f"{len(failed)} failed request(s):")
            lines += [f"  {r['status']} code={r['code']} To={r['form'].get('To')}" for r in failed]
        return "\n".join(lines)

    # ---- failure injection ----------------------------------------------------------------

    def fail(
        self,
        status: int = 500,
        times: int = 1,
        code: int | None = None,
        to: str | None = None,
        *,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` message creations (to ``to``, if given) with an error.

        Queued failures are consumed in order, after authentication and before validation.
        ``code`` defaults by status (500 → 20500, 429 → 20429, 503 → 20503); a 400 needs one,
        e.g. 63016 (outside the 24 h window) or 21610 (unsubscribed recipient).
        """
        if code is None:
            if status not in _DEFAULT_CODE_FOR_STATUS:
                raise ValueError(f"give a Twilio error code for HTTP {status}")
            code = _DEFAULT_CODE_FOR_STATUS[status]
        with self._cond:
            self._failures.append(
                _Failure(
                    status=status,
                    code=code,
                    message=message,
                    retry_after=retry_after,
                    to=whatsapp_address(to) if to else None,
                    remaining=times,
                )
            )

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """Change what a later GET of the message returns (e.g. after a status callback)."""
        if status not in MESSAGE_STATUSES:
            raise ValueError(f"unknown message status {status!r}")
        with self._cond:
            res = self._resources[sid]
            res["status"] = status
            res["error_code"] = error_code
            res["error_message"] = ERROR_MESSAGES.get(error_code) if error_code else None
            res["date_updated"] = _rfc2822(time.time())

    def _take_failure(self, to: str | None) -> _Failure | None:
        # Caller holds self._cond.
        for f in self._failures:
            if f.to is None or f.to == to:
                f.remaining -= 1
                if f.remaining <= 0:
                    self._failures.remove(f)
                return f
        return None

    # ---- HTTP handlers --------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return (
            user == self.account_sid
            and password == self.auth_token
            and request.path_params.get("account_sid", user) == self.account_sid
        )

    def _record(self, request: Request, form: dict[str, Any], status: int, **extra: Any) -> None:
        # Caller holds self._cond.
        self._requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "form": form,
                "status": status,
                "code": extra.get("code"),
                "sid": extra.get("sid"),
                "time": time.time(),
            }
        )

    def _error(
        self,
        request: Request,
        form: dict[str, Any],
        status: int,
        code: int,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> JSONResponse:
        with self._cond:
            self._record(request, form, status, code=code)
        return JSONResponse(twilio_error(status, code, message), status, headers=headers)

    async def _create_message(self, request: Request) -> JSONResponse:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        form: dict[str, Any] = {}
        for key, value in pairs:
            if key in _MULTI_FIELDS:
                form.setdefault(key, []).append(value)
            else:
                form[key] = value

        if not self._authorized(request):
            return self._error(request, form, 401, 20003)

        to, from_ = form.get("To"), form.get("From")
        with self._cond:
            failure = self._take_failure(to)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else None
            return self._error(
                request, form, failure.status, failure.code, failure.message, headers
            )

        body, content_sid, media = form.get("Body"), form.get("ContentSid"), form.get("MediaUrl")
        service = form.get("MessagingServiceSid")
        if not to:
            return self._error(request, form, 400, 21604)
        if not _WHATSAPP_ADDRESS.fullmatch(to):
            return self._error(request, form, 400, 21211, f"The 'To' number {to} is not valid.")
        if not from_ and not service:
            return self._error(request, form, 400, 21603)
        if from_ and not _WHATSAPP_ADDRESS.fullmatch(from_):
            return self._error(
                request, form, 400, 21212, f"The 'From' number {from_} is not valid."
            )
        if not body and not content_sid and not media:
            return self._error(request, form, 400, 21619)
        if body and len(body) > MAX_BODY_CHARS:
            return self._error(request, form, 400, 21617)
        if "ContentVariables" in form:
            # Catches a dict passed where Twilio wants a JSON string.
            try:
                ok = isinstance(json.loads(form["ContentVariables"]), dict)
            except ValueError:
                ok = False
            if not ok:
                return self._error(request, form, 400, 21656)

        now = time.time()
        # Twilio gives messages with media an "MM" sid.
        sid = new_sid("MM" if media else "SM")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body or "",
            "date_created": _rfc2822(now),
            "date_sent": None,
            "date_updated": _rfc2822(now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": str(len(media or [])),
            "num_segments": "1",  # WhatsApp does not split into SMS segments
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # A Messaging Service choosing the sender answers "accepted" first.
            "status": "accepted" if service and not from_ else "queued",
            "subresource_uris": {"media": uri.removesuffix(".json") + "/Media.json"},
            "to": to,
            "uri": uri,
        }
        with self._cond:
            self._resources[sid] = resource
            self._messages.append({**form, "sid": sid, "time": now})
            self._record(request, form, 201, sid=sid)
            self._cond.notify_all()
        return JSONResponse(resource, 201, headers={"Twilio-Request-Id": new_sid("RQ")})

    async def _fetch_message(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return self._error(request, {}, 401, 20003)
        sid = request.path_params["message_sid"]
        with self._cond:
            resource = self._resources.get(sid)
            if resource is not None:
                resource = dict(resource)
                self._record(request, {}, 200, sid=sid)
        if resource is None:
            return self._error(
                request, {}, 404, 20404, f"The requested resource {request.url.path} was not found"
            )
        return JSONResponse(resource, 200)

    async def _not_found(self, request: Request) -> JSONResponse:
        # Anything the fake does not implement: fail loudly, in Twilio's shape.
        return self._error(
            request, {}, 404, 20404, f"The requested resource {request.url.path} was not found"
        )


# ---- pointing the real client at the fake ---------------------------------------------------


class FakeOriginHttpClient(TwilioHttpClient):
    """Sends every ``https://*.twilio.com`` request to ``origin`` instead."""

    def __init__(self, origin: str, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(origin)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        if self.session is not None:
            # A proxy from the environment must not receive loopback traffic.
            self.session.trust_env = False

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.hostname and (
            parts.hostname == "twilio.com" or parts.hostname.endswith(".twilio.com")
        ):
            return urlunsplit(parts._replace(scheme=self._scheme, netloc=self._netloc))
        return url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        return super().request(method, self.rewrite(url), *args, **kwargs)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def twilio_client_for(fake: FakeTwilio, *, timeout: float = 10.0) -> Client:
    """A real sync ``twilio.rest.Client`` whose every request goes to ``fake``.

    Safe to call from a worker thread (``asyncio.to_thread(client.messages.create, ...)``).
    """
    return Client(
        fake.account_sid,
        fake.auth_token,
        http_client=FakeOriginHttpClient(fake.base_url, timeout=timeout),
    )


# ---- inbound webhook payloads (form dicts as Twilio posts them for WhatsApp) ----------------


def _inbound_base(
    wa_number: str,
    *,
    sid: str | None,
    sid_prefix: str,
    profile_name: str,
    to: str,
    account_sid: str,
    message_type: str,
    body: str,
    num_media: int = 0,
) -> dict[str, str]:
    sid = sid or new_sid(sid_prefix)
    sender = whatsapp_address(wa_number)
    return {
        "SmsMessageSid": sid,
        "NumMedia": str(num_media),
        "ProfileName": profile_name,
        "MessageType": message_type,
        "SmsSid": sid,
        "WaId": sender.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": body,
        "To": whatsapp_address(to),
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": sender,
        "ApiVersion": API_VERSION,
    }


def inbound_text(
    wa_number: str,
    body: str,
    *,
    sid: str | None = None,
    profile_name: str = "Siti",
    to: str = BOT_WHATSAPP,
    account_sid: str = TEST_ACCOUNT_SID,
) -> dict[str, str]:
    """A user's text message. Pass the same ``sid`` twice to simulate a Twilio retry."""
    return _inbound_base(
        wa_number,
        sid=sid,
        sid_prefix="SM",
        profile_name=profile_name,
        to=to,
        account_sid=account_sid,
        message_type="text",
        body=body,
    )


def inbound_location(
    wa_number: str,
    lat: float,
    lon: float,
    address: str | None = None,
    label: str | None = None,
    *,
    sid: str | None = None,
    profile_name: str = "Siti",
    to: str = BOT_WHATSAPP,
    account_sid: str = TEST_ACCOUNT_SID,
) -> dict[str, str]:
    """A shared location. A dropped pin has no Address/Label; a chosen place has both."""
    params = _inbound_base(
        wa_number,
        sid=sid,
        sid_prefix="SM",
        profile_name=profile_name,
        to=to,
        account_sid=account_sid,
        message_type="location",
        body="",
    )
    params["Latitude"] = str(lat)
    params["Longitude"] = str(lon)
    if address is not None:
        params["Address"] = address
    if label is not None:
        params["Label"] = label
    return params


def inbound_button(
    wa_number: str,
    payload: str,
    text: str,
    *,
    replied_to: str | None = None,
    sid: str | None = None,
    profile_name: str = "Siti",
    to: str = BOT_WHATSAPP,
    account_sid: str = TEST_ACCOUNT_SID,
) -> dict[str, str]:
    """A tap on a template quick-reply button; Body carries the button text."""
    params = _inbound_base(
        wa_number,
        sid=sid,
        sid_prefix="SM",
        profile_name=profile_name,
        to=to,
        account_sid=account_sid,
        message_type="button",
        body=text,
    )
    params["ButtonPayload"] = payload
    params["ButtonText"] = text
    if replied_to is not None:
        params["OriginalRepliedMessageSid"] = replied_to
        params["OriginalRepliedMessageSender"] = whatsapp_address(to)
    return params


def inbound_media(
    wa_number: str,
    content_type: str = "image/jpeg",
    *,
    caption: str = "",
    media_url: str | None = None,
    sid: str | None = None,
    profile_name: str = "Siti",
    to: str = BOT_WHATSAPP,
    account_sid: str = TEST_ACCOUNT_SID,
) -> dict[str, str]:
    """A photo, voice note, video or document. The default MediaUrl has the real shape
    (api.twilio.com); the fake does not serve media, so do not fetch it in tests."""
    major = content_type.partition("/")[0]
    message_type = major if major in {"image", "audio", "video"} else "document"
    params = _inbound_base(
        wa_number,
        sid=sid,
        sid_prefix="MM",
        profile_name=profile_name,
        to=to,
        account_sid=account_sid,
        message_type=message_type,
        body=caption,
        num_media=1,
    )
    params["MediaContentType0"] = content_type
    params["MediaUrl0"] = media_url or (
        f"https://api.twilio.com/{API_VERSION}/Accounts/{account_sid}"
        f"/Messages/{params['MessageSid']}/Media/{new_sid('ME')}"
    )
    return params


def status_callback(
    message_sid: str,
    status: str,
    *,
    error_code: int | None = None,
    to: str = TEST_USER_WHATSAPP,
    from_: str = BOT_WHATSAPP,
    account_sid: str = TEST_ACCOUNT_SID,
) -> dict[str, str]:
    """The StatusCallback POST for one of our outbound messages. For WhatsApp, a freeform
    message outside the 24 h window is accepted (201) and then fails here with 63016."""
    if status not in MESSAGE_STATUSES:
        raise ValueError(f"unknown message status {status!r}")
    params = {
        "ChannelPrefix": "whatsapp",
        "ApiVersion": API_VERSION,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "To": whatsapp_address(to),
        "From": whatsapp_address(from_),
        "ChannelToAddress": "+" + whatsapp_address(to).removeprefix("whatsapp:+"),
        "MessageSid": message_sid,
        "AccountSid": account_sid,
    }
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
        params["ErrorMessage"] = ERROR_MESSAGES.get(error_code, f"Error {error_code}")
    return params


# ---- signing ---------------------------------------------------------------------------------


def sign(url: str, params: Mapping[str, str], auth_token: str = TEST_AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a POST of ``params`` to ``url``.

    ``url`` must be the PUBLIC url Twilio was configured with, byte for byte: http vs https
    or a trailing slash changes the signature.
    """
    return RequestValidator(auth_token).compute_signature(url, dict(params))


def signed_request(
    url: str,
    params: Mapping[str, str],
    auth_token: str = TEST_AUTH_TOKEN,
    *,
    idempotency_token: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and urlencoded body of a Twilio webhook POST, signed for ``url``.

    POST them anywhere (a loopback server, ``httpx.ASGITransport``): only the signed url has
    to be the public one. Reuse ``idempotency_token`` to simulate Twilio retrying.
    """
    headers = {
        "X-Twilio-Signature": sign(url, params, auth_token),
        "Content-Type": "application/x-www-form-urlencoded",
        "I-Twilio-Idempotency-Token": idempotency_token or str(uuid.uuid4()),
        "User-Agent": "TwilioProxy/1.1",
    }
    return headers, urlencode(dict(params)).encode()


# ---- pytest fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[FakeTwilio]:
    """One fake for the whole session: stopping uvicorn costs ~0.2 s."""
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def fake_twilio(twilio_server: FakeTwilio) -> FakeTwilio:
    twilio_server.reset()
    return twilio_server


@pytest.fixture
def twilio_client(fake_twilio: FakeTwilio) -> Iterator[Client]:
    client = twilio_client_for(fake_twilio)
    yield client
    http = client.http_client
    if isinstance(http, FakeOriginHttpClient):
        http.close()
