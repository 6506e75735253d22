"""Keep the gettext catalogs in step with the code.

python scripts/catalogs.py update   extract strings from bot/ and handlers/ (Python, and the
                                    console's Jinja2 templates), merge them into
                                    content/{id,en}/LC_MESSAGES/messages.po; English is the
                                    source language, so new English entries get msgstr = msgid
                                    and Indonesian ones are left empty for a translator
python scripts/catalogs.py check    exit 1 if a string is missing or untranslated anywhere
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "handlers")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
PLURAL_FORMS = {"id": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}


def po_path(locale: str) -> Path:
    return ROOT / "content" / locale / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    template = Catalog(project="migrasi-aman", charset="utf-8")
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            keywords=KEYWORDS,
        ):
            template.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        catalog = Catalog(locale=locale, project="migrasi-aman", charset="utf-8")
    else:
        with path.open("rb") as fp:
            catalog = read_po(fp, locale=locale)
    catalog.plural_forms  # noqa: B018 - babel computes it lazily
    catalog._num_plurals, catalog._plural_expr = (  # babel writes nplurals=2 for id otherwise
        int(PLURAL_FORMS[locale].split(";")[0].split("=")[1]),
        PLURAL_FORMS[locale].split("plural=")[1].rstrip(";"),
    )
    return catalog


def save(catalog: Catalog, locale: str) -> None:
    catalog.fuzzy = False  # a fuzzy header makes gettext ignore Plural-Forms
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, catalog, width=100, omit_header=False, sort_output=False, ignore_obsolete=True)
    text = path.read_text(encoding="utf-8")
    import re

    text = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {PLURAL_FORMS[locale]}\\\\n"', text)
    path.write_text(text, encoding="utf-8")


def update() -> None:
    template = extract()
    for locale in ("id", "en"):
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":
            for message in catalog:
                if message.id and not (message.string and all(message.string)):
                    message.string = message.id  # English is the source: singular and plural
        save(catalog, locale)
        print(f"{po_path(locale).relative_to(ROOT)}: {len([m for m in catalog if m.id])} strings")


def problems() -> list[str]:
    template = extract()
    found: list[str] = []
    for locale in ("id", "en"):
        catalog = load(locale)
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id)
            if entry is None:
                found.append(f"{locale}: missing {message.id!r}")
            elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
                found.append(f"{locale}: untranslated {message.id!r}")
            elif entry.fuzzy:
                found.append(f"{locale}: fuzzy {message.id!r}")
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "check":
        issues = problems()
        print("\n".join(issues) or "catalogs complete")
        sys.exit(1 if issues else 0)
    else:
        sys.exit(__doc__)
