"""The life of a case: opened from a report, offered to the nearest available volunteer,
accepted or passed on, worked, closed — and the reporter told at every step.

Deadlines are columns in the store, not timers in memory: `expire_overdue` finds the alerts
nobody answered (also after a restart) and moves each case to the next volunteer, and after
the configured number of tries, or when nobody is near enough, to the coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass

import bot.cases.wording as wording
from bot.cases.nearest import nearest_available
from bot.cases.recruiters import linked_reports, name_key, normalize_phone
from bot.cases.wording import ESCALATION_REASONS
from bot.events import CaseStatusChanged
from bot.i18n import _
from bot.messages import Reply
from bot.postman import Focus, Postman
from bot.services import Services
from storage import Tx
from storage import cases as cases_store
from storage.cases import Case
from storage.volunteers import Volunteer

# What a volunteer may set once they have the case.
VOLUNTEER_STATUSES = (
    "in_progress",
    "referred_bp3mi",
    "referred_police",
    "referred_kp2mi",
    "resolved",
    "not_a_case",
)


@dataclass
class Casework:
    tx: Tx
    post: Postman
    services: Services
    now: float

    @property
    def settings(self):
        return self.services.settings

    # --- opening and routing --------------------------------------------------------------
    async def open(self, values: dict[str, object]) -> Case:
        values = dict(values)
        values["recruiter_phone_norm"] = normalize_phone(values.get("recruiter_phone"))  # type: ignore[arg-type]
        values["recruiter_name_key"] = name_key(values.get("recruiter_name"))  # type: ignore[arg-type]
        case = await self.tx.cases.create(values, self.now)
        await self.tx.cases.add_event(case.id, "reporter", "created", self.now)
        await self.route(case)
        return await self._reload(case)

    async def linked_reports(self, case: Case) -> int:
        return await linked_reports(self.tx, case)

    async def route(self, case: Case) -> None:
        """Offer the case to the nearest volunteer who can take it, or escalate."""
        while not await self._offer_next(case):
            case = await self._reload(case)

    async def _offer_next(self, case: Case) -> bool:
        """True when the case was offered or escalated; False when the chosen volunteer could
        not be reached and the next one should be tried."""
        if case.lat is None or case.lon is None:
            await self.escalate(case, "no_location")
            return True
        if case.attempts >= self.settings.max_route_attempts:
            await self.escalate(case, "attempts", n=case.attempts)
            return True
        ranked = await nearest_available(
            self.tx,
            self.services,
            case.lat,
            case.lon,
            limit=1,
            max_km=self.settings.max_route_km,
            case_id=case.id,
        )
        if not ranked:
            await self.escalate(case, "nobody_near", km=f"{self.settings.max_route_km:g}")
            return True
        distance = ranked[0].distance_km
        volunteer = await self.tx.volunteers.get(ranked[0].candidate.volunteer_id)
        assert volunteer is not None
        deadline = self.now + self.settings.alert_deadline_hours * 3600
        await self.tx.cases.update(
            case.id,
            self.now,
            status="alerted",
            offered_to=volunteer.id,
            attempts=case.attempts + 1,
            deadline_at=deadline,
        )
        previous = case.status
        case = await self._reload(case)
        await self._changed(case, previous, "system")
        linked = await self.linked_reports(case)
        delivered = await self.post.send_to(
            volunteer.contact_id,
            lambda: self.alert(case, distance, linked),
            kind="alert",
            focus=Focus("volunteer", "alert", {"case": case.id}),
        )
        if delivered:
            await self.tx.cases.add_event(
                case.id,
                "system",
                "alerted",
                self.now,
                f"volunteer:{volunteer.id} {distance:.0f} km",
            )
            return True
        await self.tx.cases.record_decline(case.id, volunteer.id, "undeliverable", self.now)
        await self.tx.cases.add_event(
            case.id, "system", "undeliverable", self.now, f"volunteer:{volunteer.id}"
        )
        return False

    def alert(self, case: Case, distance_km: float, linked: int) -> Reply:
        return wording.alert(case, distance_km, linked, self.settings)

    def summary_lines(self, case: Case, linked: int) -> list[str]:
        return wording.summary_lines(case, linked)

    # --- the volunteer's answers ----------------------------------------------------------
    async def accept(self, case: Case, volunteer: Volunteer) -> bool:
        if case.status != "alerted" or case.offered_to != volunteer.id:
            return False
        await self.tx.cases.update(
            case.id,
            self.now,
            status="accepted",
            volunteer_id=volunteer.id,
            offered_to=None,
            deadline_at=None,
        )
        await self.tx.cases.add_event(case.id, f"volunteer:{volunteer.id}", "accepted", self.now)
        previous = case.status
        case = await self._reload(case)
        await self._changed(case, previous, f"volunteer:{volunteer.id}")
        return True

    async def decline(self, case: Case, volunteer: Volunteer, reason: str) -> bool:
        """reason: declined | conflict | timeout | undeliverable. The case goes to the next volunteer."""
        if case.status != "alerted" or case.offered_to != volunteer.id:
            return False
        await self.tx.cases.record_decline(case.id, volunteer.id, reason, self.now)
        actor = "system" if reason in ("timeout", "undeliverable") else f"volunteer:{volunteer.id}"
        await self.tx.cases.add_event(case.id, actor, reason, self.now, f"volunteer:{volunteer.id}")
        await self.tx.cases.update(case.id, self.now, offered_to=None, deadline_at=None)
        await self.route(await self._reload(case))
        return True

    async def set_status(
        self, case: Case, volunteer: Volunteer, status: str, note: str = ""
    ) -> bool:
        if (
            case.volunteer_id != volunteer.id
            or status not in VOLUNTEER_STATUSES
            or case.status in cases_store.CLOSED
        ):
            return False
        await self.tx.cases.update(case.id, self.now, status=status)
        await self.tx.cases.add_event(
            case.id, f"volunteer:{volunteer.id}", "status", self.now, status
        )
        previous = case.status
        case = await self._reload(case)
        await self._changed(case, previous, f"volunteer:{volunteer.id}")
        return True

    async def add_note(self, case: Case, volunteer: Volunteer, text: str) -> bool:
        if case.volunteer_id != volunteer.id:
            return False
        await self.tx.cases.add_event(
            case.id, f"volunteer:{volunteer.id}", "note", self.now, text[:2000]
        )
        return True

    async def reporter_contact(self, case: Case, volunteer: Volunteer) -> str | None:
        """The reporter's contact, for the volunteer who accepted the case only; every read is
        written to the case history."""
        if case.volunteer_id != volunteer.id:
            return None
        await self.tx.cases.add_event(
            case.id, f"volunteer:{volunteer.id}", "contact_viewed", self.now
        )
        if case.anonymous or case.withdrawn_at is not None:
            return ""
        return "\n".join(x for x in (case.reporter_name, case.reporter_reach) if x)

    # --- deadlines and escalation ---------------------------------------------------------
    async def expire_overdue(self) -> int:
        overdue = await self.tx.cases.overdue(self.now)
        for case in overdue:
            volunteer = await self.tx.volunteers.get(case.offered_to) if case.offered_to else None
            if volunteer is None:
                await self.tx.cases.update(case.id, self.now, offered_to=None, deadline_at=None)
                await self.route(await self._reload(case))
            else:
                await self.decline(case, volunteer, "timeout")
        return len(overdue)

    async def reach_otherwise(self, case: Case, volunteer: Volunteer) -> None:
        """The alert could not go on the volunteer's channel. Their other channel (the same
        name and place registered on another channel) gets it instead; failing that, the
        coordinator is asked to call them. The case keeps waiting for their answer."""
        for other in await self.tx.volunteers.all():
            same_person = (
                other.name.casefold() == volunteer.name.casefold()
                and other.place_code == volunteer.place_code
            )
            if other.id == volunteer.id or not same_person or other.channel == volunteer.channel:
                continue
            await self.tx.cases.update(case.id, self.now, offered_to=other.id)
            case = await self._reload(case)
            linked = await self.linked_reports(case)
            if await self.post.send_to(
                other.contact_id,
                lambda case=case, linked=linked: self.alert(case, 0.0, linked),
                kind="alert",
                focus=Focus("volunteer", "alert", {"case": case.id}),
            ):
                await self.tx.cases.add_event(
                    case.id,
                    "system",
                    "alerted",
                    self.now,
                    f"volunteer:{other.id} via {other.channel}",
                )
                return
            await self.tx.cases.update(case.id, self.now, offered_to=volunteer.id)
        coordinator = await self._coordinator()
        reached = coordinator is not None and await self.post.send_to(
            coordinator,
            lambda: Reply(
                _(
                    "Volunteer {name} ({channel} {address}) could not be alerted about report {number}: "
                    "no approved WhatsApp template, and they have not written in 24 hours. Please call "
                    "them; the report waits for their answer until the deadline."
                ).format(
                    name=volunteer.name,
                    channel=volunteer.channel,
                    address=volunteer.address,
                    number=case.number,
                )
            ),
            kind="alert",
        )
        if reached:
            await self.tx.cases.add_event(
                case.id,
                "system",
                "alert_via_coordinator",
                self.now,
                f"volunteer:{volunteer.id}",
            )
        else:
            await self.decline(case, volunteer, "undeliverable")

    async def escalate(self, case: Case, reason: str, **params: object) -> None:
        await self.tx.cases.update(
            case.id, self.now, status="escalated", offered_to=None, deadline_at=None
        )
        coordinator = await self._coordinator()
        reached = False
        if coordinator is not None:
            linked = await self.linked_reports(case)
            reached = await self.post.send_to(
                coordinator,
                lambda: Reply(
                    "\n".join(
                        [
                            _("📋 Report {number} near {place} needs a person: {why}.").format(
                                number=case.number,
                                place=case.place_name or "?",
                                why=_(ESCALATION_REASONS[reason]).format(**params),
                            ),
                            *self.summary_lines(case, linked),
                        ]
                    )
                ),
                kind="alert",
            )
        why = ESCALATION_REASONS[reason].format(**params)  # the audit trail stays in English
        detail = why if reached else f"{why}; no coordinator reachable (COORDINATOR_ADDRESS)"
        await self.tx.cases.add_event(case.id, "system", "escalated", self.now, detail)
        previous = case.status
        case = await self._reload(case)
        await self._changed(case, previous, "system")

    def escalation_text(self, case: Case) -> str:
        return wording.escalation_text(case, self.services)

    async def _coordinator(self) -> int | None:
        address = self.settings.coordinator_address.strip()
        if ":" not in address:
            return None
        channel, _sep, who = address.partition(":")
        contact = await self.tx.contacts.get_or_create(channel.strip(), who.strip(), "id", self.now)
        return contact.id

    async def _changed(self, case: Case, previous: str, actor: str) -> None:
        """Tell the listeners (the reporter's updates among them, bot/cases/reporter.py)."""
        await self.services.router.events.emit(
            CaseStatusChanged(self.tx, self.post, self.services, case, previous, actor, self.now)
        )

    # --- the reporter ---------------------------------------------------------------------

    async def withdraw_all(self, contact_id: int) -> None:
        """The reporter erased their data: each case keeps a tombstone, the volunteer is told."""
        for case in await self.tx.cases.for_reporter(contact_id):
            await self.tx.cases.update(
                case.id,
                self.now,
                reporter_contact_id=None,
                reporter_name=None,
                reporter_reach=None,
                description=None,
                recruiter_name=None,
                recruiter_phone=None,
                recruiter_phone_norm=None,
                recruiter_name_key=None,
                lat=None,
                lon=None,
                withdrawn_at=self.now,
                status="withdrawn" if case.status not in cases_store.CLOSED else case.status,
                offered_to=None,
                deadline_at=None,
            )
            await self.tx.cases.add_event(case.id, "reporter", "withdrawn", self.now)
            volunteer_id = case.volunteer_id or case.offered_to
            volunteer = await self.tx.volunteers.get(volunteer_id) if volunteer_id else None
            if volunteer is not None:
                await self.post.send_to(
                    volunteer.contact_id,
                    lambda case=case: Reply(
                        _(
                            "Report {number} was withdrawn by the reporter; its details have been erased."
                        ).format(number=case.number)
                    ),
                    kind="status",
                )

    async def _reload(self, case: Case) -> Case:
        fresh = await self.tx.cases.get(case.id)
        assert fresh is not None
        return fresh
