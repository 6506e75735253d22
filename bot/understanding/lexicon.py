"""content/understanding.toml read once: word lists keyed for whole-message lookups, and
patterns compiled into one regular expression per list, with a word index (`Indexed`,
`WordIndex`) that tries a list on a long text only where its first words stand.

The folding here is what the lists are written against; see the head of the TOML file.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from heapq import heapify, heappop, heapreplace
from itertools import repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any

from bot.paths import CONTENT

LEXICON_FILE = CONTENT / "understanding.toml"

_SQUEEZE = re.compile(r"([a-z])\1{2,}")
_TRIPLES = tuple(chr(c) * 3 for c in range(ord("a"), ord("z") + 1))
_REDUP_TWO = re.compile(r"\b([a-z]{3,})2\b")
# Where _REDUP_TWO can match: a "2" after three letters (searched from its literal "2", which
# the engine finds at once; _REDUP_TWO starts with a look-behind, tried at every character).
_REDUP_HINT = re.compile(r"2(?<=[a-z]{3}2)(?!\w)")
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
    # A long text is asked first whether a letter stands three times in a row at all (26
    # substring searches in C cost less than the expression over every character).
    if (len(text) < _SHORT or any(map(text.__contains__, _TRIPLES))) and _SQUEEZE.search(text):
        text = _SQUEEZE.sub(_first_group, text)
    if "2" in text and _REDUP_HINT.search(text) and _REDUP_TWO.search(text):
        text = _REDUP_TWO.sub(_first_group, text)
    return " ".join(text.split())  # str.split and \s agree on what is a space


def key(text: str) -> str:
    """A whole message as the [whole] lists are looked up: words only, single spaces.
    A message of punctuation only ("-", "?", ">>") keeps it."""
    return key_of_folded(fold(text))


# _NON_WORD and "_" as one byte table, for ASCII texts (made from the expression itself)
_KEY_SPACES = bytes(
    ord(" ") if chr(b) == "_" or _NON_WORD.match(chr(b)) else b for b in range(128)
) + bytes(range(128, 256))


def key_of_folded(folded: str) -> str:
    """`key` of a text already folded (`fold(text)`)."""
    if folded.isascii():
        spaced = folded.encode("ascii").translate(_KEY_SPACES).decode("ascii")
    else:
        spaced = _NON_WORD.sub(" ", folded.replace("_", " "))
    words = " ".join(spaced.split()).strip(" -'/")
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


# How many first letters of a word the index keeps: enough to tell most words apart.
KEY = 4

# ASCII characters that are not word characters (\w), each made a space: the words of an
# ASCII text are then what str.split finds, at the same places.
_ASCII_SPACES = bytes(
    b if chr(b).isalnum() or chr(b) == "_" else ord(" ") for b in range(128)
) + bytes(range(128, 256))
_ASCII = frozenset(chr(b) for b in range(128))
_first = itemgetter(slice(None, KEY))

# A key names where a pattern can start, by its bucket (pair, letters known): the first
# letters of the word ("dipu"; "hk" when that is the whole word; "ma", 2 letters known, when a
# class follows), of the word and the next one ("di puku"), a symbol ("$", bucket (False, 0))
# or a word's end ("kah" of "\w+kah", bucket (False, -1)). A list is tried only where its
# keys are in the text.
Bucket = tuple[bool, int]
Keys = tuple[tuple[Bucket, frozenset[str]], ...]
# What str.find looks for in the spaced text: " dipu" (a word starting so), " hk " (that word)
Needle = str


class Indexed(str):
    """A text read by many lists, with its words found once by their first letters.

    Python's engine tries each alternative of a list at every word start; a paste of 1,500
    characters has some 250 word starts and a list hundreds of alternatives. The index turns
    that around: the words of the text are split once (in C: a translation and a split), each
    list keeps the first letters of the words (and of the word after) its patterns can start
    with, and a list is tried only where the two meet: set intersection, then str.find."""

    @classmethod
    def ending_as(cls, text: str, other: Indexed) -> Indexed:
        """`text`, which ends as `other` does (the spelled text of a long paste and its folded
        text differ at the start only): the words of the common end are not split again."""
        new = cls(text)
        same = common_end(text, other)
        cut = text.find(" ", len(text) - same)  # a space: the words after it are the same
        if cut >= 0 and same > 0:
            new.__dict__["_from"] = (other, cut, cut - (len(text) - len(other)))
        return new

    @classmethod
    def start_of(cls, text: Indexed, cut: int) -> Indexed:
        """`text[:cut]`, cut at a space: the index of `text` holds for it."""
        new = cls(str(text)[:cut])
        new.__dict__["_s"] = text.spaced()[: cut + 1] + " "
        new.__dict__["_of"] = text  # its keys: more than the start has, never fewer
        return new

    def spaced(self) -> str:
        """The text with every character that is not a word character made a space, with a
        space before and after: " dipu" is found where a word starting so stands."""
        spaced = self.__dict__.get("_s")
        if spaced is None:
            shared = self.__dict__.get("_from")
            if shared is not None:
                other, cut, other_cut = shared
                spaced = " " + _spaces(str(self)[:cut]) + other.spaced()[1 + other_cut :]
            else:
                spaced = f" {_spaces(str(self))} "
            self.__dict__["_s"] = spaced
        return spaced

    def keys(self, bucket: Bucket) -> frozenset[str]:
        """The text's keys of one kind (see `Keys`), or more (never fewer)."""
        whole = self.__dict__.get("_of")
        if whole is not None:
            return whole.keys(bucket)  # type: ignore[no-any-return]
        cache = self.__dict__.setdefault("_k", {})
        found = cache.get(bucket)
        if found is None:
            shared = self.__dict__.get("_from")
            if shared is not None:  # the other text's keys and those of the start
                other, cut, _ = shared
                spaced = self.spaced()
                # the start, to the first letters of the first word after the cut: that
                # word and the one before it make a pair neither text has
                start = self.__dict__.get("_start")
                if start is None:  # made once: every kind of key reads it
                    tail = spaced[cut + 1 : cut + 1 + 200]
                    first_word = cut + 1 + len(tail) - len(tail.lstrip(" "))
                    start = self.__dict__["_start"] = Indexed(spaced[: first_word + KEY])
                found = other.keys(bucket) | start.keys(bucket)
            else:
                found = self._own_keys(cache, bucket)
            cache[bucket] = found
        return found

    def _own_keys(self, cache: dict, bucket: Bucket) -> frozenset[str]:  # type: ignore[type-arg]
        pair, length = bucket
        words = cache.get("words")
        if words is None:
            words = cache["words"] = self.spaced().split()
        if length == KEY:
            firsts = cache.get("firsts")
            if firsts is None:
                firsts = cache["firsts"] = list(map(_first, words))
            if pair:
                return frozenset(map(add, map(add, firsts, repeat(" ")), firsts[1:]))
            return frozenset(firsts)
        return frozenset(map(itemgetter(slice(None, length)), words))

    def places(self, keys: Keys, needles: dict[str, Needle]) -> Iterator[tuple[int, Needle]]:
        """Where a word stands that starts one of the list's keys in the text, in order, each
        with the longest needle found there (all the needles found at one place begin the
        same word: the longest says the most). Found as they are asked for."""
        wanted: set[Needle] = set()
        spaced, text = self.spaced(), str(self)
        for bucket, ks in keys:
            if bucket == (False, 0):  # symbols: found in the text itself
                wanted.update(k for k in ks if k in text)
                continue
            if bucket == _ENDINGS:  # a word ending so
                wanted.update(needles[k] for k in ks if k + " " in spaced)
                continue
            if not bucket[0] and bucket[1] < KEY and len(ks) <= _FEW:
                # a few words' first letters ("ma"): each looked for, its needle being " ma",
                # instead of every word's first letters made into a set
                wanted.update(
                    n for n in map(needles.__getitem__, map(_CUT_KEY.format, ks)) if n in spaced
                )
                continue
            common = ks & self.keys(bucket)
            if common:
                if bucket[0] or bucket[1] == KEY:
                    wanted.update(map(needles.__getitem__, common))
                else:
                    wanted.update(needles[f"{k}*"] for k in common)
        if not wanted:
            return
        heap = []
        find = spaced.find  # a word's needle (" dipu") is found in the spaced text as it is
        for needle in wanted:
            at = find(needle) if needle[0] == " " else _find(needle, spaced, text, 0)
            if at >= 0:
                heap.append((at, -len(needle), needle))
        heapify(heap)
        while heap:
            at, _, needle = heap[0]
            here: Needle | None = needle
            while heap and heap[0][0] == at:  # the other needles found here too
                _, length, other = heap[0]
                if here is not None and not here.startswith(other):
                    here = None  # neither says more than the other: the whole list
                if other[0] == " ":
                    after = find(other, at + 1)
                else:
                    after = _find(other, spaced, text, at + 1)
                if after >= 0:
                    heapreplace(heap, (after, length, other))
                else:
                    heappop(heap)
            yield at, here


_ENDINGS: Bucket = (False, -1)  # words ending with these letters: "\w+kah"
_FEW = 16  # this many first letters or fewer are looked for one by one (see `places`)
_CUT_KEY = "{}*"  # the needle key of a word's first letters (see `_needle_key`)
_ENDING = "\0"  # a needle for a word's end: "\0kah"


def _find(needle: Needle, spaced: str, text: str, start: int) -> int:
    """Where the next word (or symbol) `needle` names stands in the text, from `start`."""
    if needle[0] == " ":  # " " before the word: its place in the text
        return spaced.find(needle, start)
    if needle[0] == _ENDING:  # the word's end, then back to its start
        if start:  # after the end of the word found before
            start = spaced.find(" ", start)
        at = spaced.find(needle[1:] + " ", start)
        return spaced.rfind(" ", 0, at) if at >= 0 else -1
    return text.find(needle, start)  # a symbol, as it is


def _spaces(text: str) -> str:
    """Every character that is not a word character as a space (digits outside ASCII as 0)."""
    if not text.isascii():
        for ch in set(text) - _ASCII:
            if ch.isdecimal():  # \d matches it: the keys name digits as 0-9
                text = text.replace(ch, "0")
            elif not ch.isalnum():
                text = text.replace(ch, " ")
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_SPACES).decode("ascii")
    # letters outside ASCII stay, the rest as above, one character at a time
    return "".join(c if c.isalnum() or c == "_" else " " for c in text)


def common_end(a: str, b: str) -> int:
    """How many characters `a` and `b` end with in common (found by halving: a few slice
    comparisons instead of a loop over characters)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            low = mid
        else:
            high = mid - 1
    return low


def indexed(text: str) -> str:
    """`text` as an `Indexed` text when it is long enough for the index to pay."""
    return Indexed(text) if len(text) >= _SHORT and not isinstance(text, Indexed) else text


_MOST_KEYS = 400  # more first letters than this: cut shorter
_OPEN, _FULL, _ENDED_FULL, _ENDED_PREFIX, _CUT, _NONE = range(6)
_WORDS = "\\w"  # a class of word characters only, not named one by one
_DIGITS = "0123456789"
_SYMBOL = 6  # the match starts with this character, which is no letter


_WORD_ENDING = re.compile(r"\\w\+([a-z]+)\\b")


def _first_keys(source: str) -> frozenset[tuple[Bucket, str, Needle]] | None:
    r"""The keys of the words a match of `source` starts with (see `Bucket`). None when a match
    may start otherwise than with a known letter, or the walk does not know the expression
    (the pattern is then searched as before). Every list ends a pattern at a word boundary,
    so a pattern that ends inside a word ends that word."""
    try:
        from re import _constants as c
        from re import _parser
    except ImportError:
        return None

    def chars_of(items: Any) -> set[str] | str | None:
        out: set[str] = set()
        for o, a in items:
            if o is c.LITERAL:
                out.add(chr(a))
            elif o is c.RANGE and a[1] - a[0] < 64:
                out.update(chr(x) for x in range(a[0], a[1] + 1))
            elif o is c.CATEGORY and a is c.CATEGORY_SPACE:
                out.add(" ")
            elif o is c.CATEGORY and a is c.CATEGORY_DIGIT:
                out.update(_DIGITS)  # the text's other digits are read as "0" (`spaced`)
            elif o is c.CATEGORY and a is c.CATEGORY_WORD and len(items) == 1:
                return _WORDS
            else:
                return None
        return out

    # A state: (first word's letters, its state, second word's letters, its state); a word is
    # _OPEN (fewer than KEY letters so far), _FULL (KEY letters, more may follow), _ENDED_*
    # (a character that is no letter came after it), _CUT (what follows is not known) or
    # _NONE (not begun).
    State = tuple[str, int, str, int]

    def done(s: State) -> bool:
        return s[1] in (_CUT, _SYMBOL) or s[3] not in (_NONE, _OPEN)

    def advance(letters: str, how: int, chars: set[str] | str | None) -> list[tuple[str, int]]:
        """One word read one character further."""
        if how == _FULL:
            if chars == _WORDS:
                return [(letters, _FULL)]
            if chars is None:
                return [(letters, _CUT)]
            out = []
            if any(_WORD_CHAR.match(ch) for ch in chars):
                out.append((letters, _FULL))
            if any(not _WORD_CHAR.match(ch) for ch in chars):
                out.append((letters, _ENDED_PREFIX))
            return out
        # _OPEN
        if chars is None or chars == _WORDS:
            return [(letters, _CUT)]
        out = []
        for ch in chars:
            if _WORD_CHAR.match(ch):
                more = letters + ch
                out.append((more, _FULL if len(more) >= KEY else _OPEN))
            else:
                out.append((letters, _ENDED_FULL))
        return out

    def reduce(states: set[State]) -> set[State]:
        """Too many states to name: fewer letters known, until they are few enough."""
        if len(states) <= _MOST_KEYS:
            return states
        out: set[State] = set()
        for w1, h1, w2, h2 in states:  # what is still being read is cut where it is
            if h1 in (_OPEN, _FULL):
                out.add((w1, _CUT, "", _NONE) if w1 else ("", _CUT, "", _NONE))
            elif h2 in (_NONE, _OPEN):
                out.add((w1, h1, w2, _CUT))
            else:
                out.add((w1, h1, w2, h2))
        if len(out) > _MOST_KEYS:  # the first word only, the next one not known
            out = {
                (w1, h1, "", _CUT) if h1 not in (_CUT, _SYMBOL) else (w1, h1, w2, h2)
                for w1, h1, w2, h2 in out
            }
        n = KEY - 1
        while len(out) > _MOST_KEYS and n > 0:  # fewer of its letters
            out = {
                (w1[:n], _CUT, "", _NONE) if h1 != _SYMBOL and len(w1) > n else (w1, h1, w2, h2)
                for w1, h1, w2, h2 in out
            }
            n -= 1
        return out

    def step(states: set[State], chars: set[str] | str | None) -> set[State]:
        out: set[State] = set()
        for s in states:
            w1, h1, w2, h2 = s
            if done(s):
                out.add(s)
            elif h1 in (_OPEN, _FULL):
                if h1 == _OPEN and not w1 and chars not in (None, _WORDS):
                    for ch in chars:  # type: ignore[union-attr]
                        if not _WORD_CHAR.match(ch):  # found where that character stands
                            out.add(
                                ("", _SYMBOL, ch, _NONE) if ch != " " else ("", _CUT, "", _NONE)
                            )
                        else:
                            out.add((ch, _FULL if KEY == 1 else _OPEN, "", _NONE))
                    continue
                out.update((a, b, w2, h2) for a, b in advance(w1, h1, chars))
            elif h2 == _NONE:  # between the words
                if chars is None or chars == _WORDS:
                    out.add((w1, h1, "", _CUT))
                    continue
                if any(not _WORD_CHAR.match(ch) for ch in chars):
                    out.add(s)
                for ch in chars:
                    if _WORD_CHAR.match(ch):
                        out.add((w1, h1, ch, _FULL if KEY == 1 else _OPEN))
            else:
                out.update((w1, h1, a, b) for a, b in advance(w2, h2, chars))
        return reduce(out)

    def walk(items: Any, states: set[State]) -> set[State] | None:
        for op, av in items:
            if all(done(s) for s in states):
                return states
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue  # takes no character (a superset of the keys is still right)
            if op is c.LITERAL:
                states = step(states, {chr(av)})
            elif op is c.IN:
                states = step(states, chars_of(av))
            elif op in (c.ANY, c.NOT_LITERAL):  # one character, not known
                states = step(states, None)
            elif op is c.SUBPATTERN:
                if av[1] or av[2]:  # flags inside: not read
                    return None
                got = walk(av[3], states)
                if got is None:
                    return None
                states = got
            elif op is c.ATOMIC_GROUP:
                got = walk(av, states)
                if got is None:
                    return None
                states = got
            elif op is c.BRANCH:
                union: set[State] = set()
                for alternative in av[1]:
                    got = walk(alternative, states)
                    if got is None:
                        return None
                    union |= got
                states = reduce(union)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                least, most, inner = av
                union = set()
                current = states
                for n in range(64):
                    if n >= least:
                        union |= current
                    if n == most:
                        break
                    got = walk(inner, current)
                    if got is None:
                        return None
                    if got == current and n >= least:
                        break
                    current = got
                else:
                    return None
                states = reduce(union)
            else:  # a back reference, a condition: not read
                return None
        return states

    ending = _WORD_ENDING.fullmatch(source)
    if ending:  # "\w+kah\b": a word ending so
        return frozenset({(_ENDINGS, ending.group(1), _ENDING + ending.group(1))})
    try:
        states = walk(_parser.parse(source), {("", _OPEN, "", _NONE)})
    except Exception:  # an expression the walk does not know: not indexed
        return None
    if states is None:
        return None
    keys: set[tuple[Bucket, str, Needle]] = set()
    for w1, h1, w2, h2 in states:
        if h1 == _SYMBOL:
            keys.add(((False, 0), w2, w2))
            continue
        if not w1:
            return None  # may start with no letter (a class, a space): searched
        if h1 == _CUT:  # a word starting with these letters (three are read as two: one
            # kind fewer for every text to name)
            if len(w1) >= KEY:
                keys.add(((False, KEY), w1, f" {w1}"))
            else:
                w1 = w1[:2]
                keys.add(((False, len(w1)), w1, f" {w1}"))
            continue
        exact = h1 in (_OPEN, _ENDED_FULL)  # fewer than KEY letters, and the word ends
        needle = f" {w1} " if exact else f" {w1}"
        if h2 == _NONE or not w2:
            keys.add(((False, KEY), w1, needle))
        elif h2 in (_OPEN, _ENDED_FULL, _FULL, _ENDED_PREFIX) or len(w2) >= KEY:
            keys.add(((True, KEY), f"{w1} {w2}", needle))
        else:  # the next word starts with these letters: rare, the first word is enough
            keys.add(((False, KEY), w1, needle))
    return frozenset(keys)


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
    # The word index (see `Indexed` and `WordIndex`), made when a long text first needs it;
    # None: the list is read as above.
    index: WordIndex | None = field(default=None, compare=False, repr=False)

    def search(self, text: str, pos: int = 0) -> Hit | re.Match[str] | None:
        if self.regex is None:
            return None
        if pos or len(text) < _SHORT:
            return self.regex.search(text, pos)
        if self.words is None and not (self.index is not None and isinstance(text, Indexed)):
            return self.regex.search(text)
        return next(self.iter(text), None)

    def finditer(self, text: str) -> list[Hit | re.Match[str]]:
        return list(self.iter(text))

    def iter(self, text: str) -> Iterator[Hit | re.Match[str]]:
        if self.regex is None:
            return iter(())
        if len(text) < _SHORT:
            return self.regex.finditer(text)
        if self.index is not None and isinstance(text, Indexed):
            built = self.index.get()
            if built is not None:
                return self._indexed(text, built)
        if self.words is None:
            return self.regex.finditer(text)
        return self._merged(text, self.words, self.loose)

    def _indexed(self, text: Indexed, built: Built) -> Iterator[re.Match[str]]:
        """The matches of `regex.finditer`, tried only where the index says one may start:
        at the start, where a word begins with letters of `keys`, where `scan` matches."""
        regex = self.regex
        keys, scan, parts = built
        assert regex is not None
        first = regex.match(text)  # at the start, where "^" holds and nothing is before
        if first is not None:
            yield first
            pos = first.end() if first.end() > first.start() else 1
        else:
            pos = 1
        end = len(text)
        places = text.places(keys, parts.needles)
        at, needle = next(places, (end + 1, None))
        scan_at = -1  # where `scan` next matches; -1: to search, end + 1: never
        while pos <= end:
            while at < pos:
                at, needle = next(places, (end + 1, None))
            here, part = at, None
            if scan is not None:
                if scan_at < pos:
                    scan_at = scan.next_start(text, pos)
                if scan_at <= here:
                    here = scan_at  # a pattern the index cannot name: the whole list
            if here > end:
                return
            if here == at and needle:
                part = parts.regex(needle)
            m = (part or regex).match(text, here)
            if m is None:  # the first letters fit, the rest does not
                pos = here + 1
                continue
            yield m
            start, stop = m.span()
            pos = stop if stop > start else start + 1

    def next_start(self, text: str, pos: int) -> int:
        """Where the leftmost match at or after `pos` (> 0) starts; len(text) + 1 if none."""
        none = len(text) + 1
        if self.regex is None:
            return none
        if self.words is None:
            m = self.regex.search(text, pos)
            return m.start() if m is not None else none
        word = self.words.search(text, pos - 1)
        at = word.start(1) if word is not None else none
        if self.loose is not None:
            other = self._loose_search(text, pos, self.loose)
            if other is not None and other.start() < at:
                at = other.start()
        return at

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


def compile_patterns(
    patterns: list[str], macros: dict[str, str], where: str, index: bool = True
) -> Patterns:
    """The list as one expression, with the word index over the patterns it can name
    (`index`: a list whose first match usually comes early is searched faster without)."""
    full = _scanned(patterns, macros, where)
    if full.regex is None or not index:
        return full
    return replace(full, index=WordIndex(lambda: _index_of(patterns, macros, where)))


def _index_of(patterns: list[str], macros: dict[str, str], where: str) -> Built | None:
    named: list[frozenset[tuple[Bucket, str, Needle]]] = []
    unnamed: list[str] = []
    kept: list[str] = []  # all but "^": the alternatives that can match after the start
    of_pattern: list[frozenset[Needle] | None] = []
    for p in patterns:
        if p.startswith("^"):
            continue  # holds at the start only, where every list is tried anyway
        source = _expand(p, macros).replace(" ?", r"\s*").replace(" ", r"\s+")
        keys = _first_keys(source)
        if keys is None:
            unnamed.append(p)
        else:
            named.append(keys)
        kept.append(p)
        of_pattern.append(None if keys is None else frozenset(n for _, _, n in keys))
    if not named:
        return None
    scan = _scanned(unnamed, macros, where) if unnamed else None

    def build(chosen: tuple[int, ...]) -> re.Pattern[str]:
        part = _scanned([kept[i] for i in chosen], macros, where).regex
        assert part is not None
        return part

    keys, needles = _by_bucket(named)
    return keys, scan, Parts(of_pattern, needles, build)


def _by_bucket(
    named: list[frozenset[tuple[Bucket, str, Needle]]],
) -> tuple[Keys, dict[str, Needle]]:
    """All keys of a list by kind, and the needle of each (one per key: a word with fewer
    letters than KEY that ends is found whole, a word that goes on by its start)."""
    groups: dict[Bucket, set[str]] = {}
    needles: dict[str, Needle] = {}
    for keys in named:
        for bucket, k, needle in keys:
            groups.setdefault(bucket, set()).add(k)
            needles[_needle_key(bucket, k)] = needle
    return tuple((b, frozenset(groups[b])) for b in sorted(groups, reverse=True)), needles


def _needle_key(bucket: Bucket, k: str) -> str:
    # a cut word ("ma", a class after it), the whole word "ma" and a symbol are different keys
    return k if bucket[0] or bucket[1] in (-1, 0, KEY) else f"{k}*"


# A list's word index: its keys, the list of what the index cannot name, the parts by needle.
Built = tuple[Keys, "Patterns | None", "Parts"]


class WordIndex:
    """A list's word index, worked out from its expressions when a long text first needs it
    (reading every pattern once more costs half a second: a process that reads only short
    messages never pays it). Filling it is the only change after load; two threads may both
    work it out, with the same result."""

    def __init__(self, make: Callable[[], Built | None]) -> None:
        self._make = make
        self._built: Built | None = None
        self._done = False

    def get(self) -> Built | None:
        if not self._done:
            self._built = self._make()
            self._done = True
        return self._built


class Parts:
    """The alternatives of a list a word found by a needle can start, as one expression
    each: those with a needle that begins it (" ma" begins " maji" and " mau "), and those
    the index cannot name, in the list's order (so the first to match is the list's first)."""

    def __init__(
        self,
        of_alternative: list[frozenset[Needle] | None],
        needles: dict[str, Needle],
        build: Callable[[tuple[int, ...]], re.Pattern[str]],
    ) -> None:
        self._needles = of_alternative  # per alternative; None: not named, in every part
        self.needles = needles  # a key's needle, by `_needle_key`
        self._build = build
        # Made when first needed: a list has hundreds of needles and a message meets a few.
        # Filling these is the only change after load; two threads may both build one.
        self._by_needle: dict[Needle, re.Pattern[str]] = {}
        self._by_choice: dict[tuple[int, ...], re.Pattern[str]] = {}

    def regex(self, needle: Needle) -> re.Pattern[str]:
        found = self._by_needle.get(needle)
        if found is None:
            chosen = tuple(
                i
                for i, mine in enumerate(self._needles)
                if mine is None or any(map(needle.startswith, mine))
            )
            found = self._by_choice.get(chosen)
            if found is None:
                found = self._by_choice[chosen] = self._build(chosen)
            self._by_needle[needle] = found
        return found


def _scanned(patterns: list[str], macros: dict[str, str], where: str) -> Patterns:
    """The list as one expression, searched as described in `Patterns`."""
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


def phrase_patterns(words: list[str], index: bool = True) -> Patterns:
    """Plain words and phrases (no regex) as one word-bounded expression."""
    folded = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
    if not folded:
        return Patterns(None)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in folded)
    regex = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")
    if not all(_WORD_CHAR.match(w) for w in folded):
        return Patterns(regex)
    words = re.compile(rf"\W(?=((?:{alternatives})(?![\w])))")
    if not index:
        return Patterns(regex, words=words)
    return Patterns(regex, words=words, index=WordIndex(lambda: _phrase_index(folded)))


def _phrase_index(folded: list[str]) -> Built | None:
    escaped = [re.escape(w).replace(r"\ ", r"\s+") for w in folded]
    named = [_first_keys(e) for e in escaped]
    if any(keys is None for keys in named):
        return None

    def build(chosen: tuple[int, ...]) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w])(?:{'|'.join(escaped[i] for i in chosen)})(?![\w])")

    keys, needles = _by_bucket(named)  # type: ignore[arg-type]
    of_phrase = [frozenset(n for _, _, n in k) for k in named]  # type: ignore[union-attr]
    return keys, None, Parts(of_phrase, needles, build)


_WORD_CHAR = re.compile(r"\w")


def _longest(phrases: list[str] | tuple[str, ...], end: int) -> dict[str, int]:
    """The first (`end` 0) or last (-1) word of each phrase, to the most words of a phrase
    with that word there."""
    out: dict[str, int] = {}
    for phrase in phrases:
        words = phrase.split()
        if words:
            out[words[end]] = max(out.get(words[end], 0), len(words))
    return out


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

        # Each whole-message phrase with the first list to claim it, in the order intents are
        # read: one lookup per form of a short message instead of three.
        self.whole_first: dict[str, tuple[str, str]] = {}
        for intent in ("navigation", "command", "smalltalk"):
            for phrase, action in self.whole[intent].items():
                self.whole_first.setdefault(phrase, (intent, action))
        # Every word of those phrases: a message with none of them is no such phrase in any form
        self.whole_words = frozenset(w for phrase in self.whole_first for w in phrase.split())
        self.whole_longest = max((len(p.split()) for p in self.whole_first), default=0)
        # The phrases taken off the ends of a short message, by their first (or last) word:
        # the most words such a phrase has. A word that starts (ends) none is not looked up
        # further, and no longer phrase is tried.
        smalltalk = self.whole["smalltalk"]
        self.address_starts = _longest(self.address, 0)
        self.address_ends = _longest(self.address, -1)
        self.greeting_starts = _longest([*self.address, *smalltalk], 0)
        self.smalltalk_ends = _longest([*self.address, *smalltalk], -1)
        self.chat_starts = _longest([*self.address, *smalltalk, *self.answers], 0)
        self.chat_ends = _longest([*self.address, *smalltalk, *self.answers], -1)

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
        self.introductions = compile_patterns(
            section("smalltalk").get("introductions", []), macros, "smalltalk.introductions"
        )
        around = section("smalltalk").get("around", {})
        self.smalltalk_around = tuple(
            (kind, compile_patterns(ps, macros, f"smalltalk.around.{kind}", index=False))
            for kind, ps in around.items()
            if kind != "weak"
        )
        self.smalltalk_weak = frozenset(key(w) for w in around.get("weak", []))
        self.unknown_patterns = compile_patterns(
            section("unknown").get("patterns", []), macros, "unknown"
        )

        danger = section("danger")
        self.danger = compile_patterns(danger.get("patterns", []), macros, "danger.patterns")
        self.harm_lemmas = frozenset(danger.get("lemmas", []))
        self.harm_affixed = frozenset(danger.get("affixed_lemmas", []))
        self.danger_weak = compile_patterns(danger.get("weak", []), macros, "danger.weak")
        self.danger_distress = compile_patterns(
            danger.get("distress", []), macros, "danger.distress"
        )
        self.danger_control = compile_patterns(danger.get("control", []), macros, "danger.control")
        self.danger_threats = compile_patterns(danger.get("threats", []), macros, "danger.threats")
        self.danger_frames = compile_patterns(danger.get("frames", []), macros, "danger.frames")
        self.danger_general = compile_patterns(danger.get("general", []), macros, "danger.general")
        self.danger_own = compile_patterns(danger.get("own", []), macros, "danger.own")
        self.frame_scope = int(danger.get("frame_scope", 8))
        self.danger_present = compile_patterns(danger.get("present", []), macros, "danger.present")
        self.danger_negators = compile_patterns(
            danger.get("negators", []), macros, "danger.negators"
        )
        self.negator_scope = int(danger.get("negator_scope", 3))
        self.negator_gap = frozenset(danger.get("negator_gap", []))
        self.negator_whole = compile_patterns(
            danger.get("negator_whole", []), macros, "danger.negator_whole"
        )
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
        # Counted up to two: in a paste the first signs come early, and the engine's own
        # search finds them sooner than the index is set up (measured: bench/understanding.py).
        concrete, strong, weak = (offer.get(k, []) for k in ("concrete", "strong", "weak"))
        self.offer_concrete = compile_patterns(concrete, macros, "offer.concrete", index=False)
        self.offer_strong = compile_patterns(strong, macros, "offer.strong", index=False)
        self.offer_weak = compile_patterns(weak, macros, "offer.weak", index=False)
        self.offer_rhetorical = compile_patterns(
            offer.get("rhetorical", []), macros, "offer.rhetorical"
        )
        self.offer_check = compile_patterns(offer.get("asks_check", []), macros, "offer.asks")
        self.offer_conditions = compile_patterns(
            offer.get("conditions", []), macros, "offer.conditions"
        )
        self.paste_markers = phrase_patterns(offer.get("paste_markers", []), index=False)
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
        self.topic_regex = phrase_patterns(list(self.topics), index=False)  # the first only
        self.place_cues = phrase_patterns(section("places").get("cues", []))

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        return cls(tomllib.loads((path or LEXICON_FILE).read_text(encoding="utf-8")))


@cache
def default_lexicon() -> Lexicon:
    return Lexicon.load()
