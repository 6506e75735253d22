"""The relayed conversation of a case: the volunteer (or the coordinator who took it) and the
reporter write to each other through the bot, on any pair of channels, each seeing only
"the volunteer" / "the reporter" and the case number, never the other's number or handle.

Every message goes into the case history. Limits: a size cap and a rate per person per hour;
either side can stop the other (abuse) and the stop holds for that case. Closing the case
ends the relay. When the recipient's channel would refuse free text now (WhatsApp after 24
hours of silence), a short notice goes instead ("a new message about MA-…, reply to read
it"), sent as the channel's template, and the message is shown when they answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.cases.transitions import Casework, busy
from bot.i18n import _
from bot.messages import Choice, Location, Reply
from bot.postman import Focus
from storage import cases as cases_store
from storage.cases import Case

RELAY_KINDS = ("relay", "info_added")


@dataclass(frozen=True)
class Sent:
    ok: bool
    # When not ok: "too_long" | "too_many" | "blocked" | "closed" | "not_yours"
    reason: str = ""


def side_of(
    case: Case, contact_id: int, volunteer_contact: int | None, coordinator: bool
) -> str | None:
    """'reporter' | 'volunteer' | None: which side of this case the person is on."""
    if case.reporter_contact_id == contact_id:
        return "reporter"
    if volunteer_contact is not None and volunteer_contact == contact_id:
        return "volunteer"
    if coordinator and case.coordinator_id is not None:
        return "volunteer"  # the coordinator who took the case stands where the volunteer would
    return None


def reply_choices(case: Case) -> tuple[Choice, ...]:
    return (
        Choice(f"relay:write:{case.id}", _("Reply")),
        Choice(f"relay:block:{case.id}", _("Stop messages on this case")),
        Choice("go:menu", _("Main menu")),
    )


async def worker_contact(work: Casework, case: Case) -> int | None:
    """Who works the case: the volunteer who accepted it, else the coordinator who took it."""
    if case.volunteer_id:
        volunteer = await work.tx.volunteers.get(case.volunteer_id)
        return volunteer.contact_id if volunteer else None
    if case.coordinator_id:
        coordinator = await work.tx.coordinators.get(case.coordinator_id)
        if coordinator is not None:
            found = await work.tx.contacts.get_or_create(
                coordinator.channel, coordinator.address, "id", work.now
            )
            return found.id
    return None


async def send(
    work: Casework,
    case: Case,
    side: str,
    text: str = "",
    location: Location | None = None,
) -> Sent:
    """`side` ('reporter' | 'volunteer') writes to the other side of the case."""
    settings = work.settings
    if case.status in cases_store.CLOSED or case.withdrawn_at is not None:
        return Sent(False, "closed")
    other = "volunteer" if side == "reporter" else "reporter"
    if case.relay_blocked_by == other:
        return Sent(False, "blocked")
    if len(text) > settings.relay_max_chars:
        return Sent(False, "too_long")
    who = side if side == "reporter" else "worker"
    recent = await work.tx.cases.count_events(case.id, who, RELAY_KINDS, work.now - 3600)
    if recent >= settings.relay_per_hour:
        return Sent(False, "too_many")
    body = text or (f"📍 {location.lat:.5f}, {location.lon:.5f}" if location else "")
    if not body:
        return Sent(False, "empty")
    recipient = case.reporter_contact_id if side != "reporter" else await worker_contact(work, case)
    kind = "relay" if recipient is not None else "info_added"
    await work.tx.cases.add_event(case.id, who, kind, work.now, body[: settings.relay_max_chars])
    if recipient is None:
        # Nobody has the case yet: it is in the history the volunteer or coordinator reads.
        return Sent(True, "kept")
    await deliver(work, case, recipient, side, body)
    return Sent(True)


def header(case: Case, side: str) -> str:
    if side == "reporter":
        return _("💬 The reporter of case {number} writes:").format(number=case.number)
    return _("💬 The volunteer on your report {number} writes:").format(number=case.number)


async def deliver(work: Casework, case: Case, recipient: int, side: str, body: str) -> None:
    contact = await work.tx.contacts.get(recipient)
    if contact is None:
        return
    channel = work.services.channel(contact.channel)
    if channel.outside_window(contact.last_inbound_at, work.now):
        await work.post.send_to(
            recipient,
            lambda: Reply(
                _(
                    "You have a new message about case {number}. Reply to this message to read it."
                ).format(number=case.number)
            ),
            kind="relay",
            focus=Focus("relay", "unread", {"case": case.id}),
        )
        return
    idle = await _idle(work, contact.channel, contact.address)

    def build() -> Reply:
        text = header(case, side) + "\n" + body
        if idle:
            return Reply(text, reply_choices(case))
        return Reply(
            text + "\n\n" + _("To answer, type: reply {number}").format(number=case.number)
        )

    await work.post.send_to(
        recipient,
        build,
        kind="relay",
        focus=Focus("relay", "read", {"case": case.id}) if idle else None,
    )


async def _idle(work: Casework, channel: str, address: str) -> bool:
    found = await work.tx.contacts.load_many([(channel, address)])
    state = found.get((channel, address), (None, None))[1]
    return state is None or not busy(state.flow, state.step)


async def block(work: Casework, case: Case, side: str) -> None:
    """`side` stops the other side writing on this case (abuse); written to the history."""
    await work.tx.cases.update(case.id, work.now, relay_blocked_by=side)
    await work.tx.cases.add_event(
        case.id, side if side == "reporter" else "worker", "relay_blocked", work.now
    )
    if side == "volunteer":
        await work.tell_coordinators(
            case,
            lambda: _(
                "The volunteer on case {number} stopped the reporter's messages (abuse). Please check."
            ).format(number=case.number),
        )


async def unread(work: Casework, case: Case, side: str, limit: int = 5) -> list[str]:
    """The latest messages from the other side, for a notice answered outside the window."""
    other = "worker" if side == "reporter" else "reporter"
    history = await work.tx.cases.events(case.id)
    return [e.detail for e in history if e.kind == "relay" and e.actor == other][-limit:]
