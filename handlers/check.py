"""Checking a job offer: paste or forward it, or answer a few questions; get a risk level and
every warning sign explained, then the right article or a report of the recruiter."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import TYPE_CHECKING

from bot.conversation import Context, Flow, Router
from bot.i18n import N_, _
from bot.messages import Choice
from bot.paths import CONTENT
from bot.prepare import Hint, Key, Preparer
from handlers.common import reask

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


def describe(result: Screening) -> str:
    """The result in words, in the current language (the chat and the CLI share it)."""
    icon, line = RISK_LINES[result.risk]
    if result.risk == "low" and result.flags:
        line = LOW_WITH_FLAGS
    parts = [f"{icon} {_(line)}"]
    for flag in result.flags:
        parts.append(
            "\n".join(
                [
                    f"⚠️ {flag.explanation}",
                    _('In the offer: "{evidence}"').format(evidence=flag.evidence),
                    _("What to do: {advice}").format(advice=flag.advice),
                ]
            )
        )
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
        await ctx.goto("report", offer=offer)
    elif choice.startswith("art:"):
        from handlers.guidance import show_article

        await show_article(ctx, choice[4:])
    elif choice == "guided":
        await ask_guided(ctx, 0)
    elif choice == "again":
        await ctx.goto("check")
    elif ctx.typed and len(ctx.text) >= 40:
        await check_text(ctx, ctx.text)  # another offer pasted straight away
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
    ctx.say(
        f"{header}\n{question.text[lang]}",
        [Choice(f"g:{o.key}", o.label[lang]) for o in question.options],
    )


@flow.step("guided")
async def guided(ctx: Context) -> None:
    index = int(ctx.state.data.get("index", 0))
    questions = ctx.services.screener.guided_questions
    if not (ctx.choice or "").startswith("g:") or index >= len(questions):
        reask(ctx)
        return
    key = ctx.choice[2:]
    if key not in {o.key for o in questions[index].options}:
        reask(ctx)
        return
    ctx.state.data.setdefault("answers", {})[questions[index].id] = key
    await ask_guided(ctx, index + 1)


async def understand(ctx: Context) -> bool:
    """Free text at the menu that reads like a job offer goes straight to the check."""
    text = ctx.text
    if ctx.prepared.get(
        ("looks_like_offer", text), lambda: ctx.services.screener.looks_like_offer(text)
    ):
        await check_text(ctx, text)
        return True
    return False


# --- before the writer: the check of a pasted offer is a pure function of text and language ---

# Below this a check costs less than the hop to a worker thread; the steps compute it inline.
PREPARE_FROM = 40


def _wants(hint: Hint) -> bool:
    return len(hint.text) >= PREPARE_FROM


def _compute(hint: Hint, services: Services) -> dict[Key, object]:
    """What check_text and understand will ask for, where the conversation is likely to be."""
    screener, text = services.screener, hint.text
    out: dict[Key, object] = {}
    if hint.forwarded or (hint.flow == "check" and hint.step in ("paste", "result")):
        out[("screen", text, hint.locale)] = screener.check(text, lang=hint.locale)
    elif hint.flow in (None, "menu"):  # free text at the menu may be a pasted offer
        like = screener.looks_like_offer(text)
        out[("looks_like_offer", text)] = like
        if like:
            out[("screen", text, hint.locale)] = screener.check(text, lang=hint.locale)
    return out


PREPARER = Preparer("check", _wants, _compute)


def register(router: Router) -> None:
    router.prepare(PREPARER)

    @router.intent("forwarded", lambda ctx: ctx.inbound.forwarded and bool(ctx.text))
    async def forwarded(ctx: Context) -> None:
        # A forwarded message is almost always an offer someone received: check it.
        await check_text(ctx, ctx.text)
