"""The `migrasi-aman` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings

if TYPE_CHECKING:
    from bot.system import System
    from storage import Tx


def _settings(args: argparse.Namespace, serving: bool = False) -> Settings:
    """Settings from the environment and `--db`. Only the processes that serve the channels
    (`serve`, `telegram-poll`) start prepare processes: a one-off command or the console
    chat would wait seconds for them to load and use them for one message at most."""
    settings = Settings.from_env()
    if not serving:
        settings = replace(settings, prepare_processes=0)
    db = getattr(args, "db", None)
    if db:
        from storage import is_url

        # --db takes a file or a postgresql:// URL, and wins over DATABASE_URL.
        if is_url(db):
            settings = replace(settings, database_url=db)
        else:
            settings = replace(settings, database_path=Path(db), database_url="")
    return settings


async def _chat(args: argparse.Namespace) -> int:
    from bot.channels.console import Console
    from bot.system import open_system

    settings = _settings(args)
    async with open_system(settings, schedule=True) as system:
        await seed_sample_volunteers(system)
        console = Console(system.engine, args.user, lang=args.lang)
        interactive = sys.stdin.isatty()
        if interactive:
            sys.stdout.write(
                "Migrasi Aman — console. /as USER, /location LAT LON, /quit. "
                f"Database: {_shown(settings.database)}\n{args.user}> "
            )
            sys.stdout.flush()
            await console.deliver()
        await console.run(sys.stdin, prompt=interactive)
    return 0


async def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.web import create_app

    app = create_app(_settings(args, serving=True))
    # No access log unless asked: a line per webhook POST (hundreds a second under load) cost
    # more of the event loop than checking the request's signature. The reverse proxy in
    # front logs requests; uvicorn still logs errors and a handler's failure.
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level="info", access_log=args.access_log
    )
    await uvicorn.Server(config).serve()
    return 0


def _serve_workers(args: argparse.Namespace) -> int:
    """Several worker processes on one port, each with its own writer, on one PostgreSQL
    database (uvicorn's supervisor restarts a worker that dies)."""
    import os

    import uvicorn

    settings = _settings(args, serving=True)
    if not settings.database_url:
        print(
            "several workers need PostgreSQL: set DATABASE_URL=postgresql://… (or --db URL);"
            " SQLite serves one process",
            file=sys.stderr,
        )
        return 2
    os.environ["DATABASE_URL"] = settings.database_url  # what each worker reads at start
    uvicorn.run(
        "bot.web:app_from_env", factory=True, host=args.host, port=args.port,
        workers=args.workers, log_level="info", access_log=args.access_log,
    )  # fmt: skip
    return 0


async def _telegram_poll(args: argparse.Namespace) -> int:
    from bot.polling import poll

    settings = _settings(args, serving=True)
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    await poll(settings)
    return 0


async def _telegram_set_webhook(args: argparse.Namespace) -> int:
    from bot.channels import telegram

    settings = _settings(args)
    url = args.url or (settings.public_base_url and settings.public_base_url + "/telegram")
    if not settings.telegram_bot_token or not url:
        print("need TELEGRAM_BOT_TOKEN and --url or PUBLIC_BASE_URL", file=sys.stderr)
        return 2
    try:
        await telegram.set_webhook(settings, url)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"webhook set to {url}")
    return 0


async def seed_sample_volunteers(system: System) -> None:
    """The console demo starts with the fictional sample volunteers when there are none."""
    from bot.paths import CONTENT
    from bot.volunteer_csv import import_csv

    async def seed(tx: Tx) -> None:
        if await tx.volunteers.count() == 0:
            now = system.services.clock.now()
            await import_csv(
                tx, CONTENT / "sample" / "volunteers.csv", system.services.gazetteer, now
            )

    await system.engine.run(seed)


async def _volunteers_import(args: argparse.Namespace) -> int:
    from bot.system import open_system
    from bot.volunteer_csv import import_csv

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    async with open_system(_settings(args)) as system:
        now = system.services.clock.now()
        result = await system.engine.run(
            lambda tx: import_csv(tx, path, system.services.gazetteer, now)
        )
    from bot.display import terminal

    for line, reason in result.errors:
        print(f"{terminal(path)}:{line}: {terminal(reason)}", file=sys.stderr)
    print(f"imported {result.imported} volunteer(s), {len(result.errors)} row(s) with errors")
    return 1 if result.errors and not result.imported else 0


async def _volunteers_list(args: argparse.Namespace) -> int:
    from bot.system import open_system

    async with open_system(_settings(args)) as system:
        people = await system.engine.run(lambda tx: tx.volunteers.all())
    if args.json:
        print(json.dumps([asdict(v) for v in people], ensure_ascii=False, indent=2))
        return 0
    from bot.display import terminal

    for v in people:
        state = "available" if v.available else "away"
        # Names come from CSV files: an ESC sequence in one must not drive the terminal.
        name, address, place = terminal(v.name), terminal(v.address), terminal(v.place_name or "")
        print(
            f"{v.id:>4}  {name:<32} {v.channel:<9} {address:<20} {place:<28} cap {v.capacity}  {state}"
        )
    print(f"{len(people)} volunteer(s)")
    return 0


async def _coordinators(args: argparse.Namespace) -> int:
    """The chat coordinator registry: who gets escalations (by province or country)."""
    from bot.system import open_system

    async with open_system(_settings(args)) as system:
        now = system.services.clock.now()
        gazetteer = system.services.gazetteer
        if args.action == "add":
            provinces = []
            for raw in (args.provinces or "").replace(",", ";").split(";"):
                raw = raw.strip()
                if not raw:
                    continue
                if len(raw) == 2 and raw.isalpha():  # a country abroad: MY, HK, SA…
                    provinces.append(raw.upper())
                    continue
                code = (
                    raw
                    if raw.isdigit()
                    else gazetteer.province_code(raw)
                    or gazetteer.province_code(gazetteer.match_province(raw) or "")
                )
                if not code:
                    print(f"unknown province {raw!r}", file=sys.stderr)
                    return 2
                provinces.append(code)
            channel, address, name = args.channel, args.address.lstrip("+"), args.name
            await system.engine.run(
                lambda tx: tx.coordinators.add(channel, address, name, tuple(provinces), now)
            )
            where = ", ".join(provinces) or "everywhere"
            print(f"coordinator {name} ({channel} {address}) added for {where}")
            return 0
        if args.action == "remove":
            gone = await system.engine.run(
                lambda tx: tx.coordinators.remove(args.channel, args.address.lstrip("+"))
            )
            print("removed" if gone else "no such coordinator")
            return 0 if gone else 1
        people = await system.engine.run(lambda tx: tx.coordinators.all())
    if args.json:
        print(json.dumps([asdict(c) for c in people], ensure_ascii=False, indent=2))
        return 0
    for c in people:
        print(
            f"{c.id:>4}  {c.name:<28} {c.channel:<9} {c.address:<20} {', '.join(c.provinces) or 'everywhere'}"
        )
    if system.settings.coordinator_address:
        print(f"   -  (COORDINATOR_ADDRESS) {system.settings.coordinator_address}  everywhere")
    print(f"{len(people)} coordinator(s)")
    return 0


async def _volunteers_deactivate(args: argparse.Namespace) -> int:
    from bot.cases import Casework, coordination
    from bot.postman import Postman
    from bot.system import open_system
    from storage.coordinators import Coordinator

    async with open_system(_settings(args)) as system:
        now = system.services.clock.now()
        address = args.address.lstrip("+")

        async def deactivate(tx) -> bool:
            found = [
                v
                for v in await tx.volunteers.all()
                if (v.channel, v.address) == (args.channel, address)
            ]
            if not found:
                return False
            post = Postman(tx, now)
            work = Casework(tx, post, system.services, now)
            await coordination.deactivate(work, Coordinator(0, "cli", "", "CLI", ()), found[0])
            system.engine.notify(await post.flush())
            return True

        done = await system.engine.run(deactivate)
    print(
        "deactivated; waiting alerts moved on, open cases went to a coordinator"
        if done
        else "no such volunteer"
    )
    return 0 if done else 1


def _answer_jsonl(path: str, answer: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
    """One JSON line out per JSON line in ("-": standard input), each `{"text": …}` with an
    optional "id" that is echoed; a bad line is answered `{"line": n, "error": …}` and the rest
    go on, so one broken line in a batch of thousands costs only itself."""
    source = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    with source:
        for n, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
            except (ValueError, KeyError, TypeError) as exc:
                print(json.dumps({"line": n, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
                continue
            result = answer(text, item)
            if "id" in item:
                result = {"id": item["id"], **result}
            print(json.dumps(result, ensure_ascii=False))


async def _check(args: argparse.Namespace) -> int:
    from bot.i18n import use_locale
    from bot.screening import default_screener
    from handlers.check import describe

    screener = default_screener()
    if args.jsonl is not None:
        _answer_jsonl(args.jsonl, lambda text, item: screener.check(text, lang=args.lang).to_dict())
        return 0
    text = sys.stdin.read() if args.text in ([], ["-"]) else " ".join(args.text)
    result = screener.check(text, lang=args.lang)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        with use_locale(result.lang):
            print(describe(result))
    return 0


async def _understand(args: argparse.Namespace) -> int:
    from bot.understanding import default_understander

    understander = default_understander()
    if args.jsonl is not None:

        def answer(text: str, item: dict[str, Any]) -> dict[str, Any]:
            lang = item.get("lang") if item.get("lang") in ("id", "en") else args.lang
            return understander.understand(text, lang).to_dict()

        _answer_jsonl(args.jsonl, answer)
        return 0
    text = sys.stdin.read() if args.text in ([], ["-"]) else " ".join(args.text)
    result = understander.understand(text, args.lang).to_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for field, value in result.items():
            if value not in (None, []):
                shown = ", ".join(value) if isinstance(value, list) else value
                print(f"{field}: {shown}")
    return 0


async def _content_check(args: argparse.Namespace) -> int:
    from bot.content_check import check, stale

    if args.stale is not None:
        rows = stale(args.stale)
        for row in rows:
            print(row)
        print(
            f"{len(rows)} contact(s) last checked more than {args.stale} days ago"
            if rows
            else f"every contact was checked in the last {args.stale} days"
        )
        return 1 if rows else 0
    problems = check()
    for problem in problems:
        print(problem)
    print("content ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


async def _places(args: argparse.Namespace) -> int:
    from bot.places import default_gazetteer

    matches = default_gazetteer().lookup(" ".join(args.query), limit=args.limit)
    if args.json:
        print(json.dumps([m.to_dict() for m in matches], ensure_ascii=False))
    else:
        for m in matches:
            print(
                f"{m.place.code}  {m.place.name}, {m.place.province}  ({m.place.lat:.4f}, {m.place.lon:.4f})  score {m.score:.2f}"
            )
        if not matches:
            print("no match")
    return 0


async def _route(args: argparse.Namespace) -> int:
    from bot.cases import nearest_available
    from bot.system import open_system

    settings = _settings(args)
    max_km = args.max_km if args.max_km is not None else settings.max_route_km
    async with open_system(settings) as system:
        if args.place:
            match = system.services.gazetteer.resolve(args.place)
            if match is None:
                options = system.services.gazetteer.lookup(args.place, limit=3)
                hint = (
                    "; did you mean: " + ", ".join(m.place.name for m in options) if options else ""
                )
                print(f"unknown or ambiguous place {args.place!r}{hint}", file=sys.stderr)
                return 2
            lat, lon = match.place.lat, match.place.lon
        else:
            lat, lon = args.lat, args.lon
        # the same choice the report routing makes, without a case
        ranked = await system.engine.run(
            lambda tx: nearest_available(
                tx, system.services, lat, lon, limit=args.limit, max_km=max_km
            )
        )
        people = {v.id: v for v in await system.engine.run(lambda tx: tx.volunteers.all())}
    rows = [
        {
            "volunteer_id": r.candidate.volunteer_id,
            "name": people[r.candidate.volunteer_id].name,
            "place": people[r.candidate.volunteer_id].place_name,
            "distance_km": round(r.distance_km, 1),
        }
        for r in ranked
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            print(
                f"{row['volunteer_id']:>4}  {row['name']:<32} {row['place']:<28} {row['distance_km']:>7.1f} km"
            )
        if not rows:
            print(f"no available volunteer within {max_km:g} km")
    return 0


def _province_codes(names: list[str]) -> tuple[str, ...] | str:
    """Province codes from codes or names ("32", "Jawa Barat", "jabar"); a string when one is
    unknown (the message)."""
    from bot.places import default_gazetteer

    gazetteer = default_gazetteer()
    known = {p.province_code: p.province for p in gazetteer}
    codes = []
    for raw in names:
        for item in raw.split(","):
            item = item.strip()
            if not item:
                continue
            name = item if item in known else gazetteer.match_province(item)
            code = item if item in known else (gazetteer.province_code(name) if name else None)
            if code is None:
                return f"unknown province {item!r}"
            codes.append(code)
    return tuple(sorted(set(codes)))


async def _add_login(args: argparse.Namespace) -> int:
    import getpass

    from bot.console.auth import hash_password, password_problem
    from bot.system import open_system
    from storage import accounts as accounts_store

    provinces = _province_codes(args.province or [])
    if isinstance(provinces, str):
        print(provinces, file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    problem = password_problem(password)
    if problem:
        text, n = problem
        print(text.format(n=n), file=sys.stderr)
        return 2
    digest = await asyncio.to_thread(hash_password, password)
    async with open_system(_settings(args)) as system:
        now = system.services.clock.now()
        account = await system.engine.run(
            lambda tx: accounts_store.create(
                tx.sql, args.username, args.name or args.username, digest, args.role, provinces, now
            )
        )
    where = ", ".join(account.provinces) if account.provinces else "every province"
    print(f"console login {account.username!r}: {account.role}, {where}")
    return 0


async def _logins(args: argparse.Namespace) -> int:
    from bot.system import open_system
    from storage import accounts as accounts_store

    async with open_system(_settings(args)) as system:
        people = await system.engine.run(lambda tx: accounts_store.all(tx.sql))
    for a in people:
        where = ";".join(a.provinces) or "all"
        state = "disabled" if a.disabled else "active"
        print(f"{a.username:<20} {a.role:<12} provinces {where:<12} {state}")
    print(f"{len(people)} console login(s)")
    return 0


async def _remove_login(args: argparse.Namespace) -> int:
    from bot.system import open_system
    from storage import accounts as accounts_store

    async with open_system(_settings(args)) as system:
        found = await system.engine.run(
            lambda tx: accounts_store.set_disabled(tx.sql, args.username, True)
        )
    if not found:
        print(f"no console login {args.username!r}", file=sys.stderr)
        return 1
    print(f"console login {args.username!r} disabled; its sessions are closed")
    return 0


async def _db_upgrade(args: argparse.Namespace) -> int:
    from storage import open_store

    settings = _settings(args)
    store = open_store(settings.database)
    await store.open()  # opening migrates to the latest version
    try:
        version = await store.version()
    finally:
        await store.close()
    print(f"{_shown(settings.database)}: schema version {version}")
    return 0


def _shown(database: str) -> str:
    """A database named for the terminal: a URL without its password."""
    import re

    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", database)


async def _db_copy(args: argparse.Namespace) -> int:
    from storage import open_store
    from storage.copy import copy

    source, target = open_store(args.source), open_store(args.target)
    async with source, target:
        try:
            copied = await copy(source, target)
        except ValueError as exc:
            print(f"not copied: {exc}", file=sys.stderr)
            return 1
    for item in copied:
        print(f"{item.table:<24} {item.rows:>10} rows")
    print(f"copied {_shown(args.source)} -> {_shown(args.target)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migrasi-aman", description="Migrasi Aman: safe-migration chatbot"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--db", help="database file (default: DATABASE_PATH or ./migrasi-aman.db)")
    chat.add_argument("--user", default="me", help="console user id (default: me)")
    chat.add_argument("--lang", choices=("id", "en"), help="language of a new user")
    chat.set_defaults(run=_chat)

    serve = sub.add_parser("serve", help="run the web app (Telegram and WhatsApp webhooks)")
    serve.add_argument("--db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (needs PostgreSQL above 1)"
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every HTTP request (off: the proxy in front logs them; errors are logged)",
    )
    serve.set_defaults(run=_serve)

    poll = sub.add_parser("telegram-poll", help="run the Telegram bot by long polling")
    poll.add_argument("--db")
    poll.set_defaults(run=_telegram_poll)

    hook = sub.add_parser(
        "telegram-set-webhook", help="register the webhook URL and secret with Telegram"
    )
    hook.add_argument("--db")
    hook.add_argument("--url", help="default: PUBLIC_BASE_URL + /telegram")
    hook.set_defaults(run=_telegram_set_webhook)

    check = sub.add_parser("check", help="screen a job offer for warning signs")
    check.add_argument("text", nargs="*", help="the offer (or - / nothing to read stdin)")
    check.add_argument("--json", action="store_true")
    check.add_argument(
        "--jsonl", nargs="?", const="-", help="many offers: JSON lines with a text field"
    )
    check.add_argument("--lang", choices=("id", "en"))
    check.set_defaults(run=_check)

    understand = sub.add_parser(
        "understand", help="what kind of message a text is, with the data found in it"
    )
    understand.add_argument("text", nargs="*", help="the message (or - / nothing to read stdin)")
    understand.add_argument("--json", action="store_true")
    understand.add_argument(
        "--jsonl", nargs="?", const="-", help="many messages: JSON lines with a text field"
    )
    understand.add_argument("--lang", choices=("id", "en"))
    understand.set_defaults(run=_understand)

    content = sub.add_parser("content", help="content tools")
    csub = content.add_subparsers(dest="action", required=True)
    ccheck = csub.add_parser("check", help="validate articles, contacts and data sources")
    ccheck.add_argument(
        "--stale",
        type=int,
        metavar="DAYS",
        help="list contacts whose checked date is more than DAYS days old",
    )
    ccheck.set_defaults(run=_content_check)

    places = sub.add_parser("places", help="look up a kabupaten/kota")
    places.add_argument("query", nargs="+")
    places.add_argument("--limit", type=int, default=5)
    places.add_argument("--json", action="store_true")
    places.set_defaults(run=_places)

    route = sub.add_parser("route", help="nearest available volunteers to a place or point")
    where = route.add_mutually_exclusive_group(required=True)
    where.add_argument("--place")
    where.add_argument("--lat", type=float)
    route.add_argument("--lon", type=float)
    route.add_argument("--limit", type=int, default=5)
    route.add_argument("--max-km", type=float)
    route.add_argument("--json", action="store_true")
    route.add_argument("--db")
    route.set_defaults(run=_route)

    coordinators = sub.add_parser(
        "coordinators", help="the coordinator registry (chat) and their web console logins"
    )
    csub = coordinators.add_subparsers(dest="action", required=True)
    cadd = csub.add_parser("add", help="add (or update) a coordinator")
    cadd.add_argument("channel", choices=("telegram", "whatsapp", "console"))
    cadd.add_argument("address", help="Telegram user id, WhatsApp number or console user id")
    cadd.add_argument("name")
    cadd.add_argument(
        "--provinces", help="provinces (names or BPS codes) or countries (MY, HK…); default all"
    )
    cadd.add_argument("--db")
    cadd.set_defaults(run=_coordinators)
    clist = csub.add_parser("list", help="list coordinators")
    clist.add_argument("--json", action="store_true")
    clist.add_argument("--db")
    clist.set_defaults(run=_coordinators)
    crem = csub.add_parser("remove", help="remove a coordinator")
    crem.add_argument("channel")
    crem.add_argument("address")
    crem.add_argument("--db")
    crem.set_defaults(run=_coordinators)

    volunteers = sub.add_parser("volunteers", help="the volunteer registry")
    vsub = volunteers.add_subparsers(dest="action", required=True)
    vimport = vsub.add_parser("import", help="import or update volunteers from a CSV file")
    vimport.add_argument("file")
    vimport.add_argument("--db")
    vimport.set_defaults(run=_volunteers_import)
    vlist = vsub.add_parser("list", help="list volunteers")
    vlist.add_argument("--json", action="store_true")
    vlist.add_argument("--db")
    vlist.set_defaults(run=_volunteers_list)
    voff = vsub.add_parser(
        "deactivate",
        help="no more cases for a volunteer: their alerts move on, their cases go to a coordinator",
    )
    voff.add_argument("channel")
    voff.add_argument("address")
    voff.add_argument("--db")
    voff.set_defaults(run=_volunteers_deactivate)

    # the same `coordinators` group: their web console logins
    login = csub.add_parser("add-login", help="create (or reset) a web console account")
    login.add_argument("username")
    login.add_argument("--name", help="shown in the console and the case history")
    login.add_argument(
        "--role",
        choices=("coordinator", "viewer"),
        default="coordinator",
        help="viewer: figures and cases without personal data, no actions",
    )
    login.add_argument(
        "--province",
        action="append",
        help="only this province (code or name; repeat for more); default every province",
    )
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    login.add_argument("--db")
    login.set_defaults(run=_add_login)
    logins = csub.add_parser("logins", help="list the web console accounts")
    logins.add_argument("--db")
    logins.set_defaults(run=_logins)
    remove_login = csub.add_parser("remove-login", help="disable a console account")
    remove_login.add_argument("username")
    remove_login.add_argument("--db")
    remove_login.set_defaults(run=_remove_login)

    db = sub.add_parser("db", help="the database: schema upgrade and moving data")
    dsub = db.add_subparsers(dest="action", required=True)
    dup = dsub.add_parser("upgrade", help="bring the schema to the latest version")
    dup.add_argument("--db", help="SQLite file or postgresql:// URL (default: DATABASE_URL/PATH)")
    dup.set_defaults(run=_db_upgrade)
    dcopy = dsub.add_parser("copy", help="copy every row into an empty database")
    dcopy.add_argument("--from", dest="source", required=True, help="sqlite:PATH or a URL")
    dcopy.add_argument("--to", dest="target", required=True, help="postgresql://… or sqlite:PATH")
    dcopy.set_defaults(run=_db_copy)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "lat", None) is not None and getattr(args, "lon", None) is None:
        parser.error("--lat needs --lon")
    if args.run is _serve and args.workers > 1:
        return _serve_workers(args)  # uvicorn's supervisor runs the event loops itself
    return asyncio.run(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
