"""The HTTP client the channels send with: aiohttp, behind python-telegram-bot's request interface.

Why aiohttp and not httpx, which python-telegram-bot uses by default. Every reply is one or more
POSTs to the platform, so the client's own cost is paid on every message. Measured side by side
against one loopback server, a bare httpx POST cost 3-4x the CPU of an aiohttp POST (httpx runs
each request through httpcore and anyio; aiohttp's HTTP parser is compiled), and a whole
`Bot.send_message` 2x (PTB builds the request and reads the answer either way). The
dispatcher sends all day, so this is the largest cost of sending that is ours to choose.
aiohttp is kept, widely used, and already installed with the twilio package.

`AiohttpRequest` is a `telegram.request.BaseRequest`: PTB builds the request (form fields, JSON
values, files) and reads the answer as before; only the transport changes. (The one call made
all day, sendMessage, is built by the Telegram channel itself, field for field as PTB builds
it, and its answer kept as JSON: bot/channels/telegram.py, `TelegramSender.send_part`.) Errors are mapped
as PTB's own HTTPXRequest maps them, so the Bot raises the same exceptions: a timeout is
`TimedOut`, any other transport failure `NetworkError`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = "application/x-www-form-urlencoded"
FORM_HEADERS = {"Content-Type": FORM}


# `urllib.parse.quote_plus`, byte for byte. It maps a text with any byte to escape one byte
# at a time in a Python-level loop: for a 1,500-character reply, ~250 us, more than the rest
# of the POST. Here the bytes to escape are found with one `translate` and each distinct one
# replaced in one C-level pass ("%" first, as the escapes themselves contain it): 4-12x less.
_KEPT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~ "
_ESCAPED = tuple(f"%{byte:02X}".encode() for byte in range(256))


def _quote_plus(text: str) -> bytes:
    data = text.encode("utf-8")
    escape = set(data.translate(None, _KEPT))
    if escape:
        if 0x25 in escape:  # "%"
            data = data.replace(b"%", b"%25")
            escape.discard(0x25)
        for byte in escape:
            data = data.replace(bytes((byte,)), _ESCAPED[byte])
    return data.replace(b" ", b"+")


def form_body(fields: dict[str, str]) -> bytes:
    """A form as the bytes aiohttp would make of the dict (`FormData`: urlencode, UTF-8), byte
    for byte, made directly: aiohttp's FormData and urllib's quoting cost more than the
    rest of a POST, on every send."""
    return b"&".join(_quote_plus(k) + b"=" + _quote_plus(v) for k, v in fields.items())


def is_loopback(url: str) -> bool:
    """A loopback URL (a local fake): a proxy from the environment must not receive it."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AiohttpRequest(BaseRequest):
    """PTB's requests over one pooled aiohttp session (created in `initialize`, inside the
    running loop, as aiohttp requires)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        trust_env: bool = True,
    ) -> None:
        # The defaults are HTTPXRequest's, so a Bot behaves the same with either.
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                trust_env=self._trust_env,
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = (
            request_data.multipart_data if request_data and request_data.contains_files else None
        )
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no write timeout of its own: the write is part of the whole call's.
        budget = [t for t in (read, write, connect, pool) if t is not None]
        timeout = aiohttp.ClientTimeout(
            total=sum(budget) if len(budget) == 4 else None,
            sock_connect=connect,
            sock_read=read,
        )
        data, headers = self._body(request_data, files)
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    @staticmethod
    def _body(
        request_data: RequestData | None, files: dict[str, object] | None
    ) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
        if request_data is None:
            return None, None
        if not files:
            # form-encoded, as PTB's httpx request sends
            return form_body(request_data.json_parameters), FORM_HEADERS
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mime) in files.items():  # type: ignore[misc]
            form.add_field(name, content, filename=filename, content_type=mime)
        return form, None
