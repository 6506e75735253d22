"""Turning a Reply into text for channels without buttons, and splitting long text.

The words come from the catalogs in the recipient's language; channels only lay them out.
"""

from __future__ import annotations

import re

from babel.lists import format_list

from bot.i18n import BABEL_LOCALE, _, normalize_locale, use_locale
from bot.messages import Reply


def numbered(reply: Reply, locale: str, *, location_hint: str | None = None) -> str:
    """The reply's text with its choices as a numbered list and "Reply 1, 2 or 3"."""
    with use_locale(locale):
        parts = [reply.text] if reply.text else []
        if reply.choices:
            parts.append("\n".join(f"{i}. {c.label}" for i, c in enumerate(reply.choices, 1)))
            numbers = [str(i) for i in range(1, len(reply.choices) + 1)]
            if len(numbers) == 1:
                parts.append(_("Reply 1."))
            else:
                listed = format_list(
                    numbers, style="or", locale=BABEL_LOCALE[normalize_locale(locale)]
                )
                parts.append(_("Reply {numbers}.").format(numbers=listed))
        if reply.ask_location and location_hint:
            parts.append(location_hint)
        return "\n\n".join(parts)


_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Split into messages of at most `limit` characters, in order, at the gentlest boundary:
    paragraphs, then lines, then sentences, then words, then hard."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        sep = "\n\n" if current else ""
        if len(current) + len(sep) + len(piece) <= limit:
            current += sep + piece
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for para in _PARAGRAPH.split(text):
        para = para.strip()
        if not para:
            continue
        if len(para) <= limit:
            out.append(para)
            continue
        out.extend(_split_smaller(para, limit))
    return out


def _split_smaller(block: str, limit: int) -> list[str]:
    for splitter, joiner in (
        (re.compile(r"\n"), "\n"),
        (_SENTENCE, " "),
        (re.compile(r"\s+"), " "),
    ):
        units = [u for u in splitter.split(block) if u]
        if len(units) > 1:
            chunks: list[str] = []
            current = ""
            for unit in units:
                if len(unit) > limit:
                    if current:
                        chunks.append(current)
                        current = ""
                    chunks.extend(_split_smaller(unit, limit))
                    continue
                candidate = f"{current}{joiner}{unit}" if current else unit
                if len(candidate) <= limit:
                    current = candidate
                else:
                    chunks.append(current)
                    current = unit
            if current:
                chunks.append(current)
            return chunks
    return [block[i : i + limit] for i in range(0, len(block), limit)]
