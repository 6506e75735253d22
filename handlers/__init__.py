"""The conversations. Each module is one conversation; `build_router` puts them together.

Order matters: middleware runs outermost first; the first intent that matches a message
handles it; event listeners (`wire`) are asked in the order written there. What a message
is (bot/understanding) is read once before all of them.
"""

from __future__ import annotations

from bot.conversation import Router
from bot.events import (
    CaseStatusChanged,
    DeliveryFailed,
    DescribeData,
    Events,
    FreeTextAtMenu,
    MenuEntries,
    PersonErased,
)


def build_router() -> Router:
    from handlers import (
        check,
        common,
        coordinator,
        emergency,
        guidance,
        help,
        language,
        menu,
        privacy,
        relay,
        report,
        start,
        volunteer,
    )

    router = Router()
    router.use(common.bad_input)
    router.use(emergency.danger_first)
    router.use(report.keep_the_draft)  # a command typed in the report form asks first
    for module in (
        emergency,
        start,
        language,
        help,
        privacy,
        check,
        relay,  # "balas MA-XXXXX …" writes on the case before report's status reads the number
        report,
        coordinator,
        volunteer,
        menu,
    ):
        module.register(router)
    router.include(
        start.flow,
        language.flow,
        menu.flow,
        privacy.flow,
        emergency.flow,
        guidance.flow,
        check.flow,
        report.flow,
        volunteer.flow,
        relay.flow,
        coordinator.flow,
    )
    router.include(*menu.not_ready_flows(router))
    wire(router.events)
    return router


def wire(events: Events) -> None:
    """Every business-event listener, in the order each event asks them."""
    from bot.cases import on_delivery_failed, tell_the_reporter
    from handlers import coordinator, menu, relay, report, volunteer

    # Text typed at the menu: words to "the volunteer" from someone with an open report go
    # to that report (casework); the rest goes where the understanding step says (question,
    # offer, report, status, small talk); a listener added after it gets what it did not take.
    events.on(FreeTextAtMenu)(lambda e: relay.understand(e.ctx))
    events.on(FreeTextAtMenu)(lambda e: menu.free_text(e.ctx))
    events.on(MenuEntries)(lambda e: volunteer.menu_entries(e.ctx))
    events.on(MenuEntries)(lambda e: relay.menu_entries(e.ctx))
    events.on(MenuEntries)(lambda e: coordinator.menu_entries(e.ctx))
    events.on(DescribeData)(lambda e: report.describe(e.tx, e.contact_id))
    # Reports are withdrawn (the volunteer told) before the volunteer record goes.
    events.on(PersonErased)(lambda e: report.erase(e.ctx))
    events.on(PersonErased)(lambda e: volunteer.erase(e.ctx))
    events.on(DeliveryFailed)(on_delivery_failed)
    events.on(CaseStatusChanged)(tell_the_reporter)
