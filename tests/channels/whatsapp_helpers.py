"""Driving the real web app as WhatsApp people would, through signed Twilio webhooks.

The app (bot.web.create_app) runs in-process behind httpx's ASGI transport; its WhatsApp sender
talks HTTP to the fake Twilio server (tests/fakes/twilio.py). Nothing is sent until the test
says so (`deliver()`), so every test is deterministic, and the clock is a ManualClock.

A conversation test reads like a chat::

    async with whatsapp_harness(db_path, fake_twilio) as wa:
        siti = wa.user("+6281234567890")
        [greeting] = await siti.say("halo")
        assert "Balas 1 atau 2." in greeting

A cross-flow test (report → alert to a volunteer → accept) is a few more lines::

        volunteer = wa.user("+6285712345678", name="Budi")
        ...                                  # Siti reports through siti.say(...)
        [alert] = await volunteer.inbox()    # what reached the volunteer so far
        await volunteer.say("1")             # accept
        await siti.inbox()                   # the status update to the reporter
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.channels import whatsapp
from bot.config import Settings
from bot.messages import Reply
from bot.outbox import Dispatcher
from bot.system import System
from bot.web import Runtime, create_app
from storage import Tx
from storage.contacts import Contact
from storage.outbox import NewMessage
from tests.fakes.clock import ManualClock
from tests.fakes.twilio import (
    BOT_WHATSAPP,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    FakeTwilio,
    inbound_button,
    inbound_location,
    inbound_media,
    inbound_text,
    signed_request,
    status_callback,
)

# What Twilio is configured to call. The app is reached at http://testserver: a different
# scheme and host, as behind a proxy, so a check against request.url would fail.
PUBLIC_BASE_URL = "https://migrasi-aman.example.org"
INBOUND_URL = PUBLIC_BASE_URL + whatsapp.INBOUND_PATH
STATUS_URL = PUBLIC_BASE_URL + whatsapp.STATUS_PATH

SITI = "+6281234567890"
BUDI = "+6285712345678"


def whatsapp_settings(db_path: Path, fake: FakeTwilio, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "database_path": db_path,
        "twilio_account_sid": TEST_ACCOUNT_SID,
        "twilio_auth_token": TEST_AUTH_TOKEN,
        "twilio_whatsapp_from": BOT_WHATSAPP,
        "twilio_api_base_url": fake.base_url,
        "public_base_url": PUBLIC_BASE_URL,
    }
    return dataclasses.replace(Settings(), **{**fields, **overrides})


def digits(number: str) -> str:
    """The address the channel gives a WhatsApp person: the number's digits."""
    return "".join(c for c in number if c.isdigit())


@dataclass
class WhatsAppHarness:
    app: Starlette
    http: httpx.AsyncClient
    fake: FakeTwilio
    clock: ManualClock
    runtime: Runtime
    dispatcher: Dispatcher
    _users: dict[str, WhatsAppUser] = field(default_factory=dict)

    @property
    def system(self) -> System:
        return self.runtime.system

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def sender(self) -> whatsapp.TwilioSender:
        return self.runtime.channels[whatsapp.CHANNEL].sender

    def user(self, number: str, name: str = "Siti") -> WhatsAppUser:
        if number not in self._users:
            self._users[number] = WhatsAppUser(self, number, name)
        return self._users[number]

    # --- the wire ----------------------------------------------------------------------------
    async def post(
        self,
        params: Mapping[str, str],
        *,
        url: str = INBOUND_URL,
        path: str | None = None,
        token: str = TEST_AUTH_TOKEN,
        signed: bool = True,
    ) -> httpx.Response:
        """POST a webhook signed for `url` (the public URL) to the app's `path`."""
        headers, body = signed_request(url, params, token)
        if not signed:
            del headers["X-Twilio-Signature"]
        if path is None:
            path = whatsapp.STATUS_PATH if url.endswith(whatsapp.STATUS_PATH) else "/whatsapp"
        return await self.http.post(path, content=body, headers=headers)

    async def status(
        self,
        message_sid: str,
        status: str,
        error_code: int | None = None,
        *,
        url: str = STATUS_URL,
        **kwargs: Any,
    ) -> httpx.Response:
        """A StatusCallback POST to /whatsapp/status, signed for `url`."""
        params = status_callback(message_sid, status, error_code=error_code)
        return await self.post(params, url=url, path=whatsapp.STATUS_PATH, **kwargs)

    async def deliver(self, rounds: int = 10) -> int:
        """Send everything due now through the WhatsApp sender; how many sends were tried."""
        total = 0
        for _ in range(rounds):
            n = await self.dispatcher.run_once()
            if n == 0:
                break
            total += n
        return total

    # --- the store ---------------------------------------------------------------------------
    async def contact(self, number: str) -> Contact | None:
        async def find(tx: Tx) -> Contact | None:
            return await tx.contacts.find(whatsapp.CHANNEL, digits(number))

        return await self.system.engine.run(find)

    async def enqueue(
        self, number: str, reply: Reply | str, *, kind: str = "alert", locale: str | None = None
    ) -> None:
        """Put a message for `number` in the outbox, as another flow would (an alert…)."""
        contact = await self.contact(number)
        if isinstance(reply, str):
            reply = Reply(reply)
        message = NewMessage(
            contact_id=contact.id if contact else None,
            channel=whatsapp.CHANNEL,
            address=digits(number),
            locale=locale or (contact.locale if contact and contact.locale else "id"),
            reply=reply,
            kind=kind,
        )

        async def add(tx: Tx) -> None:
            await tx.outbox.add_many([message], self.clock.now())

        await self.system.engine.run(add)

    async def outbox_rows(self) -> list[dict[str, Any]]:
        async def rows(tx: Tx) -> list[dict[str, Any]]:
            rows = await tx.sql.fetch(
                "SELECT id, contact_id, address, kind, status, provider_id, delivery_status,"
                " last_error, attempts FROM outbox ORDER BY id"
            )
            return [dict(row) for row in rows]

        return await self.system.engine.run(rows)


@dataclass
class WhatsAppUser:
    """One person on WhatsApp. Each action returns the bodies the bot sent them in answer."""

    harness: WhatsAppHarness
    number: str
    name: str = "Siti"
    _read: int = 0

    @property
    def address(self) -> str:
        return digits(self.number)

    async def send(self, params: Mapping[str, str]) -> list[str | None]:
        response = await self.harness.post(params)
        assert response.status_code == 200, response.text
        return await self.inbox()

    async def say(self, text: str, *, sid: str | None = None) -> list[str | None]:
        return await self.send(inbound_text(self.number, text, sid=sid, profile_name=self.name))

    async def tap(self, payload: str, text: str) -> list[str | None]:
        return await self.send(inbound_button(self.number, payload, text, profile_name=self.name))

    async def share_location(self, lat: float, lon: float, **kwargs: Any) -> list[str | None]:
        return await self.send(
            inbound_location(self.number, lat, lon, profile_name=self.name, **kwargs)
        )

    async def send_media(
        self, content_type: str = "image/jpeg", caption: str = ""
    ) -> list[str | None]:
        return await self.send(
            inbound_media(self.number, content_type, caption=caption, profile_name=self.name)
        )

    async def inbox(self) -> list[str | None]:
        """Deliver what is due, and return the bodies that reached this person since the last
        look (None for a template message: see `messages`)."""
        await self.harness.deliver()
        sent = self.harness.fake.sent(self.number)
        new = sent[self._read :]
        self._read = len(sent)
        return [m.get("Body") for m in new]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message the fake Twilio accepted for this person, as posted."""
        return self.harness.fake.sent(self.number)


@asynccontextmanager
async def whatsapp_harness(
    db_path: Path,
    fake: FakeTwilio,
    *,
    clock: ManualClock | None = None,
    **settings: Any,
) -> AsyncIterator[WhatsAppHarness]:
    clock = clock or ManualClock()
    app = create_app(whatsapp_settings(db_path, fake, **settings), clock=clock, dispatch=False)
    async with app.router.lifespan_context(app):
        rt: Runtime = app.state.runtime
        # The channel's real limits pace real seconds; a test sends a whole conversation at once.
        limits = dataclasses.replace(
            whatsapp.limits(rt.settings),
            overall_per_second=1000.0,
            per_chat_per_second=1000.0,
            per_chat_burst=1000.0,
        )
        dispatcher = Dispatcher(rt.system.engine, rt.channels[whatsapp.CHANNEL].sender, limits)
        rt.dispatchers[whatsapp.CHANNEL] = dispatcher
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield WhatsAppHarness(app, http, fake, clock, rt, dispatcher)
