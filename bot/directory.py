"""The contact directory (content/contacts.toml): hotlines, embassies, BP3MI offices.

Only high- and medium-confidence entries are ever shown; medium ones carry a "check before
relying on it" note. Low-confidence and unverified entries stay in the file for editors.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import _, current_locale
from bot.paths import CONTENT

SHOWN = ("high", "medium")


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

    @property
    def shown(self) -> bool:
        return self.confidence in SHOWN


class Directory:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.id: e for e in entries}

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
                checked=raw["checked"],
            )
            for raw in data["contact"]
        ]
        return cls(entries)

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
            if e.shown and e.kind == "office" and e.province.lower() == province.lower():
                return e
        return None

    def render(self, ids: list[str] | tuple[str, ...]) -> str:
        """Entries as chat lines in the current language; unknown or hidden ids are skipped."""
        return "\n".join(
            line for i in ids if (entry := self.get(i)) and (line := render_entry(entry))
        )


def render_entry(entry: Entry) -> str:
    lang = current_locale()
    parts = [f"• {entry.name[lang]}"]
    if entry.numbers:
        parts.append(": " + " / ".join(entry.numbers))
    if entry.url:
        parts.append(f" — {entry.url}")
    if entry.kind == "office" and entry.city:
        parts.append(" — " + _("office in {city}").format(city=entry.city))
    line = "".join(parts)
    note = entry.note[lang]
    if note:
        line += f" — {note}"
    if entry.confidence == "medium":
        line += " " + _("(check this number before relying on it)")
    return line
