"""Safe-migration guidance: browse the topics, read an article part by part, or just ask."""

from __future__ import annotations

import re

from bot.conversation import Context, Flow
from bot.guidance import Article
from bot.i18n import _, format_day
from bot.messages import Choice
from handlers.common import reask

flow = Flow("guidance")

PAGE = 6  # topics per page: a numbered list a small phone shows without scrolling far


def _article(ctx: Context, article_id: str) -> Article | None:
    return ctx.services.library.get(article_id, ctx.locale)


def topic_page(ctx: Context, page: int) -> tuple[str, list[Choice]]:
    topics = ctx.services.library.topics(ctx.locale)
    pages = max(1, -(-len(topics) // PAGE))
    page = min(max(page, 0), pages - 1)
    choices = [Choice(f"art:{a.id}", a.title) for a in topics[page * PAGE : (page + 1) * PAGE]]
    if page + 1 < pages:
        choices.append(Choice(f"topics:{page + 1}", _("More topics")))
    elif page > 0:
        choices.append(Choice("topics:0", _("First topics")))
    choices.append(Choice("go:menu", _("Main menu")))
    text = _(
        "Safe migration info (page {page} of {pages}). Choose a topic, or type your question:"
    ).format(page=page + 1, pages=pages)
    return text, choices


async def show_topics(ctx: Context, page: int = 0) -> None:
    text, choices = topic_page(ctx, page)
    ctx.move("topics", flow="guidance")
    ctx.say(text, choices)


async def show_article(ctx: Context, article_id: str, part: int = 0) -> None:
    article = _article(ctx, article_id)
    if article is None:
        await show_topics(ctx)
        return
    parts = article.parts(ctx.services.directory)
    part = min(max(part, 0), len(parts) - 1)
    ctx.move("reading", flow="guidance")
    ctx.state.data.update(article=article.id, part=part)
    header = f"📖 {article.title}" + (f" ({part + 1}/{len(parts)})" if len(parts) > 1 else "")
    choices: list[Choice] = []
    if part + 1 < len(parts):
        choices.append(Choice("next", _("Next part")))
    if part > 0:
        choices.append(Choice("back", _("Previous part")))
    if part + 1 == len(parts):
        for related_id in article.related[:3]:
            related = _article(ctx, related_id)
            if related:
                choices.append(Choice(f"art:{related.id}", related.title))
        choices.append(Choice("sources", _("Sources")))
    choices.extend([Choice("topics:0", _("All topics")), Choice("go:menu", _("Main menu"))])
    ctx.say(f"{header}\n\n{parts[part]}", choices)


async def answer_question(ctx: Context) -> bool:
    """Find the article for a typed question. False when nothing fits at all."""
    answer = ctx.services.search.answer(ctx.text)
    if answer.best:
        await show_article(ctx, answer.best)
        return True
    if not answer.candidates:
        return False
    ctx.move("topics", flow="guidance")
    choices = [Choice(f"art:{a.id}", a.title) for i in answer.candidates if (a := _article(ctx, i))]
    choices.extend([Choice("topics:0", _("All topics")), Choice("go:menu", _("Main menu"))])
    ctx.say(_("I am not sure which topic you mean. Is it one of these?"), choices)
    return True


async def _navigate(ctx: Context) -> bool:
    """Choices that work from every guidance step."""
    choice = ctx.choice or ""
    if choice.startswith("art:"):
        await show_article(ctx, choice[4:])
    elif choice.startswith("topics:"):
        page = choice.split(":", 1)[1]
        await show_topics(ctx, int(page) if page.isdigit() else 0)
    else:
        return False
    return True


@flow.step("start")
async def start(ctx: Context) -> None:
    await show_topics(ctx)


@flow.step("topics")
async def topics(ctx: Context) -> None:
    if await _navigate(ctx) or (ctx.typed and await answer_question(ctx)):
        return
    if ctx.typed:
        _text, choices = topic_page(ctx, 0)
        ctx.say(_("I could not find anything about that. Here are the topics:"), choices)
        return
    reask(ctx)


@flow.step("reading")
async def reading(ctx: Context) -> None:
    data = ctx.state.data
    article_id, part = data.get("article", ""), int(data.get("part", 0))
    if ctx.choice == "next":
        await show_article(ctx, article_id, part + 1)
    elif ctx.choice == "back":
        await show_article(ctx, article_id, part - 1)
    elif ctx.choice == "sources":
        article = _article(ctx, article_id)
        if article is None:
            await show_topics(ctx)
            return
        lines = [
            _('Sources for "{title}" (checked {date}):').format(
                title=article.title, date=format_day(article.reviewed)
            )
        ]
        lines.extend(f"• {url}" for url in article.sources)
        ctx.say("\n".join(lines), ctx.state.choices)
    elif not (await _navigate(ctx) or (ctx.typed and await answer_question(ctx))):
        reask(ctx)


_QUESTION_START = re.compile(
    r"^(?:apa|apakah|apa2|bagaimana|gimana|gmn|gmna|berapa|brp|brapa|bisa|bisakah|bs|boleh|bolehkah|"
    r"kapan|dimana|di mana|mana|siapa|kenapa|mengapa|knp|perlu|harus|haruskah|adakah|ada gak|cara|syarat|"
    r"how|what|whats|what's|when|where|who|why|which|can|could|is|are|do|does|should|must|may)\b",
    re.IGNORECASE,
)
QUESTION_MAX = 200  # longer text is rather a pasted message, even with a question mark in it


def is_question(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= QUESTION_MAX and (
        text.endswith("?") or bool(_QUESTION_START.match(text))
    )


async def answer_a_question(ctx: Context) -> bool:
    """Free text at the menu that is a question goes to the guides, before the offer check."""
    return is_question(ctx.text) and await answer_question(ctx)


async def understand(ctx: Context) -> bool:
    """Free text at the menu: a question the guides clearly answer opens that article."""
    answer = ctx.services.search.answer(ctx.text)
    if answer.best:
        await show_article(ctx, answer.best)
        return True
    return False
