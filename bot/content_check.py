"""`migrasi-aman content check`: what an editor of the content must not break.

Article ids the same in both languages, front matter complete, sources present, related ids
real, every part short enough for WhatsApp, no phone number outside the contacts file,
contact placeholders naming shown entries, and the contacts file itself well formed.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from bot.directory import SHOWN, Directory
from bot.guidance import ArticleError, Library, parse
from bot.paths import CONTENT, LOCALES

WHATSAPP_LIMIT = 1600
HEADER_ROOM = 250  # the "📖 title (1/3)" line and the numbered choices under a part
PHONE = re.compile(r"(?<![\w/.=-])(?:\+\d[\d\s-]{6,}\d|\b0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{3,5}\b)")
CONFIDENCES = (*SHOWN, "low", "unverified")
KINDS = ("hotline", "whatsapp", "website", "embassy", "office")


def check(root: Path = CONTENT) -> list[str]:
    problems: list[str] = []
    directory = _check_contacts(root / "contacts.toml", problems)
    articles = []
    for lang in LOCALES:
        for path in sorted((root / lang / "guides").glob("*.md")):
            try:
                articles.append(parse(path, lang))
            except ArticleError as exc:
                problems.append(str(exc))
    library = Library(articles)
    ids = {lang: set(library.by_lang.get(lang, {})) for lang in LOCALES}
    for lang in LOCALES:
        for other in LOCALES:
            for missing in sorted(ids[lang] - ids[other]):
                problems.append(f"{lang}/guides/{missing}.md has no {other} twin")
    for article in articles:
        where = f"{article.lang}/guides/{article.id}.md"
        if not article.sources:
            problems.append(f"{where}: no sources")
        for url in article.sources:
            if not url.startswith(("https://", "http://")):
                problems.append(f"{where}: source is not a URL: {url!r}")
        if article.reviewed > date.today():
            problems.append(f"{where}: reviewed date {article.reviewed} is in the future")
        for related in article.related:
            if related not in ids[article.lang]:
                problems.append(f"{where}: related article {related!r} does not exist")
        twin = library.get(article.id, LOCALES[1] if article.lang == LOCALES[0] else LOCALES[0])
        if twin and twin.order != article.order:
            problems.append(f"{where}: order {article.order} differs from its twin's {twin.order}")
        for m in PHONE.finditer(article.body):
            problems.append(
                f"{where}: phone number {m.group(0)!r} in the text; use a {{{{contacts: …}}}} line"
            )
        for contact_id in article.contact_ids:
            if directory is None:
                continue
            entry = directory.entries.get(contact_id)
            if entry is None:
                problems.append(f"{where}: unknown contact {contact_id!r}")
            elif not entry.shown:
                problems.append(
                    f"{where}: contact {contact_id!r} is {entry.confidence} and would not be shown"
                )
        if directory is not None:
            for i, part in enumerate(article.parts(directory), 1):
                if len(part) + HEADER_ROOM > WHATSAPP_LIMIT:
                    problems.append(
                        f"{where}: part {i} is {len(part)} characters, too long for WhatsApp"
                    )
    return problems


def _check_contacts(path: Path, problems: list[str]) -> Directory | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path.name}: {exc}")
        return None
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("contact", []), 1):
        label = f"{path.name}: contact {entry.get('id', f'#{i}')}"
        for key in ("id", "kind", "name_id", "name_en", "confidence", "sources", "checked"):
            if not entry.get(key):
                problems.append(f"{label}: {key} is missing or empty")
        if entry.get("id") in seen:
            problems.append(f"{label}: id used twice")
        seen.add(entry.get("id", ""))
        if entry.get("kind") not in KINDS:
            problems.append(f"{label}: kind must be one of {', '.join(KINDS)}")
        if entry.get("confidence") not in CONFIDENCES:
            problems.append(f"{label}: confidence must be one of {', '.join(CONFIDENCES)}")
        try:
            date.fromisoformat(str(entry.get("checked", "")))
        except ValueError:
            problems.append(f"{label}: checked is not a date (YYYY-MM-DD)")
        if bool(entry.get("note_id")) != bool(entry.get("note_en")):
            problems.append(f"{label}: note in one language only")
    try:
        return Directory.load(path)
    except (KeyError, TypeError) as exc:
        problems.append(f"{path.name}: {exc}")
        return None
