"""The guidance articles in content/<lang>/guides/: loading, contacts, parts that fit a chat.

An article is Markdown with TOML front matter between `+++` lines (id, title, order, related,
keywords, sources, reviewed). A line `{{contacts: id, id}}` is replaced by those entries of
the contact directory when shown, so no phone number lives in an article.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from bot.directory import Directory
from bot.i18n import use_locale
from bot.paths import CONTENT, LOCALES
from bot.render import split_text

# One part must fit a WhatsApp message (1600) with the numbered choices under it.
PART_CHARS = 1300
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)  # chat apps show "##" as it is
# "1. Daftar di Disnaker": a numbered list in an article is shown as "a) ...", so its numbers
# never run into the numbered choices under the message ("Reply 1, 2 or 3").
NUMBERED_ITEM = re.compile(r"^(\d{1,2})\.\s+", re.MULTILINE)
CONTACTS_LINE = re.compile(r"^\{\{\s*contacts\s*:\s*([a-z0-9_, \t]+)\}\}[ \t]*$", re.MULTILINE)
LEAD_IN = re.compile(r":[ \t]*\n[ \t]*\n")
REQUIRED = ("id", "title", "order", "related", "keywords", "sources", "reviewed")


class ArticleError(ValueError):
    pass


@dataclass(frozen=True)
class Article:
    id: str
    lang: str
    title: str
    order: int
    related: tuple[str, ...]
    keywords: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: date
    body: str
    path: Path

    @property
    def contact_ids(self) -> list[str]:
        return [
            i.strip()
            for m in CONTACTS_LINE.finditer(self.body)
            for i in m.group(1).split(",")
            if i.strip()
        ]

    def rendered(self, directory: Directory) -> str:
        """The body with contact placeholders filled in, in the article's language."""
        with use_locale(self.lang):
            body = CONTACTS_LINE.sub(
                lambda m: directory.render([i.strip() for i in m.group(1).split(",") if i.strip()]),
                self.body,
            )
        # A paragraph that ends on a colon announces the next one ("report it to:" + the
        # numbers): keep them in one paragraph, so a split never puts them in two messages.
        body = LEAD_IN.sub(":\n", body)
        body = NUMBERED_ITEM.sub(lambda m: f"{_letter(int(m.group(1)))}) ", body)
        return HEADING.sub(lambda m: f"▸ {m.group(1).upper()}", body).strip()

    def parts(self, directory: Directory, limit: int = PART_CHARS) -> list[str]:
        return split_text(self.rendered(directory), limit)


def _letter(n: int) -> str:
    """1 -> a, 2 -> b, … 26 -> z, 27 -> aa."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def parse(path: Path, lang: str) -> Article:
    raw = path.read_text(encoding="utf-8")
    m = re.match(r"\A\+\+\+\n(.*?)\n\+\+\+\n(.*)\Z", raw, re.DOTALL)
    if not m:
        raise ArticleError(f"{path}: no +++ front matter")
    try:
        meta = tomllib.loads(m.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise ArticleError(f"{path}: front matter: {exc}") from exc
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ArticleError(f"{path}: front matter lacks {', '.join(missing)}")
    if meta["id"] != path.stem:
        raise ArticleError(f"{path}: id {meta['id']!r} is not the file name")
    try:
        reviewed = date.fromisoformat(str(meta["reviewed"]))
    except ValueError as exc:
        raise ArticleError(f"{path}: reviewed is not a date") from exc
    return Article(
        id=meta["id"],
        lang=lang,
        title=meta["title"],
        order=int(meta["order"]),
        related=tuple(meta["related"]),
        keywords=tuple(meta["keywords"]),
        sources=tuple(meta["sources"]),
        reviewed=reviewed,
        body=m.group(2).strip(),
        path=path,
    )


class Library:
    """Every article in every language: library.get(id, lang)."""

    def __init__(self, articles: list[Article]) -> None:
        self.by_lang: dict[str, dict[str, Article]] = {lang: {} for lang in LOCALES}
        for a in articles:
            self.by_lang.setdefault(a.lang, {})[a.id] = a

    @classmethod
    def load(cls, root: Path | None = None) -> Library:
        root = root or CONTENT
        return cls(
            [
                parse(p, lang)
                for lang in LOCALES
                for p in sorted((root / lang / "guides").glob("*.md"))
            ]
        )

    def get(self, article_id: str, lang: str) -> Article | None:
        return self.by_lang.get(lang, {}).get(article_id)

    def topics(self, lang: str) -> list[Article]:
        return sorted(self.by_lang.get(lang, {}).values(), key=lambda a: (a.order, a.id))

    def ids(self) -> list[str]:
        return [a.id for a in self.topics(LOCALES[0])]


@cache
def default_library() -> Library:
    return Library.load()
