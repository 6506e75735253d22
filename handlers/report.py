"""Reporting a recruiter or a problem: a short guided form that ends with a case number.

Nothing is kept as a report until the person agrees at the end; until then the answers are a
draft in the conversation, gone when they leave the form. Words of danger get the emergency
contacts first (middleware), and the form goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cases import Casework, status_label
from bot.cases.wording import zone_for
from bot.conversation import Context, Flow, Router
from bot.i18n import _, format_timestamp
from bot.messages import Choice
from bot.places import Place
from handlers.common import answer_yes_no, reask, yes_no
from handlers.emergency import emergency_text
from storage import cases as cases_store

flow = Flow("report")

MIN_DESCRIPTION = 15
_STATUS = re.compile(
    r"^/?(?:status|cek status|lacak|track)\b\s*(ma[\s-]?[a-z0-9]{5})?\s*$", re.IGNORECASE
)


def cancel_choice() -> Choice:
    return Choice("go:menu", _("Cancel"))


def casework(ctx: Context) -> Casework:
    return Casework(ctx.tx, ctx.post, ctx.services, ctx.now)


@flow.step("start")
async def start(ctx: Context) -> None:
    ctx.move("role")
    ctx.say(
        _(
            "Let's report it. I will ask a few short questions. Nothing is kept as a report "
            'until you agree at the end; type "menu" at any time to stop.'
        )
        + "\n\n"
        + _("Who is reporting?"),
        [
            Choice("rep:self", _("It is about me")),
            Choice("rep:family", _("I am a family member")),
            Choice("rep:other", _("Someone else")),
            cancel_choice(),
        ],
    )


@flow.step("role")
async def role(ctx: Context) -> None:
    if not (ctx.choice or "").startswith("rep:"):
        reask(ctx)
        return
    ctx.state.data["role"] = ctx.choice.split(":", 1)[1]
    offer = ctx.state.data.pop("offer", "")
    if offer:  # coming from a checked offer: that text is what happened
        ctx.state.data["description"] = offer
        ctx.move("recruiter")
        ctx.say(
            _("What is the recruiter's name or company, if you know it?"),
            [Choice("skip", _("I don't know"))],
        )
        return
    ctx.move("what")
    ctx.say(
        _(
            "What happened? Write it in your own words: who the recruiter is, what they promised "
            "or asked for, which country and job, what was paid."
        )
    )


@flow.step("what", free_text=True)
async def what(ctx: Context) -> None:
    if len(ctx.text) < MIN_DESCRIPTION:
        ctx.say(_("Please tell me a little more, in a sentence or two."))
        return
    ctx.state.data["description"] = ctx.text
    ctx.move("recruiter")
    ctx.say(
        _("What is the recruiter's name or company, if you know it?"),
        [Choice("skip", _("I don't know"))],
    )


@flow.step("recruiter", free_text=True)
async def recruiter(ctx: Context) -> None:
    if ctx.choice != "skip":
        if not ctx.text:
            reask(ctx)
            return
        ctx.state.data["recruiter_name"] = ctx.text[:200]
    ctx.move("phone")
    ctx.say(
        _("And the recruiter's phone number, if you know it?"), [Choice("skip", _("I don't know"))]
    )


@flow.step("phone", free_text=True)
async def phone(ctx: Context) -> None:
    from bot.cases import normalize_phone

    if ctx.choice != "skip":
        if normalize_phone(ctx.text) is None:
            ctx.say(
                _(
                    'That does not look like a phone number. Type the number, or choose "I don\'t know".'
                ),
                [Choice("skip", _("I don't know"))],
            )
            return
        ctx.state.data["recruiter_phone"] = ctx.text[:40]
    await ask_where(ctx)


async def ask_where(ctx: Context, text: str | None = None) -> None:
    ctx.move("where")
    ctx.say(
        text
        or _(
            "Where is this happening? Share your location, or type the kabupaten or kota "
            "(for example: Indramayu, Kota Surabaya)."
        ),
        ask_location=True,
    )


def _place_line(place: Place) -> str:
    return f"{place.name}, {place.province}"


@flow.step("where", free_text=True)
async def where(ctx: Context) -> None:
    gazetteer = ctx.services.gazetteer
    if ctx.location is not None:
        lat, lon = ctx.location.lat, ctx.location.lon
        abroad = gazetteer.abroad(lat, lon)
        near = gazetteer.nearest(lat, lon)
        if near is None and (city := gazetteer.abroad_place(lat, lon)) is not None:
            await _confirm_abroad(ctx, city, lat, lon)  # casework: reports from abroad
            return
        if near is None:
            # gazetteer.abroad() names a nearby foreign town, or says only "outside Indonesia".
            named = abroad and abroad != "outside Indonesia"
            await ask_where(
                ctx,
                (
                    _("That location looks like {where}, not Indonesia.").format(where=abroad)
                    if named
                    else _("That location is not in Indonesia.")
                )
                + " "
                + _(
                    "Please type the kabupaten or kota in Indonesia where the recruiter or your "
                    "family is."
                ),
            )
            return
        place, _km = near
        ctx.state.data.update(place=place.code, lat=lat, lon=lon)
        ctx.move("where_confirm")
        ctx.say(_("Is it near {place}?").format(place=_place_line(place)), yes_no())
        return
    if not ctx.text:
        reask(ctx)
        return
    city = gazetteer.resolve_abroad(ctx.text, exact=True)  # casework: reports from abroad
    if city is not None:
        await _confirm_abroad(ctx, city, city.lat, city.lon)
        return
    match = gazetteer.resolve(ctx.text)
    if match is not None:
        ctx.state.data.update(place=match.place.code, lat=match.place.lat, lon=match.place.lon)
        ctx.move("where_confirm")
        ctx.say(_("Is it {place}?").format(place=_place_line(match.place)), yes_no())
        return
    city = gazetteer.resolve_abroad(ctx.text)
    if city is not None:
        await _confirm_abroad(ctx, city, city.lat, city.lon)
        return
    options = gazetteer.lookup(ctx.text, limit=3)
    if options:
        ctx.move("where_pick")
        choices = [Choice(f"place:{m.place.code}", _place_line(m.place)) for m in options]
        choices.append(Choice("none", _("None of these")))
        ctx.say(_("Which one do you mean?"), choices)
        return
    await ask_where(
        ctx,
        _(
            'I could not find "{text}". Type the name of the kabupaten or kota, for example '
            "Kabupaten Indramayu or Kota Surabaya, or share your location."
        ).format(text=ctx.text[:60]),
    )


# --- casework: reports from abroad (a city in a destination country) ----------------------


def _abroad_line(city) -> str:
    from bot.cases.wording import country_name

    return f"{city.name}, {country_name(city.country)}"


async def _confirm_abroad(ctx: Context, city, lat: float, lon: float) -> None:
    ctx.state.data.update(place=city.code, lat=lat, lon=lon)
    ctx.move("where_confirm")
    ctx.say(_("Is it near {place}?").format(place=_abroad_line(city)), yes_no())


def _place_named(ctx: Context, code: str) -> tuple[str | None, str | None, str]:
    """(code, name kept on the case, line shown) for a kab/kota or a city abroad."""
    gazetteer = ctx.services.gazetteer
    if ":" in code and (city := gazetteer.abroad_by_code(code)) is not None:
        return city.code, _abroad_line(city), _abroad_line(city)
    place = gazetteer.get(code) if code else None
    return (place.code, place.name, _place_line(place)) if place else (None, None, "?")


@flow.step("where_pick", free_text=True)
async def where_pick(ctx: Context) -> None:
    if ctx.choice and ctx.choice.startswith("place:"):
        place = ctx.services.gazetteer.get(ctx.choice.split(":", 1)[1])
        if place is not None:
            ctx.state.data.update(place=place.code, lat=place.lat, lon=place.lon)
            await ask_urgency(ctx)
            return
    if ctx.choice == "none":
        await ask_where(ctx)
        return
    if ctx.typed:  # they typed another name instead: look that up
        ctx.move("where")
        await where(ctx)
        return
    reask(ctx)


@flow.step("where_confirm")
async def where_confirm(ctx: Context) -> None:
    answer = answer_yes_no(ctx)
    if answer is None:
        reask(ctx)
    elif answer:
        await ask_urgency(ctx)
    else:
        for key in ("place", "lat", "lon"):
            ctx.state.data.pop(key, None)
        await ask_where(ctx, _("Then please type the kabupaten or kota."))


async def ask_urgency(ctx: Context) -> None:
    ctx.move("urgency")
    ctx.say(
        _("Is someone in danger right now, or about to leave soon?"),
        [Choice("urg:yes", _("Yes, it is urgent")), Choice("urg:no", _("No"))],
    )


@flow.step("urgency")
async def urgency(ctx: Context) -> None:
    answer = answer_yes_no(ctx, yes="urg:yes", no="urg:no")
    if answer is None:
        reask(ctx)
        return
    ctx.state.data["urgent"] = answer
    if answer:
        ctx.say(emergency_text(ctx))
    ctx.move("anonymity")
    ctx.say(
        _(
            "Do you want to stay anonymous? Then the volunteer sees what happened, but not your "
            "name or number."
        ),
        [
            Choice("anon:no", _("Share my contact with the volunteer")),
            Choice("anon:yes", _("Stay anonymous")),
        ],
    )


@flow.step("anonymity")
async def anonymity(ctx: Context) -> None:
    if ctx.choice not in ("anon:yes", "anon:no"):
        reask(ctx)
        return
    anonymous = ctx.choice == "anon:yes"
    ctx.state.data["anonymous"] = anonymous
    # On a channel whose address is a phone number the volunteer can call it: no need to ask.
    if not anonymous and not ctx.services.channel(ctx.contact.channel).address_is_phone:
        ctx.move("reach")
        ctx.say(
            _(
                'How can the volunteer reach you? Type a phone number, or choose "Only through this chat".'
            ),
            [Choice("chat", _("Only through this chat"))],
        )
        return
    await ask_consent(ctx)


@flow.step("reach", free_text=True)
async def reach(ctx: Context) -> None:
    if ctx.choice != "chat" and ctx.text:
        ctx.state.data["reach"] = ctx.text[:100]
    await ask_consent(ctx)


def _summary(ctx: Context) -> str:
    data = ctx.state.data
    place_line = _place_named(ctx, data.get("place", ""))[2]
    recruiter = ", ".join(x for x in (data.get("recruiter_name"), data.get("recruiter_phone")) if x)
    lines = [
        _("Your report:"),
        _("What happened: {text}").format(text=data.get("description", "")[:500]),
        _("Recruiter: {recruiter}").format(recruiter=recruiter or _("not known")),
        _("Where: {place}").format(place=place_line),
        _("Urgent: {answer}").format(answer=_("Yes") if data.get("urgent") else _("No")),
        _("Anonymous: {answer}").format(answer=_("Yes") if data.get("anonymous") else _("No")),
    ]
    return "\n".join(lines)


async def ask_consent(ctx: Context) -> None:
    ctx.move("consent")
    ctx.say(
        _summary(ctx)
        + "\n\n"
        + _(
            "May I keep this report and pass it to the nearest of the {network}? It is kept "
            'while the case is open, and you can erase it at any time with "delete my data".'
        ).format(network=ctx.services.settings.network()),
        [Choice("send", _("Yes, send it")), Choice("discard", _("No, discard it"))],
    )


@flow.step("consent")
async def consent(ctx: Context) -> None:
    answer = answer_yes_no(ctx, yes="send", no="discard")
    if answer is None:
        reask(ctx)
        return
    if not answer:
        ctx.say(_("The report was discarded. Nothing was kept."))
        await ctx.goto("menu")
        return
    data = ctx.state.data
    place_code, place_name, _line = _place_named(ctx, data.get("place", ""))
    anonymous = bool(data.get("anonymous"))
    c = ctx.contact
    if anonymous:
        name = reach_text = None
    else:
        name = ctx.inbound.display_name or c.display_name
        channel = ctx.services.channel(c.channel)
        reach_text = data.get("reach") or (
            f"+{c.address} ({channel.label})"
            if channel.address_is_phone
            else _("through the Migrasi Aman chat")
        )
    case = await casework(ctx).open(
        {
            "reporter_contact_id": c.id,
            "reporter_locale": ctx.locale,
            "reporter_role": data.get("role"),
            "reporter_name": name,
            "reporter_reach": reach_text,
            "anonymous": int(anonymous),
            "description": data.get("description"),
            "recruiter_name": data.get("recruiter_name"),
            "recruiter_phone": data.get("recruiter_phone"),
            "place_code": place_code,
            "place_name": place_name,
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "urgent": int(bool(data.get("urgent"))),
        }
    )
    lines = [_("Thank you. Your case number is {number}.").format(number=case.number)]
    if case.status == "alerted":
        lines.append(
            _(
                "One of the {network} near {place} is being asked to take it. I will tell you here "
                "when someone does."
            ).format(place=case.place_name or "?", network=ctx.services.settings.network())
        )
    lines.append(_("To check on it at any time, type: status {number}").format(number=case.number))
    ctx.say("\n\n".join(lines))
    await ctx.goto("menu")


# --- "status MA-XXXXX": the reporter follows their case ------------------------------------


@dataclass(frozen=True)
class StatusQuery:
    """ "status" alone, or "status MA-XXXXX"."""

    number: str | None


def status_query(ctx: Context) -> StatusQuery | None:
    m = _STATUS.match(ctx.text.strip())
    return StatusQuery(m.group(1)) if m else None


async def show_status(ctx: Context, query: StatusQuery) -> None:
    number = query.number
    mine = await ctx.tx.cases.for_reporter(ctx.contact.id)
    if number:
        case = next((k for k in mine if k.number == cases_store.normalize_number(number)), None)
        if case is None:
            # Never say whether someone else's case exists.
            ctx.say(
                _("I could not find report {number} among your reports.").format(
                    number=number.upper()
                )
            )
        else:
            ctx.say(
                _("Report {number} (sent {date}): {status}.").format(
                    number=case.number,
                    date=format_timestamp(case.created_at, zone=zone_for(case.place_code)),
                    status=status_label(case.status),
                )
            )
    elif mine:
        lines = [_("Your reports:")]
        lines += [f"• {k.number}: {status_label(k.status)}" for k in mine[-10:]]
        ctx.say("\n".join(lines))
    else:
        ctx.say(
            _(
                'You have no reports. Choose "Report a recruiter or a problem" in the menu to make one.'
            )
        )
    await ctx.goto("menu")


async def describe(tx, contact_id: int) -> list[str]:
    mine = await tx.cases.for_reporter(contact_id)
    if not mine:
        return []
    return [
        _("• Your reports: {numbers} (erasing your data withdraws them).").format(
            numbers=", ".join(k.number for k in mine)
        )
    ]


def register(router: Router) -> None:
    @router.intent("status", lambda ctx: None if router.takes_free_text(ctx) else status_query(ctx))
    async def status(ctx: Context, query: StatusQuery) -> None:
        await show_status(ctx, query)


async def erase(ctx: Context) -> None:  # on PersonErased
    c = ctx.contact
    await casework(ctx).withdraw_all(
        c.id, also=(c.address, c.display_name, ctx.inbound.display_name)
    )
