"""content/understanding.toml read once: word lists keyed for whole-message lookups, and
patterns compiled into one regular expression per list.

The folding here is what the lists are written against; see the head of the TOML file.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.paths import CONTENT

LEXICON_FILE = CONTENT / "understanding.toml"

_SQUEEZE = re.compile(r"([a-z])\1{2,}")
_REDUP_TWO = re.compile(r"\b([a-z]{3,})2\b")
_MACRO = re.compile(r"%([A-Z_]+)%")
# What is not a word: punctuation and symbols (emoji included), kept apart from letters.
_NON_WORD = re.compile(r"[^\w\s/'-]")  # and "_", replaced before: one class is faster


# Runs of characters outside ASCII: only these can carry accents to drop, so only these are
# looked at one by one (a pasted advert is mostly ASCII with a few emoji).
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop_marks(m: re.Match[str]) -> str:
    return "".join(c for c in m.group(0) if not unicodedata.combining(c))


def _first_group(m: re.Match[str]) -> str:
    return m.group(1)  # faster than the template r"\1", expanded in Python at every match


def fold(text: str) -> str:
    """Lower case, no accents, squeezed letter runs, "surat2" as "surat", single spaces."""
    text = text or ""
    if not text.isascii():
        text = _NON_ASCII.sub(_drop_marks, unicodedata.normalize("NFKD", text))
    text = text.lower().replace("\u2019", "'").replace("`", "'").replace("\u2018", "'")
    # Searched before replaced: a replacement with a template costs more than the search,
    # and most texts have neither.
    if _SQUEEZE.search(text):
        text = _SQUEEZE.sub(_first_group, text)
    if "2" in text and _REDUP_TWO.search(text):
        text = _REDUP_TWO.sub(_first_group, text)
    return " ".join(text.split())  # str.split and \s agree on what is a space


def key(text: str) -> str:
    """A whole message as the [whole] lists are looked up: words only, single spaces.
    A message of punctuation only ("-", "?", ">>") keeps it."""
    return key_of_folded(fold(text))


def key_of_folded(folded: str) -> str:
    """`key` of a text already folded (`fold(text)`)."""
    words = " ".join(_NON_WORD.sub(" ", folded.replace("_", " ")).split()).strip(" -'/")
    if words:
        return words
    return folded.replace(" ", "")


# Under this many characters one expression over the text costs less than the merge of two.
_SHORT = 80


class Hit:
    """Where a list matched: the part of `re.Match` the readers use."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self, n: int = 0) -> str:
        if n:
            raise IndexError("a Hit keeps the whole match only")
        return self._text


@dataclass(frozen=True)
class Patterns:
    """One list of patterns as a single regular expression (word-bounded alternatives).

    `regex` is the list as written. Python's engine runs fast only over a pattern that starts
    with a character class, and a list of word-bounded alternatives starts with a look-behind:
    tried at every character, it cost a 1,500-character paste milliseconds per list. So the
    same list is also kept as `words`, the alternatives that begin a word, tried right after a
    character that is not a word character (the engine skips to those), and `loose`, the
    alternatives tried at every character. `iter` merges the two into exactly the matches of
    `regex.finditer`: leftmost first, the word alternatives first at the same place (as in
    `regex`), each search going on after the last match."""

    regex: re.Pattern[str] | None
    words: re.Pattern[str] | None = None  # r"\W(?=(alternatives))": the match is group 1
    loose: re.Pattern[str] | None = None  # alternatives not bound to a word start, no "^"
    # When set, `loose` is tried only where one of these characters stands (and where a word
    # starts, as part of `words`).
    symbols: re.Pattern[str] | None = None
    at_end: bool = False  # some pattern ends with "$": a text cut short would end it

    def search(self, text: str, pos: int = 0) -> Hit | re.Match[str] | None:
        if self.regex is None:
            return None
        if self.words is None or pos or len(text) < _SHORT:
            return self.regex.search(text, pos)
        return next(self.iter(text), None)

    def finditer(self, text: str) -> list[Hit | re.Match[str]]:
        return list(self.iter(text))

    def iter(self, text: str) -> Iterator[Hit | re.Match[str]]:
        if self.regex is None:
            return iter(())
        if self.words is None or len(text) < _SHORT:
            return self.regex.finditer(text)
        return self._merged(text, self.words, self.loose)

    def _merged(
        self, text: str, words: re.Pattern[str], loose: re.Pattern[str] | None
    ) -> Iterator[Hit | re.Match[str]]:
        assert self.regex is not None
        first = self.regex.match(text)  # at the start, where "^" holds and nothing is before
        if first is not None:
            yield first
            pos = first.end() if first.end() > first.start() else 1
        else:
            pos = 1
        end = len(text)
        word: re.Match[str] | None = None
        word_at = -1  # start of `word` (group 1); -1: to search, end + 1: none left
        other: re.Match[str] | None = None
        other_at = -1
        while pos <= end:
            if word_at < pos:
                word = words.search(text, pos - 1)
                word_at = word.start(1) if word is not None else end + 1
            if loose is not None and other_at < pos:
                other = self._loose_search(text, pos, loose)
                other_at = other.start() if other is not None else end + 1
            if word_at <= end and (loose is None or word_at <= other_at):
                assert word is not None
                start, stop = word.span(1)
                yield Hit(start, stop, word.group(1))
            elif loose is not None and other_at <= end:
                assert other is not None
                start, stop = other.span()
                yield other
            else:
                return
            pos = stop if stop > start else start + 1

    def _loose_search(self, text: str, pos: int, loose: re.Pattern[str]) -> re.Match[str] | None:
        if self.symbols is None:
            return loose.search(text, pos)
        for symbol in self.symbols.finditer(text, pos):
            m = loose.match(text, symbol.start())
            if m is not None:
                return m
        return None


def _expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ValueError(f"macros nest too deep in {pattern!r}")
    out = _MACRO.sub(lambda m: macros[m.group(1)], pattern)
    return _expand(out, macros, depth + 1) if _MACRO.search(out) else out


def compile_patterns(patterns: list[str], macros: dict[str, str], where: str) -> Patterns:
    if not patterns:
        return Patterns(None)
    at_word: list[str] = []
    anywhere: list[tuple[str, bool]] = []  # (alternative, anchored at the start)
    for p in patterns:
        source = _expand(p, macros).replace(" ?", r"\s*").replace(" ", r"\s+")
        try:
            re.compile(source)
        except re.error as exc:
            raise ValueError(f"{where}: bad pattern {p!r}: {exc}") from exc
        # A word boundary where the match ends with a word character: "visa" does not match
        # inside "visanya", but "$50/" may be followed by "3 jam".
        tail = "" if p.endswith("$") else r"(?:(?<=\w)(?!\w)|(?<!\w))"
        if p.startswith("^"):
            anywhere.append((f"(?:{source}){tail}", True))
        elif _WORD_START.match(source) and not p.startswith(_LOOSE_STARTS):
            at_word.append(f"(?:{source}){tail}")
        else:
            anywhere.append((rf"(?:(?<!\w)|(?!\w))(?:{source}){tail}", False))
    # Patterns that start with a word are tried only where a word starts: ten times faster
    # than trying each of hundreds of alternatives at every character.
    parts = []
    if at_word:
        parts.append(r"(?<!\w)(?=\w)(?:" + "|".join(at_word) + ")")
    parts.extend(a for a, _ in anywhere)
    # No IGNORECASE: every text read is folded to lower case first, and a case-blind
    # alternative costs the engine a full try where a lower-case literal is skipped at once.
    regex = re.compile("|".join(parts))
    at_end = any(_AT_END.search(p) for p in patterns)
    if not at_word:
        return Patterns(regex, at_end=at_end)
    loose = [a for a, anchored in anywhere if not anchored]  # "^" holds at the start only
    words = _by_first_letter(at_word)
    if not loose:
        return Patterns(regex, words=re.compile(rf"\W(?=((?=\w)(?:{words})))"), at_end=at_end)
    # A loose alternative ("%AMOUNT%...") matches where a word starts or at a character that is
    # not a word character. Where a word starts, it is tried after the word alternatives, as
    # in `regex`; elsewhere only at the symbols it can start with ("$", "€", "+"), found at once.
    firsts = [_first_letters(a, classes=True) for a in loose]
    if any(f is None for f in firsts):  # it may start with anything: tried everywhere
        return Patterns(
            regex,
            words=re.compile(rf"\W(?=((?=\w)(?:{words})))"),
            loose=re.compile("|".join(loose)),
            at_end=at_end,
        )
    symbols = sorted(
        {ch for f in firsts if f for ch in f if ch != _ANY_WORD_CHAR and not _WORD_CHAR.match(ch)}
    )
    return Patterns(
        regex,
        words=re.compile(rf"\W(?=((?=\w)(?:{words}|{'|'.join(loose)})))"),
        loose=re.compile("|".join(loose)) if symbols else None,
        symbols=re.compile(f"[{''.join(re.escape(ch) for ch in symbols)}]") if symbols else None,
        at_end=at_end,
    )


_AT_END = re.compile(r"(?<!\\)\$")  # "$" not written as "\$"

# Below this many alternatives the look-ahead per letter costs more than it saves (measured:
# the danger list of 250 alternatives halves, lists of 50 get a fifth slower).
_MANY = 120


def _by_first_letter(alternatives: list[str]) -> str:
    """The alternatives as one group per first letter, `(?=k)(?:...)`, each keeping the list's
    order, so a word is tried only against the alternatives that can start with its letter.
    The match is the same: at any place only those alternatives could match, in that order.
    Kept as written when too many alternatives may start with anything."""
    firsts = [_first_letters(a) for a in alternatives]
    if sum(f is None for f in firsts) * 10 > len(alternatives) or len(alternatives) < _MANY:
        return "|".join(alternatives)
    letters = sorted(set().union(*(f for f in firsts if f is not None)))
    groups = []
    for letter in letters:
        mine = [a for a, f in zip(alternatives, firsts, strict=True) if f is None or letter in f]
        groups.append(f"(?={re.escape(letter)})(?:{'|'.join(mine)})")
    rest = [a for a, f in zip(alternatives, firsts, strict=True) if f is None]
    if rest:  # a letter no group starts with
        groups.append(f"(?![{''.join(re.escape(c) for c in letters)}])(?:{'|'.join(rest)})")
    return "|".join(groups)


_ANY_WORD_CHAR = "\\w"  # in a first set: some character of \w or \d, not named


def _first_letters(source: str, classes: bool = False) -> frozenset[str] | None:
    r"""The characters a match of `source` can start with; None when any (or unknown). With
    `classes`, \w and \d count as the one member `_ANY_WORD_CHAR`."""
    try:
        from re import _constants as c
        from re import _parser
    except ImportError:  # the parser is the engine's own; without it nothing is grouped
        return None

    def first(items: Any) -> tuple[set[str] | None, bool]:
        """(characters, whether the items can match nothing)"""
        out: set[str] = set()
        for op, av in items:
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue  # takes no character: the next item starts the match
            if op is c.LITERAL:
                out.add(chr(av))
                return out, False
            if op is c.IN:
                for o, a in av:
                    if o is c.LITERAL:
                        out.add(chr(a))
                    elif o is c.RANGE and a[1] - a[0] < 64:
                        out.update(chr(x) for x in range(a[0], a[1] + 1))
                    elif classes and o is c.CATEGORY and a in _WORD_CATEGORIES:
                        out.add(_ANY_WORD_CHAR)
                    else:
                        return None, False
                return out, False
            if op in (c.SUBPATTERN, c.ATOMIC_GROUP, c.BRANCH, c.MAX_REPEAT, c.MIN_REPEAT):
                if op is c.SUBPATTERN:
                    inner, empty = first(av[3])
                elif op is c.ATOMIC_GROUP:
                    inner, empty = first(av)
                elif op is c.BRANCH:
                    inner, empty = set(), False
                    for alternative in av[1]:
                        chars, nothing = first(alternative)
                        if chars is None:
                            return None, False
                        inner |= chars
                        empty = empty or nothing
                else:
                    inner, empty = first(av[2])
                    empty = empty or av[0] == 0
                if inner is None:
                    return None, False
                out |= inner
                if not empty:
                    return out, False
                continue
            return None, False
        return out, True

    _WORD_CATEGORIES = (c.CATEGORY_DIGIT, c.CATEGORY_WORD)
    try:
        chars, empty = first(_parser.parse(source))
    except Exception:  # an expression the walk does not know: not grouped
        return None
    return None if chars is None or empty else frozenset(chars)


# "\w+kah" starts a word too: where it is tried everywhere, it can match only where a word
# starts, and trying it everywhere cost most of the question list's time.
_WORD_START = re.compile(r"(?:\(\?:)*(?:[a-zA-Z0-9]|\\w)")
# Macros that may begin with a symbol ("$50", "€1200"): such a pattern is tried everywhere.
_LOOSE_STARTS = ("%AMOUNT%", "(?:%AMOUNT%")


def phrase_patterns(words: list[str]) -> Patterns:
    """Plain words and phrases (no regex) as one word-bounded expression."""
    folded = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
    if not folded:
        return Patterns(None)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in folded)
    regex = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")
    if not all(_WORD_CHAR.match(w) for w in folded):
        return Patterns(regex)
    return Patterns(regex, words=re.compile(rf"\W(?=((?:{alternatives})(?![\w])))"))


_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Country:
    code: str
    names: tuple[str, ...]
    article: str | None


class Lexicon:
    def __init__(self, data: dict[str, Any]) -> None:
        macros: dict[str, str] = {k: str(v) for k, v in data.get("macros", {}).items()}
        self.macros = macros
        whole = data.get("whole", {})
        # Longest first; among phrases of one length, in a fixed order (it decides which end
        # goes first in "kak ... ya").
        self.address = tuple(
            sorted({key(w) for w in whole.get("address", [])}, key=lambda w: (-len(w.split()), w))
        )
        self.address_set = frozenset(self.address)
        # word count -> {phrase as words: its place in `address`}
        self.address_by_length: tuple[tuple[int, dict[tuple[str, ...], int]], ...] = tuple(
            (n, {tuple(a.split()): i for i, a in enumerate(self.address) if len(a.split()) == n})
            for n in sorted({len(a.split()) for a in self.address}, reverse=True)
        )
        # (intent, action) for every whole-message phrase; the first list to claim a phrase
        # keeps it, in the order intents are read.
        self.whole: dict[str, dict[str, str]] = {}
        for intent in ("navigation", "command", "smalltalk"):
            table: dict[str, str] = {}
            for action, words in whole.get(intent, {}).items():
                for w in words:
                    table.setdefault(key(w), action)
            self.whole[intent] = table
        self.emoji: dict[str, str] = {
            e: kind for kind, es in whole.get("emoji", {}).items() for e in es
        }
        self.answers: dict[str, str] = {}
        for answer in ("unknown", "no", "yes"):  # "tidak ada" is rather "unknown" than "no"
            for w in whole.get("answer", {}).get(answer, []):
                self.answers.setdefault(key(w), answer)

        def section(name: str) -> dict[str, Any]:
            return data.get(name, {})

        self.command_patterns = tuple(
            (action, compile_patterns(ps, macros, f"command.{action}"))
            for action, ps in section("command").items()
        )
        # All of them at once: most messages match none, and one search says so.
        self.any_command = compile_patterns(
            [p for ps in section("command").values() for p in ps], macros, "command"
        )
        self.unknown_patterns = compile_patterns(
            section("unknown").get("patterns", []), macros, "unknown"
        )

        danger = section("danger")
        self.danger = compile_patterns(danger.get("patterns", []), macros, "danger.patterns")
        self.harm_lemmas = frozenset(danger.get("lemmas", []))
        self.harm_affixed = frozenset(danger.get("affixed_lemmas", []))
        self.danger_weak = compile_patterns(danger.get("weak", []), macros, "danger.weak")
        self.danger_threats = compile_patterns(danger.get("threats", []), macros, "danger.threats")
        self.danger_frames = compile_patterns(danger.get("frames", []), macros, "danger.frames")
        self.frame_scope = int(danger.get("frame_scope", 8))
        self.danger_present = compile_patterns(danger.get("present", []), macros, "danger.present")
        self.danger_negators = compile_patterns(
            danger.get("negators", []), macros, "danger.negators"
        )
        self.negator_scope = int(danger.get("negator_scope", 3))
        self.report = compile_patterns(section("report").get("patterns", []), macros, "report")
        self.status = compile_patterns(section("status").get("patterns", []), macros, "status")
        question = section("question")
        starts = sorted({fold(s) for s in question.get("starts", [])}, key=len, reverse=True)
        self.question_starts = re.compile(
            r"^(?:" + "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in starts) + r")(?![\w])"
        )
        self.question = compile_patterns(question.get("patterns", []), macros, "question")
        self.question_declared = compile_patterns(
            [f"^{d}" for d in question.get("declared", [])], macros, "question.declared"
        )
        offer = section("offer")
        self.offer_concrete = compile_patterns(offer.get("concrete", []), macros, "offer.concrete")
        self.offer_strong = compile_patterns(offer.get("strong", []), macros, "offer.strong")
        self.offer_weak = compile_patterns(offer.get("weak", []), macros, "offer.weak")
        self.offer_rhetorical = compile_patterns(
            offer.get("rhetorical", []), macros, "offer.rhetorical"
        )
        self.offer_check = compile_patterns(offer.get("asks_check", []), macros, "offer.asks")
        self.paste_markers = phrase_patterns(offer.get("paste_markers", []))
        self.countries = tuple(
            Country(code, tuple(fold(n) for n in v.get("names", [])), v.get("article"))
            for code, v in section("countries").items()
        )
        self.country_names = {n: c for c in self.countries for n in c.names}
        self.country_regex = phrase_patterns(list(self.country_names))
        self.topics: dict[str, str] = {}
        for article, words in section("topics").items():
            for w in words:
                self.topics.setdefault(key(w), article)
        self.topic_regex = phrase_patterns(list(self.topics))
        self.place_cues = phrase_patterns(section("places").get("cues", []))

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        return cls(tomllib.loads((path or LEXICON_FILE).read_text(encoding="utf-8")))


@cache
def default_lexicon() -> Lexicon:
    return Lexicon.load()
