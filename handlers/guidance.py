"""Safe-migration guidance: browse the topics, read an article part by part, or just ask."""

from __future__ import annotations

from bot.conversation import Context, Flow
from bot.guidance import Article
from bot.i18n import _, format_day
from bot.messages import Choice
from bot.understanding import Intent
from handlers.common import is_navigation, reask

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
    pages = max(1, -(-len(ctx.services.library.topics(ctx.locale)) // PAGE))
    page = min(max(page, 0), pages - 1)
    text, choices = topic_page(ctx, page)
    ctx.move("topics", flow="guidance")
    ctx.state.data["page"] = page
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
    ctx.say(f"{header}\n\n{parts[part]}", article_choices(ctx, article, part, len(parts)))


def article_choices(ctx: Context, article: Article, part: int, parts: int) -> list[Choice]:
    """The same choice keeps its number on every part: 1 goes forward (the next part, or on
    the last part the first related article, never back), 2 all topics, 3 main menu, 4 the
    previous part; related articles and sources follow on the last part."""
    related = [a for i in article.related if (a := _article(ctx, i))][:3]
    last = part + 1 == parts
    if not last:
        forward = Choice("next", _("Next part"))
    elif related:
        forward = Choice(f"art:{related[0].id}", _("Next: {title}").format(title=related[0].title))
    else:
        forward = Choice("sources", _("Sources"))
    choices = [forward, Choice("topics:0", _("All topics")), Choice("go:menu", _("Main menu"))]
    if part > 0:
        choices.append(Choice("back", _("Previous part")))
    if last:
        choices.extend(Choice(f"art:{a.id}", a.title) for a in related[1:])
        if forward.key != "sources":
            choices.append(Choice("sources", _("Sources")))
    return choices


async def answer_question(ctx: Context) -> bool:
    """The article for a typed question: the topic the understanding step found, else the
    search's candidates. False when nothing fits at all."""
    topic = ctx.understood.topic if ctx.understood.intent == Intent.QUESTION else None
    if topic and _article(ctx, topic):
        await show_article(ctx, topic)
        return True
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
    page = int(ctx.state.data.get("page", 0))
    if is_navigation(ctx, "next"):  # "lanjut", "berikutnya", "more", "next"
        await show_topics(ctx, page + 1)
        return
    if is_navigation(ctx, "back"):  # "kembali", "sebelumnya": the page before, or the menu
        if page > 0:
            await show_topics(ctx, page - 1)
        else:
            await ctx.goto("menu")
        return
    if is_navigation(ctx, "topics"):
        await show_topics(ctx)
        return
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
    article = _article(ctx, article_id)
    parts = len(article.parts(ctx.services.directory)) if article else 1
    if ctx.choice == "next" or is_navigation(ctx, "next"):
        if part + 1 < parts:
            await show_article(ctx, article_id, part + 1)
        else:  # "lanjut" on the last part: say so, and stay (no loop back to an earlier part)
            ctx.say(_("That was the last part. Choose what to read next:"), ctx.state.choices)
    elif ctx.choice == "back" or is_navigation(ctx, "back"):
        if part > 0:
            await show_article(ctx, article_id, part - 1)
        else:  # "kembali" on the first part: back to the list
            await show_topics(ctx)
    elif is_navigation(ctx, "topics"):
        await show_topics(ctx)
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
