"""The store interface: what the rest of the system may ask of any database.

A `Store` opens transactions (`Tx`) and a read path (`Reader`). A `Tx` is one unit of work:
everything done through its repositories commits together or not at all. The engine's single
writer opens one Tx per batch (group commit); handlers, services, the Postman, Casework and
the channels receive that Tx (as `ctx.tx` or as the argument of `engine.run`) and never a
driver connection. Reads for metrics and views go through `store.reader()`, outside the
writer, so a slow dashboard never holds up a conversation.

Every method is async and takes and returns the plain dataclasses of storage/{contacts,
cases,volunteers,outbox}.py: no rows, cursors or SQL leave an implementation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from bot.messages import Outgoing
from storage.cases import Case, Event
from storage.contacts import Contact, State
from storage.coordinators import Coordinator
from storage.outbox import NewMessage
from storage.sql import Connection
from storage.volunteers import Volunteer

Key = tuple[str, str]  # (channel, address) or (channel, external_id)


class Contacts(ABC):
    """People (one per channel and address) and where each is in a conversation."""

    @abstractmethod
    async def load_many(self, keys: list[Key]) -> dict[Key, tuple[Contact, State | None]]:
        """Contacts with their conversation state (and `is_volunteer`), a batch at once."""

    @abstractmethod
    async def create(
        self, channel: str, address: str, locale: str | None, now: float
    ) -> Contact: ...

    @abstractmethod
    async def get(self, contact_id: int) -> Contact | None: ...

    @abstractmethod
    async def find(self, channel: str, address: str) -> Contact | None: ...

    async def get_or_create(
        self, channel: str, address: str, locale: str | None, now: float
    ) -> Contact:
        return await self.find(channel, address) or await self.create(channel, address, locale, now)

    @abstractmethod
    async def save_many(self, contacts: list[Contact]) -> None: ...

    @abstractmethod
    async def save_states(self, states: list[tuple[int, State]], now: float) -> None: ...

    @abstractmethod
    async def reset_stale(self, flow: str, before: float) -> int:
        """Send everyone left in `flow` since before `before` back to the menu (drafts)."""

    @abstractmethod
    async def forget_paused(self, key: str, before: float) -> int:
        """Drop the entry `key` of conversation data saved before `before` (a report draft
        left for a side trip, handlers/report.py): nothing is kept without consent."""

    @abstractmethod
    async def mark_unreachable(self, contact_id: int, now: float) -> None: ...

    @abstractmethod
    async def delete(self, contact_id: int) -> None:
        """Erase a contact with its conversation and queued messages."""


class Inbound(ABC):
    """Processed inbound ids: a message seen once is never handled twice."""

    @abstractmethod
    async def seen(self, keys: list[Key]) -> set[Key]: ...

    @abstractmethod
    async def record(self, keys: list[Key], now: float) -> None: ...

    @abstractmethod
    async def prune(self, before: float, limit: int = 5000) -> int:
        """Forget up to `limit` ids received before `before` (past every platform's retry
        window); bounded so a backlog is caught up a pass at a time, not in one long stall."""


class Outbox(ABC):
    """Every reply, alert and status message is a row before it is a send."""

    @abstractmethod
    async def add_many(self, messages: list[NewMessage], now: float) -> None: ...

    # Rows committed later all have larger ids than `last_id()` now: true where one writer
    # hands out ids in commit order, so a dispatcher may read only what is new (`new_since`).
    # Not where several workers commit at once: a lower id can commit later.
    ids_follow_commits: bool = False

    @abstractmethod
    async def due(
        self,
        channel: str,
        now: float,
        limit: int = 100,
        per_chat: int | None = None,
        *,
        address: str | None = None,
    ) -> list[Outgoing]:
        """Pending messages that may go now, oldest first, never overtaking an earlier one to
        the same person; with `per_chat`, at most that many of each person's (so one person's
        backlog cannot fill the batch); with `address`, only that person's."""

    @abstractmethod
    async def new_since(
        self, channel: str, now: float, after: int, limit: int = 100
    ) -> list[tuple[Outgoing, int | None, bool]]:
        """Pending messages with an id above `after`, oldest first, each with the id of the
        same person's previous pending message (None: nothing before it), so the caller can
        tell whether it holds everything that must go first, and whether it may go at `now`.
        Only where `ids_follow_commits`."""

    @abstractmethod
    async def last_id(self) -> int:
        """The largest id a message has (0: none yet)."""

    @abstractmethod
    async def claim(self, message_id: int, now: float) -> Outgoing | None:
        """The message as stored, if it is still pending and no other worker is sending it,
        leased to this worker for one send; None if it was sent, dropped or deleted meanwhile."""

    @abstractmethod
    async def mark_progress(self, message_id: int, meta: dict[str, object]) -> None:
        """Store `meta` on a message that is still being sent (which parts of a split reply
        went out), so a retry after a crash does not repeat them."""

    @abstractmethod
    async def next_due_at(self, channel: str) -> float | None: ...

    @abstractmethod
    async def pending_for(self, channel: str, address: str) -> list[Outgoing]: ...

    @abstractmethod
    async def mark_sent(
        self, message_id: int, now: float, provider_id: str | None = None
    ) -> None: ...

    @abstractmethod
    async def mark_retry(self, message_id: int, not_before: float, error: str) -> None: ...

    @abstractmethod
    async def mark_failed(self, message_id: int, error: str) -> None: ...

    @abstractmethod
    async def drop_pending_for(self, contact_id: int, reason: str) -> int: ...

    @abstractmethod
    async def record_delivery_status(
        self, provider_id: str, status: str, error: str | None = None
    ) -> Outgoing | None:
        """Write what the channel reports about the message it knows as `provider_id`, unless
        that would move it backwards (storage/outbox.py DELIVERY_RANK). Returns the message when
        this report is the first to say it failed, else None."""

    async def scrub(self, probes: list[str]) -> int:
        """Blank every message whose body contains one of `probes` (an erased person's
        strings), sent or not; how many rows. Stores that cannot search say 0."""
        return 0

    async def purge_delivered(self, before: float) -> int:
        """Blank the bodies of messages sent before `before` (retention); how many rows."""
        return 0


class Cases(ABC):
    """Reports, who they are offered to or accepted by, and their history."""

    # A case was made or changed in this transaction: what a batch loaded at its start about
    # who has open reports (Contact.has_open_reports) may no longer hold.
    changed: bool = False

    @abstractmethod
    async def create(self, values: dict[str, object], now: float) -> Case:
        """A new case with a freshly drawn, unique number."""

    @abstractmethod
    async def get(self, case_id: int) -> Case | None: ...

    @abstractmethod
    async def by_number(self, number: str) -> Case | None: ...

    @abstractmethod
    async def update(self, case_id: int, now: float, **values: object) -> None: ...

    @abstractmethod
    async def add_event(
        self, case_id: int, actor: str, kind: str, now: float, detail: str = ""
    ) -> None: ...

    @abstractmethod
    async def events(self, case_id: int) -> list[Event]: ...

    @abstractmethod
    async def record_decline(
        self, case_id: int, volunteer_id: int, reason: str, now: float
    ) -> None: ...

    @abstractmethod
    async def overdue(self, now: float) -> list[Case]: ...

    @abstractmethod
    async def for_volunteer(self, volunteer_id: int) -> list[Case]: ...

    @abstractmethod
    async def for_reporter(self, contact_id: int) -> list[Case]: ...

    @abstractmethod
    async def offered_to_contact(self, contact_id: int) -> list[tuple[Case, Volunteer]]:
        """Cases waiting for an answer from the volunteer behind this contact."""

    @abstractmethod
    async def claim(
        self, case_id: int, seen: dict[str, object], now: float, **values: object
    ) -> bool:
        """Update the case only if its columns still hold what `seen` says (first wins)."""

    @abstractmethod
    async def queue(self, kind: str, now: float, stale_before: float) -> list[Case]:
        """kind: open (every case not closed) | unassigned (nobody accepted it) | overdue
        (an alert past its deadline, or an accepted case untouched since `stale_before`)."""

    @abstractmethod
    async def count_events(
        self, case_id: int, actor: str, kinds: tuple[str, ...], since: float
    ) -> int:
        """How many history entries of these kinds an actor wrote since then (rate limits)."""

    @abstractmethod
    async def scrub_events(self, case_id: int, kinds: tuple[str, ...]) -> None:
        """Blank the detail of these history entries (erasure keeps the fact, not the words)."""

    @abstractmethod
    async def recruiter_candidates(
        self, case_id: int, phone_norm: str | None, name_key: str | None, limit: int = 200
    ) -> list[Case]:
        """Other reports that may name the same recruiter: the same phone, or a name key that
        starts like this one (the caller compares names), newest first."""

    @abstractmethod
    async def missing_name_keys(self, limit: int) -> list[tuple[int, str]]:
        """(id, recruiter name) of reports written before names were keyed."""

    @abstractmethod
    async def set_flags(self, case_id: int, codes: list[str]) -> None:
        """The warning signs found in the report's story (codes only, no personal data)."""

    @abstractmethod
    async def flags(self, case_id: int) -> list[str]: ...

    @abstractmethod
    async def offered_to(self, volunteer_id: int) -> list[Case]:
        """Alerts waiting for this volunteer's answer."""


class Volunteers(ABC):
    """Kawan PMI volunteers: where they are, how to reach them, whether they can take a case."""

    @abstractmethod
    async def upsert(self, volunteer: Volunteer, now: float) -> int: ...

    @abstractmethod
    async def get(self, volunteer_id: int) -> Volunteer | None: ...

    @abstractmethod
    async def for_contact(self, contact_id: int) -> Volunteer | None: ...

    @abstractmethod
    async def all(self) -> list[Volunteer]: ...

    @abstractmethod
    async def count(self) -> int: ...

    @abstractmethod
    async def positions_version(self) -> tuple[int, int, float]:
        """Changes whenever a volunteer is added, moved or removed."""

    @abstractmethod
    async def set_available(self, volunteer_id: int, available: bool) -> None: ...

    @abstractmethod
    async def unable_to_take(self, case_id: int | None) -> set[int]:
        """Volunteers routing must skip: away, at capacity, unreachable, and for a given case
        those already asked."""

    @abstractmethod
    async def able_to_take(self, case_id: int | None) -> set[int]:
        """The complement of `unable_to_take`: volunteers routing may offer the case to. It
        costs what the available volunteers are, not what all the volunteers are."""

    @abstractmethod
    async def delete(self, volunteer_id: int) -> None: ...

    @abstractmethod
    async def update_settings(
        self, volunteer_id: int, *, capacity: int, available: bool, languages: str, now: float
    ) -> None:
        """What a coordinator edits in the console."""

    @abstractmethod
    async def deactivate(self, volunteer_id: int, now: float) -> None:
        """Out of the network: never routed to again (the row stays, so the history keeps a
        name); importing them again registers them again."""


class Coordinators(ABC):
    """Coordinators reachable in chat, with the provinces (or countries) they cover."""

    @abstractmethod
    async def add(
        self, channel: str, address: str, name: str, provinces: tuple[str, ...], now: float
    ) -> int: ...

    @abstractmethod
    async def all(self) -> list[Coordinator]: ...

    @abstractmethod
    async def get(self, coordinator_id: int) -> Coordinator | None: ...

    @abstractmethod
    async def find(self, channel: str, address: str) -> Coordinator | None: ...

    @abstractmethod
    async def remove(self, channel: str, address: str) -> bool: ...


class Tx(ABC):
    """One unit of work: its repositories, committed together when the transaction ends."""

    contacts: Contacts
    inbound: Inbound
    outbox: Outbox
    cases: Cases
    volunteers: Volunteers
    coordinators: Coordinators
    # Portable SQL on this transaction's connection, for tools and tests that look at rows
    # directly; the system itself goes through the repositories.
    sql: Connection

    @abstractmethod
    async def ping(self) -> bool:
        """The database answers."""


class Reader(ABC):
    """Reads for metrics and views, outside the writer (may lag the writer by a commit)."""

    # Portable SQL on the read connection, for the web console's queries
    # (storage/console_queries.py, storage/accounts.py), never for writes.
    sql: Connection

    @abstractmethod
    async def outbox_counts(self) -> dict[str, int]: ...

    @abstractmethod
    async def ping(self) -> bool: ...


class Store(ABC):
    """A database the system runs on. Open it, then use `transaction()` from one writer.

    `leader`, `notify` and `listen` are for several worker processes on one database; the
    defaults are those of a single process, which always leads and has no one to tell.
    """

    @abstractmethod
    async def open(self) -> None:
        """Connect and bring the schema to the latest version."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """Begin; commit when the block ends, roll back when it raises."""

    @abstractmethod
    def reader(self) -> AbstractAsyncContextManager[Reader]: ...

    @abstractmethod
    async def version(self) -> int:
        """The schema version the database is at."""

    # --- several workers (single-process defaults) -------------------------------------------
    @asynccontextmanager
    async def leader(self, name: str) -> AsyncIterator[None]:
        """Hold the block as the one process across all workers that does `name` (sending a
        channel within the platform's global limit, timers). One process: always at once."""
        yield

    async def notify(self, channels: set[str]) -> None:
        """Tell every worker that these channels got outbox rows. One process: nobody else."""
        return None

    async def listen(self, callback: Callable[[set[str]], None]) -> None:
        """Call `callback(channels)` when another worker notifies. One process: never."""
        return None

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
