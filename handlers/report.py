"""Reporting a recruiter or a problem: a short guided form that ends with a case number.

Nothing is kept as a report until the person agrees at the end; until then the answers are a
draft in the conversation. Words of danger get the emergency contacts first (middleware), and
the form goes on. Answers are read as people write them ("gak tau", "skip", "-" for "I don't
know"; "ya", "iyaa", "nggak" where the choices are not literally yes and no). A command typed
in the middle ("bahasa inggris", "data saya", "menu") asks before anything is left, and the
draft survives a side trip; the summary before sending lets any answer be changed. What the
offer check found (a phone number, a company, a country) is offered for the person to confirm.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cases import Casework, normalize_phone, status_label
from bot.cases.wording import zone_for
from bot.conversation import Context, Flow, Router
from bot.i18n import N_, _, format_timestamp
from bot.messages import Choice
from bot.places import Place
from bot.prepare import Hint, Key, Preparer
from bot.understanding import Answer, Intent
from handlers.common import answer_yes_no, is_navigation, reask, unknown_answer, yes_no
from handlers.emergency import emergency_text
from storage import cases as cases_store

if TYPE_CHECKING:
    from bot.services import Services

flow = Flow("report")

MIN_DESCRIPTION = 15
PAUSED = "paused:report"  # a draft left for a side trip; survives ctx.goto (bot/conversation.py)
DRAFT_SECONDS = 24 * 3600  # the same as bot/scheduler.DRAFT_HOURS: nothing kept without consent

# The answers of the form, in order, with the step that asks each (for "change an answer").
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("what", "description", N_("What happened")),
    ("recruiter", "recruiter_name", N_("Recruiter")),
    ("phone", "recruiter_phone", N_("Recruiter's phone")),
    ("where", "place", N_("Where")),
    ("urgency", "urgent", N_("Urgent")),
    ("anonymity", "anonymous", N_("Anonymous")),
)
_ROLE_WORDS = {
    "self": re.compile(
        r"(?<![\w])(?:saya sendiri|sendiri|diri sendiri|aku|saya|me|myself|about me)(?![\w])"
    ),
    "family": re.compile(
        r"(?<![\w])(?:keluarga|family|anak|adik|kakak|ibu|bapak|ayah|suami|istri|saudara|sodara|"
        r"keponakan|sepupu|son|daughter|sister|brother|mother|father|husband|wife|cousin)\w*"
    ),
    "other": re.compile(
        r"(?<![\w])(?:teman|temen|tetangga|orang lain|lainnya|lain|other|friend|neighbou?r|someone)\w*"
    ),
}


def country_name(code: str) -> str:
    """ "MY" -> "Malaysia" in the person's language (Babel's territory names)."""
    from babel import Locale

    from bot.i18n import BABEL_LOCALE, current_locale, normalize_locale

    try:
        return Locale.parse(BABEL_LOCALE[normalize_locale(current_locale())]).territories.get(
            code, code
        )
    except (ValueError, KeyError):
        return code


def cancel_choice() -> Choice:
    return Choice("go:menu", _("Cancel"))


def skip_choice() -> Choice:
    return Choice("skip", _("I don't know"))


def casework(ctx: Context) -> Casework:
    return Casework(ctx.tx, ctx.post, ctx.services, ctx.now)


# --- asking each question (also to ask it again after a side trip) --------------------------


async def ask_role(ctx: Context, intro: bool = False) -> None:
    ctx.move("role")
    text = _("Who is reporting?")
    if intro:
        text = (
            _(
                "Let's report it. I will ask a few short questions. Nothing is kept as a report "
                'until you agree at the end; type "menu" at any time to stop.'
            )
            + "\n\n"
            + text
        )
    ctx.say(
        text,
        [
            Choice("rep:self", _("It is about me")),
            Choice("rep:family", _("I am a family member")),
            Choice("rep:other", _("Someone else")),
            cancel_choice(),
        ],
    )


async def ask_what(ctx: Context) -> None:
    ctx.move("what")
    ctx.say(
        _(
            "What happened? Write it in your own words: who the recruiter is, what they promised "
            "or asked for, which country and job, what was paid."
        )
    )


async def ask_recruiter(ctx: Context) -> None:
    ctx.move("recruiter")
    ctx.say(_("What is the recruiter's name or company, if you know it?"), [skip_choice()])


async def ask_phone(ctx: Context) -> None:
    ctx.move("phone")
    ctx.say(_("And the recruiter's phone number, if you know it?"), [skip_choice()])


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


async def ask_urgency(ctx: Context) -> None:
    ctx.move("urgency")
    ctx.say(
        _("Is someone in danger right now, or about to leave soon?"),
        [Choice("urg:yes", _("Yes, it is urgent")), Choice("urg:no", _("No"))],
    )


async def ask_anonymity(ctx: Context) -> None:
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


async def ask_reach(ctx: Context) -> None:
    ctx.move("reach")
    ctx.say(
        _(
            'How can the volunteer reach you? Type a phone number, or choose "Only through this chat".'
        ),
        [Choice("chat", _("Only through this chat"))],
    )


async def ask_found(ctx: Context) -> None:
    """What the offer check (or the message itself) named: confirm it instead of typing it."""
    data = ctx.state.data
    lines = [_("From what you sent, I noted:")]
    if data.get("recruiter_name"):
        lines.append(_("• Recruiter: {name}").format(name=data["recruiter_name"]))
    if data.get("recruiter_phone"):
        lines.append(_("• Recruiter's phone: {phone}").format(phone=data["recruiter_phone"]))
    place = ctx.services.gazetteer.get(data.get("place", ""))
    if place is not None:
        lines.append(_("• Where: {place}").format(place=_place_line(place)))
    if data.get("country"):
        lines.append(_("• Country: {country}").format(country=country_name(data["country"])))
    lines.append(_("Is that right?"))
    ctx.move("found")
    ctx.say(
        "\n".join(lines),
        [Choice("found:yes", _("Yes, that is right")), Choice("found:no", _("No, let me type it"))],
    )


ASK: dict[str, Callable[[Context], Awaitable[None]]] = {
    "role": ask_role,
    "what": ask_what,
    "recruiter": ask_recruiter,
    "phone": ask_phone,
    "where": ask_where,
    "where_pick": ask_where,
    "where_confirm": ask_where,
    "urgency": ask_urgency,
    "anonymity": ask_anonymity,
    "reach": ask_reach,
    "found": ask_found,
}


async def ask_again(ctx: Context, step: str) -> None:
    if step == "consent":
        await ask_consent(ctx)
    elif step in ASK:
        await ASK[step](ctx)
    else:
        await ask_role(ctx)


async def then(ctx: Context, ask_next: Callable[[Context], Awaitable[None]]) -> None:
    """After an answer: the next question, or back to the summary when it was a correction."""
    if ctx.state.data.pop("correcting", False):
        await ask_consent(ctx)
    else:
        await ask_next(ctx)


# --- the steps ------------------------------------------------------------------------------


@flow.step("start")
async def start(ctx: Context) -> None:
    paused = ctx.state.data.get(PAUSED)
    if paused and ctx.now - paused.get("saved_at", 0) < DRAFT_SECONDS:
        ctx.move("resume")
        ctx.say(
            _("You have a report you did not finish. Continue it?"),
            [Choice("resume:yes", _("Continue my report")), Choice("resume:no", _("Start again"))],
        )
        return
    ctx.state.data.pop(PAUSED, None)
    await ask_role(ctx, intro=True)


@flow.step("resume")
async def resume(ctx: Context) -> None:
    answer = answer_yes_no(ctx, yes="resume:yes", no="resume:no")
    if answer is None:
        reask(ctx)
        return
    paused = ctx.state.data.pop(PAUSED, {})
    if not answer:
        await ask_role(ctx, intro=True)
        return
    step = paused.pop("step", "role")
    paused.pop("saved_at", None)
    ctx.state.data.update(paused)
    await ask_again(ctx, step)


async def start_from_text(ctx: Context) -> None:
    """ "saya mau lapor calo PT X di Indramayu, nomornya 0812…" typed at the menu: the form,
    with what the message already says kept for the person to confirm."""
    u = ctx.understood
    found = {
        "recruiter_name": u.company,
        "recruiter_phone": u.phone,
        "place": u.place,
        "country": u.country,
    }
    description = ctx.text if len(ctx.text) >= 40 else ""
    await ctx.goto(
        "report",
        offer=description,
        found={k: v for k, v in found.items() if v},
    )


@flow.step("role")
async def role(ctx: Context) -> None:
    choice = ctx.choice or ""
    if not choice.startswith("rep:") and ctx.typed:
        for key, words in _ROLE_WORDS.items():  # "saya sendiri", "anak saya", "tetangga"
            if words.search(ctx.text.lower()):
                choice = f"rep:{key}"
                break
    if not choice.startswith("rep:"):
        reask(ctx)
        return
    data = ctx.state.data
    data["role"] = choice.split(":", 1)[1]
    offer = data.pop("offer", "")
    found = data.pop("found", {})
    if offer:  # coming from a checked offer or a long message: that text is what happened
        data["description"] = offer
        data.pop("flags", None)  # checked when the report is sent
    for key in ("recruiter_name", "recruiter_phone", "country"):
        if found.get(key):
            data[key] = found[key]
    place = ctx.services.gazetteer.get(found.get("place") or "")
    if place is not None:
        data.update(place=place.code, lat=place.lat, lon=place.lon)
    if not offer:
        await ask_what(ctx)
    elif any(data.get(k) for k in ("recruiter_name", "recruiter_phone", "place")):
        await ask_found(ctx)
    else:
        await ask_recruiter(ctx)


@flow.step("found")
async def found(ctx: Context) -> None:
    answer = answer_yes_no(ctx, yes="found:yes", no="found:no")
    if answer is None:
        reask(ctx)
        return
    data = ctx.state.data
    if not answer:
        for key in ("recruiter_name", "recruiter_phone", "place", "lat", "lon", "country"):
            data.pop(key, None)
        await ask_recruiter(ctx)
    elif not data.get("recruiter_name"):
        await ask_recruiter(ctx)
    elif not data.get("recruiter_phone"):
        await ask_phone(ctx)
    elif not data.get("place"):
        await ask_where(ctx)
    else:
        await ask_urgency(ctx)


@flow.step("what", free_text=True)
async def what(ctx: Context) -> None:
    if len(ctx.text) < MIN_DESCRIPTION:
        ctx.say(_("Please tell me a little more, in a sentence or two."))
        return
    ctx.state.data["description"] = ctx.text
    # checked now, before the writer when the preparer guessed right (PREPARER below), so the
    # submission does not check it inside the writer
    ctx.state.data["flags"] = description_flags(ctx, ctx.text)
    await then(ctx, ask_recruiter)


@flow.step("recruiter", free_text=True)
async def recruiter(ctx: Context) -> None:
    if is_navigation(ctx, "back"):
        await ask_what(ctx)
        return
    if ctx.choice == "skip" or unknown_answer(ctx):  # "gak tau", "tidak tahu", "skip", "-"
        ctx.state.data.pop("recruiter_name", None)
    elif not ctx.text:
        reask(ctx)
        return
    else:
        ctx.state.data["recruiter_name"] = ctx.text[:200]
    await then(ctx, ask_phone)


@flow.step("phone", free_text=True)
async def phone(ctx: Context) -> None:
    if is_navigation(ctx, "back"):
        await ask_recruiter(ctx)
        return
    if ctx.choice == "skip" or unknown_answer(ctx):
        ctx.state.data.pop("recruiter_phone", None)
    elif normalize_phone(ctx.text) is None:
        ctx.say(
            _(
                'That does not look like a phone number. Type the number, or choose "I don\'t know".'
            ),
            [skip_choice()],
        )
        return
    else:
        ctx.state.data["recruiter_phone"] = ctx.text[:40]
    await then(ctx, ask_where)


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
    if is_navigation(ctx, "back"):
        await ask_phone(ctx)
        return
    if not ctx.text:
        reask(ctx)
        return
    if ctx.understood.intent == Intent.NAVIGATION and not unknown_answer(ctx):
        await ask_where(ctx)  # "ya", "2": not a place name; ask again the same way
        return
    if unknown_answer(ctx):
        await ask_where(
            ctx,
            _(
                "A volunteer near the place is needed, so I must know at least the kabupaten or "
                "kota: where the recruiter lives or works, or where your family is. Type its name, "
                "or share your location."
            ),
        )
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
            await then(ctx, ask_urgency)
            return
    answer = ctx.understood.answer
    if ctx.choice == "none" or answer in (Answer.NO, Answer.UNKNOWN):
        await ask_where(ctx)
        return
    if answer == Answer.YES or ctx.understood.intent == Intent.NAVIGATION:
        reask(ctx)  # "ya" to a list of places: which one?
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
        if ctx.typed and not ctx.understood.answer:  # another place typed instead of yes/no
            ctx.move("where")
            await where(ctx)
            return
        reask(ctx)
    elif answer:
        await then(ctx, ask_urgency)
    else:
        for key in ("place", "lat", "lon"):
            ctx.state.data.pop(key, None)
        await ask_where(ctx, _("Then please type the kabupaten or kota."))


@flow.step("urgency")
async def urgency(ctx: Context) -> None:
    answer = answer_yes_no(ctx, yes="urg:yes", no="urg:no")
    if answer is None and ctx.understood.intent == Intent.DANGER:
        answer = True
    if answer is None:
        reask(ctx)
        return
    ctx.state.data["urgent"] = answer
    if answer:
        ctx.say(emergency_text(ctx))
    await then(ctx, ask_anonymity)


@flow.step("anonymity")
async def anonymity(ctx: Context) -> None:
    # "ya"/"iya" answers the question asked ("stay anonymous?"), "tidak"/"gak" the other way
    answer = answer_yes_no(ctx, yes="anon:yes", no="anon:no")
    if answer is None:
        reask(ctx)
        return
    ctx.state.data["anonymous"] = answer
    # On a channel whose address is a phone number the volunteer can call it: no need to ask.
    address_is_phone = ctx.services.channel(ctx.contact.channel).address_is_phone
    if not answer and not address_is_phone and not ctx.state.data.get("reach"):
        await ask_reach(ctx)
        return
    await then(ctx, ask_consent)


@flow.step("reach", free_text=True)
async def reach(ctx: Context) -> None:
    no = ctx.understood.answer is not None and ctx.understood.answer.value in ("no", "unknown")
    if ctx.choice != "chat" and ctx.text and not no:
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
        *(
            [_("Country: {country}").format(country=country_name(data["country"]))]
            if data.get("country")
            else []
        ),
        _("Urgent: {answer}").format(answer=_("Yes") if data.get("urgent") else _("No")),
        _("Anonymous: {answer}").format(answer=_("Yes") if data.get("anonymous") else _("No")),
    ]
    return "\n".join(lines)


async def ask_consent(ctx: Context) -> None:
    ctx.state.data.pop("correcting", None)
    ctx.move("consent")
    ctx.say(
        _summary(ctx)
        + "\n\n"
        + _(
            "May I keep this report and pass it to the nearest of the {network}? It is kept "
            'while the case is open, and you can erase it at any time with "delete my data".'
        ).format(network=ctx.services.settings.network()),
        [
            Choice("send", _("Yes, send it")),
            Choice("fix", _("Change an answer")),
            Choice("discard", _("No, discard it")),
        ],
    )


@flow.step("fix")
async def fix(ctx: Context) -> None:
    """Which answer to change; after it, back to the summary."""
    for step, _key, _label in FIELDS:
        if ctx.choice == f"fix:{step}":
            ctx.state.data["correcting"] = True
            await ASK[step](ctx)
            return
    if ctx.choice == "fix:none" or is_navigation(ctx, "back"):
        await ask_consent(ctx)
        return
    reask(ctx)


@flow.step("consent")
async def consent(ctx: Context) -> None:
    if ctx.choice == "fix":
        ctx.move("fix")
        choices = [Choice(f"fix:{step}", _(label)) for step, _key, label in FIELDS]
        choices.append(Choice("fix:none", _("Nothing, back to the summary")))
        ctx.say(_("Which answer do you want to change?"), choices)
        return
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
        },
        flags=data.get("flags"),
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


# --- a command in the middle of the form: ask before leaving, keep the draft -----------------

_LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
_LEAVE = N_("Leave the report")
_SIDE_TRIPS = {
    "language": N_("Change the language"),
    "my_data": N_("Show my data"),
    "help": N_("How to use the bot"),
    "emergency": N_("Emergency contacts"),
    "status": N_("See my reports"),
}


def _global_word(ctx: Context) -> str | None:
    """The command a typed message is, when it is one (None for an answer to the form)."""
    u = ctx.understood
    if ctx.choice is not None:
        return None
    if u.intent == Intent.COMMAND:
        return u.action
    if u.intent == Intent.NAVIGATION and u.action in ("menu", "stop"):
        return "leave"
    if u.intent == Intent.STATUS and not ctx.services.router.takes_free_text(ctx):
        return "status"
    return None


async def keep_the_draft(ctx: Context, call_next: Callable[[], Awaitable[None]]) -> None:
    """Middleware: "bahasa inggris", "data saya" or "menu" typed in the report form is a
    question to the person first, never an answer saved as the recruiter's name, and never a
    draft silently thrown away."""
    if ctx.state.flow != "report" or ctx.state.step in ("start", "leave", "resume"):
        await call_next()
        return
    action = _global_word(ctx)
    if action is None:
        await call_next()
        return
    data = ctx.state.data
    data["leave"] = {
        "step": ctx.state.step,
        "action": action,
        "language": ctx.understood.language,
    }
    label = _(_SIDE_TRIPS.get(action, _LEAVE))
    if action == "language" and ctx.understood.language in _LANGUAGE_NAMES:
        label = _("Switch to {language}").format(language=_LANGUAGE_NAMES[ctx.understood.language])
    ctx.move("leave")
    ctx.say(
        _(
            "You are in the middle of a report. Your answers so far are kept. What would you like to do?"
        ),
        [Choice("leave:stay", _("Continue the report")), Choice("leave:go", label)],
    )


@flow.step("leave")
async def leave(ctx: Context) -> None:
    from handlers.help import help_text
    from handlers.privacy import data_lines
    from handlers.start import apply_language, language_choices

    pending = ctx.state.data.get("leave", {})
    step, action = pending.get("step", "role"), pending.get("action", "leave")
    answer = answer_yes_no(ctx, yes="leave:stay", no="leave:go")
    if answer is None and ctx.choice in ("lang:id", "lang:en"):
        apply_language(ctx, ctx.choice.split(":", 1)[1])
        answer = True
    if answer is None:
        reask(ctx)
        return
    if answer:  # continue: the same question again
        ctx.state.data.pop("leave", None)
        await ask_again(ctx, step)
        return
    if action == "language":
        wanted = pending.get("language")
        if not wanted:
            ctx.say("Pilih bahasa / Choose your language:", language_choices())
            pending["action"] = "continue"
            return
        apply_language(ctx, wanted)
    elif action == "my_data":
        ctx.say("\n".join(await data_lines(ctx)))
    elif action == "help":
        ctx.say(help_text())
    elif action == "emergency":
        ctx.say(emergency_text(ctx))
    elif action == "status":
        await show_status(ctx, then_menu=False)
    elif action == "delete_data":
        await ctx.goto("privacy", "confirm")
        return
    elif action != "continue":  # leave the form: the draft waits (24 hours at most)
        draft = {k: v for k, v in ctx.state.data.items() if k not in ("leave", "correcting")}
        await ctx.goto("menu", **{PAUSED: {**draft, "step": step, "saved_at": ctx.now}})
        return
    ctx.state.data.pop("leave", None)
    ctx.say(_("Back to your report:"))
    await ask_again(ctx, step)


# --- "status MA-XXXXX": the reporter follows their case ------------------------------------


async def show_status(ctx: Context, then_menu: bool = True) -> None:
    number = ctx.understood.case
    mine = await ctx.tx.cases.for_reporter(ctx.contact.id)
    if number:
        case = next((k for k in mine if k.number == cases_store.normalize_number(number)), None)
        if case is None:
            # Never say whether someone else's case exists.
            ctx.say(_("I could not find report {number} among your reports.").format(number=number))
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
    if then_menu:
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


# --- before the writer: the warning signs of the story told, a pure function of the text ----


def description_flags(ctx: Context, text: str) -> list[str]:
    """The warning signs in what happened, as codes (kept on the case for the console)."""
    lang = ctx.locale
    found = ctx.prepared.get(
        ("screen", text, lang), lambda: ctx.services.screener.check(text, lang=lang)
    )
    return sorted({f.code for f in found.flags})


def _wants(hint: Hint) -> bool:
    return hint.flow == "report" and hint.step == "what" and len(hint.text) >= MIN_DESCRIPTION


def _compute(hint: Hint, services: Services) -> dict[Key, object]:
    return {
        ("screen", hint.text, hint.locale): services.screener.check(hint.text, lang=hint.locale)
    }


PREPARER = Preparer("report", _wants, _compute)


def register(router: Router) -> None:
    router.prepare(PREPARER)

    @router.intent(
        "status",
        lambda ctx: (
            ctx.choice is None
            and ctx.understood.intent == Intent.STATUS
            and not router.takes_free_text(ctx)
            and ctx.state.flow != "report"  # in the form, keep_the_draft asks first
            # "kasus MA-XXXXX" is a volunteer opening a case (handlers/volunteer.py)
            and ctx.norm.split(" ", 1)[0] not in ("kasus", "/kasus", "case", "/case")
        ),
    )
    async def status(ctx: Context) -> None:
        await show_status(ctx)


async def erase(ctx: Context) -> None:  # on PersonErased
    c = ctx.contact
    await casework(ctx).withdraw_all(
        c.id, also=(c.address, c.display_name, ctx.inbound.display_name)
    )
