"""Console accounts and their sessions: who may open the web console, and as what.

A password is stored only as its argon2 hash (made and checked in bot/console/auth.py); a
session only as the SHA-256 of its token. Wrong passwords are counted per account and lock it
for a while; the counters live here so a restart does not reset a lockout.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.sql import Connection

ROLES = ("coordinator", "viewer")


@dataclass
class Account:
    id: int
    username: str
    name: str
    password_hash: str
    role: str  # coordinator | viewer
    provinces: tuple[str, ...]  # BPS province codes; () = every province
    failed_logins: int
    locked_until: float | None
    disabled: bool
    created_at: float
    last_login_at: float | None
    password_changed_at: float | None

    @property
    def can_act(self) -> bool:
        return self.role == "coordinator"

    @property
    def sees_personal_data(self) -> bool:
        return self.role == "coordinator"


_COLUMNS = (
    "id, username, name, password_hash, role, provinces, failed_logins, locked_until, disabled,"
    " created_at, last_login_at, password_changed_at"
)
_N = len(_COLUMNS.split(","))


def _account(row) -> Account:
    values = list(row)
    values[5] = tuple(p for p in (values[5] or "").split(";") if p)
    values[8] = bool(values[8])
    return Account(*values)


async def create(
    conn: Connection,
    username: str,
    name: str,
    password_hash: str,
    role: str,
    provinces: tuple[str, ...],
    now: float,
) -> Account:
    """A new account, or the same username's password, role and provinces replaced."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    row = await conn.fetchrow(
        "INSERT INTO console_accounts (username, name, password_hash, role, provinces, created_at,"
        " password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (username) DO UPDATE SET name = excluded.name,"
        " password_hash = excluded.password_hash, role = excluded.role,"
        " provinces = excluded.provinces, failed_logins = 0, locked_until = NULL, disabled = 0,"
        " password_changed_at = excluded.password_changed_at"
        f" RETURNING {_COLUMNS}",
        (username.lower(), name, password_hash, role, ";".join(provinces), now, now),
    )
    assert row is not None
    # A new password ends every session signed in with the old one.
    await conn.execute("DELETE FROM console_sessions WHERE account_id = ?", (row[0],))
    return _account(row)


async def by_username(conn: Connection, username: str) -> Account | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM console_accounts WHERE username = ?", (username.lower(),)
    )
    return _account(row) if row else None


async def all(conn: Connection) -> list[Account]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM console_accounts ORDER BY username")
    return [_account(row) for row in rows]


async def record_failure(
    conn: Connection, account_id: int, now: float, *, limit: int, lock_seconds: float
) -> Account | None:
    """One more wrong password; at `limit` in a row the account is locked for `lock_seconds`."""
    row = await conn.fetchrow(
        "UPDATE console_accounts SET failed_logins = failed_logins + 1,"
        " locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END"
        f" WHERE id = ? RETURNING {_COLUMNS}",
        (limit, now + lock_seconds, account_id),
    )
    return _account(row) if row else None


async def record_success(conn: Connection, account_id: int, now: float) -> None:
    await conn.execute(
        "UPDATE console_accounts SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
        " WHERE id = ?",
        (now, account_id),
    )


async def by_id(conn: Connection, account_id: int) -> Account | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM console_accounts WHERE id = ?", (account_id,)
    )
    return _account(row) if row else None


async def set_password(
    conn: Connection, account_id: int, password_hash: str, now: float, *, keep_session: str
) -> None:
    """The account's own new password: every other session of the account ends (a browser
    signed in with the old password elsewhere is signed out); the one with the token hash
    `keep_session`, where the change was made, goes on."""
    await conn.execute(
        "UPDATE console_accounts SET password_hash = ?, password_changed_at = ?,"
        " failed_logins = 0, locked_until = NULL WHERE id = ?",
        (password_hash, now, account_id),
    )
    await conn.execute(
        "DELETE FROM console_sessions WHERE account_id = ? AND token_hash != ?",
        (account_id, keep_session),
    )


# --- sign-ins ----------------------------------------------------------------------------------
KEEP_LOGINS = 20


@dataclass
class Login:
    at: float
    address: str
    ok: bool


async def record_login(
    conn: Connection, account_id: int, now: float, address: str, ok: bool
) -> None:
    """One sign-in or wrong password, for the account page; the oldest beyond `KEEP_LOGINS`
    are dropped."""
    await conn.execute(
        "INSERT INTO console_logins (account_id, at, address, ok) VALUES (?, ?, ?, ?)",
        (account_id, now, address[:100], int(ok)),
    )
    await conn.execute(
        "DELETE FROM console_logins WHERE account_id = ? AND id NOT IN (SELECT id FROM"
        " console_logins WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?)",
        (account_id, account_id, KEEP_LOGINS),
    )


async def logins(conn: Connection, account_id: int, limit: int = 10) -> list[Login]:
    rows = await conn.fetch(
        "SELECT at, address, ok FROM console_logins WHERE account_id = ?"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (account_id, limit),
    )
    return [Login(float(r[0]), r[1], bool(r[2])) for r in rows]


async def session_count(conn: Connection, account_id: int, now: float) -> int:
    return int(
        await conn.fetchval(
            "SELECT COUNT(*) FROM console_sessions WHERE account_id = ? AND expires_at > ?",
            (account_id, now),
        )
    )


async def set_disabled(conn: Connection, username: str, disabled: bool) -> bool:
    row = await conn.fetchrow(
        "UPDATE console_accounts SET disabled = ? WHERE username = ? RETURNING id",
        (int(disabled), username.lower()),
    )
    if row is not None and disabled:
        await conn.execute("DELETE FROM console_sessions WHERE account_id = ?", (row[0],))
    return row is not None


# --- sessions ----------------------------------------------------------------------------------
async def open_session(
    conn: Connection,
    token_hash: str,
    account_id: int,
    csrf: str,
    now: float,
    expires_at: float,
) -> None:
    await conn.execute("DELETE FROM console_sessions WHERE expires_at <= ?", (now,))
    await conn.execute(
        "INSERT INTO console_sessions (token_hash, account_id, csrf, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_hash, account_id, csrf, now, expires_at),
    )


@dataclass
class Session:
    account: Account
    csrf: str
    created_at: float
    expires_at: float


async def session(conn: Connection, token_hash: str, now: float) -> Session | None:
    """The live session with this token, of an account that is not disabled."""
    columns = ", ".join(f"a.{c.strip()}" for c in _COLUMNS.split(","))
    row = await conn.fetchrow(
        f"SELECT {columns}, s.csrf, s.created_at, s.expires_at FROM console_sessions s"
        " JOIN console_accounts a ON a.id = s.account_id"
        " WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0",
        (token_hash, now),
    )
    if row is None:
        return None
    values = tuple(row)
    return Session(_account(values[:_N]), *values[_N : _N + 3])


async def close_session(conn: Connection, token_hash: str) -> None:
    await conn.execute("DELETE FROM console_sessions WHERE token_hash = ?", (token_hash,))
