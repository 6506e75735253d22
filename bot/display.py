"""Display safety: what one person wrote, made safe to show to another.

A name or a text a person gives us (a Telegram first name, a WhatsApp profile name, a report's
description, a volunteer's name from a CSV file) reaches someone else: a volunteer's alert,
the contact block after they accept, the reporter's status updates, an operator's terminal.
Unicode lets that text lie about itself: a right-to-left override turns "+62 812…" around, a
zero-width space or word joiner hides inside a number, a newline followed by "Kontak: +62 …"
fakes a line of our own, NUL and ESC sequences drive terminals. So everything shown to another
person goes through this one module, on the way in (names as they are stored) and on the way
out (texts as they are shown, so rows stored before this module existed are safe too).

This is not the matching normalisation of bot/text (case folding, spellings): it keeps what a
person wrote, in their script, and removes only what is invisible or moves other text.

    name(raw)      one line, at most NAME_CHARS characters, None when nothing visible is left
    text(raw)      lines kept, at most `limit` characters
    terminal(raw)  for an operator's terminal: every control or format character escaped
"""

from __future__ import annotations

import re
import unicodedata

NAME_CHARS = 64
TEXT_CHARS = 4000
# A letter may carry a few combining marks (Vietnamese stacks two, some Indic scripts three);
# hundreds of them ("Zalgo") paint over the lines around the name.
MAX_MARKS = 4

# Zero-width joiner: invisible inside words, but it is what glues an emoji family (👨‍👩‍👧) or
# a skin tone together. Kept between two symbols, dropped elsewhere.
_ZWJ = "\u200d"
# Line and paragraph separators render as line breaks.
_LINE_SEPARATORS = {"\u2028", "\u2029", "\x85"}
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _is_symbol(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk") or ch == "\ufe0f"


def _visible(raw: str, *, keep_newlines: bool) -> str:
    """Remove control and format characters (bidi embeddings, overrides and isolates,
    zero-width space/joiners, word joiner, BOM, soft hyphen, tags), surrogates, private-use and
    unassigned code points; whitespace of every kind becomes a plain space (a newline stays
    when `keep_newlines`)."""
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    marks = 0
    for i, ch in enumerate(raw):
        if ch == "\n" or ch in _LINE_SEPARATORS:
            out.append("\n" if keep_newlines else " ")
            marks = 0
            continue
        category = unicodedata.category(ch)
        if ch == _ZWJ:
            before = out[-1] if out else ""
            after = raw[i + 1] if i + 1 < len(raw) else ""
            if before and after and _is_symbol(before) and _is_symbol(after):
                out.append(ch)
            continue
        if category in ("Zs", "Zl", "Zp") or ch == "\t":
            out.append(" ")
            marks = 0
        elif category[0] == "C":  # Cc, Cf, Cs, Co, Cn
            continue
        elif category in ("Mn", "Me"):
            marks += 1
            if marks <= MAX_MARKS and out:
                out.append(ch)
        else:
            out.append(ch)
            marks = 0
    return "".join(out)


def _cap(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: max(0, limit - 1)].rstrip() + "…"


def name(raw: object, limit: int = NAME_CHARS) -> str | None:
    """A name to show: one line, single spaces, at most `limit` characters; None when empty
    (or when `raw` is not a string at all)."""
    if not isinstance(raw, str):
        return None
    cleaned = _SPACES.sub(" ", _visible(raw, keep_newlines=False)).strip()
    return _cap(cleaned, limit) or None


def text(raw: object, limit: int = TEXT_CHARS) -> str:
    """A free text to show: its lines kept (at most one blank line in a row), spaces single,
    at most `limit` characters."""
    if not isinstance(raw, str):
        return ""
    lines = [
        _SPACES.sub(" ", line).strip() for line in _visible(raw, keep_newlines=True).split("\n")
    ]
    cleaned = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _cap(cleaned, limit)


def terminal(raw: object) -> str:
    """`raw` for a terminal: control, format and separator characters shown as \\x.. / \\u....
    escapes (an ESC sequence in a CSV name must not recolour or retitle the operator's
    terminal), everything else as is."""
    out = []
    for ch in str(raw):
        category = unicodedata.category(ch)
        if category[0] == "C" or category in ("Zl", "Zp"):
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


__all__ = ["MAX_MARKS", "NAME_CHARS", "TEXT_CHARS", "name", "terminal", "text"]
