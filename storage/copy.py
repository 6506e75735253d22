"""Moving a deployment's data from one store to another (`migrasi-aman db copy`).

The typical move is a growing SQLite deployment onto PostgreSQL. Both stores are migrated to
the latest schema first, so the tables are the same; every table of the source is then read
in one transaction (a consistent snapshot even while the bot runs on WAL) and written to the
target in one transaction, parents before children (foreign keys), ids kept, and each
identity counter moved past the highest id so new rows never collide. The target must be
empty: copying onto live data would mix two deployments.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.base import Store
from storage.sql import Connection, placeholders

BATCH = 1000
NOT_COPIED = frozenset(
    {"schema_migrations", "outbox_tally", "case_tally", "case_days", "flag_days", "recruiter_tally"}
)


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


async def tables_in_order(conn: Connection) -> list[str]:
    """The schema's tables, each after the tables it references."""
    if conn.dialect == "sqlite":
        names = [
            row[0]
            for row in await conn.fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        parents = {
            name: {row[2] for row in await conn.fetch(f"PRAGMA foreign_key_list({name})")}
            for name in names
        }
    else:
        names = [
            row[0]
            for row in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema ="
                " current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        refs = await conn.fetch(
            "SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc"
            " JOIN information_schema.constraint_column_usage ccu"
            " ON ccu.constraint_name = tc.constraint_name"
            " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"
        )
        parents = {name: set() for name in names}
        for child, parent in refs:
            parents[child].add(parent)
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for parent in sorted(parents.get(name, ())):
            if parent != name and parent in parents:
                visit(parent)
        ordered.append(name)

    for name in names:
        visit(name)
    # The version bookkeeping belongs to each store's own migrations, never copied; the
    # tallies are derived (kept by triggers as the rows they count arrive).
    return [n for n in ordered if n not in NOT_COPIED]


async def columns(conn: Connection, table: str) -> list[str]:
    if conn.dialect == "sqlite":
        return [row[1] for row in await conn.fetch(f"PRAGMA table_info({table})")]
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in rows]


async def copy(source: Store, target: Store) -> list[Copied]:
    """Copy every row of `source` into the empty `target` (both open)."""
    done: list[Copied] = []
    async with source.transaction() as src, target.transaction() as dst:
        order = await tables_in_order(src.sql)
        target_tables = set(await tables_in_order(dst.sql))
        for table in order:
            if table in target_tables and await dst.sql.fetchval(f"SELECT COUNT(*) FROM {table}"):
                raise ValueError(f"the target already has rows in {table}: copy needs it empty")
        for table in order:
            if table not in target_tables:
                raise ValueError(f"the target has no table {table}: upgrade it first")
            wanted = await columns(dst.sql, table)
            cols = [c for c in await columns(src.sql, table) if c in wanted]
            insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders(len(cols))})"
            rows = await src.sql.fetch(f"SELECT {', '.join(cols)} FROM {table}")
            for start in range(0, len(rows), BATCH):
                await dst.sql.executemany(
                    insert, [tuple(row) for row in rows[start : start + BATCH]]
                )
            if dst.sql.dialect == "postgresql" and "id" in cols and rows:
                await dst.sql.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT MAX(id) FROM {table}))"
                )
            done.append(Copied(table, len(rows)))
    return done
