"""The console's pages and actions. Reads use the store's reader (outside the writer); actions run
in the engine's writer through bot/cases.py (`Casework`), so they land in the case history
and the outbox exactly as the same action in chat would."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from bot.cases import (
    ROLE_LABELS,
    STATUS_LABELS,
    VOLUNTEER_STATUSES,
    Casework,
    normalize_phone,
    status_label,
)
from bot.cases.recruiters import linked_reports
from bot.console import charts, export
from bot.console.auth import Forbidden
from bot.console.flags import FLAG_LABELS, flag_label
from bot.console.timeline import lines as timeline_lines
from bot.geo import haversine_km
from bot.i18n import N_, _, format_timestamp
from bot.postman import Postman
from bot.volunteer_csv import import_csv
from storage import cases as cases_store
from storage import console_audit as audit
from storage import console_queries as q
from storage.cases import CLOSED, normalize_number

if TYPE_CHECKING:
    from bot.console.app import Console, Who
    from storage import Tx

PAGE_SIZE = 50
FIGURES_SECONDS = 20.0
WIB = timezone(timedelta(hours=7))  # dates typed in the filters are WIB days, like the times shown
_NUMBER = re.compile(r"^MA-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}$")
MAX_UPLOAD = 1_000_000
DONE = {  # flash messages after an action, translated where shown
    "assigned": N_("The volunteer has been alerted."),
    "undeliverable": N_(
        "The alert could not be delivered to that volunteer; the case is with the coordinators."
    ),
    "status": N_("Status saved; the reporter has been told."),
    "note": N_("Note added."),
    "saved": N_("Saved."),
    "deactivated": N_("The volunteer has been deactivated."),
    "nothing": N_("Nothing changed."),
}


@dataclass
class Candidate:
    row: q.VolunteerRow
    distance_km: float | None
    declined: bool

    @property
    def free(self) -> bool:
        r = self.row
        return (
            r.active and r.available and r.reachable and r.load < r.capacity and not self.declined
        )


class Views:
    def __init__(self, console: Console) -> None:
        self.c = console
        self._figures: dict[tuple[str, ...], tuple[q.Figures, float]] = {}
        self._gazetteer_lists: (
            tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]] | None
        ) = None

    # --- shared bits -----------------------------------------------------------------------
    @property
    def gazetteer(self):
        assert self.c.services is not None
        return self.c.services.gazetteer

    def provinces(self, who: Who) -> list[tuple[str, str]]:
        allowed = who.account.provinces
        return [(c, n) for c, n in self._lists()[0] if not allowed or c in allowed]

    def places(self, who: Who, province: str = "") -> list[tuple[str, str]]:
        every = self._lists()[1]
        found = every.get(province, []) if province else [x for xs in every.values() for x in xs]
        return sorted(
            ((code, name) for code, name in found if who.scope.allows(code)), key=lambda x: x[1]
        )

    def _lists(self) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
        """(code, name) of every province, and of every kab/kota per province: the gazetteer
        does not change while the app runs, and every cases page shows these lists."""
        if self._gazetteer_lists is None:
            provinces = sorted({p.province_code: p.province for p in self.gazetteer}.items())
            places: dict[str, list[tuple[str, str]]] = {}
            for p in self.gazetteer:
                places.setdefault(p.province_code, []).append((p.code, p.name))
            self._gazetteer_lists = (provinces, places)
        return self._gazetteer_lists

    def place_label(self, code: str | None, name: str | None) -> str:
        place = self.gazetteer.get(code) if code else None
        if place is not None:
            return f"{place.name}, {place.province}"
        return name or _("no place given")

    def flash(self, request: Request) -> str:
        key = request.query_params.get("done", "")
        return _(DONE[key]) if key in DONE else ""

    async def find_case(self, request: Request, who: Who) -> cases_store.Case:
        """The case in the URL, if this account may see it; otherwise 404 (not 403: whether a
        case exists outside one's provinces is not to be learnt either)."""
        number = normalize_number(request.path_params["number"])
        case_id = await q.case_id_by_number(self.c.db.sql, number, who.scope)
        case = await self.c.db.cases.get(case_id) if case_id else None
        if case is None:
            from starlette.exceptions import HTTPException

            raise HTTPException(404)
        return case

    # --- filters ---------------------------------------------------------------------------
    def read_filter(self, p: Mapping[str, str], who: Who) -> tuple[q.CaseFilter, dict[str, str]]:
        """Only known values are used; anything else is ignored (and shown back escaped)."""
        raw = {
            k: p.get(k, "")[:100]
            for k in ("status", "province", "place", "flag", "urgent", "from", "to", "q")
        }
        f = q.CaseFilter()
        statuses = {*STATUS_LABELS, "open", "waiting", "closed", "overdue"}
        if raw["status"] in statuses:
            f.status = raw["status"]
        if raw["province"] in {c for c, _n in self.provinces(who)}:
            f.province = raw["province"]
        place = self.gazetteer.get(raw["place"]) if raw["place"] else None
        if place is not None and who.scope.allows(place.code):
            f.place = place.code
        if raw["flag"] in FLAG_LABELS:
            f.flag = raw["flag"]
        if raw["urgent"] in ("0", "1"):
            f.urgent = raw["urgent"]
        f.since = _day(raw["from"])
        until = _day(raw["to"])
        f.until = until + 86400 if until is not None else None
        text = raw["q"].strip()
        if text:
            number = normalize_number(text)
            if _NUMBER.match(number):
                f.number = number
            elif who.account.sees_personal_data:
                digits = re.sub(r"\D", "", text)
                phone = normalize_phone(text) if len(digits) >= 8 else None
                if phone:
                    f.phone = phone
                else:
                    f.name = text
            else:
                f.number = "-"  # viewers search by case number only
        return f, raw

    # --- pages -----------------------------------------------------------------------------
    async def dashboard(self, request: Request, who: Who) -> Response:
        now = self.c.now()
        fig, as_of = await self.figures(who.scope, now)
        weeks = [(format_timestamp(start).rsplit(" ", 3)[0], n) for start, n in fig.weeks]
        bars = charts.bars(weeks)
        open_rows = [
            (s, status_label(s), fig.by_status.get(s, 0))
            for s in (*q.WAITING, *cases_store.OPEN)
            if fig.by_status.get(s, 0)
        ]
        return self.c.render(
            request,
            "dashboard.html",
            who,
            fig=fig,
            bars=bars,
            total_weeks=sum(n for _w, n in fig.weeks),
            median=_duration(fig.accept_median),
            p90=_duration(fig.accept_p90),
            accepted_n=fig.accepted,
            open_rows=open_rows,
            open_total=sum(n for _s, _l, n in open_rows),
            flag_label=flag_label,
            status_label=status_label,
            place_label=self.place_label,
            waiting=lambda ts: _duration(now - ts),
            deadline_hours=f"{self.c.settings.alert_deadline_hours:g}",
            as_of=format_timestamp(as_of),
        )

    async def figures(self, scope: q.Scope, now: float) -> tuple[q.Figures, float]:
        """The dashboard's figures, kept for `FIGURES_SECONDS` per scope: they scan tens of
        thousands of index entries, and several coordinators reloading the page need not
        repeat that within seconds. The page says how fresh they are."""
        key = scope.provinces
        kept = self._figures.get(key)
        if kept is not None and now - kept[1] < FIGURES_SECONDS and kept[1] <= now:
            return kept
        fresh = (await q.figures(self.c.db.sql, scope, now), now)
        self._figures[key] = fresh
        return fresh

    async def cases(self, request: Request, who: Who) -> Response:
        f, raw = self.read_filter(request.query_params, who)
        try:
            page = max(1, min(int(request.query_params.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        rows, total = await q.list_cases(
            self.c.db.sql,
            f,
            who.scope,
            self.c.now(),
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        base = {k: v for k, v in raw.items() if v}

        def page_url(n: int) -> str:
            return "?" + urlencode({**base, "page": n})

        statuses = [
            ("open", _("open (with a volunteer)")),
            ("waiting", _("waiting for someone")),
            ("overdue", _("past the deadline")),
            ("closed", _("closed")),
        ]
        statuses += [(s, status_label(s)) for s in STATUS_LABELS]
        return self.c.render(
            request,
            "cases.html",
            who,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            page_url=page_url,
            raw=raw,
            f=f,
            statuses=statuses,
            provinces=self.provinces(who),
            places=self.places(who, f.province) if f.province else [],
            flags=sorted(FLAG_LABELS.items(), key=lambda kv: _(kv[1])),
            flag_label=flag_label,
            status_label=status_label,
            place_label=self.place_label,
            export_query=urlencode(base),
        )

    async def case(self, request: Request, who: Who, contact: str | None = None) -> Response:
        case = await self.find_case(request, who)
        db = self.c.db
        events = await db.cases.events(case.id)
        if (
            not who.account.sees_personal_data
        ):  # notes may name people: viewers see that one was written
            events = [
                cases_store.Event(e.at, e.actor, "note_hidden", "") if e.kind == "note" else e
                for e in events
            ]
        ids = {
            int(m) for e in events for m in re.findall(r"volunteer:(\d+)", f"{e.actor} {e.detail}")
        }
        ids |= {x for x in (case.volunteer_id, case.offered_to) if x}
        names = {}
        for vid in ids:
            v = await db.volunteers.get(vid)
            if v is not None:
                names[vid] = v.name
        flags = await db.cases.flags(case.id)
        linked = 0
        if who.account.sees_personal_data:
            allowed = who.scope.allows if who.account.provinces else None
            linked = await linked_reports(db, case, allowed)  # type: ignore[arg-type]
        candidates = (
            await self.candidates(case, who.scope)
            if who.account.can_act and case.status not in CLOSED
            else []
        )
        relayed = [e for e in timeline_lines(events, names) if e.kind.startswith("relay")]
        return self.c.render(
            request,
            "case.html",
            who,
            case=case,
            closed=case.status in CLOSED,
            status=status_label(case.status),
            place=self.place_label(case.place_code, case.place_name),
            role=_(ROLE_LABELS[case.reporter_role]) if case.reporter_role in ROLE_LABELS else "?",
            flags=[flag_label(x) for x in flags],
            timeline=timeline_lines(events, names),
            relayed=relayed,
            volunteer=names.get(case.volunteer_id or 0),
            offered=names.get(case.offered_to or 0),
            linked=linked,
            candidates=candidates,
            statuses=[(s, status_label(s)) for s in VOLUNTEER_STATUSES],
            contact=contact,
            flash=self.flash(request),
        )

    async def candidates(
        self, case: cases_store.Case, scope: q.Scope, limit: int = 8
    ) -> list[Candidate]:
        """Volunteers to offer the case to: nearest first, with distance and load; those who
        cannot take it now are listed too, marked, after the free ones. Only volunteers of
        the account's provinces (`assign` refuses any other)."""
        db = self.c.db
        rows = [r for r in await q.volunteers(db.sql, scope) if r.active]
        # not the one who has it or whose answer is awaited
        rows = [r for r in rows if r.id not in (case.volunteer_id, case.offered_to)]
        declined = await db.declined(case.id)
        if case.lat is not None and case.lon is not None:
            lat, lon = case.lat, case.lon
            found = [
                Candidate(r, haversine_km(lat, lon, r.lat, r.lon), r.id in declined) for r in rows
            ]
            found.sort(key=lambda c: (c.distance_km, c.row.id))
        else:
            found = [Candidate(r, None, r.id in declined) for r in rows]
            found.sort(key=lambda c: (c.row.load, c.row.name))
        found.sort(key=lambda c: not c.free)  # stable: nearest free first, then the others
        return found[:limit]

    # --- actions ---------------------------------------------------------------------------
    async def contact(self, request: Request, who: Who) -> Response:
        case = await self.find_case(request, who)
        now = self.c.now()
        services = self.c.services

        async def read(tx: Tx) -> str:
            work = Casework(tx, Postman(tx, now), services, now)  # type: ignore[arg-type]
            fresh = await tx.cases.get(case.id)
            assert fresh is not None
            return await work.contact_for(fresh, who.actor)

        text = await self.c.write(read)
        return await self.case(
            request,
            who,
            contact=text
            or _(
                "The reporter chose to stay anonymous (or withdrew the report): no contact is kept."
            ),
        )

    async def _act(self, case: cases_store.Case, action) -> object:
        """Run `action(work, fresh_case)` in the writer; queued messages go to the outbox and
        the dispatchers are woken."""
        now = self.c.now()
        services = self.c.services
        engine = self.c.engine
        assert engine is not None

        async def task(tx: Tx) -> tuple[object, set[str]]:
            post = Postman(tx, now)
            work = Casework(tx, post, services, now)  # type: ignore[arg-type]
            fresh = await tx.cases.get(case.id)
            assert fresh is not None
            result = await action(work, fresh, tx)
            return result, await post.flush()

        result, channels = await engine.run(task)
        self._figures.clear()  # this console's own change shows at once
        if channels:
            engine.notify(channels)
        return result

    async def assign(self, request: Request, who: Who) -> Response:
        case = await self.find_case(request, who)
        form = request.state.form
        try:
            volunteer_id = int(str(form.get("volunteer", "")))
        except ValueError:
            return RedirectResponse(self._case_path(case, "nothing"), status_code=303)

        # The form lists only volunteers of the account's provinces; a forged or stale form
        # naming another is refused, not carried out.
        allowed = await q.volunteers(self.c.db.sql, who.scope, volunteer_id)
        if not allowed:
            raise Forbidden(_("That volunteer is not in your provinces: you cannot assign them."))
        if not allowed[0].active:
            return RedirectResponse(self._case_path(case, "nothing"), status_code=303)

        async def action(work: Casework, fresh, tx) -> str:
            volunteer = await tx.volunteers.get(volunteer_id)
            if volunteer is None:
                return "nothing"
            return "assigned" if await work.assign(fresh, volunteer, who.actor) else "undeliverable"

        done = await self._act(case, action)
        return RedirectResponse(self._case_path(case, str(done)), status_code=303)

    async def status(self, request: Request, who: Who) -> Response:
        case = await self.find_case(request, who)
        form = request.state.form
        status = str(form.get("status", ""))
        note = str(form.get("note", ""))[:2000]

        async def action(work: Casework, fresh, tx) -> str:
            return (
                "status" if await work.set_status_by(fresh, who.actor, status, note) else "nothing"
            )

        done = await self._act(case, action)
        return RedirectResponse(self._case_path(case, str(done)), status_code=303)

    async def note(self, request: Request, who: Who) -> Response:
        case = await self.find_case(request, who)
        text = str(request.state.form.get("note", ""))[:2000]

        async def action(work: Casework, fresh, tx) -> str:
            return "note" if await work.note_by(fresh, who.actor, text) else "nothing"

        done = await self._act(case, action)
        return RedirectResponse(self._case_path(case, str(done)), status_code=303)

    def _case_path(self, case: cases_store.Case, done: str) -> str:
        return f"/admin/cases/{case.number}?done={done}"

    # --- volunteers ------------------------------------------------------------------------
    async def volunteers(self, request: Request, who: Who, report=None) -> Response:
        rows = await q.volunteers(self.c.db.sql, who.scope)
        imports = await audit.for_target(self.c.db.sql, "volunteers", limit=5)
        response = self.c.render(
            request,
            "volunteers.html",
            who,
            rows=rows,
            imports=imports,
            actor_label=_actor_label,
            report=report,
            place_label=self.place_label,
            flash=self.flash(request),
        )
        if report is not None and report.errors and not report.imported:
            response.status_code = 400
        return response

    async def import_csv(self, request: Request, who: Who) -> Response:
        upload = request.state.form.get("file")
        text = ""
        if upload is not None and hasattr(upload, "read"):
            data = await upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                from bot.volunteer_csv import ImportResult

                return await self.volunteers(
                    request, who, ImportResult(errors=[(0, _("The file is larger than 1 MB."))])
                )
            text = data.decode("utf-8-sig", errors="replace")
        else:
            text = str(request.state.form.get("text", ""))[:MAX_UPLOAD]
        assert self.c.services is not None
        gazetteer = self.c.services.gazetteer
        now = self.c.now()
        allowed = who.scope.allows if who.account.provinces else None

        async def task(tx: Tx):
            result = await import_csv(tx, text, gazetteer, now, place_allowed=allowed)
            await audit.record(
                tx.sql,
                now,
                who.actor,
                "volunteer_import",
                "volunteers",
                imported=result.imported,
                refused=len(result.errors),
            )
            return result

        result = await self.c.write(task)
        return await self.volunteers(request, who, result)

    async def _volunteer_row(self, request: Request, who: Who) -> q.VolunteerRow:
        rows = await q.volunteers(self.c.db.sql, who.scope, request.path_params["id"])
        if not rows:
            from starlette.exceptions import HTTPException

            raise HTTPException(404)
        return rows[0]

    async def volunteer(self, request: Request, who: Who, error: str = "") -> Response:
        row = await self._volunteer_row(request, who)
        mine = await self.c.db.cases.for_volunteer(row.id)
        history = await audit.for_target(self.c.db.sql, f"volunteer:{row.id}", limit=20)
        response = self.c.render(
            request,
            "volunteer.html",
            who,
            v=row,
            cases=mine,
            history=history,
            actor_label=_actor_label,
            status_label=status_label,
            place_label=self.place_label,
            error=error,
            flash=self.flash(request),
        )
        if error:
            response.status_code = 400
        return response

    async def edit_volunteer(self, request: Request, who: Who) -> Response:
        row = await self._volunteer_row(request, who)
        form = request.state.form
        capacity_s = str(form.get("capacity", "")).strip()
        if not capacity_s.isdigit() or not 1 <= int(capacity_s) <= 50:
            return await self.volunteer(
                request, who, _("Capacity must be a whole number from 1 to 50.")
            )
        languages = [x for x in ("id", "en") if form.get(f"lang_{x}")]
        if not languages:
            return await self.volunteer(request, who, _("Choose at least one language."))
        available = form.get("away") is None
        now = self.c.now()

        async def save(tx: Tx) -> None:
            settings = {
                "capacity": int(capacity_s),
                "available": available,
                "languages": ";".join(languages),
            }
            await tx.volunteers.update_settings(row.id, now=now, **settings)  # type: ignore[arg-type]
            await audit.record(
                tx.sql,
                now,
                who.actor,
                "volunteer_settings",
                f"volunteer:{row.id}",
                capacity=settings["capacity"],
                away=int(not available),
                languages=",".join(languages),
            )

        await self.c.write(save)
        return RedirectResponse(f"/admin/volunteers/{row.id}?done=saved", status_code=303)

    async def deactivate(self, request: Request, who: Who) -> Response:
        row = await self._volunteer_row(request, who)
        now = self.c.now()
        services = self.c.services
        engine = self.c.engine
        assert engine is not None

        async def task(tx: Tx):
            post = Postman(tx, now)
            volunteer = await tx.volunteers.get(row.id)
            assert volunteer is not None
            await Casework(tx, post, services, now).deactivate(volunteer, who.actor)  # type: ignore[arg-type]
            await audit.record(
                tx.sql, now, who.actor, "volunteer_deactivated", f"volunteer:{row.id}"
            )
            return await post.flush()

        channels = await engine.run(task)
        self._figures.clear()
        if channels:
            engine.notify(channels)
        return RedirectResponse(f"/admin/volunteers/{row.id}?done=deactivated", status_code=303)

    # --- map -------------------------------------------------------------------------------
    async def map(self, request: Request, who: Who) -> Response:
        period = request.query_params.get("period", "all")
        since = {"90": 90, "365": 365}.get(period)
        now = self.c.now()
        reports = await q.reports_per_place(
            self.c.db.sql, who.scope, now - since * 86400 if since else None
        )
        helpers = await q.volunteers_per_place(self.c.db.sql, who.scope)
        places = [(p.code, p.name, p.lat, p.lon) for p in self.gazetteer]
        dots = charts.dots(places, reports, helpers)
        table = sorted(dots, key=lambda d: (-d.reports, -d.volunteers, d.name))
        return self.c.render(
            request,
            "map.html",
            who,
            dots=dots,
            table=table,
            outline=charts.outline_paths(),
            width=charts.MAP_WIDTH,
            height=charts.MAP_HEIGHT,
            period=period if since else "all",
            reports_total=sum(reports.values()),
            unplaced=sum(n for code, n in reports.items() if self.gazetteer.get(code) is None),
        )

    # --- export ----------------------------------------------------------------------------
    async def export(self, request: Request, who: Who) -> Response:
        f, _raw = self.read_filter(request.query_params, who)
        return self._csv(f, who, export.PLAIN_COLUMNS, "cases.csv")

    async def export_contacts(self, request: Request, who: Who) -> Response:
        """With the reporter's and recruiter's details: coordinators only, and every case in
        the file gets a "contact exported" entry in its history, before the file is sent."""
        query = QueryParams(str(request.state.form.get("query", ""))[:2000])
        f, _raw = self.read_filter(query, who)
        now = self.c.now()
        scope = who.scope
        actor = who.actor

        await self.c.write(lambda tx: q.record_contact_export(tx.sql, f, scope, now, actor))
        return self._csv(
            f, who, (*export.PLAIN_COLUMNS, *export.CONTACT_COLUMNS), "cases-with-contacts.csv"
        )

    def _csv(self, f: q.CaseFilter, who: Who, columns: tuple[str, ...], name: str) -> Response:
        now = self.c.now()
        console = self.c

        async def body():
            # sent after the page's handler returned: the export takes a read connection of its own
            yield export.header(columns)
            async with console.reading() as db:
                async for row in q.export_rows(db.sql, f, who.scope, now):
                    yield export.line(row, columns)

        stamp = datetime.fromtimestamp(now, tz=UTC).strftime("%Y%m%d-%H%M")
        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stamp}-{name}"'},
        )


def _actor_label(actor: str) -> str:
    """`coordinator:ani` as people read it."""
    kind, _sep, name = actor.partition(":")
    if kind == "coordinator" and name:
        return _("coordinator {name}").format(name=name)
    return actor


def _day(text: str) -> float | None:
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=WIB)
    except ValueError:
        return None
    return day.timestamp()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    if minutes < 60:
        return _("{n} min").format(n=max(minutes, 0))
    hours = minutes / 60
    if hours < 48:
        return _("{n} h").format(n=f"{hours:.1f}".rstrip("0").rstrip("."))
    return _("{n} days").format(n=f"{hours / 24:.1f}".rstrip("0").rstrip("."))
