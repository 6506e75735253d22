"""What the web console reads: case lists with filters, figures, loads, counts per place.

Every function takes a connection (the console's read-only one) and a `Scope`: a
province-scoped coordinator's queries carry their provinces in the WHERE clause, so a case
outside them is not found at all, whatever the URL says. User input only ever reaches SQL as
bound parameters; the WHERE clause is assembled from fixed fragments.
"""

from __future__ import annotations

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
) -> tuple[list[CaseRow], int]:
    """One page of cases and how many match in all.

    The page's ids are picked first from the indexes alone (a "deferred join"), and only
    those rows are read: sorting 20,000 matches of a province, or skipping 10,000 for page
    200, then touches index entries, not whole rows with their stories."""
    where, params = _where(f, scope, now, conn.dialect)
    async with _run(conn, f"SELECT COUNT(*) FROM cases c WHERE {where}", params) as cur:
        total = int((await cur.fetchone())[0])
    by = ORDERS[order]
    # A name search matches few rows: sort them, rather than walk every case in date order
    # (the "+" keeps SQLite from using the date index for the ORDER BY).
    pick = by.replace("c.created_at", "+c.created_at") if f.name else by
    sql = (
        f"WITH page AS (SELECT c.id FROM cases c WHERE {where} ORDER BY {pick} LIMIT ? OFFSET ?)"
        " SELECT c.id, c.number, c.status, c.place_code, c.place_name, c.urgent, c.created_at,"
        " c.updated_at, c.deadline_at, v.name, c.recruiter_name,"
        f" (SELECT {_agg(conn)}(code, ' ') FROM case_flags WHERE case_id = c.id)"
        " FROM page JOIN cases c ON c.id = page.id"
        " LEFT JOIN volunteers v ON v.id = COALESCE(c.volunteer_id, c.offered_to)"
        f" ORDER BY {by}"
    )
    async with _run(conn, sql, [*params, limit, offset]) as cur:
        rows = [
            CaseRow(*r[:5], bool(r[5]), *r[6:11], flags=(r[11] or "").split())
            for r in await cur.fetchall()
        ]
    return rows, total


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
@dataclass
class Figures:
    by_status: dict[str, int]
    overdue: list[CaseRow]
    overdue_count: int
    unassigned: list[CaseRow]  # escalated or never routed: waiting for a coordinator
    unassigned_count: int
    weeks: list[tuple[float, int]]  # (week start, reports)
    accept_seconds: list[float]  # report → acceptance, in the period, sorted
    top_flags: list[tuple[str, int]]
    repeat_recruiters: list[tuple[str, str | None, int]]  # (phone, a name given, reports)


async def _count_by_status(conn: Connection, scope: Scope) -> dict[str, int]:
    """Cases not closed, by status (closed ones pile up for years: not counted here)."""
    scope_sql, params = scope.sql()
    marks = ", ".join("?" for _ in (*WAITING, *OPEN))
    async with _run(
        conn,
        f"SELECT c.status, COUNT(*) FROM cases c WHERE c.status IN ({marks}) AND {scope_sql}"
        " GROUP BY c.status",
        [*WAITING, *OPEN, *params],
    ) as cur:
        return {row[0]: int(row[1]) for row in await cur.fetchall()}


async def figures(
    conn: Connection, scope: Scope, now: float, *, weeks: int = 12, sample: int = 10
) -> Figures:
    """The dashboard. Reports per week, time to acceptance and warning signs cover the last
    `weeks` weeks; repeat recruiters all time (a recruiter who comes back a year later is
    exactly the one to see)."""
    by_status = await _count_by_status(conn, scope)
    overdue, overdue_count = await list_cases(
        conn, CaseFilter(status="overdue"), scope, now, limit=sample, offset=0, order="deadline"
    )
    unassigned, unassigned_count = await list_cases(
        conn, CaseFilter(status="escalated"), scope, now, limit=sample, offset=0, order="oldest"
    )
    scope_sql, sp = scope.sql()

    # Weeks end at `now`: the last bar is the last 7 days, whatever the weekday.
    start = now - weeks * WEEK
    async with _run(
        conn,
        f"SELECT ? - {_trunc(conn, f'(? - c.created_at) / {WEEK}')} AS w, COUNT(*) FROM cases c"
        f" WHERE c.created_at > ? AND c.created_at <= ? AND {scope_sql} GROUP BY w",
        [weeks - 1, now, start, now, *sp],
    ) as cur:
        counts = {int(row[0]): int(row[1]) for row in await cur.fetchall()}
    series = [(start + i * WEEK, counts.get(i, 0)) for i in range(weeks)]

    async with _run(
        conn,
        "SELECT c.accepted_at - c.created_at FROM cases c"
        f" WHERE c.accepted_at > ? AND c.accepted_at IS NOT NULL AND {scope_sql}",
        [start, *sp],
    ) as cur:
        accept = sorted([float(row[0]) for row in await cur.fetchall()])

    if scope.provinces:
        flag_sql = (
            "SELECT f.code, COUNT(*) AS n FROM cases c JOIN case_flags f ON f.case_id = c.id"
            f" WHERE c.created_at > ? AND c.created_at <= ? AND {scope_sql}"
            " GROUP BY f.code ORDER BY n DESC, f.code LIMIT 8"
        )
    else:  # the flags carry their report's date: one range of one index
        flag_sql = (
            "SELECT code, COUNT(*) AS n FROM case_flags WHERE reported_at > ? AND reported_at <= ?"
            " GROUP BY code ORDER BY n DESC, code LIMIT 8"
        )
    async with _run(conn, flag_sql, [start, now, *sp]) as cur:
        top_flags = [(row[0], int(row[1])) for row in await cur.fetchall()]

    # counted on the phone index alone; a name is looked up for the ten shown only
    async with _run(
        conn,
        "SELECT c.recruiter_phone_norm, COUNT(*) AS n FROM cases c"
        f" WHERE c.recruiter_phone_norm IS NOT NULL AND {scope_sql}"
        " GROUP BY c.recruiter_phone_norm HAVING COUNT(*) >= 2 ORDER BY n DESC, 1 LIMIT 10",
        sp,
    ) as cur:
        counted = [(row[0], int(row[1])) for row in await cur.fetchall()]
    repeat = []
    for phone, n in counted:
        async with _run(
            conn, "SELECT MAX(recruiter_name) FROM cases WHERE recruiter_phone_norm = ?", (phone,)
        ) as cur:
            repeat.append((phone, (await cur.fetchone())[0], n))
    return Figures(
        by_status=by_status,
        overdue=overdue,
        overdue_count=overdue_count,
        unassigned=unassigned,
        unassigned_count=unassigned_count,
        weeks=series,
        accept_seconds=accept,
        top_flags=top_flags,
        repeat_recruiters=repeat,
    )


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
