"""Work that needs no transaction, done before the writer takes a message.

The engine has one writer (bot/engine.py): every message of a batch waits for every other.
Checking a pasted job offer costs far more than all the reads and writes of a message, and it
is a pure function of the text and the language, so it must not run there. Before a message is
queued, the engine asks each registered `Preparer` for the pure results a step would compute
(in a worker thread, so the event loop keeps serving), and hands them to the handler in
`ctx.prepared`. A step asks `ctx.prepared.get(key, compute)`: the prepared value when it was
computed from the same inputs (the key says which), else it computes it itself, so a wrong
guess about where the conversation stands costs time, never a wrong answer.

What a preparer knows is a `Hint`: the cleaned text and the conversation's last committed
locale, flow and step as the engine remembers them (a guess: another process may have moved
it since).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.services import Services

T = TypeVar("T")
Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Hint:
    text: str  # the message as the handler will read it (clean_text)
    locale: str  # the contact's language, or the one a new contact would get
    flow: str | None = None  # where the conversation stood after its last message; None: unknown
    step: str | None = None
    forwarded: bool = False


@dataclass(frozen=True)
class Preparer:
    """`wants` is asked on the event loop and must be quick; `compute` runs in a worker thread,
    never touches the database, and returns its results by key."""

    name: str
    wants: Callable[[Hint], bool]
    compute: Callable[[Hint, Services], dict[Key, Any]]


@dataclass
class Prepared:
    """Pure results computed from one message before the writer took it."""

    results: dict[Key, Any] = field(default_factory=dict)
    hits: int = 0  # how many a step used (tests and benchmarks read it)

    def get(self, key: Key, compute: Callable[[], T]) -> T:
        if key in self.results:
            self.hits += 1
            return self.results[key]  # type: ignore[no-any-return]
        value = compute()
        self.results[key] = value
        return value


def compute_all(preparers: list[Preparer], hint: Hint, services: Services) -> Prepared:
    prepared = Prepared()
    for preparer in preparers:
        prepared.results.update(preparer.compute(hint, services))
    return prepared
