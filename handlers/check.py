"""Checking a job offer: paste or forward it, or answer a few questions; get a risk level and
every warning sign explained, then the right article or a report of the recruiter."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import TYPE_CHECKING

from bot.conversation import Context, Flow, Router
from bot.i18n import N_, _
from bot.messages import Choice
from bot.paths import CONTENT
from bot.prepare import Hint, Key, Preparer
from bot.understanding import Answer, Intent
from handlers.common import answer_yes_no, is_navigation, reask

if TYPE_CHECKING:
    from bot.screening import Screening
    from bot.services import Services

flow = Flow("check")

RISK_LINES = {
    "high": ("🔴", N_("Risk: HIGH. This offer shows signs of illegal placement or trafficking.")),
    "medium": (
        "🟠",
        N_("Risk: MEDIUM. Some things need checking before you pay or sign anything."),
    ),
    "low": ("🟢", N_("Risk: LOW. I found no clear warning signs in this text.")),
    "unclear": (
        "❔",
        N_("Not enough to judge: this does not read like a job offer yet, or it says too little."),
    ),
}
# a low score that still carries a sign: never "no warning signs" beside a warning
LOW_WITH_FLAGS = N_("Risk: LOW, but one thing below needs checking.")


@cache
def flag_articles() -> dict[str, str]:
    """Flag code → article id (each entry also names its source and reviewed date)."""
    raw = tomllib.loads((CONTENT / "flag_articles.toml").read_text(encoding="utf-8"))
    return {code: entry["article"] for code, entry in raw.items()}


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# "Report it through the Report a recruiter/problem menu." closes the advice of most flags:
# said once after all of them, not once per flag.
_REPORT_SENTENCE = re.compile(r"^(?:Report|Laporkan)\b[^;]*(?:menu|calo/masalah)\.$")


def describe(result: Screening) -> str:
    """The result in words, in the current language (the chat and the CLI share it). Advice
    that several warning signs share is said once."""
    icon, line = RISK_LINES[result.risk]
    if result.risk == "low" and result.flags:
        line = LOW_WITH_FLAGS
    parts = [f"{icon} {_(line)}"]
    # lawful programmes and fees the text names come first: they explain what is NOT a sign
    parts.extend(f"✅ {note}" for note in result.lawful)
    if result.second_opinion:
        parts.append(f"🔎 {result.second_opinion}")
    said: set[str] = set()
    report_line = False
    for flag in result.flags:
        fresh = []
        for sentence in _SENTENCE.split(flag.advice.strip()):
            if _REPORT_SENTENCE.match(sentence):
                report_line = True
            elif sentence and sentence not in said:
                fresh.append(sentence)
                said.add(sentence)
        lines = [
            f"⚠️ {flag.explanation}",
            _('In the offer: "{evidence}"').format(evidence=flag.evidence),
        ]
        if fresh:
            lines.append(_("What to do: {advice}").format(advice=" ".join(fresh)))
        parts.append("\n".join(lines))
    if report_line:
        parts.append(_("You can report it through the Report a recruiter/problem menu."))
    if result.risk == "low" and not result.flags:
        parts.append(
            _(
                "That does not prove the offer is safe. Before you pay or sign, check the company on "
                "SISKOP2MI or at the Disnaker or BP3MI office."
            )
        )
    if result.questions:
        parts.append(
            _("To judge better, I would need to know:")
            + "\n"
            + "\n".join(f"• {q}" for q in result.questions)
        )
    return "\n\n".join(parts)


def next_choices(ctx: Context, result: Screening) -> list[Choice]:
    choices: list[Choice] = []
    if result.risk in ("high", "medium"):
        choices.append(Choice("report", _("Report this recruiter")))
    seen: set[str] = set()
    for flag in result.flags:
        article_id = flag_articles().get(flag.code)
        if article_id and article_id not in seen and len(seen) < 2:
            seen.add(article_id)
            article = ctx.services.library.get(article_id, ctx.locale)
            if article is not None:
                choices.append(Choice(f"art:{article_id}", article.title))
    if result.questions:
        choices.append(Choice("guided", _("Answer a few questions")))
    choices += [Choice("again", _("Check another offer")), Choice("go:menu", _("Main menu"))]
    return choices


async def show_result(ctx: Context, result: Screening, offer: str = "") -> None:
    ctx.move("result", flow="check")
    # Only the flag codes are kept, never the offer text itself (see the privacy notice), unless
    # the person goes on to report it — then it is carried into the report draft.
    ctx.state.data.update(flags=[f.code for f in result.flags], offer=offer[:2000])
    if offer and offer == ctx.text:  # what the understanding step found in it, for a report
        u = ctx.understood
        found = {
            "recruiter_name": u.company,
            "recruiter_phone": u.phone,
            "place": u.place,
            "country": u.country,
        }
        ctx.state.data["found"] = {k: v for k, v in found.items() if v}
    ctx.say(describe(result), next_choices(ctx, result))


@flow.step("start")
async def start(ctx: Context) -> None:
    ctx.move("paste")
    ctx.say(
        _(
            "Paste or forward the job offer here: the whole message, as you received it. I will look "
            "for warning signs. No offer in writing? Answer a few questions instead."
        ),
        [Choice("guided", _("Answer a few questions")), Choice("go:menu", _("Main menu"))],
    )


@flow.step("paste", free_text=True)
async def paste(ctx: Context) -> None:
    if ctx.choice == "guided":
        await ask_guided(ctx, 0)
        return
    if not ctx.text or ctx.out_of_range:
        reask(ctx)
        return
    await check_text(ctx, ctx.text)


async def check_text(ctx: Context, text: str) -> None:
    lang = ctx.locale
    result = ctx.prepared.get(
        ("screen", text, lang), lambda: ctx.services.screener.check(text, lang=lang)
    )
    await show_result(ctx, result, text)


@flow.step("result", free_text=True)
async def result(ctx: Context) -> None:
    choice = ctx.choice or ""
    if choice == "report":
        offer = ctx.state.data.get("offer", "")
        await ctx.goto("report", offer=offer, found=ctx.state.data.get("found", {}))
    elif choice.startswith("art:"):
        from handlers.guidance import show_article

        await show_article(ctx, choice[4:])
    elif choice == "guided":
        await ask_guided(ctx, 0)
    elif choice == "again":
        await ctx.goto("check")
    elif ctx.typed and (len(ctx.text) >= 40 or ctx.understood.intent == Intent.OFFER):
        await check_text(ctx, ctx.text)  # another offer pasted straight away
    elif ctx.typed and ctx.understood.intent == Intent.QUESTION:
        from handlers.guidance import answer_question

        if not await answer_question(ctx):
            reask(ctx)
    else:
        reask(ctx)


# --- the guided check: for people without an offer in writing -------------------------------


async def ask_guided(ctx: Context, index: int) -> None:
    questions = ctx.services.screener.guided_questions
    if index >= len(questions):
        answers = ctx.state.data.get("answers", {})
        await show_result(ctx, ctx.services.screener.check_answers(answers, ctx.locale))
        return
    question = questions[index]
    ctx.move("guided", flow="check")
    ctx.state.data["index"] = index
    ctx.state.data.setdefault("answers", {})
    lang = ctx.locale
    header = _("Question {n} of {total}").format(n=index + 1, total=len(questions))
    choices = [Choice(f"g:{o.key}", o.label[lang]) for o in question.options]
    if index > 0:
        choices.append(Choice("g-back", _("Back to the previous question")))
    ctx.say(f"{header}\n{question.text[lang]}", choices)


_YES_LABEL = re.compile(r"^(?:ya|yes|ada)\b", re.IGNORECASE)
_NO_LABEL = re.compile(r"^(?:tidak|tak|no|not|none|nothing|there is no)\b", re.IGNORECASE)


def _typed_option(ctx: Context, options: list) -> str | None:
    """ "ya", "tidak", "gak tau" typed for options that are not literally yes and no: the one
    option they fit, if only one does."""
    answer = ctx.understood.answer
    if answer is None:
        return None
    lang = ctx.locale
    if answer == Answer.UNKNOWN:
        fits = [o for o in options if o.key == "unknown" or "tahu" in o.label[lang].lower()]
    else:
        yes = answer_yes_no(ctx, yes="\0", no="\1")
        pattern = _YES_LABEL if yes else _NO_LABEL
        fits = [o for o in options if pattern.search(o.label[lang])]
    return fits[0].key if len(fits) == 1 else None


@flow.step("guided")
async def guided(ctx: Context) -> None:
    index = int(ctx.state.data.get("index", 0))
    questions = ctx.services.screener.guided_questions
    if index >= len(questions):
        reask(ctx)
        return
    choice = ctx.choice or ""
    if (
        choice in ("g-back", "back")
        or is_navigation(ctx, "back")
        or (ctx.typed and _means_back(ctx.text))
    ):  # one question back
        previous = max(0, index - 1)
        ctx.state.data.setdefault("answers", {}).pop(questions[previous].id, None)
        await ask_guided(ctx, previous)
        return
    options = list(questions[index].options)
    if choice.startswith("g:"):
        key: str | None = choice[2:]
    elif ctx.typed:
        # "ya", "gk tau", "ke majikan": typed words instead of a number (the options' own
        # words first, then a yes/no/don't-know that fits exactly one option)
        key = ctx.services.screener.guided_answer(questions[index].id, ctx.text)
        key = key or _typed_option(ctx, options)
    else:
        key = None
    if key is None or key not in {o.key for o in options}:
        reask(ctx)
        return
    ctx.state.data.setdefault("answers", {})[questions[index].id] = key
    await ask_guided(ctx, index + 1)


# typed words that mean "the question before" in the guided check ("kembali" and "back" are
# taken: everywhere they mean the main menu, handlers/menu.py)
BACK_WORDS = frozenset({"sebelumnya", "previous", "balik", "mundur", "undo", "prev"})


def _means_back(text: str) -> bool:
    words = text.lower().strip(" .!?").split()
    return 0 < len(words) <= 2 and words[0] in BACK_WORDS


# --- before the writer: the check of a pasted offer is a pure function of text and language ---

# Below this a check costs less than the hop to a worker thread; the steps compute it inline.
PREPARE_FROM = 40


def _wants(hint: Hint) -> bool:
    return len(hint.text) >= PREPARE_FROM


def _compute(hint: Hint, services: Services) -> dict[Key, object]:
    """What check_text will ask for (from the paste step, or free text at the menu), where
    the conversation is likely to be."""
    screener, text = services.screener, hint.text
    out: dict[Key, object] = {}
    if hint.forwarded or (hint.flow == "check" and hint.step in ("paste", "result")):
        out[("screen", text, hint.locale)] = screener.check(text, lang=hint.locale)
    elif hint.flow in (None, "menu"):  # free text at the menu may be a pasted offer
        screening = screener.check_if_offer(text, lang=hint.locale)
        if screening is not None:
            out[("screen", text, hint.locale)] = screening
    return out


PREPARER = Preparer("check", _wants, _compute)


def register(router: Router) -> None:
    router.prepare(PREPARER)

    @router.intent("forwarded", lambda ctx: ctx.inbound.forwarded and bool(ctx.text))
    async def forwarded(ctx: Context) -> None:
        # A forwarded message is almost always an offer someone received: check it.
        await check_text(ctx, ctx.text)
