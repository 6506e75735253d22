"""What the reporter hears when their case moves (a CaseStatusChanged listener): a volunteer
took it, its status changed, or it went to the coordinator."""

from __future__ import annotations

from collections.abc import Callable

import bot.cases.wording as wording
from bot.cases.transitions import VOLUNTEER_STATUSES
from bot.events import CaseStatusChanged
from bot.i18n import _
from bot.messages import Reply


async def tell_the_reporter(event: CaseStatusChanged) -> None:
    case = event.case
    text: Callable[[], str]
    if case.status == "accepted" and case.volunteer_id is None and case.coordinator_id is not None:

        def text() -> str:
            return _(
                "A coordinator of the {network} has taken your report {number} and will write "
                "to you here."
            ).format(number=case.number, network=event.services.settings.network())

    elif case.status == "accepted":
        volunteer = await event.tx.volunteers.get(case.volunteer_id) if case.volunteer_id else None

        def text() -> str:
            if volunteer is None:
                return _(
                    "Good news: your report {number} has been taken by one of the {network}. I "
                    "will tell you here whenever its status changes."
                ).format(number=case.number, network=event.services.settings.network())
            # The volunteer's first name (if they allow it) and what happens next.
            return wording.accepted_text(case, volunteer, event.services.settings.network())

    elif case.status == "escalated":
        # Only what happened: whether any coordinator was actually told (the history says).
        history = await event.tx.cases.events(case.id)
        last = next((e for e in reversed(history) if e.kind == "escalated"), None)
        reached = last is None or not last.detail.endswith("told=0")

        def text() -> str:
            return wording.escalation_text(case, event.services, reached)

    elif case.status in VOLUNTEER_STATUSES:

        def text() -> str:
            return _("Update on your report {number}: {status}.").format(
                number=case.number, status=wording.status_label(case.status)
            )

    else:  # offered to a volunteer, withdrawn: nothing to tell
        return
    # Written in the reporter's language when it is queued (Postman.send_to).
    await event.post.send_to(case.reporter_contact_id, lambda: Reply(text()), kind="status")
