"""`migrasi-aman content check`: what an editor of the content must not break.

Article ids the same in both languages, front matter complete, sources present, related ids
real, every part short enough for WhatsApp, no phone number outside the contacts file,
contact placeholders naming shown entries, no numbered list that a reader could confuse with
the numbered choices, no part ending on a colon with what it announces in the next part, and
the contacts file itself well formed. Every data entry (contacts, emergency answers,
flag-to-article links, indicators and guided-check questions) names its source in the fact base
and the date it was reviewed. `stale(days)` lists contacts whose "checked" date is older.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from bot.directory import REACHES, SHOWN, Directory
from bot.guidance import ArticleError, Library, parse
from bot.paths import CONTENT, LOCALES

WHATSAPP_LIMIT = 1600
HEADER_ROOM = 250  # the "📖 title (1/3)" line and the numbered choices under a part
PHONE = re.compile(r"(?<![\w/.=-])(?:\+\d[\d\s-]{6,}\d|\b0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{3,5}\b)")
CONFIDENCES = (*SHOWN, "low", "unverified")
KINDS = ("emergency", "labour", "hotline", "whatsapp", "website", "embassy", "office")
# Article lists numbered "1." read like the bot's numbered choices ("Balas 1, 2 atau 3"): steps
# are written "Langkah 1:" / "Step 1:", other lists as bullets.
NUMBERED_LINE = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)
# Names a reader with primary-school education may not know: each is explained where an article
# first uses it, "BP3MI (the ministry's office…)", "(BP3MI)" after the words, or a sentence
# "BP3MI is …" / "BP3MI adalah …" right after.
ACRONYMS = (
    "PMI",
    "P3MI",
    "BP3MI",
    "KP2MI",
    "BP2MI",
    "SISKOP2MI",
    "Disnaker",
    "OPP",
    "PK",
    "KBRI",
    "KJRI",
    "LTSA",
    "G to P",
    "TPPO",
    "Kemlu",
)
_EXPLAINED_BY = ("is", "are", "means", "adalah", "artinya", "ialah")
# Data files whose entries must each say where they come from and when they were reviewed:
# file → the TOML paths of its entries ("*" = every key of that table, "[]" = array of tables).
SOURCED = {
    "flag_articles.toml": ("*",),
    "indicators.toml": ("flags.*", "official[]", "questions[]"),
    "guided_check.toml": ("question[]", "combo[]"),
    "emergency.toml": ("danger", "indonesia", "abroad", "country[]"),
}


def check(root: Path = CONTENT, today: date | None = None) -> list[str]:
    today = today or date.today()
    problems: list[str] = []
    directory = _check_contacts(root / "contacts.toml", problems, today)
    for name, paths in SOURCED.items():
        _check_sourced(root / name, paths, problems, today)
    if directory is not None:
        _check_emergency(root / "emergency.toml", directory, problems)
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
        if article.reviewed > today:
            problems.append(f"{where}: reviewed date {article.reviewed} is in the future")
        for related in article.related:
            if related not in ids[article.lang]:
                problems.append(f"{where}: related article {related!r} does not exist")
        twin = library.get(article.id, LOCALES[1] if article.lang == LOCALES[0] else LOCALES[0])
        if twin and twin.order != article.order:
            problems.append(f"{where}: order {article.order} differs from its twin's {twin.order}")
        for m in NUMBERED_LINE.finditer(article.body):
            line = article.body[m.start() :].split("\n", 1)[0].strip()
            problems.append(
                f"{where}: numbered line {line[:40]!r} reads like a menu choice; "
                "write steps as 'Langkah 1:' / 'Step 1:' and other lists as '- '"
            )
        for term in unexplained_acronyms(article.body):
            problems.append(f"{where}: {term} is not explained where it is first used")
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
            parts = article.parts(directory)
            for i, part in enumerate(parts, 1):
                if len(part) + HEADER_ROOM > WHATSAPP_LIMIT:
                    problems.append(
                        f"{where}: part {i} is {len(part)} characters, too long for WhatsApp"
                    )
                if i < len(parts) and part.rstrip().endswith(":"):
                    problems.append(
                        f"{where}: part {i} ends on {part.rstrip()[-40:]!r}; "
                        "what it announces is in the next part"
                    )
    return problems


def unexplained_acronyms(body: str) -> list[str]:
    """ACRONYMS whose first use in the body (outside headings and contact lines) comes with no
    explanation: not "(X)" after its words, not "X (…)", not "X is …" in the next sentence."""
    out = []
    for term in ACRONYMS:
        pattern = re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])")
        for m in pattern.finditer(body):
            line_start = body.rfind("\n", 0, m.start()) + 1
            if body.startswith(("#", "{{"), line_start):
                continue
            if body[max(0, m.start() - 6) : m.start()] == "Kawan ":
                continue  # part of the name "Kawan PMI"
            before, after = body[m.start() - 1 : m.start()], body[m.end() : m.end() + 2]
            if before == "(" or after == " (" or after[:1] in ")/":
                break
            # explained later in the same paragraph: "BP2MI is …", "(BP2MI adalah …)", or an
            # apposition "BP2MI, the agency …"
            paragraph = body[m.end() :].split("\n\n", 1)[0]
            if paragraph.startswith(", the ") or any(
                f"{term} {verb} " in paragraph for verb in _EXPLAINED_BY
            ):
                break
            out.append(term)
            break
    return out


def stale(days: int, root: Path = CONTENT, today: date | None = None) -> list[str]:
    """Every contact whose "checked" date is more than `days` days ago, oldest first: the
    numbers to ring or message again."""
    today = today or date.today()
    raw = tomllib.loads((root / "contacts.toml").read_text(encoding="utf-8"))
    rows = []
    for entry in raw.get("contact", []):
        try:
            checked = date.fromisoformat(str(entry.get("checked", "")))
        except ValueError:
            checked = date.min
        age = (today - checked).days
        if age > days:
            what = (
                ", ".join(entry.get("numbers", ())) or entry.get("url", "") or entry.get("city", "")
            )
            rows.append(
                (
                    checked,
                    f"{entry.get('id')}: checked {checked.isoformat()} ({age} days ago), "
                    f"{entry.get('confidence')}: {what}",
                )
            )
    return [line for _checked, line in sorted(rows, key=lambda r: r[0])]


def _entries(data: dict, path: str) -> list[tuple[str, object]]:
    """(label, entry) for a SOURCED path: "*" every top-level table, "a.*" every table under
    a, "a[]" every table of the array a, "a" the table a itself."""
    if path == "*":
        return [(k, v) for k, v in data.items()]
    if path.endswith(".*"):
        table = data.get(path[:-2], {})
        return (
            [(f"{path[:-2]}.{k}", v) for k, v in table.items()] if isinstance(table, dict) else []
        )
    if path.endswith("[]"):
        items = data.get(path[:-2], [])
        out: list[tuple[str, object]] = []
        for i, item in enumerate(items if isinstance(items, list) else []):
            ident = (
                item.get("id") or item.get("code") or item.get("flag") or ""
                if isinstance(item, dict)
                else ""
            )
            out.append((f"{path[:-2]}[{i}]" + (f" ({ident})" if ident else ""), item))
        return out
    return [(path, data.get(path))]


def _check_sourced(path: Path, paths: tuple[str, ...], problems: list[str], today: date) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path.name}: {exc}")
        return
    for pattern in paths:
        entries = _entries(data, pattern)
        if not entries:
            problems.append(f"{path.name}: no entries at {pattern}")
        for label, entry in entries:
            where = f"{path.name}: {label}"
            if not isinstance(entry, dict):
                problems.append(f"{where}: is missing")
                continue
            source = entry.get("source")
            if not isinstance(source, str) or not source.strip():
                problems.append(f"{where}: source is missing or empty")
            reviewed = entry.get("reviewed")
            try:
                day = date.fromisoformat(str(reviewed)) if reviewed else None
            except ValueError:
                day = None
            if day is None:
                problems.append(f"{where}: reviewed is missing or not a date (YYYY-MM-DD)")
            elif day > today:
                problems.append(f"{where}: reviewed date {day} is in the future")


def _check_emergency(path: Path, directory: Directory, problems: list[str]) -> None:
    """Every id in the emergency answers is a contact; no line that only works inside
    Indonesia is offered to someone abroad (the 0800 number is never first abroad)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return  # reported by _check_sourced

    def known(ids: object, where: str) -> list[str]:
        out = []
        for i in ids if isinstance(ids, list) else []:
            if i not in directory.entries:
                problems.append(f"{path.name}: {where}: unknown contact {i!r}")
            else:
                out.append(i)
        return out

    def abroad_ok(ids: list[str], where: str, country: str | None) -> None:
        for i in ids:
            e = directory.entries[i]
            if e.reach == "inside" and country not in e.countries:
                inside = ", ".join(e.countries) or "?"
                problems.append(
                    f"{path.name}: {where}: {i!r} only works inside {inside}, "
                    "not for someone abroad"
                )

    for key in ("first", "brief"):
        known(data.get("indonesia", {}).get(key), f"indonesia.{key}")
    abroad = data.get("abroad", {})
    for key in ("then", "last", "unknown", "brief"):
        abroad_ok(known(abroad.get(key), f"abroad.{key}"), f"abroad.{key}", None)
    for i, c in enumerate(data.get("country", [])):
        code = c.get("code", "")
        where = f"country[{i}] ({code})"
        if code not in directory.countries:
            problems.append(f"{path.name}: {where}: no name for {code!r} in contacts.toml")
        for key in ("local", "mission", "labour"):
            abroad_ok(known(c.get(key), f"{where}.{key}"), f"{where}.{key}", code)
        if not c.get("words"):
            problems.append(f"{path.name}: {where}: no words")


def _check_contacts(path: Path, problems: list[str], today: date) -> Directory | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path.name}: {exc}")
        return None
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("contact", []), 1):
        label = f"{path.name}: contact {entry.get('id', f'#{i}')}"
        for key in (
            "id",
            "kind",
            "name_id",
            "name_en",
            "purpose_id",
            "purpose_en",
            "reach",
            "confidence",
            "source",
            "sources",
            "checked",
        ):
            if not entry.get(key):
                problems.append(f"{label}: {key} is missing or empty")
        if entry.get("reach") and entry.get("reach") not in REACHES:
            problems.append(f"{label}: reach must be one of {', '.join(REACHES)}")
        for code in entry.get("countries", ()):
            if code not in raw.get("countries", {}):
                problems.append(f"{label}: no name for country {code!r} in [countries]")
        if entry.get("id") in seen:
            problems.append(f"{label}: id used twice")
        seen.add(entry.get("id", ""))
        if entry.get("kind") not in KINDS:
            problems.append(f"{label}: kind must be one of {', '.join(KINDS)}")
        if entry.get("confidence") not in CONFIDENCES:
            problems.append(f"{label}: confidence must be one of {', '.join(CONFIDENCES)}")
        try:
            if date.fromisoformat(str(entry.get("checked", ""))) > today:
                problems.append(f"{label}: checked date is in the future")
        except ValueError:
            problems.append(f"{label}: checked is not a date (YYYY-MM-DD)")
        if bool(entry.get("note_id")) != bool(entry.get("note_en")):
            problems.append(f"{label}: note in one language only")
    try:
        return Directory.load(path)
    except (KeyError, TypeError) as exc:
        problems.append(f"{path.name}: {exc}")
        return None
