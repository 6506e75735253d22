"""Who is signed in to the console: passwords, sessions, CSRF tokens, failed-login limits.

- Passwords are hashed with argon2id (argon2-cffi, the reference implementation's binding;
  its hash string carries salt and parameters, so old hashes keep verifying when the
  defaults grow).
- A session is a random token in a cookie signed with itsdangerous (HttpOnly, SameSite=Lax,
  Secure under HTTPS). The store keeps only the token's SHA-256, with the account, the
  session's CSRF token and its hard end (`SESSION_HOURS`). The signature's timestamp gives the
  idle limit: every page re-signs the cookie, and one not re-signed for `IDLE_MINUTES` is
  refused. Logout deletes the session row, so a copied cookie dies with it.
- Every POST carries the session's CSRF token (the login form a token tied to a pre-login
  cookie); without it, 403.
- Wrong passwords: `LOCK_AFTER` in a row lock the account for `LOCK_MINUTES` (in the store,
  so a restart does not lift it), and one client address gets `IP_ATTEMPTS` failures per
  `IP_WINDOW_MINUTES` whatever the usernames, against guessing across accounts.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from bot.i18n import N_

SESSION_HOURS = 8.0
IDLE_MINUTES = 30.0
LOCK_AFTER = 5
LOCK_MINUTES = 15.0
IP_ATTEMPTS = 20
IP_WINDOW_MINUTES = 10.0
MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # the login form reads no more than this
COOKIE = "ma_console"
LOGIN_COOKIE = "ma_login"  # before sign-in: ties the login form's CSRF token to this browser

_hasher = PasswordHasher()


class Forbidden(Exception):
    """Raised by a page or action this account may not do; the guard answers 403 with the
    message (a sentence for the person, translated)."""


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    return (hasher or _hasher).hash(password)


def password_problem(password: str) -> tuple[str, int] | None:
    """Why a new password is refused, as (an English msgid with {n}, n), or None: the one rule
    of `coordinators add-login` and the account page alike."""
    if len(password) < MIN_PASSWORD:
        return N_("The password must have at least {n} characters."), MIN_PASSWORD
    if len(password) > MAX_PASSWORD:
        return N_("The password must have at most {n} characters."), MAX_PASSWORD
    return None


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: list[str] = []


def burn_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown username takes as long as a known one."""
    if not _DUMMY:
        _DUMMY.append(_hasher.hash(secrets.token_hex(8)))
    verify_password(_DUMMY[0], password)


async def check_password(stored: str | None, password: str) -> bool:
    """argon2 is deliberately slow (tens of ms): off the event loop."""
    if stored is None:
        await asyncio.to_thread(burn_time, password)
        return False
    return await asyncio.to_thread(verify_password, stored, password)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass
class Cookies:
    """Signing and reading the session and pre-login cookies."""

    secret: str
    idle_seconds: float = IDLE_MINUTES * 60

    def __post_init__(self) -> None:
        self._session = TimestampSigner(self.secret, salt="console-session")
        self._login = TimestampSigner(self.secret, salt="console-login")

    def sign_session(self, token: str) -> str:
        return self._session.sign(token).decode()

    def read_session(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return self._session.unsign(value, max_age=self.idle_seconds).decode()
        except (SignatureExpired, BadSignature):
            return None

    def sign_login(self, nonce: str) -> str:
        return self._login.sign(nonce).decode()

    def read_login(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return self._login.unsign(value, max_age=3600).decode()
        except (SignatureExpired, BadSignature):
            return None


def login_csrf(secret: str, nonce: str) -> str:
    """The login form's token: derived from the pre-login cookie, so a page on another site
    cannot post a login without first reading this browser's cookie."""
    return hmac.new(secret.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


@dataclass
class AddressLimiter:
    """Failed logins per client address in a sliding window (in memory: a restart clears it,
    the per-account lockout in the store does not)."""

    attempts: int = IP_ATTEMPTS
    window: float = IP_WINDOW_MINUTES * 60
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, address: str, now: float) -> deque[float]:
        q = self._failures.setdefault(address, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return len(self._recent(address, now)) >= self.attempts

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent(address, now).append(now)
        if len(self._failures) > 10_000:  # forget quiet addresses rather than grow forever
            for key in [k for k, q in self._failures.items() if not q][:5_000]:
                del self._failures[key]
