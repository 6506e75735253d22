"""Business events: typed, one dataclass per event, one signature per listener.

A part of the system that has something to say emits an event; the parts that care listen.
Listeners are wired in ONE place, handlers/__init__.py (`wire`), in the order they are asked.
Each event type says what its listeners return:

    FreeTextAtMenu   -> bool          who understands text typed at the menu (first True wins)
    MenuEntries      -> list[Choice]  extra menu entries (e.g. "My cases" for volunteers)
    DescribeData     -> list[str]     lines for "my data": what each part keeps about a person
    PersonErased     -> None          the person asked to be erased (before their contact goes)
    DeliveryFailed   -> None          a message could not be delivered, for good
    CaseStatusChanged -> None         a case was offered, accepted, escalated or given a
                                      volunteer's status (the reporter hears of most)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.messages import Choice, Outgoing
from storage import Tx

if TYPE_CHECKING:
    from bot.conversation import Context
    from bot.postman import Postman
    from bot.services import Services
    from storage.cases import Case

R = TypeVar("R")
E = TypeVar("E", bound="Event[Any]")


class Event(Generic[R]):
    """Base of every event; R is what each listener returns."""


@dataclass(frozen=True)
class FreeTextAtMenu(Event[bool]):
    ctx: Context


@dataclass(frozen=True)
class MenuEntries(Event[list[Choice]]):
    ctx: Context


@dataclass(frozen=True)
class DescribeData(Event[list[str]]):
    tx: Tx
    contact_id: int


@dataclass(frozen=True)
class PersonErased(Event[None]):
    ctx: Context


@dataclass(frozen=True)
class DeliveryFailed(Event[None]):
    """`message.meta` carries `failure` (a short code such as "outside_window", "failed",
    "undelivered") and `error` (the channel's words)."""

    tx: Tx
    message: Outgoing
    now: float
    services: Services


@dataclass(frozen=True)
class CaseStatusChanged(Event[None]):
    """`case` as it is now (its new `status`), `previous` its status before, `actor` who moved
    it ("system", "reporter", "volunteer:ID"). Listeners queue messages through `post`."""

    tx: Tx
    post: Postman
    services: Services
    case: Case
    previous: str
    actor: str
    now: float


Listener = Callable[[E], Awaitable[Any]]


class Events:
    def __init__(self) -> None:
        self._listeners: dict[type[Event[Any]], list[Callable[[Any], Awaitable[Any]]]] = {}

    def on(self, kind: type[E]) -> Callable[[Listener[E]], Listener[E]]:
        def register(listener: Listener[E]) -> Listener[E]:
            self._listeners.setdefault(kind, []).append(listener)
            return listener

        return register

    def listeners(self, kind: type[Event[Any]]) -> list[Callable[[Any], Awaitable[Any]]]:
        return list(self._listeners.get(kind, ()))

    async def emit(self, event: Event[R]) -> list[R]:
        """Every listener in order; their answers."""
        return [await listener(event) for listener in self.listeners(type(event))]

    async def first(self, event: Event[bool]) -> bool:
        """Listeners in order until one answers True."""
        for listener in self.listeners(type(event)):
            if await listener(event):
                return True
        return False
