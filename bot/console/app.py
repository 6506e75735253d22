"""The coordinators' web console, mounted at /admin of the app `serve` runs.

Pages are rendered on the server (Jinja2, autoescaped) from plain forms and links; no script
is needed, so it works on an offline laptop and a cheap phone alike. Reads go through the
store's reader (`Store.reader()`, outside the engine's writer, on SQLite and PostgreSQL
alike); every action goes through the engine's writer (`engine.run`) and the case functions
of bot/cases/, so an alert a coordinator causes reaches the volunteer's outbox exactly as one
from chat does.

Every request passes `_guard`: language (cookie, `?lang=`), the session (else the login
page), the role (viewers read, coordinators act), and for POST the CSRF token (else 403).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.console import auth
from bot.i18n import N_, _, current_locale, format_timestamp, ngettext, use_locale
from bot.paths import LOCALES
from storage import accounts as accounts_store
from storage import console_audit as audit
from storage.accounts import Account
from storage.console_queries import ReadView, Scope

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.services import Services
    from storage import Store, Tx

HERE = Path(__file__).parent
# The read connection of the request being served (from the store's reader).
_READ: ContextVar[ReadView | None] = ContextVar("console_read", default=None)
PREFIX = "/admin"
LANG_COOKIE = "ma_lang"


@dataclass
class Who:
    """The signed-in account on this request."""

    account: Account
    csrf: str
    token: str

    @property
    def scope(self) -> Scope:
        return Scope(self.account.provinces)

    @property
    def actor(self) -> str:
        return f"coordinator:{self.account.username}"


Handler = Callable[[Request, Who], Awaitable[Response]]


class Console:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secret = settings.console_secret or secrets.token_urlsafe(32)
        self.cookies = auth.Cookies(self.secret)
        self.limiter = auth.AddressLimiter()
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(_=_, ngettext=ngettext, when=format_timestamp, prefix=PREFIX)
        self.engine: Engine | None = None
        self.services: Services | None = None
        self.store: Store | None = None

    # --- lifecycle -------------------------------------------------------------------------
    @asynccontextmanager
    async def attached(
        self, engine: Engine, services: Services, store: Store
    ) -> AsyncIterator[Console]:
        """Bound to the running system: writes through its engine, reads through its store's
        reader (outside the writer)."""
        self.engine, self.services, self.store = engine, services, store
        try:
            yield self
        finally:
            self.engine = self.services = self.store = None

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[ReadView]:
        """The store's read connection for the length of a request."""
        if _READ.get() is not None:
            yield _READ.get()  # type: ignore[misc]
            return
        if self.store is None:
            raise RuntimeError("console not attached to a running system")
        async with self.store.reader() as reader:
            view = ReadView(reader.sql)
            token = _READ.set(view)
            try:
                yield view
            finally:
                _READ.reset(token)

    def mount(self) -> Mount:
        from bot.console import views

        v = self.views = views.Views(self)
        routes = [
            Route("/", self._guard(v.dashboard), name="dashboard"),
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self._guard(self.logout), methods=["POST"]),
            Route("/account", self._guard(self.account)),
            Route("/account/password", self._guard(self.change_password), methods=["POST"]),
            Route("/cases", self._guard(v.cases)),
            Route("/cases/{number}", self._guard(v.case)),
            Route("/cases/{number}/contact", self._guard(v.contact, act=True), methods=["POST"]),
            Route("/cases/{number}/assign", self._guard(v.assign, act=True), methods=["POST"]),
            Route("/cases/{number}/status", self._guard(v.status, act=True), methods=["POST"]),
            Route("/cases/{number}/note", self._guard(v.note, act=True), methods=["POST"]),
            Route("/volunteers", self._guard(v.volunteers)),
            Route("/volunteers/import", self._guard(v.import_csv, act=True), methods=["POST"]),
            Route("/volunteers/{id:int}", self._guard(v.volunteer)),
            Route(
                "/volunteers/{id:int}", self._guard(v.edit_volunteer, act=True), methods=["POST"]
            ),
            Route(
                "/volunteers/{id:int}/deactivate",
                self._guard(v.deactivate, act=True),
                methods=["POST"],
            ),
            Route("/map", self._guard(v.map)),
            Route("/export.csv", self._guard(v.export)),
            Route("/export.csv", self._guard(v.export_contacts, act=True), methods=["POST"]),
            Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        ]
        return Mount(PREFIX, routes=routes)

    # --- helpers for views -----------------------------------------------------------------
    @property
    def db(self) -> ReadView:
        view = _READ.get()
        if view is None:
            raise RuntimeError("no read connection outside a request")
        return view

    def now(self) -> float:
        assert self.services is not None
        return self.services.clock.now()

    async def write(self, task: Callable[[Tx], Awaitable[Any]]) -> Any:
        assert self.engine is not None
        return await self.engine.run(task)

    def render(
        self, request: Request, template: str, who: Who | None = None, **ctx: Any
    ) -> HTMLResponse:
        lang = current_locale()
        query = dict(request.query_params)
        switch = {}
        for code in LOCALES:
            query["lang"] = code
            switch[code] = f"{request.url.path}?{urlencode(query)}"
        html = self.env.get_template(template).render(
            who=who,
            lang=lang,
            switch=switch,
            path=request.url.path,
            **ctx,
        )
        return HTMLResponse(html)

    # --- the guard -------------------------------------------------------------------------
    def _guard(
        self, handler: Handler, *, act: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            lang = self._language(request)
            with use_locale(lang):
                async with self.reading():
                    response = await self._guarded(request, handler, act)
            return self._finish(request, response, lang)

        return endpoint

    async def _guarded(self, request: Request, handler: Handler, act: bool) -> Response:
        token = self.cookies.read_session(request.cookies.get(auth.COOKIE))
        session = (
            await accounts_store.session(self.db.sql, auth.token_hash(token), self.now())
            if token
            else None
        )
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response: Response = RedirectResponse(
                f"{PREFIX}/login?{urlencode({'next': target})}", status_code=303
            )
            response.delete_cookie(auth.COOKIE, path=PREFIX)
            return response
        who = Who(session.account, session.csrf, token)  # type: ignore[arg-type]
        if request.method == "POST":
            form = await request.form()
            request.state.form = form
            if not auth.same(str(form.get("csrf", "")), session.csrf):
                return self._refuse(
                    request,
                    who,
                    _("This form has expired. Go back, reload the page and try again."),
                )
        if act and not who.account.can_act:
            return self._refuse(
                request, who, _("Your account can read the console but not act on cases.")
            )
        try:
            response = await handler(request, who)
        except auth.Forbidden as exc:
            return self._refuse(request, who, str(exc))
        # idle limit: a page seen re-signs the cookie with a fresh timestamp
        if not getattr(request.state, "signed_out", False):
            self._set_session_cookie(request, response, who.token)
        return response

    def _refuse(self, request: Request, who: Who | None, reason: str) -> Response:
        response = self.render(request, "refused.html", who, reason=reason)
        response.status_code = 403
        return response

    def _language(self, request: Request) -> str:
        asked = request.query_params.get("lang")
        if asked in LOCALES:
            return asked
        saved = request.cookies.get(LANG_COOKIE)
        return saved if saved in LOCALES else "id"

    def _secure(self, request: Request) -> bool:
        return request.url.scheme == "https" or self.settings.public_base_url.startswith("https:")

    def _set_session_cookie(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            auth.COOKIE,
            self.cookies.sign_session(token),
            max_age=int(auth.SESSION_HOURS * 3600),
            path=PREFIX,
            httponly=True,
            samesite="lax",
            secure=self._secure(request),
        )

    def _finish(self, request: Request, response: Response, lang: str) -> Response:
        if request.query_params.get("lang") in LOCALES:
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=365 * 86400,
                path=PREFIX,
                samesite="lax",
                secure=self._secure(request),
            )
        headers = response.headers
        headers.setdefault("Cache-Control", "no-store")  # personal data: not in any cache
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
            " frame-ancestors 'none'; base-uri 'none'"
        )
        return response

    # --- login and logout ------------------------------------------------------------------
    def _client(self, request: Request) -> str:
        return request.client.host if request.client else "?"

    async def login_page(
        self,
        request: Request,
        error: str = "",
        status: int = 200,
        form: FormData | None = None,
    ) -> Response:
        lang = self._language(request)
        with use_locale(lang):
            nonce = (
                self.cookies.read_login(request.cookies.get(auth.LOGIN_COOKIE)) or auth.new_token()
            )
            response = self.render(
                request,
                "login.html",
                csrf=auth.login_csrf(self.secret, nonce),
                next=_safe_next(str((form or request.query_params).get("next", ""))),
                error=error,
                username=str(form.get("username", ""))[:100] if form else "",
            )
        response.status_code = status
        response.set_cookie(
            auth.LOGIN_COOKIE,
            self.cookies.sign_login(nonce),
            max_age=3600,
            path=PREFIX,
            httponly=True,
            samesite="lax",
            secure=self._secure(request),
        )
        return self._finish(request, response, lang)

    async def login(self, request: Request) -> Response:
        lang = self._language(request)
        form = await request.form()
        with use_locale(lang):
            nonce = self.cookies.read_login(request.cookies.get(auth.LOGIN_COOKIE))
            if nonce is None or not auth.same(
                str(form.get("csrf", "")), auth.login_csrf(self.secret, nonce)
            ):
                response = self.render(
                    request,
                    "refused.html",
                    None,
                    reason=_("This form has expired. Go back, reload the page and try again."),
                )
                response.status_code = 403
                return self._finish(request, response, lang)
            async with self.reading():
                result = await self._authenticate(request, form)
            if isinstance(result, tuple):
                reason, status = result
                return await self.login_page(request, error=reason, status=status, form=form)
            account = result
            token, csrf = auth.new_token(), auth.new_token()
            now = self.now()
            digest = auth.token_hash(token)
            address = self._client(request)

            async def open_session(tx: Tx) -> None:
                await accounts_store.record_success(tx.sql, account.id, now)
                await accounts_store.record_login(tx.sql, account.id, now, address, True)
                await accounts_store.open_session(
                    tx.sql, digest, account.id, csrf, now, now + auth.SESSION_HOURS * 3600
                )

            await self.write(open_session)
            response = RedirectResponse(
                _safe_next(str(form.get("next", ""))) or f"{PREFIX}/", status_code=303
            )
            self._set_session_cookie(request, response, token)
            response.delete_cookie(auth.LOGIN_COOKIE, path=PREFIX)
        return self._finish(request, response, lang)

    async def _authenticate(self, request: Request, form: FormData) -> Account | tuple[str, int]:
        """The account, or why not (a sentence for the login page, and the HTTP status)."""
        address = self._client(request)
        if self.limiter.blocked(address):
            why = _("Too many failed sign-ins from this address. Wait a few minutes and try again.")
            return why, 429
        username = str(form.get("username", "")).strip()[:100]
        password = str(form.get("password", ""))[: auth.MAX_PASSWORD]
        account = await accounts_store.by_username(self.db.sql, username) if username else None
        now = self.now()
        if account is not None and account.locked_until and account.locked_until > now:
            await auth.check_password(None, password)  # the same time as a real check
            self.limiter.failed(address)
            return self._locked(account.locked_until), 429
        ok = await auth.check_password(account.password_hash if account else None, password)
        if account is not None and ok and not account.disabled:
            return account
        self.limiter.failed(address)
        if account is not None and not account.disabled:
            known = account.id
            updated = await self.write(lambda tx: self._wrong_password(tx, known, now, address))
            if updated is not None and updated.locked_until and updated.locked_until > now:
                return self._locked(updated.locked_until), 429
        return _("Wrong username or password."), 401

    async def _wrong_password(
        self, tx: Tx, account_id: int, now: float, address: str
    ) -> Account | None:
        """One more wrong password for the account (at `LOCK_AFTER` in a row it locks), shown
        among its sign-ins."""
        await accounts_store.record_login(tx.sql, account_id, now, address, False)
        return await accounts_store.record_failure(
            tx.sql, account_id, now, limit=auth.LOCK_AFTER, lock_seconds=auth.LOCK_MINUTES * 60
        )

    def _locked(self, until: float) -> str:
        return _(
            "This account is locked after too many wrong passwords. Try again after {time}."
        ).format(time=format_timestamp(until))

    async def logout(self, request: Request, who: Who) -> Response:
        digest = auth.token_hash(who.token)
        await self.write(lambda tx: accounts_store.close_session(tx.sql, digest))
        request.state.signed_out = True
        response = RedirectResponse(f"{PREFIX}/login?done=logout", status_code=303)
        response.delete_cookie(auth.COOKIE, path=PREFIX)
        response.headers["Clear-Site-Data"] = '"cache", "cookies"'
        return response

    # --- the account's own page ------------------------------------------------------------
    async def account(self, request: Request, who: Who, error: str = "", status: int = 200):
        account = who.account
        now = self.now()
        names = dict(self.views.provinces(who)) if account.provinces else {}
        response = self.render(
            request,
            "account.html",
            who,
            provinces=[names.get(code, code) for code in account.provinces],
            logins=await accounts_store.logins(self.db.sql, account.id),
            others=await accounts_store.session_count(self.db.sql, account.id, now) - 1,
            error=error,
            flash=_(PASSWORD_CHANGED) if request.query_params.get("done") == "password" else "",
            minimum=auth.MIN_PASSWORD,
        )
        response.status_code = status
        return response

    async def change_password(self, request: Request, who: Who) -> Response:
        """The signed-in account's own password: the current one first (wrong ones count
        towards the lockout, as at sign-in, so a borrowed session cannot guess it), the new one
        twice, under the rule of `add-login`. Every other session of the account ends."""
        form = request.state.form
        current = str(form.get("current", ""))[: auth.MAX_PASSWORD + 1]
        new = str(form.get("new", ""))[: auth.MAX_PASSWORD + 1]
        again = str(form.get("again", ""))[: auth.MAX_PASSWORD + 1]
        address = self._client(request)
        now = self.now()
        account = await accounts_store.by_id(self.db.sql, who.account.id)
        assert account is not None  # the session's account: a deleted one has no sessions
        if self.limiter.blocked(address):
            why = _("Too many failed sign-ins from this address. Wait a few minutes and try again.")
            return await self.account(request, who, why, 429)
        if account.locked_until and account.locked_until > now:
            return await self.account(request, who, self._locked(account.locked_until), 429)
        if not await auth.check_password(account.password_hash, current):
            self.limiter.failed(address)
            updated = await self.write(
                lambda tx: self._wrong_password(tx, account.id, now, address)
            )
            if updated is not None and updated.locked_until and updated.locked_until > now:
                return await self.account(request, who, self._locked(updated.locked_until), 429)
            return await self.account(request, who, _("The current password is wrong."), 400)
        if new != again:
            return await self.account(request, who, _("The two new passwords differ."), 400)
        problem = auth.password_problem(new)
        if problem:
            text, n = problem
            return await self.account(request, who, _(text).format(n=n), 400)
        if new == current:
            return await self.account(
                request, who, _("The new password is the same as the current one."), 400
            )
        digest = await asyncio.to_thread(auth.hash_password, new)
        keep = auth.token_hash(who.token)

        async def save(tx: Tx) -> None:
            await accounts_store.set_password(tx.sql, account.id, digest, now, keep_session=keep)
            await audit.record(tx.sql, now, who.actor, "password_changed", f"account:{account.id}")

        await self.write(save)
        return RedirectResponse(f"{PREFIX}/account?done=password", status_code=303)


PASSWORD_CHANGED = N_(
    "Your password is changed. Every other browser signed in to this account is signed out."
)


def _safe_next(target: str) -> str:
    """Only a path inside the console: never an address on another site."""
    if target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""
