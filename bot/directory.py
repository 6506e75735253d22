"""The contact directory (content/contacts.toml): emergency numbers, hotlines, embassies, BP3MI
offices.

Only high- and medium-confidence entries are ever shown. Each shown line says what the number
is for, whether it works from a mobile abroad and when it was last checked, so a person in a
hurry does not have to check it first. Low-confidence and unverified entries stay in the file
for editors.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date

from bot.i18n import BABEL_LOCALE, _, current_locale
from bot.paths import CONTENT

SHOWN = ("high", "medium")
REACHES = ("inside", "anywhere")


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    name: dict[str, str]
    numbers: tuple[str, ...]
    url: str
    countries: tuple[str, ...]
    province: str
    city: str
    note: dict[str, str]
    confidence: str
    sources: tuple[str, ...]
    checked: str
    purpose: dict[str, str]
    reach: str = "anywhere"  # "inside": only from a phone inside `countries`
    source: str = ""  # the section of the fact base

    @property
    def shown(self) -> bool:
        return self.confidence in SHOWN

    @property
    def checked_on(self) -> date:
        return date.fromisoformat(self.checked)


class Directory:
    def __init__(self, entries: list[Entry], countries: dict[str, dict[str, str]] | None = None):
        self.entries = {e.id: e for e in entries}
        self.countries = countries or {}
        # (entry id, language, brief) -> its chat lines. Entries never change once loaded, and
        # a danger message renders a dozen of them (dates through Babel) inside the writer.
        self._lines: dict[tuple[str, str, bool], str] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Directory:
        data = tomllib.loads((path or CONTENT / "contacts.toml").read_text(encoding="utf-8"))
        entries = [
            Entry(
                id=raw["id"],
                kind=raw["kind"],
                name={"id": raw["name_id"], "en": raw["name_en"]},
                numbers=tuple(raw.get("numbers", ())),
                url=raw.get("url", ""),
                countries=tuple(raw.get("countries", ())),
                province=raw.get("province", ""),
                city=raw.get("city", ""),
                note={"id": raw.get("note_id", ""), "en": raw.get("note_en", "")},
                confidence=raw["confidence"],
                sources=tuple(raw.get("sources", ())),
                checked=str(raw["checked"]),
                purpose={"id": raw.get("purpose_id", ""), "en": raw.get("purpose_en", "")},
                reach=raw.get("reach", "anywhere"),
                source=raw.get("source", ""),
            )
            for raw in data["contact"]
        ]
        return cls(entries, data.get("countries", {}))

    def get(self, contact_id: str) -> Entry | None:
        entry = self.entries.get(contact_id)
        return entry if entry and entry.shown else None

    def for_country(self, country: str) -> list[Entry]:
        return [
            e
            for e in self.entries.values()
            if e.shown and country in e.countries and e.kind != "office"
        ]

    def office_for_province(self, province: str) -> Entry | None:
        for e in self.entries.values():
            if (
                e.shown
                and e.kind == "office"
                and "ID" in e.countries
                and e.province.lower() == province.lower()
            ):
                return e
        return None

    def country_name(self, code: str) -> str:
        names = self.countries.get(code)
        return names[current_locale()] if names else code

    def shown_numbers(self) -> set[str]:
        """Every number a reply may contain, as digits only (for checks and tests)."""
        return {
            "".join(ch for ch in number if ch.isdigit())
            for e in self.entries.values()
            if e.shown
            for number in e.numbers
        }

    def render(self, ids: list[str] | tuple[str, ...], *, brief: bool = False) -> str:
        """Entries as chat lines in the current language; unknown or hidden ids are skipped,
        and an id named twice is shown once. `brief`: one line each, name, number and where it
        works (for an answer that must stay short)."""
        seen: set[str] = set()
        lines = []
        for i in ids:
            entry = self.get(i)
            if entry is None or entry.id in seen:
                continue
            seen.add(entry.id)
            key = (entry.id, current_locale(), brief)
            text = self._lines.get(key)
            if text is None:
                text = self.render_brief(entry) if brief else self.render_entry(entry)
                self._lines[key] = text
            lines.append(text)
        return "\n".join(lines)

    def render_brief(self, entry: Entry) -> str:
        line = f"• {entry.name[current_locale()]}"
        if entry.numbers:
            return line + ": " + " / ".join(entry.numbers) + " — " + self.reach_text(entry)
        return line + (f" — {entry.url}" if entry.url else "")

    def render_entry(self, entry: Entry) -> str:
        lang = current_locale()
        line = f"• {entry.name[lang]}"
        if entry.numbers:
            line += ": " + " / ".join(entry.numbers)
        if entry.url:
            line += f" — {entry.url}"
        if entry.kind == "office" and entry.city:
            line += " — " + _("office in {city}").format(city=entry.city)
        details = [entry.purpose[lang], entry.note[lang]]
        if entry.numbers:
            details.append(self.reach_text(entry))
        checked = format_date(entry.checked_on, "d MMM yyyy", locale=BABEL_LOCALE[lang])
        details.append(_("Checked {date}.").format(date=checked))
        text = " ".join(_sentence(d) for d in details if d)
        return f"{line}\n  {text}"

    def reach_text(self, entry: Entry) -> str:
        if entry.reach == "inside" and entry.countries:
            where = ", ".join(self.country_name(c) for c in entry.countries)
            return _("Only from a phone in {country}.").format(country=where)
        if entry.countries and "ID" not in entry.countries:
            # A mission's or a foreign line's own number: the family at home can ring it too.
            return _("Works from any phone, also from Indonesia.")
        return _("Works from a mobile abroad too.")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def render_entry(entry: Entry, directory: Directory | None = None) -> str:
    """One entry as a chat line (kept for callers of the older module-level function)."""
    return (directory or Directory([entry])).render_entry(entry)
