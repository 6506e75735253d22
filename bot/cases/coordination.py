"""What a coordinator can do with cases, for the chat (handlers/coordinator.py) and the web
console alike. Every function takes a `Casework` (the Tx, the Postman, the clock) and the
acting `Coordinator`, and writes what it did to the case history.

    coordinator_of(work, channel, address) -> Coordinator | None
        the registry entry (or COORDINATOR_ADDRESS, as coordinator id 0) for a chat address
    list_cases(work, kind) -> list[Case]
        kind: "open" | "unassigned" | "overdue" (urgent first, then oldest)
    open_case(work, coordinator, case) -> list[str]
        the full details (reporter's contact included) as lines; the read is audited
    candidates(work, case, limit=5) -> list[tuple[Volunteer, float]]
        the nearest volunteers who can take it now, with their distance in km
    assign(work, coordinator, case, volunteer, seen) -> Outcome
        offer the case to that volunteer (they get the alert); also a reassignment
    take(work, coordinator, case, seen) -> Outcome
        the coordinator works the case themselves (relay goes to them)
    set_status(work, coordinator, case, status, seen) -> Outcome
    close(work, coordinator, case, seen, status="resolved") -> Outcome
        the reporter is told; closing ends the relay
    deactivate(work, coordinator, volunteer) -> None
        the volunteer gets no more cases; their alerts move on, their cases come back

`seen` is what the coordinator saw (`snapshot(case)`: status and who has it): an action on a case
someone changed since then does nothing and says who did (two coordinators at once: the
first wins, the second is told).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.cases import wording
from bot.cases.nearest import nearest_available
from bot.cases.transitions import VOLUNTEER_STATUSES, Casework
from bot.cases.wording import status_label
from bot.i18n import _
from storage import cases as cases_store
from storage.cases import Case
from storage.coordinators import Coordinator
from storage.volunteers import Volunteer, country_of

COORDINATOR_STATUSES = VOLUNTEER_STATUSES
NO_COORDINATOR_WARNING = (
    "no coordinator is configured: reports nobody accepts will reach no person "
    "(add one: migrasi-aman coordinators add CHANNEL ADDRESS NAME, or set COORDINATOR_ADDRESS)"
)


async def configured_count(tx, settings) -> int:
    """How many coordinators escalations can go to (the registry, plus COORDINATOR_ADDRESS)."""
    count = len(await tx.coordinators.all())
    address = settings.coordinator_address.strip()
    if ":" in address and await tx.coordinators.find(*address.split(":", 1)) is None:
        count += 1
    return count


async def warn_without_coordinator(system) -> int:
    """At start of a long-running process: say so loudly when nobody would get escalations."""
    import logging
    import sys

    count = await system.engine.run(lambda tx: configured_count(tx, system.settings))
    if not count:
        logging.getLogger("migrasi_aman").warning(NO_COORDINATOR_WARNING)
        print(f"WARNING: {NO_COORDINATOR_WARNING}", file=sys.stderr)
    return count


@dataclass(frozen=True)
class Outcome:
    ok: bool
    # When not ok: "changed" (someone acted first; `by` says who), "closed", "invalid".
    reason: str = ""
    by: str = ""


def actor(coordinator: Coordinator) -> str:
    return f"coordinator:{coordinator.id}" if coordinator.id else "coordinator"


async def coordinator_of(
    work: Casework, channel: str, address: str, *, listed: bool | None = None
) -> Coordinator | None:
    """The coordinator writing from this address, if any. `listed`: whether the batch that
    loaded the contact found them in the coordinators table (None: not known, so look)."""
    if listed is not False:
        found = await work.tx.coordinators.find(channel, address)
        if found is not None:
            return found
    configured = work.settings.coordinator_address.strip()
    if configured and configured == f"{channel}:{address}":
        return Coordinator(0, channel, address, "Coordinator", ())
    return None


async def list_cases(work: Casework, kind: str) -> list[Case]:
    stale = work.now - work.settings.case_stale_days * 86400
    return await work.tx.cases.queue(kind, work.now, stale)


async def open_case(work: Casework, coordinator: Coordinator, case: Case) -> list[str]:
    await work.tx.cases.add_event(case.id, actor(coordinator), "opened", work.now)
    linked = await work.linked_reports(case)
    lines = [
        f"{case.number} · {case.place_name or '?'}",
        _("Status: {status}").format(status=status_label(case.status)),
    ]
    if case.urgent:
        lines.append(_("⚠️ Marked URGENT: someone may be in danger or about to leave."))
    lines.extend(wording.summary_lines(case, linked))
    if case.withdrawn_at is not None:
        lines.append(_("The reporter withdrew this report; its details were erased."))
    elif case.anonymous:
        lines.append(_("The reporter chose to stay anonymous: write to them through the bot."))
    else:
        contact = "\n".join(x for x in (case.reporter_name, case.reporter_reach) if x)
        lines.append(_("Reporter's contact (the view is recorded):") + "\n" + (contact or "-"))
    if case.volunteer_id:
        volunteer = await work.tx.volunteers.get(case.volunteer_id)
        if volunteer is not None:
            lines.append(
                _("Volunteer: {name} ({place})").format(
                    name=volunteer.name, place=volunteer.place_name or "?"
                )
            )
    return lines


async def candidates(work: Casework, case: Case, limit: int = 5) -> list[tuple[Volunteer, float]]:
    if case.lat is None or case.lon is None:
        return []
    country = country_of(case.place_code)
    ranked = await nearest_available(
        work.tx,
        work.services,
        case.lat,
        case.lon,
        limit=limit,
        max_km=math.inf,  # the coordinator decides how far is too far
        country=country,
        language=case.reporter_locale,
    )
    found = []
    for r in ranked:
        volunteer = await work.tx.volunteers.get(r.candidate.volunteer_id)
        if volunteer is not None and volunteer.id != case.volunteer_id:
            found.append((volunteer, r.distance_km))
    return found


SNAPSHOT = ("status", "volunteer_id", "offered_to", "coordinator_id")


def snapshot(case: Case) -> dict[str, object]:
    """What an action is conditional on: the case as the coordinator saw it."""
    return {k: getattr(case, k) for k in SNAPSHOT}


async def _claim(work: Casework, case: Case, seen: dict, **values: object) -> Outcome:
    if case.status in cases_store.CLOSED:
        return Outcome(False, "closed")
    if not await work.tx.cases.claim(case.id, seen, work.now, **values):
        history = await work.tx.cases.events(case.id)
        by = next((e.actor for e in reversed(history) if e.actor.startswith("coord")), "")
        return Outcome(False, "changed", by)
    return Outcome(True)


async def assign(
    work: Casework, coordinator: Coordinator, case: Case, volunteer: Volunteer, seen: dict
) -> Outcome:
    previous = case.volunteer_id
    outcome = await _claim(
        work,
        case,
        seen,
        status="alerted",
        offered_to=volunteer.id,
        volunteer_id=None,
        coordinator_id=None,
        deadline_at=work.now + work.settings.alert_deadline_hours * 3600,
    )
    if not outcome.ok:
        return outcome
    await work.tx.cases.add_event(
        case.id, actor(coordinator), "assigned", work.now, f"volunteer:{volunteer.id}"
    )
    fresh = await work.tx.cases.get(case.id)
    assert fresh is not None
    distance = 0.0
    if fresh.lat is not None and fresh.lon is not None:
        from bot.geo import haversine_km

        distance = haversine_km(fresh.lat, fresh.lon, volunteer.lat, volunteer.lon)
    await work.send_alert(fresh, volunteer, distance)
    if previous and previous != volunteer.id:
        before = await work.tx.volunteers.get(previous)
        if before is not None:
            await work.post.send_to(
                before.contact_id,
                lambda: wording_reply(
                    _("Case {number} was given to another volunteer by a coordinator.").format(
                        number=case.number
                    )
                ),
                kind="status",
            )
    return outcome


def wording_reply(text: str):
    from bot.messages import Reply

    return Reply(text)


async def take(work: Casework, coordinator: Coordinator, case: Case, seen: dict) -> Outcome:
    outcome = await _claim(
        work,
        case,
        seen,
        status="accepted",
        coordinator_id=coordinator.id or None,
        volunteer_id=None,
        offered_to=None,
        deadline_at=None,
    )
    if not outcome.ok:
        return outcome
    await work.tx.cases.add_event(case.id, actor(coordinator), "taken", work.now)
    await work._changed(await _fresh(work, case), case.status, actor(coordinator))
    return outcome


async def _fresh(work: Casework, case: Case) -> Case:
    fresh = await work.tx.cases.get(case.id)
    assert fresh is not None
    return fresh


async def set_status(
    work: Casework, coordinator: Coordinator, case: Case, status: str, seen: dict
) -> Outcome:
    if status not in COORDINATOR_STATUSES:
        return Outcome(False, "invalid")
    outcome = await _claim(work, case, seen, status=status)
    if not outcome.ok:
        return outcome
    await work.tx.cases.add_event(case.id, actor(coordinator), "status", work.now, status)
    # The reporter hears it through the CaseStatusChanged listener (bot/cases/reporter.py).
    await work._changed(await _fresh(work, case), case.status, actor(coordinator))
    return outcome


async def close(
    work: Casework, coordinator: Coordinator, case: Case, seen: dict, status: str = "resolved"
) -> Outcome:
    if status not in ("resolved", "not_a_case"):
        return Outcome(False, "invalid")
    outcome = await set_status(work, coordinator, case, status, seen)
    if outcome.ok and case.volunteer_id:
        volunteer = await work.tx.volunteers.get(case.volunteer_id)
        if volunteer is not None:
            await work.post.send_to(
                volunteer.contact_id,
                lambda: wording_reply(
                    _("A coordinator closed case {number}: {status}.").format(
                        number=case.number, status=status_label(status)
                    )
                ),
                kind="status",
            )
    return outcome


async def deactivate(work: Casework, coordinator: Coordinator, volunteer: Volunteer) -> None:
    await work.tx.volunteers.set_available(volunteer.id, False)
    await work.volunteer_leaves(volunteer, "deactivated")
