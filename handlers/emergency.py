"""Danger first: words of immediate danger get the emergency contacts at once, anywhere.

Which lines come first depends on where the person in danger is (content/emergency.toml):
abroad, that country's own emergency number, then the Indonesian embassy or consulate, the
Foreign Ministry hotline, the local labour hotline and the lines that work from abroad; in
Indonesia, 110/112/119, SAPA 129, KP2MI and the nearest BP3MI. Where comes from, in order: a
country another part of the bot found (`emergency_for`, or `ctx.goto("emergency", country=…)`),
a country named in the text, a shared location, the conversation (a report's description and
place); otherwise the bot asks.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from bot.conversation import Context, Flow, Router, normalize
from bot.directory import Directory
from bot.geo import haversine_km
from bot.i18n import _, current_locale
from bot.messages import Choice
from bot.paths import CONTENT
from bot.understanding import Intent
from handlers.common import reask

flow = Flow("emergency")

INDONESIA = "ID"
ABROAD = "abroad"  # abroad, country not known or not one we have numbers for

# The countries offered as choices when the bot has to ask (the main destinations and the
# scam-compound countries); any other is typed.
ASKED = ("MY", "TW", "HK", "SA", "KH", "MM")


@dataclass(frozen=True)
class CountryLines:
    code: str
    words: re.Pattern[str]
    areas: tuple[tuple[float, float, float], ...]
    local: tuple[str, ...]
    mission: tuple[str, ...]
    labour: tuple[str, ...]
    note: dict[str, str]


@dataclass(frozen=True)
class EmergencyData:
    danger: re.Pattern[str]
    indonesia_words: re.Pattern[str]
    indonesia: tuple[str, ...]
    abroad_words: re.Pattern[str]
    abroad_then: tuple[str, ...]
    abroad_last: tuple[str, ...]
    abroad_unknown: tuple[str, ...]
    indonesia_brief: tuple[str, ...]
    abroad_brief: tuple[str, ...]
    countries: dict[str, CountryLines]


def _words(ws: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ws, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)


@cache
def data() -> EmergencyData:
    raw = tomllib.loads((CONTENT / "emergency.toml").read_text(encoding="utf-8"))
    countries = {
        c["code"]: CountryLines(
            code=c["code"],
            words=_words(c["words"]),
            areas=tuple((float(a[0]), float(a[1]), float(a[2])) for a in c.get("areas", ())),
            local=tuple(c.get("local", ())),
            mission=tuple(c.get("mission", ())),
            labour=tuple(c.get("labour", ())),
            note={"id": c.get("note_id", ""), "en": c.get("note_en", "")},
        )
        for c in raw["country"]
    }
    return EmergencyData(
        danger=_words(raw["danger"]["words"]),
        indonesia_words=_words(raw["indonesia"]["words"]),
        indonesia=tuple(raw["indonesia"]["first"]),
        abroad_words=_words(raw["abroad"]["words"]),
        abroad_then=tuple(raw["abroad"]["then"]),
        abroad_last=tuple(raw["abroad"]["last"]),
        abroad_unknown=tuple(raw["abroad"]["unknown"]),
        indonesia_brief=tuple(raw["indonesia"]["brief"]),
        abroad_brief=tuple(raw["abroad"]["brief"]),
        countries=countries,
    )


@cache
def _default_directory() -> Directory:
    return Directory.load()


def in_danger(text: str) -> bool:
    return bool(text) and data().danger.search(text) is not None


# --- where is the person in danger? ---------------------------------------------------------


def country_in_text(text: str) -> str | None:
    """ISO code of a country named in the text, INDONESIA, ABROAD ("abroad", no country), or
    None. A foreign country wins over Indonesian places: "my son in Jakarta says his sister is
    locked up in Malaysia" is about Malaysia."""
    if not text:
        return None
    d = data()
    found = [
        (m.start(), code)
        for code, c in d.countries.items()
        if (m := c.words.search(text)) is not None
    ]
    if found:
        return min(found)[1]
    if d.indonesia_words.search(text):
        return INDONESIA
    if d.abroad_words.search(text):
        return ABROAD
    return None


def country_at(lat: float, lon: float) -> str | None:
    """The listed country whose rough area holds the point (nearest centre wins), else None."""
    best: tuple[float, str] | None = None
    for code, c in data().countries.items():
        for a_lat, a_lon, radius in c.areas:
            d = haversine_km(lat, lon, a_lat, a_lon)
            if d <= radius and (best is None or d < best[0]):
                best = (d, code)
    return best[1] if best else None


def where_from_location(ctx: Context, lat: float, lon: float) -> tuple[str, str | None]:
    """(country, province) for a shared point: the gazetteer says Indonesia or abroad."""
    gazetteer = ctx.services.gazetteer
    if gazetteer.abroad(lat, lon) is None:
        near = gazetteer.nearest(lat, lon, max_km=math.inf)
        return INDONESIA, near[0].province if near else None
    return country_at(lat, lon) or ABROAD, None


def where_from_conversation(ctx: Context) -> tuple[str | None, str | None]:
    """What the conversation already says: a report's description names a country, or its
    place (a kab/kota in Indonesia) is known."""
    data_ = ctx.state.data
    country = country_in_text(str(data_.get("description") or ""))
    if country not in (None, INDONESIA):
        return country, None
    place = ctx.services.gazetteer.get(data_["place"]) if data_.get("place") else None
    if place is not None:
        return INDONESIA, place.province
    return country, None


def province_typed(ctx: Context) -> str | None:
    """The province of a kabupaten/kota or province the person typed as their answer
    ("Indramayu", "jatim"), or None."""
    gazetteer = ctx.services.gazetteer
    province = gazetteer.match_province(ctx.text)
    if province:
        return province
    match = gazetteer.resolve(ctx.text)
    return match.place.province if match else None


def resolve(ctx: Context, country: str | None = None) -> tuple[str | None, str | None]:
    if country:
        return country.upper() if country != ABROAD else ABROAD, None
    found = country_in_text(ctx.text)
    if found:
        return found, None
    if ctx.location is not None:
        return where_from_location(ctx, ctx.location.lat, ctx.location.lon)
    return where_from_conversation(ctx)


# --- what to say ------------------------------------------------------------------------------


def lines_for(country: str | None) -> tuple[str, ...]:
    """Contact ids in the order they are shown, for a country (ISO code), INDONESIA or ABROAD."""
    d = data()
    if country == INDONESIA:
        return d.indonesia
    c = d.countries.get(country or "")
    if c is None:
        return d.abroad_unknown
    return (*c.local, *c.mission, *d.abroad_then, *c.labour, *d.abroad_last)


def emergency_for(
    country: str | None,
    *,
    province: str | None = None,
    directory: Directory | None = None,
) -> str:
    """The emergency answer for where the person is, in the current language. `country` is an
    ISO 3166 alpha-2 code ("ID" for Indonesia), "abroad" for a country not known, or None when
    nothing is known (then both the Indonesian and the abroad lines, shortest first)."""
    directory = directory or _default_directory()
    d = data()
    lang = current_locale()
    country = country.upper() if country and country != ABROAD else country
    if country is None:
        return "\n\n".join(
            [
                _("If the person is in Indonesia:"),
                directory.render(d.indonesia_brief, brief=True),
                _("If the person is abroad, call the police of that country first, then:"),
                directory.render(d.abroad_brief, brief=True),
                _("If a line does not answer, try the next one."),
            ]
        )
    if country == INDONESIA:
        parts = [
            _("Someone in danger in Indonesia? Contact these now, the first one first:"),
            directory.render(d.indonesia),
        ]
        office = directory.office_for_province(province) if province else None
        if office is not None:
            parts.append(
                _("The BP3MI office for your province:") + "\n" + directory.render([office.id])
            )
        elif province:
            parts.append(
                _(
                    "I do not have the BP3MI office for {province} yet. KP2MI can tell you "
                    "which one to go to."
                ).format(province=province)
            )
        else:
            parts.append(
                _(
                    "Every province has a BP3MI office of the ministry that takes complaints. "
                    "Share your location to see the nearest one."
                )
            )
    else:
        c = d.countries.get(country)
        if c is None:
            parts = [
                _(
                    "Someone in danger abroad? First call the police number of that country. "
                    "Then contact these:"
                ),
                directory.render(d.abroad_unknown),
                _(
                    "Also contact the nearest Indonesian embassy or consulate (KBRI/KJRI). "
                    "The Safe Travel app and the Kemlu hotline can tell you which one."
                ),
            ]
        else:
            name = directory.country_name(country)
            parts = [
                _("Someone in danger in {country}? Contact these now, the first one first:").format(
                    country=name
                ),
                directory.render(lines_for(country)),
            ]
            if c.note[lang]:
                parts.append(c.note[lang])
    parts.append(
        _(
            "If a line does not answer, try the next one. If you can, tell someone you trust where you are."
        )
    )
    return "\n\n".join(p for p in parts if p)


def emergency_text(ctx: Context, country: str | None = None) -> str:
    """The emergency answer for this message: where from the message, the location or the
    conversation; both sets of lines when nothing says where (the form goes on after it)."""
    where, province = resolve(ctx, country)
    return emergency_for(where, province=province, directory=ctx.services.directory)


def next_choices() -> tuple[Choice, ...]:
    return (
        Choice("report", _("Report it to a volunteer")),
        Choice("where", _("The person is somewhere else")),
        Choice("menu", _("Main menu")),
    )


def where_choices(directory: Directory) -> list[Choice]:
    return [
        Choice("where:ID", _("In Indonesia")),
        *(Choice(f"where:{code}", directory.country_name(code)) for code in ASKED),
        Choice("where:other", _("Another country")),
    ]


async def show(ctx: Context, country: str | None = None, province: str | None = None) -> None:
    where, found = resolve(ctx, country)
    province = province or found
    if where is None:
        await ask_where(ctx)
        return
    ctx.move("after", flow="emergency")
    ctx.state.data["country"] = where
    ctx.say(
        emergency_for(where, province=province, directory=ctx.services.directory),
        next_choices(),
        ask_location=where == INDONESIA and province is None,
    )


async def ask_where(ctx: Context) -> None:
    directory = ctx.services.directory
    ctx.move("where", flow="emergency")
    police = directory.get("polri_110")
    kemlu = directory.get("kemlu_hotline")
    lines = [
        _(
            "Where is the person in danger: in Indonesia or abroad? Which country? Choose below, "
            "or share the location."
        )
    ]
    if police and kemlu:
        lines.append(
            _(
                "If a life is in danger right now: in Indonesia call the police on {police}; "
                "abroad, the Foreign Ministry hotline {kemlu} works from any phone."
            ).format(police=police.numbers[0], kemlu=kemlu.numbers[0])
        )
    ctx.say("\n\n".join(lines), where_choices(directory), ask_location=True)


def _answering_a_relayed_message(ctx: Context) -> bool:
    return ctx.state.flow == "relay" and ctx.state.step == "read" and ctx.typed


async def danger_first(ctx: Context, call_next: Callable[[], Awaitable[None]]) -> None:
    # Whether this is danger is the understanding step's call (bot/understanding): harm now,
    # not "tolong" or "help" used as "please".
    if ctx.understood.intent != Intent.DANGER or ctx.choice:
        await call_next()
        return
    if ctx.services.router.takes_free_text(ctx) or _answering_a_relayed_message(ctx):
        # Someone describing what happened keeps their place in the form, and a reporter's
        # answer to their volunteer still reaches the volunteer (handlers/relay.py "read"):
        # contacts first, then the conversation goes on with what they wrote.
        ctx.say(emergency_text(ctx, ctx.understood.country))
        await call_next()
        return
    # The country the understanding step found says where first ("disekap di malaysia").
    await show(ctx, ctx.understood.country)


_COMMANDS = frozenset({"darurat", "/darurat", "emergency", "/emergency", "kontak darurat", "sos"})


def register(router: Router) -> None:
    @router.intent("emergency", lambda ctx: ctx.norm in _COMMANDS or ctx.choice == "go:emergency")
    async def emergency(ctx: Context) -> None:
        await show(ctx)


@flow.step("start")
async def start(ctx: Context) -> None:
    # Another part of the bot may say where: ctx.goto("emergency", country="MY").
    await show(ctx, ctx.state.data.get("country"))


@flow.step("where")
async def where(ctx: Context) -> None:
    if ctx.choice == "where:other":
        ctx.move("which")
        ctx.say(_("Which country is the person in? Type its name."))
        return
    if ctx.choice and ctx.choice.startswith("where:"):
        await show(ctx, ctx.choice.split(":", 1)[1])
        return
    if ctx.location is not None or (ctx.typed and country_in_text(ctx.text)):
        await show(ctx)
        return
    if ctx.typed and normalize(ctx.text) in ("menu", "kembali", "back"):
        await ctx.goto("menu")
        return
    if ctx.typed and (province := province_typed(ctx)):
        await show(ctx, INDONESIA, province)
        return
    reask(ctx)


@flow.step("which")
async def which(ctx: Context) -> None:
    if ctx.location is not None or (ctx.typed and country_in_text(ctx.text)):
        await show(ctx)
        return
    if ctx.typed and (province := province_typed(ctx)):
        await show(ctx, INDONESIA, province)
        return
    # A country we have no numbers for: the lines that work from anywhere.
    await show(ctx, ABROAD)


@flow.step("after")
async def after(ctx: Context) -> None:
    if ctx.choice == "report":
        await ctx.goto("report")
    elif ctx.choice == "where":
        await ask_where(ctx)
    elif ctx.choice == "menu" or normalize(ctx.text) in ("menu", "kembali"):
        await ctx.goto("menu")
    elif ctx.location is not None or (ctx.typed and country_in_text(ctx.text)):
        await show(ctx)
    elif ctx.typed:  # something else typed: the menu tries to understand it
        await ctx.goto("menu", "choose")
    else:
        reask(ctx)
