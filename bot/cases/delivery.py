"""What a message that could not be delivered means for its case (a DeliveryFailed listener)."""

from __future__ import annotations

from bot.cases.transitions import Casework
from bot.events import DeliveryFailed
from bot.i18n import _
from bot.messages import Reply
from bot.postman import Postman
from storage import cases as cases_store


async def on_delivery_failed(event: DeliveryFailed) -> None:
    """On DeliveryFailed: an alert that failed on the way counts as no answer and the case
    moves on; one that could not be sent outside WhatsApp's 24-hour window goes another way;
    a status update that cannot reach the reporter goes to the coordinator."""
    tx, message, now, services = event.tx, event.message, event.now, event.services
    if message.contact_id is None or message.kind not in ("alert", "status"):
        return
    post = Postman(tx, now)
    work = Casework(tx, post, services, now)
    if message.kind == "alert" and message.meta.get("failure") == "outside_window":
        # WhatsApp refuses free text to someone silent for 24 hours and no template is set up:
        # try the volunteer's other channel, else ask the coordinator to call them.
        for case, volunteer in await tx.cases.offered_to_contact(message.contact_id):
            await work.reach_otherwise(case, volunteer)
    elif message.kind == "alert":
        for case, volunteer in await tx.cases.offered_to_contact(message.contact_id):
            await work.decline(case, volunteer, "undeliverable")
    else:
        for case in await tx.cases.for_reporter(message.contact_id):
            if case.status in cases_store.CLOSED and case.withdrawn_at is not None:
                continue
            await tx.cases.add_event(
                case.id, "system", "reporter_unreachable", now, message.reply.text[:200]
            )
            coordinator = await work._coordinator()
            await post.send_to(
                coordinator,
                lambda case=case: Reply(
                    _(
                        "Could not deliver a status update to the reporter of {number}. Please follow up."
                    ).format(number=case.number)
                ),
                kind="alert",
            )
            break
    await post.flush()  # the dispatchers pick the new rows up on their next pass
