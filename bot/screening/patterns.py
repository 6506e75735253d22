"""Indicator patterns: compiled regex lists with the anchor words that prefilter them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.screening.results import ScreeningDataError

_SPACE_OPT = re.compile(r" \?")
_MACRO = re.compile(r"%([A-Z_]+)%")
_TOKEN = re.compile(r"[\w'’-]+")
_WORD = re.compile(r"\w+")
# Clause boundaries: negation and "is this a question" never reach across them. Dots and commas
# inside numbers ("2,5 jt", "3.500.000") are not boundaries.
_CLAUSE_END = re.compile(
    # one character class first (a fast scan), then which boundary it is: a dot or comma
    # before a space, a run of other marks, or a space before a joining word
    r"[.,!?;\n()\[\]\s](?:(?<=[.,])(?=\s|$)|(?<=[!?;\n()\[\]])[!?;\n()\[\]]*"
    r"|(?<=\s)(?=[tnbpshwmTNBPSHWM])(?i:tapi|tetapi|namun|but|padahal|sedangkan|however"
    r"|although|walaupun|meskipun|sedang)(?=\s))"
)
# the same ends as r"[.](?=\s|$)|[!?\n]+", with one character class first: the regex engine
# then skips ahead to the next mark instead of trying both alternatives at every character
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=\.)(?=\s|$)|(?<=[!?\n])[!?\n]*)")
_CONDITIONAL = re.compile(r"^\W*(?:kalau|kalo|klo|jika|jikalau|apabila|bila|seandainya|if)\b", re.I)


def _expand(pattern: str, macros: Mapping[str, str]) -> str:
    for _ in range(5):  # macros may use macros; five levels is plenty
        new = _MACRO.sub(lambda m: macros[m.group(1)], pattern)
        if new == pattern:
            break
        pattern = new
    return pattern


def _regex_source(pattern: str, macros: Mapping[str, str]) -> str:
    src = _expand(pattern, macros)
    # A space means "whitespace" so that chat text with double spaces or line breaks matches.
    return _SPACE_OPT.sub(r"\\s*", src).replace(" ", r"\s+")


_ANCHOR_LEN = 7  # anchors and text-word prefixes are compared on at most this many characters
_ANCHOR_CAP = 3000  # give up on (and simply always run) alternations with more start strings
_WORDCHAR = re.compile(r"\w")
_END = "\x00"  # in _starts: "the word ends here"


def _starts(seq: list[tuple[Any, Any]], cont: frozenset[str]) -> frozenset[str]:
    """Word starts that a match of the parsed sequence must begin with ("" = no guarantee).

    `cont` holds the starts of whatever follows the sequence. Python's re tries every branch
    of an alternation at every word start (IGNORECASE and the leading look-behind switch its
    own shortcuts off). Knowing that every match begins with, say, "bayar", "setor" or the
    whole word "ga" lets a text without such a word skip the pattern. A start ending in a
    space stands for a whole word ("ga " is not "gaji").
    """
    from re import _constants as c

    if not seq:
        return cont
    op, av = seq[0]
    rest = seq[1:]
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return _starts(rest, cont)
    if op is c.LITERAL:
        ch = chr(av).lower()
        if not _WORDCHAR.match(ch):
            return _NO_MORE
        return _cap(frozenset(_join(ch, t) for t in _starts(rest, cont)))
    if op is c.CATEGORY:
        if av is c.CATEGORY_SPACE:
            return _NO_MORE
        if av is c.CATEGORY_DIGIT:
            return _DIGITS
        return _UNKNOWN
    if op is c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is c.LITERAL:
                chars.add(chr(iav).lower())
            elif iop is c.RANGE and iav[1] - iav[0] < 30:
                chars.update(chr(x).lower() for x in range(iav[0], iav[1] + 1))
            elif iop is c.CATEGORY and iav is c.CATEGORY_SPACE:
                chars.add(" ")
            elif iop is c.CATEGORY and iav is c.CATEGORY_DIGIT:
                chars.update("0123456789")
            else:
                return _UNKNOWN
        if any(ch != " " and not _WORDCHAR.match(ch) for ch in chars):
            return _UNKNOWN  # a class that may start with punctuation: no guarantee
        tail = _starts(rest, cont)
        out = {_join(ch, t) for ch in chars if ch != " " for t in tail}
        if " " in chars:
            out.add(_END)
        return _cap(frozenset(out))
    if op is c.SUBPATTERN:
        return _starts(list(av[3]), _starts(rest, cont))
    if op is c.BRANCH:
        tail = _starts(rest, cont)
        out: set[str] = set()
        for branch in av[1]:
            out |= _starts(list(branch), tail)
        return _cap(frozenset(out))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, _hi, item = av
        tail = _starts(rest, cont)
        # after one repetition comes either the rest or another repetition: only the first
        # repetition's own start is certain, so "" (no guarantee beyond it) joins the tail
        taken = _starts(list(item), tail | _UNKNOWN)
        return _cap(taken | tail) if lo == 0 else taken
    return _UNKNOWN


_NO_MORE = frozenset({"\x00"})
_UNKNOWN = frozenset({""})
_DIGITS = frozenset("0123456789")


def _cap(starts: frozenset[str]) -> frozenset[str]:
    return _UNKNOWN if len(starts) > _ANCHOR_CAP else starts


def _join(ch: str, tail: str) -> str:
    if tail.startswith(_END):
        return ch + " "
    return (ch + tail)[:_ANCHOR_LEN]


def _anchors(source: str) -> frozenset[str] | None:
    from re import _parser

    try:
        # the pattern is followed by (?!\w): its end is the end of a word
        starts = _starts(list(_parser.parse(source, re.IGNORECASE)), _NO_MORE)
    except Exception:  # an unusual construct: no prefilter, the pattern always runs
        return None
    if not starts or "" in starts or _END in starts or len(starts) > _ANCHOR_CAP:
        return None
    return frozenset(starts)


def _first_literal(source: str) -> str | None:
    """The one character every match of `source` starts with, when it is not a letter (so
    case does not matter), else None."""
    from re import _constants as c
    from re import _parser

    try:
        seq = list(_parser.parse(source, re.IGNORECASE))
    except Exception:
        return None
    while seq:
        op, av = seq[0]
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            seq = seq[1:]
        elif op is c.SUBPATTERN:
            seq = list(av[3]) + seq[1:]
        elif op is c.LITERAL:
            ch = chr(av)
            return None if ch.lower() != ch.upper() or ch.isalnum() else ch
        else:
            return None
    return None


def _word_keys(word: str) -> list[str]:
    """The keys anchors are looked up with for one lower-case word: its prefixes up to
    _ANCHOR_LEN characters, and the whole word + " " when it is short."""
    n = len(word)
    keys = [word[:k] for k in range(1, min(n, _ANCHOR_LEN) + 1)]
    if n < _ANCHOR_LEN:
        keys.append(word + " ")
    return keys


class _Rx:
    """A list of patterns, compiled whole (for search) and one by one with their anchors.

    Scanning runs only the patterns whose anchors occur in the text; `regex` (all patterns as
    one alternation) serves plain searches such as negation look-ups.
    """

    __slots__ = ("alts", "always", "first_char", "id", "regex")

    def __init__(
        self,
        regex: re.Pattern[str],
        alts: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...],
    ) -> None:
        self.regex = regex
        self.alts = alts
        # patterns without anchors run on every text, unless the text lacks the character
        # they must start with ("$1500": most texts have no "$")
        self.always = frozenset(i for i, (_, anchors) in enumerate(alts) if anchors is None)
        self.first_char = {i: _first_literal(alts[i][0].pattern) for i in self.always}
        self.id = -1  # set by the Screener's anchor index

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.regex.search(text, pos, len(text) if endpos is None else endpos)

    def match(self, text: str, pos: int, endpos: int) -> re.Match[str] | None:
        return self.regex.match(text, pos, endpos)

    def sub(self, repl: str, text: str) -> str:
        return self.regex.sub(repl, text)

    def finditer(self, text: str) -> Iterable[re.Match[str]]:
        return self.regex.finditer(text)


def _compile_any(patterns: Iterable[str], macros: Mapping[str, str], where: str) -> _Rx:
    patterns = list(patterns)
    parts = [f"(?:{_regex_source(p, macros)})" for p in patterns]
    if not parts:
        raise ScreeningDataError(f"{where}: empty pattern list")
    try:
        # One word-boundary guard around the whole alternation: positions inside a word fail
        # at once instead of trying every alternative.
        alternation = "|".join(parts)
        regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
        alts = tuple(
            (re.compile(rf"(?<!\w){part}(?!\w)", re.IGNORECASE), _anchors(part)) for part in parts
        )
        return _Rx(regex, alts)
    except re.error as exc:  # name the broken pattern, not just the combined one
        for p in patterns:
            try:
                re.compile(rf"(?<!\w)(?:{_regex_source(p, macros)})(?!\w)", re.IGNORECASE)
            except re.error as inner:
                raise ScreeningDataError(f"{where}: bad pattern {p!r}: {inner}") from inner
        raise ScreeningDataError(f"{where}: {exc}") from exc
