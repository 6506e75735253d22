"""The pieces a conversation is written with: a Context per message, Flows of named steps,
intents that work from anywhere, middleware around every message, and the Router.

A handler never knows the channel: it reads `ctx.text`, `ctx.choice`, `ctx.location` and
answers with `ctx.say(...)`. Choices the person is offered are remembered in the state, so a
reply of "2", the label's words or the button payload all arrive as `ctx.choice`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.events import Events
from bot.i18n import current_locale
from bot.messages import Choice, Inbound, Location, Reply
from bot.postman import Postman
from bot.prepare import Hint, Key, Prepared, Preparer
from storage import Tx
from storage.contacts import Contact, State

if TYPE_CHECKING:
    from bot.services import Services
    from bot.understanding import Understanding

Step = Callable[["Context"], Awaitable[None]]
Middleware = Callable[["Context", Callable[[], Awaitable[None]]], Awaitable[None]]

PAUSED = "paused:"  # state.data keys that survive moving between flows (see Context._kept)
# Long enough for any real job offer; a 20,000-character paste is cut, not refused.
MAX_TEXT = 6000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_SPACES = re.compile(r"[ \t]+")


def clean_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw or "")
    text = _CONTROL.sub("", _ANSI.sub("", text)).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
    return text[:MAX_TEXT]


def normalize(text: str) -> str:
    """Lower case, no punctuation at the ends, single spaces: for matching commands and labels."""
    # the same labels and short words are compared for every message: those are remembered
    return _normalize_short(text) if len(text) <= 80 else _normalize(text)


def _normalize(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .,!?;:()[]\"'*_~")


_normalize_short = lru_cache(maxsize=8192)(_normalize)


@dataclass
class Context:
    inbound: Inbound
    contact: Contact
    state: State
    tx: Tx
    services: Services
    now: float
    is_new: bool = False
    # pure results computed before the writer took the message (bot/prepare.py)
    prepared: Prepared = field(default_factory=Prepared)
    replies: list[Reply] = field(default_factory=list)
    post: Postman = field(init=False)
    text: str = ""
    choice: str | None = None
    out_of_range: bool = False  # a number was sent that is not among the choices
    forgotten: bool = False  # the contact was erased while handling this message
    _jumps: int = 0
    _understood: Understanding | None = None

    def __post_init__(self) -> None:
        self.post = Postman(self.tx, self.now)
        self.text = clean_text(self.inbound.text)
        self.choice = self._resolve_choice()

    # --- reading the message -------------------------------------------------------------
    @property
    def norm(self) -> str:
        return normalize(self.text)

    @property
    def typed(self) -> bool:
        """Free text, not one of the offered choices."""
        return self.choice is None and bool(self.text) and not self.out_of_range

    @property
    def understood(self) -> Understanding:
        """What the message is and the data in it (bot/understanding), read once per message
        before the router: handlers use this instead of parsing the text again."""
        if self._understood is None:
            text, lang = self.text, self.locale
            self._understood = self.prepared.get(
                ("understood", text, lang),
                lambda: self.services.understander.understand(text, lang),
            )
        return self._understood

    @property
    def location(self) -> Location | None:
        return self.inbound.location

    @property
    def locale(self) -> str:
        return current_locale()

    def _resolve_choice(self) -> str | None:
        offered = self.state.choices
        payload = self.inbound.choice
        if payload:
            return payload
        norm = normalize(self.text)
        if not norm or not offered:
            return None
        if norm.isdigit():
            index = int(norm)
            if 1 <= index <= len(offered):
                return offered[index - 1].key
            self.out_of_range = True
            return None
        for option in offered:
            label = normalize(option.label)
            if norm == label or norm == normalize(option.key):
                return option.key
        # "1." or "1)" or "no 1" style answers
        m = re.fullmatch(r"(?:no\.?|nomor|number|pilih)?\s*(\d{1,2})", norm)
        if m:
            index = int(m.group(1))
            if 1 <= index <= len(offered):
                return offered[index - 1].key
            self.out_of_range = True
        return None

    # --- answering ------------------------------------------------------------------------
    def say(self, text: str, choices: Iterable[Choice] = (), *, ask_location: bool = False) -> None:
        choices = tuple(choices)
        self.replies.append(Reply(text=text, choices=choices, ask_location=ask_location))
        if choices:
            self.state.choices = list(choices)

    def _kept(self) -> dict[str, Any]:
        # "paused:<flow>" entries (a report draft left for a side trip) go with the person
        # from flow to flow until that flow takes them back (24 hours at most: scheduler).
        return {k: v for k, v in self.state.data.items() if k.startswith(PAUSED)}

    def move(self, step: str, flow: str | None = None) -> None:
        """Set where the next message goes, without running it."""
        if flow is not None and flow != self.state.flow:
            self.state.flow = flow
            self.state.data = self._kept()
        self.state.step = step
        self.state.choices = []

    async def goto(self, flow: str, step: str = "start", **data: Any) -> None:
        """Enter a flow (fresh data) and run its step now."""
        self._jumps += 1
        if self._jumps > 8:
            raise RuntimeError(f"conversation loop entering {flow}.{step}")
        self.state.flow, self.state.step = flow, step
        self.state.data = {**self._kept(), **data}
        self.state.choices = []
        self.choice = None
        await self.services.router.run_step(self)


@dataclass
class Flow:
    name: str
    steps: dict[str, Step] = field(default_factory=dict)
    free_text: set[str] = field(default_factory=set)  # steps that take whatever the person writes

    def step(self, name: str, *, free_text: bool = False) -> Callable[[Step], Step]:
        def register(fn: Step) -> Step:
            self.steps[name] = fn
            if free_text:
                self.free_text.add(name)
            return fn

        return register


# An intent's filter returns what it matched, or None (or False) when the message is not
# for it. True means "matched, nothing to hand over": the handler is called with the Context
# alone; any other value is handed to it, so it never parses the message again.
Matcher = Callable[["Context"], Any]
IntentHandler = Callable[..., Awaitable[None]]


@dataclass
class Intent:
    """Something a person can ask for from anywhere in any conversation."""

    name: str
    matches: Matcher
    handle: IntentHandler


# Reading a long message (a pasted offer, a story) costs far more than the hop to a worker;
# below this the writer reads it itself.
UNDERSTAND_BEFORE_FROM = 40


def _wants_understanding(hint: Hint) -> bool:
    return len(hint.text) >= UNDERSTAND_BEFORE_FROM


def _understand(hint: Hint, services: Services) -> dict[Key, object]:
    return {
        ("understood", hint.text, hint.locale): services.understander.understand(
            hint.text, hint.locale
        )
    }


# Every message is read once before the router (Context.understood); long ones before the writer.
UNDERSTANDING = Preparer("understand", _wants_understanding, _understand)


class Router:
    def __init__(self) -> None:
        self.flows: dict[str, Flow] = {}
        self.intents: list[Intent] = []
        self.middleware: list[Middleware] = []
        # Pure work the engine does before the writer takes a message (bot/prepare.py).
        self.preparers: list[Preparer] = [UNDERSTANDING]
        # Business events (bot/events.py), wired in handlers/__init__.py.
        self.events = Events()

    def include(self, *flows: Flow) -> None:
        for flow in flows:
            if flow.name in self.flows:
                raise ValueError(f"flow {flow.name!r} registered twice")
            self.flows[flow.name] = flow

    def intent(self, name: str, matches: Matcher) -> Callable[[IntentHandler], IntentHandler]:
        def register(fn: IntentHandler) -> IntentHandler:
            self.intents.append(Intent(name, matches, fn))
            return fn

        return register

    def use(self, middleware: Middleware) -> None:
        self.middleware.append(middleware)

    def prepare(self, preparer: Preparer) -> None:
        self.preparers.append(preparer)

    async def dispatch(self, ctx: Context) -> None:
        ctx.understood  # noqa: B018 - the one understanding step, before any middleware or intent

        async def innermost() -> None:
            for intent in self.intents:
                found = intent.matches(ctx)
                if found is None or found is False:
                    continue
                if found is True:
                    await intent.handle(ctx)
                else:
                    await intent.handle(ctx, found)
                return
            await self.run_step(ctx)

        call: Callable[[], Awaitable[None]] = innermost
        for mw in reversed(self.middleware):
            call = _bind(mw, ctx, call)
        await call()

    def takes_free_text(self, ctx: Context) -> bool:
        flow = self.flows.get(ctx.state.flow)
        return flow is not None and ctx.state.step in flow.free_text

    async def run_step(self, ctx: Context) -> None:
        flow = self.flows.get(ctx.state.flow)
        step = flow.steps.get(ctx.state.step) if flow else None
        if step is None:
            # A state from an older version, or a flow that no longer exists: start over.
            ctx.state.flow, ctx.state.step, ctx.state.data = "menu", "start", {}
            step = self.flows["menu"].steps["start"]
        await step(ctx)


def _bind(
    mw: Middleware, ctx: Context, nxt: Callable[[], Awaitable[None]]
) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        await mw(ctx, nxt)

    return call
