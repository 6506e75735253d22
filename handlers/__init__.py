"""The conversations. Each module is one conversation; `build_router` puts them together.

Order matters: middleware runs outermost first; the first intent that matches a message
handles it. What a message is (bot/understanding) is read once before all of them.
"""

from __future__ import annotations

from bot.conversation import Router


def build_router() -> Router:
    from handlers import (
        check,
        common,
        emergency,
        guidance,
        help,
        language,
        menu,
        privacy,
        report,
        start,
        volunteer,
    )

    router = Router()
    router.use(common.bad_input)
    router.use(emergency.danger_first)
    router.use(report.keep_the_draft)  # a command typed in the report form asks first
    for module in (emergency, start, language, help, privacy, check, report, volunteer, menu):
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
    )
    router.include(*menu.not_ready_flows(router))
    return router
