"""The life of a case: opened from a report, offered to the nearest available volunteer,
accepted or passed on, worked, closed — and the reporter told at every step.

Deadlines are columns in the store, not timers in memory: `expire_overdue` finds the alerts
nobody answered (also after a restart) and moves each case to the next volunteer, and after
the configured number of tries, or when nobody is near enough, to the coordinator.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import aiosqlite

from bot.geo import haversine_km
from bot.i18n import N_, _, ngettext
from bot.messages import Choice, Outgoing, Reply
from bot.postman import Focus, Postman
from bot.routing import Candidate, Ranked, VolunteerIndex
from bot.services import Services
from storage import cases as cases_store
from storage import contacts as contacts_store
from storage import volunteers as volunteers_store
from storage.cases import Case
from storage.volunteers import Volunteer

STATUS_LABELS = {
    "new": N_("received"),
    "alerted": N_("waiting for a volunteer to accept it"),
    "accepted": N_("accepted by a volunteer"),
    "in_progress": N_("in progress"),
    "referred_bp3mi": N_("referred to BP3MI"),
    "referred_police": N_("referred to the police"),
    "referred_kp2mi": N_("referred to KP2MI"),
    "resolved": N_("resolved"),
    "not_a_case": N_("closed: not a case for us"),
    "escalated": N_("with the coordinator"),
    "withdrawn": N_("withdrawn by the reporter"),
}
# What a volunteer may set once they have the case.
VOLUNTEER_STATUSES = (
    "in_progress",
    "referred_bp3mi",
    "referred_police",
    "referred_kp2mi",
    "resolved",
    "not_a_case",
)
ROLE_LABELS = {
    "self": N_("the person themself"),
    "family": N_("a family member"),
    "other": N_("someone else"),
}
ALERT_TEXT_CHARS = 600
ESCALATION_REASONS = {
    "no_location": N_("no place was given"),
    "attempts": N_("{n} volunteers were asked and none took it in time"),
    "nobody_near": N_("no available volunteer within {km} km"),
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def normalize_phone(raw: str | None) -> str | None:
    """Indonesian numbers in any spelling → 62…; None when there are too few digits."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8") and len(digits) >= 9:
        digits = "62" + digits
    return digits if len(digits) >= 8 else None


def _name_key(name: str | None) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", (name or "").lower()).split()
    ignore = {
        "pt",
        "cv",
        "bu",
        "ibu",
        "pak",
        "bapak",
        "mas",
        "mbak",
        "bang",
        "sdr",
        "calo",
        "sponsor",
    }
    return " ".join(w for w in words if w not in ignore)


def same_recruiter(a: Case, b: Case) -> bool:
    if a.recruiter_phone_norm and a.recruiter_phone_norm == b.recruiter_phone_norm:
        return True
    ka, kb = _name_key(a.recruiter_name), _name_key(b.recruiter_name)
    if len(ka) < 4 or len(kb) < 4:
        return False
    return ka == kb or difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.85


async def volunteer_index(conn: aiosqlite.Connection, services: Services) -> VolunteerIndex:
    """Every volunteer's position, kept between messages and rebuilt when one is added, moved
    or removed (availability is checked at query time, so it does not invalidate the index)."""
    version = await volunteers_store.positions_version(conn)
    cached = services.cache.get("volunteer_index")
    if cached is None or cached[0] != version:
        people = await volunteers_store.all(conn)
        cached = (version, VolunteerIndex(Candidate(v.id, v.lat, v.lon) for v in people))
        services.cache["volunteer_index"] = cached
    return cached[1]


async def nearest_available(
    conn: aiosqlite.Connection,
    services: Services,
    lat: float,
    lon: float,
    *,
    limit: int,
    max_km: float,
    case_id: int | None = None,
) -> list[Ranked]:
    """The nearest volunteers who can take a case now: available, under capacity, reachable,
    and (for a given case) not already asked."""
    skip = await volunteers_store.unable_to_take(conn, case_id)
    index = await volunteer_index(conn, services)
    return index.nearest(lat, lon, limit=limit, max_km=max_km, accept=lambda vid: vid not in skip)


@dataclass
class Casework:
    conn: aiosqlite.Connection
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
        case = await cases_store.create(self.conn, values, self.now)
        await cases_store.add_event(self.conn, case.id, "reporter", "created", self.now)
        if case.description:
            # The warning signs in the story, as codes, for the console's filters and figures.
            found = self.services.screener.check(case.description, lang=case.reporter_locale)
            await cases_store.set_flags(self.conn, case.id, sorted({f.code for f in found.flags}))
        await self.route(case)
        return await self._reload(case)

    async def linked_reports(self, case: Case) -> int:
        others = await cases_store.recruiter_candidates(
            self.conn, case.id, case.recruiter_phone_norm
        )
        return sum(1 for other in others if same_recruiter(case, other))

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
            self.conn,
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
        volunteer = await volunteers_store.get(self.conn, ranked[0].candidate.volunteer_id)
        assert volunteer is not None
        deadline = self.now + self.settings.alert_deadline_hours * 3600
        await cases_store.update(
            self.conn,
            case.id,
            self.now,
            status="alerted",
            offered_to=volunteer.id,
            attempts=case.attempts + 1,
            deadline_at=deadline,
        )
        case = await self._reload(case)
        linked = await self.linked_reports(case)
        delivered = await self.post.send_to(
            volunteer.contact_id,
            lambda: self.alert(case, distance, linked),
            kind="alert",
            focus=Focus("volunteer", "alert", {"case": case.id}),
        )
        if delivered:
            await cases_store.add_event(
                self.conn,
                case.id,
                "system",
                "alerted",
                self.now,
                f"volunteer:{volunteer.id} {distance:.0f} km",
            )
            return True
        await cases_store.record_decline(
            self.conn, case.id, volunteer.id, "undeliverable", self.now
        )
        await cases_store.add_event(
            self.conn, case.id, "system", "undeliverable", self.now, f"volunteer:{volunteer.id}"
        )
        return False

    def alert(self, case: Case, distance_km: float | None, linked: int) -> Reply:
        if distance_km is None:  # no place given: a coordinator picked this volunteer
            first = _("🔔 New report {number}; no place was given.").format(number=case.number)
        else:
            first = _("🔔 New report {number} near {place} ({km} km from you).").format(
                number=case.number, place=case.place_name or "?", km=f"{distance_km:.0f}"
            )
        lines = [first]
        if case.urgent:
            lines.append(_("⚠️ Marked URGENT: someone may be in danger or about to leave."))
        lines.extend(self.summary_lines(case, linked))
        lines.append(
            _(
                "Please answer within {hours} hours. The reporter's contact details are shown only after you accept."
            ).format(hours=f"{self.settings.alert_deadline_hours:g}")
        )
        return Reply("\n".join(lines), alert_choices(case.id))

    def summary_lines(self, case: Case, linked: int) -> list[str]:
        description = (case.description or "").strip()
        if len(description) > ALERT_TEXT_CHARS:
            description = description[:ALERT_TEXT_CHARS].rstrip() + "…"
        lines = [
            _("Reported by: {role}").format(
                role=_(ROLE_LABELS.get(case.reporter_role or "", "")) or "?"
            ),
            _("What happened: {text}").format(text=description or "-"),
        ]
        recruiter = ", ".join(x for x in (case.recruiter_name, case.recruiter_phone) if x)
        lines.append(_("Recruiter: {recruiter}").format(recruiter=recruiter or _("not known")))
        if linked:
            lines.append(
                ngettext(
                    "⚠️ {n} other report mentions this recruiter.",
                    "⚠️ {n} other reports mention this recruiter.",
                    linked,
                ).format(n=linked)
            )
        return lines

    # --- the volunteer's answers ----------------------------------------------------------
    async def accept(self, case: Case, volunteer: Volunteer) -> bool:
        if case.status != "alerted" or case.offered_to != volunteer.id:
            return False
        await cases_store.update(
            self.conn,
            case.id,
            self.now,
            status="accepted",
            volunteer_id=volunteer.id,
            offered_to=None,
            deadline_at=None,
            accepted_at=case.accepted_at or self.now,  # the first acceptance counts
        )
        await cases_store.add_event(
            self.conn, case.id, f"volunteer:{volunteer.id}", "accepted", self.now
        )
        case = await self._reload(case)
        await self.tell_reporter(
            case,
            lambda: _(
                "Good news: a Kawan PMI volunteer has taken your report {number}. I will tell you here "
                "whenever its status changes."
            ).format(number=case.number),
        )
        return True

    async def decline(self, case: Case, volunteer: Volunteer, reason: str) -> bool:
        """reason: declined | conflict | timeout | undeliverable. The case goes to the next volunteer."""
        if case.status != "alerted" or case.offered_to != volunteer.id:
            return False
        await cases_store.record_decline(self.conn, case.id, volunteer.id, reason, self.now)
        by_system = reason in ("timeout", "undeliverable", "deactivated")
        actor = "system" if by_system else f"volunteer:{volunteer.id}"
        await cases_store.add_event(
            self.conn, case.id, actor, reason, self.now, f"volunteer:{volunteer.id}"
        )
        await cases_store.update(self.conn, case.id, self.now, offered_to=None, deadline_at=None)
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
        await cases_store.update(self.conn, case.id, self.now, status=status)
        await cases_store.add_event(
            self.conn, case.id, f"volunteer:{volunteer.id}", "status", self.now, status
        )
        case = await self._reload(case)
        await self.tell_reporter(
            case,
            lambda: _("Update on your report {number}: {status}.").format(
                number=case.number, status=status_label(status)
            ),
        )
        return True

    async def add_note(self, case: Case, volunteer: Volunteer, text: str) -> bool:
        if case.volunteer_id != volunteer.id:
            return False
        await cases_store.add_event(
            self.conn, case.id, f"volunteer:{volunteer.id}", "note", self.now, text[:2000]
        )
        return True

    async def reporter_contact(self, case: Case, volunteer: Volunteer) -> str | None:
        """The reporter's contact, for the volunteer who accepted the case only; every read is
        written to the case history."""
        if case.volunteer_id != volunteer.id:
            return None
        await cases_store.add_event(
            self.conn, case.id, f"volunteer:{volunteer.id}", "contact_viewed", self.now
        )
        if case.anonymous or case.withdrawn_at is not None:
            return ""
        return "\n".join(x for x in (case.reporter_name, case.reporter_reach) if x)

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
        await cases_store.update(
            self.conn,
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
            await cases_store.update(
                self.conn, case.id, self.now, status="escalated", offered_to=None, deadline_at=None
            )
            await cases_store.add_event(
                self.conn, case.id, actor, "undeliverable", self.now, f"volunteer:{volunteer.id}"
            )
            return False
        km = "" if distance is None else f" {distance:.0f} km"
        await cases_store.add_event(
            self.conn, case.id, actor, "assigned", self.now, f"volunteer:{volunteer.id}{km}"
        )
        for other_id in before:
            other = await volunteers_store.get(self.conn, other_id)
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
        and the volunteer on the case are told."""
        if status not in VOLUNTEER_STATUSES or case.status in cases_store.CLOSED:
            return False
        if status == case.status and not note:
            return False
        waiting = case.offered_to if case.status == "alerted" else None
        changes: dict[str, object] = {"status": status}
        if case.status == "alerted":  # the coordinator works it: the pending alert is void
            changes.update(offered_to=None, deadline_at=None)
        await cases_store.update(self.conn, case.id, self.now, **changes)
        await cases_store.add_event(self.conn, case.id, actor, "status", self.now, status)
        if note.strip():
            await cases_store.add_event(
                self.conn, case.id, actor, "note", self.now, note.strip()[:2000]
            )
        case = await self._reload(case)
        await self.tell_reporter(
            case,
            lambda: _("Update on your report {number}: {status}.").format(
                number=case.number, status=status_label(status)
            ),
        )
        for vid in {x for x in (case.volunteer_id, waiting) if x}:
            volunteer = await volunteers_store.get(self.conn, vid)
            if volunteer is not None:
                await self.post.send_to(
                    volunteer.contact_id,
                    lambda: Reply(
                        _("A coordinator set report {number} to: {status}.").format(
                            number=case.number, status=status_label(status)
                        )
                    ),
                    kind="status",
                )
        return True

    async def note_by(self, case: Case, actor: str, text: str) -> bool:
        if not text.strip():
            return False
        await cases_store.add_event(
            self.conn, case.id, actor, "note", self.now, text.strip()[:2000]
        )
        return True

    async def contact_for(self, case: Case, actor: str) -> str:
        """The reporter's contact for a coordinator; the read is written to the history."""
        await cases_store.add_event(self.conn, case.id, actor, "contact_viewed", self.now)
        if case.anonymous or case.withdrawn_at is not None:
            return ""
        return "\n".join(x for x in (case.reporter_name, case.reporter_reach) if x)

    async def deactivate(self, volunteer: Volunteer, actor: str) -> tuple[int, int]:
        """The volunteer leaves the network: alerts waiting for them go to the next volunteer,
        the cases they had accepted go back to the coordinators' queue, and the reporters of
        those cases hear it. Returns (alerts moved, cases returned)."""
        await volunteers_store.deactivate(self.conn, volunteer.id, self.now)
        waiting = await cases_store.offered_to(self.conn, volunteer.id)
        for case in waiting:
            await self.decline(case, volunteer, "deactivated")
        accepted = [
            c
            for c in await cases_store.for_volunteer(self.conn, volunteer.id)
            if c.volunteer_id == volunteer.id
        ]
        for case in accepted:
            await cases_store.update(
                self.conn, case.id, self.now, status="escalated", volunteer_id=None
            )
            await cases_store.add_event(
                self.conn, case.id, actor, "volunteer_left", self.now, f"volunteer:{volunteer.id}"
            )
            case = await self._reload(case)
            await self.tell_reporter(
                case,
                lambda case=case: _(
                    "The volunteer who had your report {number} can no longer work on it. It is "
                    "back with our coordinators, who will find another volunteer."
                ).format(number=case.number),
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
        overdue = await cases_store.overdue(self.conn, self.now)
        for case in overdue:
            volunteer = (
                await volunteers_store.get(self.conn, case.offered_to) if case.offered_to else None
            )
            if volunteer is None:
                await cases_store.update(
                    self.conn, case.id, self.now, offered_to=None, deadline_at=None
                )
                await self.route(await self._reload(case))
            else:
                await self.decline(case, volunteer, "timeout")
        return len(overdue)

    async def reach_otherwise(self, case: Case, volunteer: Volunteer) -> None:
        """The alert could not go on the volunteer's channel. Their other channel (the same
        name and place registered on another channel) gets it instead; failing that, the
        coordinator is asked to call them. The case keeps waiting for their answer."""
        for other in await volunteers_store.all(self.conn):
            same_person = (
                other.name.casefold() == volunteer.name.casefold()
                and other.place_code == volunteer.place_code
            )
            if other.id == volunteer.id or not same_person or other.channel == volunteer.channel:
                continue
            await cases_store.update(self.conn, case.id, self.now, offered_to=other.id)
            case = await self._reload(case)
            linked = await self.linked_reports(case)
            if await self.post.send_to(
                other.contact_id,
                lambda case=case, linked=linked: self.alert(case, 0.0, linked),
                kind="alert",
                focus=Focus("volunteer", "alert", {"case": case.id}),
            ):
                await cases_store.add_event(
                    self.conn,
                    case.id,
                    "system",
                    "alerted",
                    self.now,
                    f"volunteer:{other.id} via {other.channel}",
                )
                return
            await cases_store.update(self.conn, case.id, self.now, offered_to=volunteer.id)
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
            await cases_store.add_event(
                self.conn,
                case.id,
                "system",
                "alert_via_coordinator",
                self.now,
                f"volunteer:{volunteer.id}",
            )
        else:
            await self.decline(case, volunteer, "undeliverable")

    async def escalate(self, case: Case, reason: str, **params: object) -> None:
        await cases_store.update(
            self.conn, case.id, self.now, status="escalated", offered_to=None, deadline_at=None
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
        await cases_store.add_event(self.conn, case.id, "system", "escalated", self.now, detail)
        case = await self._reload(case)
        await self.tell_reporter(case, lambda: self.escalation_text(case))

    def escalation_text(self, case: Case) -> str:
        directory = self.services.directory
        lines = [
            _(
                "No volunteer near you could take your report {number} yet, so it has gone to our "
                "coordinator. If you need help now, contact:"
            ).format(number=case.number),
            directory.render(["kp2mi_call_centre", "kp2mi_whatsapp"]),
        ]
        place = self.services.gazetteer.get(case.place_code) if case.place_code else None
        office = directory.office_for_province(place.province) if place else None
        if office is not None:
            lines.append(directory.render([office.id]))
        return "\n".join(lines)

    async def _coordinator(self) -> int | None:
        address = self.settings.coordinator_address.strip()
        if ":" not in address:
            return None
        channel, _sep, who = address.partition(":")
        contact = await contacts_store.get_or_create(
            self.conn, channel.strip(), who.strip(), "id", self.now
        )
        return contact.id

    # --- the reporter ---------------------------------------------------------------------
    async def tell_reporter(self, case: Case, text) -> bool:
        return await self.post.send_to(
            case.reporter_contact_id, lambda: Reply(text()), kind="status"
        )

    async def withdraw_all(self, contact_id: int) -> None:
        """The reporter erased their data: each case keeps a tombstone, the volunteer is told."""
        for case in await cases_store.for_reporter(self.conn, contact_id):
            await cases_store.update(
                self.conn,
                case.id,
                self.now,
                reporter_contact_id=None,
                reporter_name=None,
                reporter_reach=None,
                description=None,
                recruiter_name=None,
                recruiter_phone=None,
                recruiter_phone_norm=None,
                lat=None,
                lon=None,
                withdrawn_at=self.now,
                status="withdrawn" if case.status not in cases_store.CLOSED else case.status,
                offered_to=None,
                deadline_at=None,
            )
            await cases_store.add_event(self.conn, case.id, "reporter", "withdrawn", self.now)
            volunteer_id = case.volunteer_id or case.offered_to
            volunteer = (
                await volunteers_store.get(self.conn, volunteer_id) if volunteer_id else None
            )
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
        fresh = await cases_store.get(self.conn, case.id)
        assert fresh is not None
        return fresh


def alert_choices(case_id: int) -> tuple[Choice, ...]:
    return (
        Choice(f"case:accept:{case_id}", _("Accept")),
        Choice(f"case:decline:{case_id}", _("Decline")),
        Choice(f"case:conflict:{case_id}", _("I know this person")),
    )


async def on_delivery_failed(
    conn: aiosqlite.Connection, message: Outgoing, now: float, services: Services
) -> None:
    """Hook "delivery_failed": an alert that failed on the way counts as no answer and the case
    moves on; one that could not be sent outside WhatsApp's 24-hour window goes another way;
    a status update that cannot reach the reporter goes to the coordinator."""
    if message.contact_id is None or message.kind not in ("alert", "status"):
        return
    post = Postman(conn, now)
    work = Casework(conn, post, services, now)
    if message.kind == "alert" and message.meta.get("failure") == "outside_window":
        # WhatsApp refuses free text to someone silent for 24 hours and no template is set up:
        # try the volunteer's other channel, else ask the coordinator to call them.
        for case, volunteer in await _offered_to_contact(conn, message.contact_id):
            await work.reach_otherwise(case, volunteer)
    elif message.kind == "alert":
        for case, volunteer in await _offered_to_contact(conn, message.contact_id):
            await work.decline(case, volunteer, "undeliverable")
    else:
        for case in await cases_store.for_reporter(conn, message.contact_id):
            if case.status in cases_store.CLOSED and case.withdrawn_at is not None:
                continue
            await cases_store.add_event(
                conn, case.id, "system", "reporter_unreachable", now, message.reply.text[:200]
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


async def _offered_to_contact(
    conn: aiosqlite.Connection, contact_id: int
) -> list[tuple[Case, Volunteer]]:
    """Cases waiting for an answer from the volunteer behind this contact."""
    async with conn.execute(
        "SELECT k.id, v.id FROM cases k JOIN volunteers v ON v.id = k.offered_to"
        " WHERE k.status = 'alerted' AND v.contact_id = ?",
        (contact_id,),
    ) as cur:
        pairs = await cur.fetchall()
    found = []
    for case_id, volunteer_id in pairs:
        case = await cases_store.get(conn, case_id)
        volunteer = await volunteers_store.get(conn, volunteer_id)
        if case is not None and volunteer is not None:
            found.append((case, volunteer))
    return found
