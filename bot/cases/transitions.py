"""The life of a case: opened from a report, offered to the nearest available volunteer,
accepted or passed on, worked, closed — and the reporter told at every step.

Deadlines are columns in the store, not timers in memory: `expire_overdue` finds the alerts
nobody answered (also after a restart) and moves each case to the next volunteer, and after
the configured number of tries, or when nobody is near enough, to the coordinator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import bot.cases.wording as wording
from bot import display
from bot.cases.nearest import nearest_available
from bot.cases.recruiters import linked_reports, name_key, normalize_phone
from bot.cases.wording import ESCALATION_REASONS
from bot.events import CaseStatusChanged
from bot.geo import haversine_km
from bot.i18n import _
from bot.messages import Reply
from bot.postman import Focus, Postman
from bot.services import Services
from bot.volunteer_index import Ranked
from storage import Tx
from storage import cases as cases_store
from storage.cases import Case
from storage.volunteers import Volunteer, country_of

# What a volunteer may set once they have the case.
VOLUNTEER_STATUSES = (
    "in_progress",
    "referred_bp3mi",
    "referred_police",
    "referred_kp2mi",
    "resolved",
    "not_a_case",
)
# Where a message to someone must not take their conversation (its numbered choices would
# answer something else): the middle of a form, or typing a note, a status, a message.
BUSY_FLOWS = frozenset({"report", "check", "privacy"})
BUSY_STEPS = frozenset(
    {
        ("volunteer", "note"),
        ("volunteer", "status"),
        ("relay", "write"),
        ("coord", "assign"),
        ("coord", "status"),
    }
)


def busy(flow: str, step: str) -> bool:
    return flow in BUSY_FLOWS or (flow, step) in BUSY_STEPS


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
    async def open(self, values: dict[str, object], flags: list[str] | None = None) -> Case:
        """A new report, routed. `flags`: the warning signs of its description when already
        known (checked before the writer took the message); else they are checked here."""
        values = dict(values)
        values["recruiter_phone_norm"] = normalize_phone(values.get("recruiter_phone"))  # type: ignore[arg-type]
        values["recruiter_name_key"] = name_key(values.get("recruiter_name"))  # type: ignore[arg-type]
        case = await self.tx.cases.create(values, self.now)
        await self.tx.cases.add_event(case.id, "reporter", "created", self.now)
        if case.description:
            # The warning signs in the story, as codes, for the console's filters and figures.
            if flags is None:
                found = self.services.screener.check(case.description, lang=case.reporter_locale)
                flags = sorted({f.code for f in found.flags})
            await self.tx.cases.set_flags(case.id, flags)
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
        ranked = await self._nearest(case, limit=1, language=case.reporter_locale)
        if not ranked:
            if country_of(case.place_code) != "ID":
                await self.escalate(case, "nobody_in_country")
            else:
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
        delivered = await self.send_alert(case, volunteer, distance)
        if delivered:
            await self.tx.cases.add_event(
                case.id,
                "system",
                "alerted",
                self.now,
                f"volunteer:{volunteer.id} {distance:.1f} km",
            )
            return True
        await self.tx.cases.record_decline(case.id, volunteer.id, "undeliverable", self.now)
        await self.tx.cases.add_event(
            case.id, "system", "undeliverable", self.now, f"volunteer:{volunteer.id}"
        )
        return False

    async def send_alert(self, case: Case, volunteer: Volunteer, distance: float | None) -> bool:
        """The alert, bound to its case (issue 17): its numbered choices take the volunteer's
        conversation only when they are not in the middle of something else, and when other
        alerts wait for them too they pick the case first, so a "1" typed for one thing
        never accepts another."""
        linked = await self.linked_reports(case)
        waiting = [k for k, _v in await self.tx.cases.offered_to_contact(volunteer.contact_id or 0)]
        idle = await self._idle(volunteer.contact_id)
        if idle and len(waiting) > 1:
            picker = wording.pick_choices(waiting)

            def build() -> Reply:
                reply = self.alert(case, distance, linked)
                return Reply(reply.text + "\n\n" + wording.pick_text(len(waiting)), picker())

            return await self.post.send_to(
                volunteer.contact_id, build, kind="alert", focus=Focus("volunteer", "pick")
            )
        if idle:
            return await self.post.send_to(
                volunteer.contact_id,
                lambda: self.alert(case, distance, linked),
                kind="alert",
                focus=Focus("volunteer", "alert", {"case": case.id}),
            )

        def unbound() -> Reply:
            reply = self.alert(case, distance, linked)
            return Reply(reply.text + "\n\n" + wording.answer_later_text(case))

        return await self.post.send_to(volunteer.contact_id, unbound, kind="alert")

    async def _idle(self, contact_id: int | None) -> bool:
        """The person is at a menu or a list, not typing an answer to something else."""
        contact = await self.tx.contacts.get(contact_id) if contact_id else None
        if contact is None:
            return False
        found = await self.tx.contacts.load_many([(contact.channel, contact.address)])
        state = found.get((contact.channel, contact.address), (None, None))[1]
        return state is None or not busy(state.flow, state.step)

    def alert(self, case: Case, distance_km: float | None, linked: int) -> Reply:
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
            accepted_at=case.accepted_at or self.now,  # the first acceptance counts
        )
        await self.tx.cases.add_event(case.id, f"volunteer:{volunteer.id}", "accepted", self.now)
        previous = case.status
        case = await self._reload(case)
        await self._changed(case, previous, f"volunteer:{volunteer.id}")
        return True

    async def decline(self, case: Case, volunteer: Volunteer, reason: str) -> bool:
        """reason: declined | conflict | timeout | undeliverable | left. The case goes to the next volunteer."""
        if case.status != "alerted" or case.offered_to != volunteer.id:
            return False
        await self.tx.cases.record_decline(case.id, volunteer.id, reason, self.now)
        by_system = reason in ("timeout", "undeliverable", "left", "deactivated")
        actor = "system" if by_system else f"volunteer:{volunteer.id}"
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
        # One line each: a name cannot add a line that looks like ours ("Kontak: +62 …").
        lines = (display.name(case.reporter_name), display.name(case.reporter_reach, 200))
        return "\n".join(x for x in lines if x)

    # --- the coordinator (web console) ------------------------------------------------------
    # `actor` is who acted, as the history records it: "coordinator:<username>".
    async def assign(self, case: Case, volunteer: Volunteer, actor: str) -> bool:
        """A coordinator offers the case to the volunteer they picked: the volunteer gets the
        same alert as from routing (and may accept or decline it); a volunteer who had it
        before is told it moved on. False when the case is closed or the volunteer cannot be
        reached."""
        if case.status in cases_store.CLOSED or volunteer.contact_id is None:
            return False
        before = {x for x in (case.volunteer_id, case.offered_to) if x and x != volunteer.id}
        distance = (
            haversine_km(case.lat, case.lon, volunteer.lat, volunteer.lon)
            if case.lat is not None and case.lon is not None
            else None
        )
        previous = case.status
        await self.tx.cases.update(
            case.id,
            self.now,
            status="alerted",
            offered_to=volunteer.id,
            volunteer_id=None,
            deadline_at=self.now + self.settings.alert_deadline_hours * 3600,
        )
        case = await self._reload(case)
        linked = await self.linked_reports(case)
        delivered = await self.post.send_to(
            volunteer.contact_id,
            lambda: self.alert(case, distance, linked),
            kind="alert",
            focus=Focus("volunteer", "alert", {"case": case.id}),
        )
        if not delivered:
            await self.tx.cases.update(
                case.id, self.now, status="escalated", offered_to=None, deadline_at=None
            )
            await self.tx.cases.add_event(
                case.id, actor, "undeliverable", self.now, f"volunteer:{volunteer.id}"
            )
            return False
        km = "" if distance is None else f" {distance:.0f} km"
        await self.tx.cases.add_event(
            case.id, actor, "assigned", self.now, f"volunteer:{volunteer.id}{km}"
        )
        await self._changed(case, previous, actor)
        for other_id in before:
            other = await self.tx.volunteers.get(other_id)
            if other is not None:
                await self.post.send_to(
                    other.contact_id,
                    lambda: Reply(
                        _(
                            "A coordinator has given report {number} to another volunteer. You "
                            "do not need to do anything more for it. Thank you."
                        ).format(number=case.number)
                    ),
                    kind="status",
                )
        return True

    async def set_status_by(self, case: Case, actor: str, status: str, note: str = "") -> bool:
        """A coordinator sets a status (closing is "resolved" or "not_a_case"); the reporter
        hears it (CaseStatusChanged) and so does the volunteer on the case."""
        if status not in VOLUNTEER_STATUSES or case.status in cases_store.CLOSED:
            return False
        if status == case.status and not note.strip():
            return False
        waiting = case.offered_to if case.status == "alerted" else None
        changes: dict[str, object] = {"status": status}
        if case.status == "alerted":  # the coordinator works it: the pending alert is void
            changes.update(offered_to=None, deadline_at=None)
        previous = case.status
        await self.tx.cases.update(case.id, self.now, **changes)
        await self.tx.cases.add_event(case.id, actor, "status", self.now, status)
        if note.strip():
            await self.tx.cases.add_event(case.id, actor, "note", self.now, note.strip()[:2000])
        case = await self._reload(case)
        if status != previous:
            await self._changed(case, previous, actor)
        for vid in {x for x in (case.volunteer_id, waiting) if x}:
            volunteer = await self.tx.volunteers.get(vid)
            if volunteer is not None:
                await self.post.send_to(
                    volunteer.contact_id,
                    lambda: Reply(
                        _("A coordinator set report {number} to: {status}.").format(
                            number=case.number, status=wording.status_label(status)
                        )
                    ),
                    kind="status",
                )
        return True

    async def note_by(self, case: Case, actor: str, text: str) -> bool:
        if not text.strip():
            return False
        await self.tx.cases.add_event(case.id, actor, "note", self.now, text.strip()[:2000])
        return True

    async def contact_for(self, case: Case, actor: str) -> str:
        """The reporter's contact for a coordinator; the read is written to the history."""
        await self.tx.cases.add_event(case.id, actor, "contact_viewed", self.now)
        if case.anonymous or case.withdrawn_at is not None:
            return ""
        return "\n".join(x for x in (case.reporter_name, case.reporter_reach) if x)

    async def deactivate(self, volunteer: Volunteer, actor: str) -> tuple[int, int]:
        """The volunteer leaves the network: alerts waiting for them go to the next volunteer,
        the cases they had accepted go back to the coordinators' queue, and the reporters of
        those cases hear it. Returns (alerts moved, cases returned)."""
        await self.tx.volunteers.deactivate(volunteer.id, self.now)
        waiting = await self.tx.cases.offered_to(volunteer.id)
        for case in waiting:
            await self.decline(case, volunteer, "deactivated")
        accepted = [
            c
            for c in await self.tx.cases.for_volunteer(volunteer.id)
            if c.volunteer_id == volunteer.id
        ]
        for case in accepted:
            await self.tx.cases.update(case.id, self.now, status="escalated", volunteer_id=None)
            await self.tx.cases.add_event(
                case.id, actor, "volunteer_left", self.now, f"volunteer:{volunteer.id}"
            )
            await self.post.send_to(
                case.reporter_contact_id,
                lambda case=case: Reply(
                    _(
                        "The volunteer who had your report {number} can no longer work on it. It "
                        "is back with our coordinators, who will find another volunteer."
                    ).format(number=case.number)
                ),
                kind="status",
            )
        await self.post.send_to(
            volunteer.contact_id,
            lambda: Reply(
                _(
                    "A coordinator has ended your volunteer registration. You will get no more "
                    "alerts; your open cases have gone back to the coordinators."
                )
            ),
            kind="status",
        )
        return len(waiting), len(accepted)

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
        """Nobody took the case: it waits in the unassigned queue, and the coordinators for its
        province (or country) — else every coordinator — are told. The reporter hears exactly
        what happened: a coordinator has it, or nobody could be reached and whom to call."""
        previous = case.status
        await self.tx.cases.update(
            case.id,
            self.now,
            status="escalated",
            offered_to=None,
            deadline_at=None,
            volunteer_id=None,
            reminded_at=self.now,
        )
        case = await self._reload(case)
        linked = await self.linked_reports(case)
        why_key = ESCALATION_REASONS[reason]
        reached = 0
        for contact_id in await self.coordinator_contacts(case):
            if await self.post.send_to(
                contact_id,
                lambda: Reply(
                    "\n".join(
                        [
                            _("📋 Report {number} near {place} needs a person: {why}.").format(
                                number=case.number,
                                place=case.place_name or "?",
                                why=_(why_key).format(**params),
                            ),
                            *self.summary_lines(case, linked),
                            _("To open it, type: case {number}").format(number=case.number),
                        ]
                    )
                ),
                kind="alert",
            ):
                reached += 1
        detail = wording.escalation_detail(reason, dict(params), reached)
        await self.tx.cases.add_event(case.id, "system", "escalated", self.now, detail)
        await self._changed(case, previous, "system")

    def escalation_text(self, case: Case, reached: bool = True) -> str:
        return wording.escalation_text(case, self.services, reached)

    async def coordinator_contacts(self, case: Case | None = None) -> list[int]:
        """Contacts of the coordinators for the case's province or country, else of all of
        them; COORDINATOR_ADDRESS counts as one coordinator for everywhere."""
        everyone = await self.tx.coordinators.all()
        area = self.area(case) if case is not None else None
        chosen = [c for c in everyone if c.provinces and c.covers(area)]
        if not chosen:
            chosen = [c for c in everyone if not c.provinces] or everyone
        pairs = [(c.channel, c.address) for c in chosen]
        address = self.settings.coordinator_address.strip()
        if ":" in address:
            channel, _sep, who = address.partition(":")
            if (channel.strip(), who.strip()) not in pairs:
                pairs.append((channel.strip(), who.strip()))
        found = []
        for channel, who in pairs:
            contact = await self.tx.contacts.get_or_create(channel, who, "id", self.now)
            found.append(contact.id)
        return found

    def area(self, case: Case) -> str | None:
        """What coordinators cover: the BPS province code in Indonesia, else the country."""
        country = country_of(case.place_code)
        if country != "ID":
            return country
        place = self.services.gazetteer.get(case.place_code) if case.place_code else None
        return place.province_code if place else None

    async def _coordinator(self) -> int | None:
        contacts = await self.coordinator_contacts()
        return contacts[0] if contacts else None

    async def tell_coordinators(self, case: Case | None, build) -> int:
        reached = 0
        for contact_id in await self.coordinator_contacts(case):
            if await self.post.send_to(contact_id, lambda: Reply(build()), kind="alert"):
                reached += 1
        return reached

    async def remind_unassigned(self) -> int:
        """Cases still waiting for a person: the coordinators are reminded every few hours."""
        every = self.settings.unassigned_reminder_hours * 3600
        waiting = await self.tx.cases.queue("unassigned", self.now, self.now)
        due = [k for k in waiting if (k.reminded_at or k.updated_at) <= self.now - every]
        for case in due:
            await self.tx.cases.update(case.id, self.now, reminded_at=self.now)
            await self.tell_coordinators(
                case,
                lambda case=case: _(
                    "⏰ Reminder: report {number} near {place} still has nobody. To open it, type: case {number}"
                ).format(number=case.number, place=case.place_name or "?"),
            )
        return len(due)

    async def _nearest(self, case: Case, limit: int, language: str | None = None) -> list[Ranked]:
        """Volunteers who may take `case`, nearest first: in Indonesia within the routing
        radius; abroad, the nearest in that country, however far."""
        assert case.lat is not None and case.lon is not None
        country = country_of(case.place_code)
        return await nearest_available(
            self.tx,
            self.services,
            case.lat,
            case.lon,
            limit=limit,
            max_km=self.settings.max_route_km if country == "ID" else math.inf,
            case_id=case.id,
            country=country,
            language=language,
        )

    async def offer_waiting(self, volunteer: Volunteer) -> int:
        """A volunteer became available: cases near them that nobody took are offered to them."""
        offered = 0
        for case in await self.tx.cases.queue("unassigned", self.now, self.now):
            if case.lat is None or case.lon is None or case.withdrawn_at is not None:
                continue
            ranked = await self._nearest(case, limit=5)
            hit = next((r for r in ranked if r.candidate.volunteer_id == volunteer.id), None)
            if hit is None:
                continue
            await self.tx.cases.update(
                case.id,
                self.now,
                status="alerted",
                offered_to=volunteer.id,
                attempts=case.attempts + 1,
                deadline_at=self.now + self.settings.alert_deadline_hours * 3600,
            )
            case = await self._reload(case)
            if await self.send_alert(case, volunteer, hit.distance_km):
                await self.tx.cases.add_event(
                    case.id,
                    "system",
                    "alerted",
                    self.now,
                    f"volunteer:{volunteer.id} {hit.distance_km:.1f} km",
                )
                offered += 1
            else:
                await self.tx.cases.update(
                    case.id, self.now, status="escalated", offered_to=None, deadline_at=None
                )
        return offered

    async def volunteer_leaves(self, volunteer: Volunteer, why: str) -> None:
        """why: erased | deactivated. Alerts waiting for them move to the next volunteer; cases
        they had go to a coordinator, and each reporter hears it as it is."""
        for case in await self.tx.cases.for_volunteer(volunteer.id):
            if case.status == "alerted" and case.offered_to == volunteer.id:
                await self.decline(case, volunteer, "left")
                continue
            await self.tx.cases.update(case.id, self.now, volunteer_id=None)
            await self.tx.cases.add_event(
                case.id, "system", "volunteer_left", self.now, f"volunteer:{volunteer.id} {why}"
            )
            await self.tell_reporter(
                case,
                lambda case=case: _(
                    "The volunteer who had your report {number} can no longer work on it."
                ).format(number=case.number),
            )
            await self.escalate(await self._reload(case), "volunteer_left")

    async def tell_reporter(self, case: Case, text) -> bool:
        """A message to the reporter that is not a status change (e.g. a volunteer left)."""
        return await self.post.send_to(
            case.reporter_contact_id, lambda: Reply(text()), kind="status"
        )

    async def _changed(self, case: Case, previous: str, actor: str) -> None:
        """Tell the listeners (the reporter's updates among them, bot/cases/reporter.py)."""
        await self.services.router.events.emit(
            CaseStatusChanged(self.tx, self.post, self.services, case, previous, actor, self.now)
        )

    # --- the reporter ---------------------------------------------------------------------

    async def withdraw_all(self, contact_id: int, also: tuple[str | None, ...] = ()) -> None:
        """The reporter erased their data: each case keeps a tombstone, the volunteer is told,
        and every message that quoted them (alerts, contact views, relayed words) is blanked
        in the outbox, sent or not; `also` are more of their strings (address, name)."""
        probes = [x for x in also if x]
        for case in await self.tx.cases.for_reporter(contact_id):
            for value in (
                case.reporter_name,
                case.reporter_reach,
                case.description,
                case.recruiter_name,
                case.recruiter_phone,
            ):
                if value:
                    probes += [value, value[:48]]
            for event in await self.tx.cases.events(case.id):
                if event.kind in ("relay", "info_added", "note") and event.detail:
                    probes += [event.detail, event.detail[:48]]
            await self.tx.cases.scrub_events(case.id, ("relay", "info_added", "note"))
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
        await self.tx.outbox.scrub(probes)

    async def _reload(self, case: Case) -> Case:
        fresh = await self.tx.cases.get(case.id)
        assert fresh is not None
        return fresh
