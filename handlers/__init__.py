"""The conversations. Each module is one conversation; `build_router` puts them together.

Order matters for intents: the first that matches a message handles it.
"""

from __future__ import annotations

from bot.conversation import Router


def build_router() -> Router:
    from handlers import (
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
    emergency.register(router)
    start.register(router)
    language.register(router)
    help.register(router)
    privacy.register(router)
    report.register(router)
    volunteer.register(router)
    menu.register(router)
    router.include(
        start.flow, language.flow, menu.flow, privacy.flow, emergency.flow, guidance.flow
    )
    router.include(report.flow, volunteer.flow)
    router.hook("free_text")(guidance.understand)
    router.include(*menu.not_ready_flows(router))
    return router
