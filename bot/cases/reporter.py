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
    if case.status == "accepted":

        def text() -> str:
            return _(
                "Good news: a Kawan PMI volunteer has taken your report {number}. I will tell you here "
                "whenever its status changes."
            ).format(number=case.number)

    elif case.status == "escalated":

        def text() -> str:
            return wording.escalation_text(case, event.services)

    elif case.status in VOLUNTEER_STATUSES:

        def text() -> str:
            return _("Update on your report {number}: {status}.").format(
                number=case.number, status=wording.status_label(case.status)
            )

    else:  # offered to a volunteer, withdrawn: nothing to tell
        return
    # Written in the reporter's language when it is queued (Postman.send_to).
    await event.post.send_to(case.reporter_contact_id, lambda: Reply(text()), kind="status")
