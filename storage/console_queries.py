"""What the web console reads: case lists with filters, figures, loads, counts per place.

Every function takes a connection (the console's read-only one) and a `Scope`: a
province-scoped coordinator's queries carry their provinces in the WHERE clause, so a case
outside them is not found at all, whatever the URL says. User input only ever reaches SQL as
bound parameters; the WHERE clause is assembled from fixed fragments.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from storage.cases import CLOSED, OPEN
from storage.sql import Connection


class _Rows:
    """`async with _run(conn, sql, params) as cur` over the portable Connection: one fetch."""

    def __init__(self, conn: Connection, sql: str, params) -> None:
        self.conn, self.sql, self.params = conn, sql, list(params)
        self.rows: list = []

    async def __aenter__(self) -> _Rows:
        self.rows = await self.conn.fetch(self.sql, self.params)
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def fetchall(self) -> list:
        return self.rows

    async def fetchone(self):
        return self.rows[0] if self.rows else None


def _run(conn: Connection, sql: str, params=()) -> _Rows:
    return _Rows(conn, sql, params)


def _agg(conn: Connection) -> str:
    return "string_agg" if conn.dialect == "postgresql" else "group_concat"


def _trunc(conn: Connection, expr: str) -> str:
    # CAST to integer truncates in SQLite but rounds in PostgreSQL
    return f"TRUNC({expr})" if conn.dialect == "postgresql" else f"CAST({expr} AS INTEGER)"


def _next_code(code: str) -> str:
    """The code after a province's: "32" -> "33", so its kab/kota ("3201"…"3279") are the
    range [32, 33) in any collation (digits sort the same everywhere)."""
    return f"{int(code) + 1:0{len(code)}d}"


# Waiting for somebody: not yet with a volunteer who accepted it.
WAITING = ("new", "alerted", "escalated")
ALL_STATUSES = (*WAITING, *OPEN, *CLOSED)
WEEK = 7 * 24 * 3600.0


@dataclass(frozen=True)
class Scope:
    """The provinces an account may see; () = every province (and cases with no place)."""

    provinces: tuple[str, ...] = ()

    def sql(self, column: str = "c.place_code") -> tuple[str, list[object]]:
        if not self.provinces:
            return "TRUE", []  # a boolean on PostgreSQL too
        # BPS codes: a kab/kota code starts with its province's two digits ("3212" in "32").
        parts = [f"({column} >= ? AND {column} < ?)" for _ in self.provinces]
        params: list[object] = []
        for p in self.provinces:
            params += [p, _next_code(p)]
        return "(" + " OR ".join(parts) + ")", params

    def allows(self, place_code: str | None) -> bool:
        if not self.provinces:
            return True
        return bool(place_code) and any(place_code.startswith(p) for p in self.provinces)


@dataclass
class CaseFilter:
    status: str = ""  # a status, "open", "waiting", "closed", "overdue" or "" for all
    province: str = ""  # BPS province code
    place: str = ""  # BPS kab/kota code
    flag: str = ""
    urgent: str = ""  # "1" urgent only, "0" not urgent, "" both
    since: float | None = None  # created at or after
    until: float | None = None  # created before
    number: str = ""  # an exact case number
    phone: str = ""  # a normalised recruiter phone
    name: str = ""  # part of a recruiter's name


@dataclass
class CaseRow:
    id: int
    number: str
    status: str
    place_code: str | None
    place_name: str | None
    urgent: bool
    created_at: float
    updated_at: float
    deadline_at: float | None
    volunteer_name: str | None
    recruiter_name: str | None
    flags: list[str] = field(default_factory=list)


def _where(
    f: CaseFilter, scope: Scope, now: float, dialect: str = "sqlite"
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    scope_sql, scope_params = scope.sql()
    clauses.append(scope_sql)
    params += scope_params
    groups = {"open": OPEN, "waiting": WAITING, "closed": CLOSED}
    if f.status in groups:
        clauses.append(f"c.status IN ({', '.join('?' for _ in groups[f.status])})")
        params += list(groups[f.status])
    elif f.status == "overdue":
        clauses.append("c.status = 'alerted' AND c.deadline_at <= ?")
        params.append(now)
    elif f.status:
        clauses.append("c.status = ?")
        params.append(f.status)
    if f.province:
        clauses.append("c.place_code >= ? AND c.place_code < ?")
        params += [f.province, _next_code(f.province)]
    if f.place:
        clauses.append("c.place_code = ?")
        params.append(f.place)
    if f.flag:
        clauses.append("c.id IN (SELECT case_id FROM case_flags WHERE code = ?)")
        params.append(f.flag)
    if f.urgent in ("0", "1"):
        clauses.append("c.urgent = ?")
        params.append(int(f.urgent))
    if f.since is not None:
        clauses.append("c.created_at >= ?")
        params.append(f.since)
    if f.until is not None:
        clauses.append("c.created_at < ?")
        params.append(f.until)
    # the search terms (the console sets at most one of them)
    if f.number:
        clauses.append("c.number = ?")
        params.append(f.number)
    if f.phone:
        clauses.append("c.recruiter_phone_norm = ?")
        params.append(f.phone)
    if f.name:
        # "IS NOT NULL" lets SQLite scan the small partial index on names, not every row
        like = "ILIKE" if dialect == "postgresql" else "LIKE"  # SQLite's LIKE ignores case
        clauses.append(f"c.recruiter_name IS NOT NULL AND c.recruiter_name {like} ? ESCAPE '\\'")
        escaped = f.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    return " AND ".join(clauses), params


ORDERS = {
    "newest": "c.created_at DESC, c.id DESC",
    "oldest": "c.created_at, c.id",  # the longest waiting first
    "deadline": "c.deadline_at, c.id",  # the alert overdue longest first
}


async def list_cases(
    conn: Connection,
    f: CaseFilter,
    scope: Scope,
    now: float,
    *,
    limit: int,
    offset: int,
    order: str = "newest",
    tallies: bool | None = None,
) -> tuple[list[CaseRow], int]:
    """One page of cases and how many match in all.

    The page's ids are picked first from the indexes alone (a "deferred join"), and only
    those rows are read: sorting 20,000 matches of a province, or skipping 10,000 for page
    200, then touches index entries, not whole rows with their stories."""
    where, params = _where(f, scope, now, conn.dialect)
    by = ORDERS[order]
    # A flag or a name matches cases in no index's date order: they are all read and sorted
    # anyway, so that same pass counts them (COUNT(*) OVER ()), rather than a second query
    # doing the work again. Other filters walk an index in order and stop at the page, and
    # their count reads that index alone.
    one_pass = bool(f.flag or f.name)
    total = -1
    if tallies is None:
        tallies = conn.dialect == "sqlite"
    if tallies and _tallied(f):
        total = await _count_from_tally(conn, f, scope)
    elif not one_pass:
        total = int(await conn.fetchval(f"SELECT COUNT(*) FROM cases c WHERE {where}", params))
    # A name search matches few rows: sort them, rather than walk every case in date order
    # (the "+" keeps SQLite from using the date index for the ORDER BY).
    pick = by.replace("c.created_at", "+c.created_at") if f.name else by
    counted = ", COUNT(*) OVER () AS total" if one_pass else ", 0 AS total"
    sql = (
        f"WITH page AS (SELECT c.id{counted} FROM cases c WHERE {where}"
        f" ORDER BY {pick} LIMIT ? OFFSET ?)"
        " SELECT c.id, c.number, c.status, c.place_code, c.place_name, c.urgent, c.created_at,"
        " c.updated_at, c.deadline_at, v.name, c.recruiter_name,"
        f" (SELECT {_agg(conn)}(code, ' ') FROM case_flags WHERE case_id = c.id), page.total"
        " FROM page JOIN cases c ON c.id = page.id"
        " LEFT JOIN volunteers v ON v.id = COALESCE(c.volunteer_id, c.offered_to)"
        f" ORDER BY {by}"
    )
    found = await conn.fetch(sql, [*params, limit, offset])
    rows = [CaseRow(*r[:5], bool(r[5]), *r[6:11], flags=(r[11] or "").split()) for r in found]
    if one_pass:
        if found:
            total = int(found[0][12])
        elif offset:  # a page past the end: nothing to count it from
            total = int(await conn.fetchval(f"SELECT COUNT(*) FROM cases c WHERE {where}", params))
        else:
            total = 0
    return rows, total


def _tallied(f: CaseFilter) -> bool:
    """Whether the filter asks only what case_tally counts (status, province): then the count
    is a few tally rows, not every matching index entry (100,000 for the unfiltered list)."""
    plain = CaseFilter(status=f.status, province=f.province)
    return f == plain and f.status != "overdue"


async def _count_from_tally(conn: Connection, f: CaseFilter, scope: Scope) -> int:
    clauses, params = [], []
    groups = {"open": OPEN, "waiting": WAITING, "closed": CLOSED}
    statuses = groups.get(f.status) or ((f.status,) if f.status else ())
    if statuses:
        clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params += list(statuses)
    prov_sql, pp = _provinces_in(scope)
    clauses.append(prov_sql)
    params += pp
    if f.province:
        clauses.append("province = ?")
        params.append(f.province)
    return int(
        await conn.fetchval(
            f"SELECT COALESCE(SUM(n), 0) FROM case_tally WHERE {' AND '.join(clauses)}", params
        )
    )


EXPORT_FIELDS = (
    "id", "number", "status", "created_at", "accepted_at", "updated_at", "place_code",
    "place_name", "urgent", "anonymous", "reporter_role", "reporter_locale", "flags",
    "volunteer_id", "volunteer_name", "reporter_name", "reporter_reach", "recruiter_name",
    "recruiter_phone", "description",
)  # fmt: skip


async def export_rows(
    conn: Connection, f: CaseFilter, scope: Scope, now: float, *, batch: int = 1000
) -> AsyncIterator[dict[str, object]]:
    """Every matching case, newest first, with all columns (the caller picks what to write),
    read `batch` rows at a time: the next batch starts after the last (created_at, id) seen,
    so a 100,000-row export never holds more than one batch."""
    where, params = _where(f, scope, now, conn.dialect)
    sql = (
        "SELECT c.id, c.number, c.status, c.created_at, c.accepted_at, c.updated_at, c.place_code,"
        " c.place_name, c.urgent, c.anonymous, c.reporter_role, c.reporter_locale,"
        f" (SELECT {_agg(conn)}(code, ' ') FROM case_flags WHERE case_id = c.id) AS flags,"
        " c.volunteer_id, v.name AS volunteer_name, c.reporter_name, c.reporter_reach,"
        " c.recruiter_name, c.recruiter_phone, c.description"
        " FROM cases c LEFT JOIN volunteers v ON v.id = c.volunteer_id"
        f" WHERE {where} AND (c.created_at < ? OR (c.created_at = ? AND c.id < ?))"
        " ORDER BY c.created_at DESC, c.id DESC LIMIT ?"
    )
    after: tuple[float, int] = (float("inf"), 0)
    while True:
        rows = await conn.fetch(sql, [*params, after[0], after[0], after[1], batch])
        for row in rows:
            yield dict(zip(EXPORT_FIELDS, tuple(row), strict=True))
        if len(rows) < batch:
            return
        after = (float(rows[-1][3]), int(rows[-1][0]))


async def record_contact_export(
    conn: Connection, f: CaseFilter, scope: Scope, now: float, actor: str
) -> int:
    """A "contact exported" entry, by `actor` at `now`, in the history of every case the
    export holds (the same filter and scope); how many."""
    where, params = _where(f, scope, now, conn.dialect)
    return await conn.execute(
        "INSERT INTO case_events (case_id, at, actor, kind, detail)"
        f" SELECT c.id, ?, ?, 'contact_exported', '' FROM cases c WHERE {where}",
        [now, actor, *params],
    )


async def case_in_scope(conn: Connection, case_id: int, scope: Scope) -> bool:
    scope_sql, scope_params = scope.sql()
    async with _run(
        conn, f"SELECT 1 FROM cases c WHERE c.id = ? AND {scope_sql}", [case_id, *scope_params]
    ) as cur:
        return await cur.fetchone() is not None


async def case_id_by_number(conn: Connection, number: str, scope: Scope) -> int | None:
    scope_sql, scope_params = scope.sql()
    async with _run(
        conn,
        f"SELECT c.id FROM cases c WHERE c.number = ? AND {scope_sql}",
        [number, *scope_params],
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else None


# --- the dashboard -------------------------------------------------------------------------
DAY = 86400.0
WIB = 7 * 3600  # the console's days are WIB calendar days, like the times it shows


def wib_day(ts: float) -> int:
    """The WIB day of a moment, as whole days since 1970-01-01 (the tallies' `day`)."""
    return int((ts + WIB) // DAY)


def day_start(day: int) -> float:
    return day * DAY - WIB


@dataclass
class Figures:
    by_status: dict[str, int]
    overdue: list[CaseRow]
    overdue_count: int
    unassigned: list[CaseRow]  # escalated or never routed: waiting for a coordinator
    unassigned_count: int
    weeks: list[tuple[float, int]]  # (the start of the week's first WIB day, reports)
    accepted: int  # cases accepted in the period
    accept_median: float | None  # report → acceptance, seconds (nearest rank)
    accept_p90: float | None
    top_flags: list[tuple[str, int]]
    repeat_recruiters: list[tuple[str, str | None, int]]  # (phone, a name given, reports)


def _provinces_in(scope: Scope, column: str = "province") -> tuple[str, list[object]]:
    """The scope on a tally's `province` column (the first two digits of the place code)."""
    if not scope.provinces:
        return "TRUE", []
    return f"{column} IN ({', '.join('?' for _ in scope.provinces)})", list(scope.provinces)


def _nearest_rank(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[max(1, math.ceil(q * len(values))) - 1]


async def figures(
    conn: Connection,
    scope: Scope,
    now: float,
    *,
    weeks: int = 12,
    sample: int = 10,
    tallies: bool | None = None,
) -> Figures:
    """The dashboard. Reports per week, time to acceptance and warning signs cover the last
    `weeks` weeks of WIB days, the last week ending today; repeat recruiters all time (a
    recruiter who comes back a year later is exactly the one to see).

    On SQLite the counts come from the tables its triggers keep (migration 0009); on
    PostgreSQL, which has none (see its 0009), from the rows. `tallies=False` counts from the
    rows on SQLite too: the tests compare the two."""
    if tallies is None:
        tallies = conn.dialect == "sqlite"
    today = wib_day(now)
    first = today - weeks * 7 + 1
    start = day_start(first)
    overdue, overdue_count = await list_cases(
        conn, CaseFilter(status="overdue"), scope, now, limit=sample, offset=0, order="deadline"
    )
    unassigned, unassigned_count = await list_cases(
        conn, CaseFilter(status="escalated"), scope, now, limit=sample, offset=0, order="oldest"
    )
    scope_sql, sp = scope.sql()
    prov_sql, pp = _provinces_in(scope)
    marks = ", ".join("?" for _ in (*WAITING, *OPEN))

    if tallies:
        rows = await conn.fetch(
            f"SELECT status, SUM(n) FROM case_tally WHERE status IN ({marks}) AND {prov_sql}"
            " GROUP BY status",
            [*WAITING, *OPEN, *pp],
        )
    else:  # not closed: closed ones pile up for years
        rows = await conn.fetch(
            f"SELECT c.status, COUNT(*) FROM cases c WHERE c.status IN ({marks})"
            f" AND {scope_sql} GROUP BY c.status",
            [*WAITING, *OPEN, *sp],
        )
    by_status = {row[0]: int(row[1]) for row in rows if int(row[1])}

    if tallies:
        rows = await conn.fetch(
            "SELECT (day - ?) / 7, SUM(n) FROM case_days WHERE day >= ? AND day <= ?"
            f" AND {prov_sql} GROUP BY 1",
            [first, first, today, *pp],
        )
    else:
        rows = await conn.fetch(
            f"SELECT {_trunc(conn, f'(c.created_at - ?) / {WEEK}')} AS w, COUNT(*) FROM cases c"
            f" WHERE c.created_at >= ? AND c.created_at < ? AND {scope_sql} GROUP BY w",
            [start, start, day_start(today + 1), *sp],
        )
    counts = {int(row[0]): int(row[1]) for row in rows}
    series = [(start + i * WEEK, counts.get(i, 0)) for i in range(weeks)]

    # Durations leave the database as they are (on SQLite a window function over them is
    # slower than this list) and are ranked here.
    rows = await conn.fetch(
        "SELECT c.accepted_at - c.created_at FROM cases c"
        f" WHERE c.accepted_at >= ? AND c.accepted_at IS NOT NULL AND {scope_sql}",
        [start, *sp],
    )
    accept = sorted(float(row[0]) for row in rows)

    if tallies and not scope.provinces:
        flag_sql = (
            "SELECT code, SUM(n) AS n FROM flag_days WHERE day >= ? AND day <= ?"
            " GROUP BY code HAVING SUM(n) > 0 ORDER BY n DESC, code LIMIT 8"
        )
        flag_params: list[object] = [first, today]
    elif scope.provinces:
        flag_sql = (
            "SELECT f.code, COUNT(*) AS n FROM cases c JOIN case_flags f ON f.case_id = c.id"
            f" WHERE c.created_at >= ? AND c.created_at < ? AND {scope_sql}"
            " GROUP BY f.code ORDER BY n DESC, f.code LIMIT 8"
        )
        flag_params = [start, day_start(today + 1), *sp]
    else:  # the flags carry their report's date: one range of one index
        flag_sql = (
            "SELECT code, COUNT(*) AS n FROM case_flags WHERE reported_at >= ? AND reported_at < ?"
            " GROUP BY code ORDER BY n DESC, code LIMIT 8"
        )
        flag_params = [start, day_start(today + 1)]
    top_flags = [(row[0], int(row[1])) for row in await conn.fetch(flag_sql, flag_params)]

    repeat = await _repeat_recruiters(conn, scope, tallies)
    return Figures(
        by_status=by_status,
        overdue=overdue,
        overdue_count=overdue_count,
        unassigned=unassigned,
        unassigned_count=unassigned_count,
        weeks=series,
        accepted=len(accept),
        accept_median=_nearest_rank(accept, 0.5),
        accept_p90=_nearest_rank(accept, 0.9),
        top_flags=top_flags,
        repeat_recruiters=repeat,
    )


async def _repeat_recruiters(
    conn: Connection, scope: Scope, tallies: bool, limit: int = 10
) -> list[tuple[str, str | None, int]]:
    """Phones in two reports or more (in the scope), most reported first, each with a name
    given for it in a report of the scope."""
    scope_sql, sp = scope.sql()
    name = (
        "(SELECT MAX(c.recruiter_name) FROM cases c"
        f" WHERE c.recruiter_phone_norm = t.phone AND {scope_sql})"
    )
    if tallies and len(scope.provinces) <= 1:
        # one province, or all ('*'): the top of the tally's (province, n) index
        counted = (
            "SELECT phone, n FROM recruiter_tally WHERE province = ? AND n >= 2"
            " ORDER BY n DESC, phone DESC LIMIT ?"
        )
        params: list[object] = [scope.provinces[0] if scope.provinces else "*", limit]
    elif tallies:
        prov_sql, pp = _provinces_in(scope)
        counted = (
            f"SELECT phone, SUM(n) AS n FROM recruiter_tally WHERE {prov_sql}"
            " GROUP BY phone HAVING SUM(n) >= 2 ORDER BY n DESC, phone DESC LIMIT ?"
        )
        params = [*pp, limit]
    else:  # counted on the phone index alone
        counted = (
            "SELECT c.recruiter_phone_norm AS phone, COUNT(*) AS n FROM cases c"
            f" WHERE c.recruiter_phone_norm IS NOT NULL AND {scope_sql}"
            " GROUP BY c.recruiter_phone_norm HAVING COUNT(*) >= 2"
            " ORDER BY n DESC, phone DESC LIMIT ?"
        )
        params = [*sp, limit]
    rows = await conn.fetch(
        f"SELECT t.phone, t.n, {name} FROM ({counted}) t ORDER BY t.n DESC, t.phone DESC",
        [*sp, *params],
    )
    return [(row[0], row[2], int(row[1])) for row in rows]


# --- volunteers ----------------------------------------------------------------------------
@dataclass
class VolunteerRow:
    id: int
    name: str
    channel: str
    address: str
    place_code: str | None
    place_name: str | None
    lat: float
    lon: float
    languages: str
    capacity: int
    available: bool
    reachable: bool  # has a contact that has not blocked the bot
    active: bool  # not deactivated
    load: int  # accepted cases still open
    waiting: int  # alerts waiting for their answer


async def volunteers(
    conn: Connection, scope: Scope, volunteer_id: int | None = None
) -> list[VolunteerRow]:
    scope_sql, params = scope.sql("v.place_code")
    one = ""
    if volunteer_id is not None:
        one = " AND v.id = ?"
        params = [*params, volunteer_id]
    open_list = ", ".join(f"'{s}'" for s in OPEN)  # constants, not input
    sql = (
        "SELECT v.id, v.name, v.channel, v.address, v.place_code, v.place_name, v.lat, v.lon,"
        " v.languages, v.capacity, v.available,"
        " (v.contact_id IS NOT NULL AND k.unreachable_at IS NULL), v.deactivated_at IS NULL,"
        f" (SELECT COUNT(*) FROM cases c WHERE c.volunteer_id = v.id AND c.status IN ({open_list})),"
        " (SELECT COUNT(*) FROM cases c WHERE c.offered_to = v.id AND c.status = 'alerted')"
        " FROM volunteers v LEFT JOIN contacts k ON k.id = v.contact_id"
        f" WHERE {scope_sql}{one} ORDER BY v.deactivated_at IS NOT NULL, v.name, v.id"
    )
    async with _run(conn, sql, params) as cur:
        return [
            VolunteerRow(*r[:10], bool(r[10]), bool(r[11]), bool(r[12]), int(r[13]), int(r[14]))
            for r in await cur.fetchall()
        ]


# --- the map -------------------------------------------------------------------------------
async def reports_per_place(
    conn: Connection, scope: Scope, since: float | None = None
) -> dict[str, int]:
    scope_sql, params = scope.sql()
    when = ""
    if since is not None:
        when = " AND c.created_at >= ?"
        params = [*params, since]
    async with _run(
        conn,
        "SELECT c.place_code, COUNT(*) FROM cases c"
        f" WHERE c.place_code IS NOT NULL AND {scope_sql}{when} GROUP BY c.place_code",
        params,
    ) as cur:
        return {row[0]: int(row[1]) for row in await cur.fetchall()}


async def volunteers_per_place(conn: Connection, scope: Scope) -> dict[str, int]:
    scope_sql, params = scope.sql("v.place_code")
    async with _run(
        conn,
        "SELECT v.place_code, COUNT(*) FROM volunteers v"
        f" WHERE v.place_code IS NOT NULL AND {scope_sql} GROUP BY v.place_code",
        params,
    ) as cur:
        return {row[0]: int(row[1]) for row in await cur.fetchall()}


class ReadView:
    """The repositories on a read connection, for pages that show one case or volunteer: the
    same SQL as the writer's (storage/repos), never used to write."""

    def __init__(self, conn: Connection) -> None:
        from storage.repos import SQLCases, SQLVolunteers

        self.sql = conn
        self.cases = SQLCases(conn)
        self.volunteers = SQLVolunteers(conn)

    async def declined(self, case_id: int) -> set[int]:
        rows = await self.sql.fetch(
            "SELECT volunteer_id FROM case_declines WHERE case_id = ?", (case_id,)
        )
        return {int(r[0]) for r in rows}
