"""One text under analysis: clauses, sentences, negation, questions, and the matches of terms."""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import chain, compress
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.screening.patterns import _CLAUSE_END, _CONDITIONAL, _SENTENCE_END, _TOKEN, _WORD, _Rx
from bot.screening.salary import _amount_start, _find_amount
from bot.text import Word

if TYPE_CHECKING:
    from bot.screening.screener import Screener

_GROUP = re.Match.group
_END = re.Match.end


@dataclass(frozen=True)
class _Rule:
    weight: float
    regex: _Rx | None  # an `any` rule
    terms: tuple[str, ...]  # an `all` rule: term names that must all be present
    unless: tuple[str, ...]
    first_only: bool = False  # evidence = the first term's words, not the span of all


@dataclass(frozen=True)
class _FlagSpec:
    code: str
    weight: float
    explanation: dict[str, str]
    advice: dict[str, str]
    rules: tuple[_Rule, ...]
    boosts: tuple[tuple[float, tuple[str, ...]], ...]
    post_negation: bool
    veto: _Rx | None


@dataclass(frozen=True)
class _FollowUp:
    id: str
    topics: tuple[str, ...]
    text: dict[str, str]


@dataclass(frozen=True)
class _Combo:
    flag: str
    weight: float | None
    when: tuple[tuple[str, frozenset[str]], ...]


class _Match(NamedTuple):  # a tuple: made by the thousand per text, a dataclass costs more
    start: int
    end: int
    hypothetical: bool


@dataclass
class _Found:
    """Best evidence so far for one flag."""

    weight: float
    start: int
    end: int
    hypothetical: bool
    spans: set[tuple[int, int]]


# Entries of each memo of the screener: ~2.5 MB each at most, in every process that screens
# (serve and its prepare processes). A forwarded offer recurs whole; its pieces then hit.
_MEMO_SIZE = 5_000
_MEMO_KEY = 400  # longer pieces of text are not remembered: they hardly recur


def _remember(memo: dict[Any, Any], key: Any, value: object) -> None:
    """Remember a pure function's value for a short piece of text, up to a bound (a plain dict
    is safe to share between threads here: a lost write is only computed again)."""
    text = key if isinstance(key, str) else key[0]
    if len(text) <= _MEMO_KEY and len(memo) < _MEMO_SIZE:
        memo[key] = value


# --------------------------------------------------------------------------------------------
# One text under analysis
# --------------------------------------------------------------------------------------------


class _Text:
    """Clause/sentence structure, negation and question context of one input, with caches."""

    def __init__(self, screener: Screener, raw: str) -> None:
        self.s = screener
        self.raw = raw
        self.notice = False  # an office's warning (set by Screener._find_flags)
        # Same length as raw, so offsets stay valid: evidence is cut from the original.
        self.norm = raw.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
        self.clause_starts = [0, *map(_END, _CLAUSE_END.finditer(self.norm))]
        self.sentence_starts = [0, *map(_END, _SENTENCE_END.finditer(self.norm))]
        self._terms: dict[str, list[_Match]] = {}
        self._has: dict[str, bool] = {}  # term -> does it occur, for terms not matched in full
        self._hyp_at: dict[int, bool] = {}  # position -> hypothetical(position)
        self._scans: dict[int, list[re.Match[str]]] = {}  # pattern list id -> scan()
        self._clauses: dict[int, tuple[int, int, int]] = {}
        self._hyp: dict[int, bool] = {}
        self._neg_cache: dict[int, tuple[bool, bool, bool]] = {}
        self._question: dict[int, bool] = {}
        self._warning: dict[int, int] = {}  # sentence start -> first warning cue (-1: none)
        self._active: dict[int, list[tuple[tuple[int, ...], list[int]]]] | None = None
        self._starts: dict[int, list[int]] = {}  # pattern list id -> sorted anchor positions
        self._negators: tuple[list[int], frozenset[int]] | None = None
        self.words: list[Word] = []  # set by the screener: bot/text words with offsets
        self.concepts: Collection[int] = ()  # ids of the concepts it names, set by Concepts.hits

    # structure -------------------------------------------------------------------------------
    def clause(self, pos: int) -> tuple[int, int, int]:
        hit = self._clauses.get(pos)  # asked many times per position: by every rule there
        if hit is None:
            starts = self.clause_starts
            i = bisect.bisect_right(starts, pos) - 1
            end = starts[i + 1] if i + 1 < len(starts) else len(self.norm)
            hit = self._clauses[pos] = (i, starts[i], end)
        return hit

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        end = self.sentence_starts[i + 1] if i + 1 < len(self.sentence_starts) else len(self.norm)
        return self.sentence_starts[i], end

    def sentence_index(self, pos: int) -> int:
        return bisect.bisect_right(self.sentence_starts, pos) - 1

    def question(self, pos: int) -> bool:
        """Is `pos` inside a question the user asks? (Unlike `hypothetical`, a story about the
        past counts in full: what happened to a relative abroad is the case at hand.)"""
        idx, cs, ce = self.clause(pos)
        hit = self._question.get(idx)
        if hit is None:
            cue = self.s._question_cue
            hit = self._question[idx] = bool(
                (self.may(cue, cs, ce) and self._asks(self.norm[cs:ce])) or self._warned(cs, ce)
            )
        return hit

    def hypothetical(self, pos: int) -> bool:
        """Is `pos` inside the user's own question ("apakah boleh ...?", "is it ...")?"""
        idx, cs, ce = self.clause(pos)
        if idx not in self._hyp:
            clause = self.norm[cs:ce]
            s = self.s
            # the user's own question, or a story about the past, is not the offer at hand
            hyp = bool(
                (self.may(s._question_cue, cs, ce) and self._asks(clause))
                or (self.may(s._past_cue, cs, ce) and self._told_past(clause))
                or self._warned(cs, ce)
            )
            if not hyp and _CONDITIONAL.search(clause):
                # "Kalau pakai visa turis, boleh gak kerja?": the condition belongs to the question
                ss, se = self.sentence(pos)
                sentence = self.norm[ss:se]
                end = self.norm[se - 1 : se + 1] if se > 0 else ""
                # ... unless the question tells the case it asks about ("what can I do if my
                # employer keeps my passport?"): the cues a presupposing question covers ask nothing
                hyp = "?" in end and self._asks(sentence)
            self._hyp[idx] = hyp
        return self._hyp[idx]

    def _asks(self, clause: str) -> bool:
        """Does the clause ask something? "Is it normal that the agent takes my salary?" and
        "wajar gak kalau agen minta 20 juta?" ask whether what happened is allowed: what
        happened is told, not supposed, so such a cue alone makes no question."""
        memo = self.s._memo_asks
        hit = memo.get(clause)
        if hit is None:
            hit = False
            cue, told = self.s._question_cue, self.s._presupposing
            for m in cue.regex.finditer(clause):
                if not told.match(clause, m.start(), len(clause)):
                    hit = True
                    break
            _remember(memo, clause, hit)
        return hit

    def _told_past(self, clause: str) -> bool:
        """Does the clause tell of the past ("dulu", "last year")?"""
        memo = self.s._memo_past
        hit = memo.get(clause)
        if hit is None:
            hit = self.s._past_cue.search(clause) is not None
            _remember(memo, clause, hit)
        return hit

    def _warned(self, cs: int, ce: int) -> bool:
        """Does a warning cue stand in this clause's sentence, before the clause ends?"""
        ss, se = self.sentence(cs)
        first = self._warning.get(ss, -2)
        if first == -2:  # once per sentence: a long sentence has many clauses
            cue = self.s._warning_cue
            m = cue.search(self.norm, ss, se) if self.may(cue, ss, se) else None
            first = self._warning[ss] = m.start() if m else -1
        return 0 <= first < ce

    def negated(self, start: int, end: int, post: bool, short: bool = True) -> bool:
        s = self.s
        negators = self._negator_starts()
        if not post and negators is not None and not negators[0]:
            return False  # no negator word anywhere in the text: decided at once
        # A match that carries its own negation ("gak boleh pulang", "tanpa paspor") is not
        # cancelled by an earlier negator: "gak digaji dan gak dibolehin keluar" is two facts.
        own = (negators is None or start in negators[1]) and (
            s._neg_long.match(self.norm, start, end) or s._neg_short.match(self.norm, start, end)
        )
        if not own:
            long_neg, short_neg, clause_neg = self._negators_before(start)
            if long_neg or clause_neg or (short and short_neg):
                return True
        if post:
            _, _, ce = self.clause(start)
            stop = min(ce, end + 80)
            if end < ce and self.may(s._neg_post, end, stop):
                window = self.norm[end:stop]
                hit = s._memo_after.get(window)
                if hit is None:
                    after = _TOKEN.findall(window)[: s._post_scope]
                    hit = bool(after) and s._neg_post.search(" ".join(after)) is not None
                    _remember(s._memo_after, window, hit)
                if hit:
                    return True
        return False

    def _negator_starts(self) -> tuple[list[int], frozenset[int]] | None:
        """Sorted word starts where a negator or warning may begin, and those of the long and
        short negators alone: most matches have none before them, decided with one look-up.
        None when a negator has no anchor words: then every position is looked at."""
        if self._negators is None:
            s = self.s
            if any(rx.always or rx.id < 0 for rx in (s._neg_long, s._neg_short, s._neg_clause)):
                return None
            active = self.active()
            every: set[int] = set()
            own: set[int] = set()
            for rx in (s._neg_long, s._neg_short, s._neg_clause):
                for _, starts in active.get(rx.id, ()):
                    every.update(starts)
                    if rx is not s._neg_clause:
                        own.update(starts)
            self._negators = (sorted(every), frozenset(own))
        return self._negators

    def _negators_before(self, start: int) -> tuple[bool, bool, bool]:
        """(long negator, short negator, clause warning) shortly before `start` in its clause.
        Many patterns match at the same word, so this is worked out once per position."""
        hit = self._neg_cache.get(start)
        if hit is None:
            s = self.s
            _, cs, _ = self.clause(start)
            lo = max(cs, start - 120)
            # a few words back is all negation can reach; bounding it keeps long texts linear
            negators = self._negator_starts()
            every = negators[0] if negators is not None else None
            i = bisect.bisect_left(every, lo) if every is not None else 0
            if every is not None and (i == len(every) or every[i] >= start):
                # none of the negators' words stands there: the usual case, decided at once
                self._neg_cache[start] = hit = (False, False, False)
                return hit
            window = self.norm[lo:start]
            # the same few words before a match recur (in a text and across texts): what they
            # say is a function of those words alone (and of whether a neutral phrase may
            # stand there), remembered
            key = (window, self.may(s._neutral, lo, start))
            hit = s._memo_before.get(key)
            if hit is None:
                before = s._neutral.sub(" ", window) if key[1] else window
                tokens = _TOKEN.findall(before)
                if not tokens:
                    hit = (False, False, False)
                else:
                    hit = (
                        bool(s._neg_long.search(" ".join(tokens[-s._long_scope :]))),
                        bool(s._neg_short.search(" ".join(tokens[-s._short_scope :]))),
                        bool(s._neg_clause.search(before)),  # "jangan percaya kalau ada yang ..."
                    )
                _remember(s._memo_before, key, hit)
            self._neg_cache[start] = hit
        return hit

    # matching --------------------------------------------------------------------------------
    def active(self) -> dict[int, list[tuple[tuple[int, ...], list[int]]]]:
        """Pattern list id -> (its alternatives that may begin at a word, that word's starts)
        for each distinct word of the text that begins some of them (the start lists are
        shared, never copied).

        One pass over the words: a pattern is tried only where it can begin (a word whose
        prefix is one of its anchors), never scanned over the whole text. This is what keeps a
        long text linear: most of the ~900 patterns have no anchor in it at all.
        """
        if self._active is None:
            # distinct words first: a long text repeats its words, the anchors are per word;
            # only the words that begin some pattern get their starts listed (C-level passes)
            ms = list(_WORD.finditer(self.norm))
            words = list(map(_GROUP, ms))
            # the screener's remembered anchors of each distinct word, looked up in C; a word
            # it has not seen yet goes through _anchors_of
            distinct = list(dict.fromkeys(words))
            got = list(map(self.s._anchor_cache.get, distinct))
            if None in got:
                anchors_of = self.s._anchors_of
                got = [
                    anchors_of(w) if a is None else a for w, a in zip(distinct, got, strict=True)
                ]
            anchored = {w: a for w, a in zip(distinct, got, strict=True) if a}
            starts: dict[str, list[int]] = {w: [] for w in anchored}
            for w, m in compress(zip(words, ms, strict=True), map(anchored.__contains__, words)):
                starts[w].append(m.start())
            # one entry per (word, pattern list), never per alternative: a word such as "di"
            # begins dozens of alternatives of one list
            active: dict[int, list[tuple[tuple[int, ...], list[int]]]] = {}
            for w, pos in starts.items():
                for rid, alts in anchored[w]:
                    run = active.get(rid)
                    if run is None:
                        active[rid] = [(alts, pos)]
                    else:
                        run.append((alts, pos))
            self._active = active
        return self._active

    def may(self, regex: _Rx, start: int, end: int) -> bool:
        """Can a match of `regex` begin in [start, end)? False is certain: none of its anchor
        words begins there (true for lists the anchor index does not know)."""
        if regex.always or regex.id < 0:
            return True
        pos = self._starts.get(regex.id)
        if pos is None:
            run = self.active().get(regex.id)
            pos = self._starts[regex.id] = (
                sorted(chain.from_iterable(pos for _, pos in run)) if run else []
            )
        if not pos:
            return False
        i = bisect.bisect_left(pos, start)
        return i < len(pos) and pos[i] < end

    def scan(self, regex: _Rx) -> list[re.Match[str]]:
        """`regex.finditer(norm)` as a list, trying the whole alternation only where one of
        its patterns can begin (anchor words, or the one character an unanchored pattern
        starts with) instead of at every position of the text."""
        hit = self._scans.get(regex.id)
        if hit is not None:
            return hit
        norm = self.norm
        if regex.id < 0 or any(regex.first_char[i] is None for i in regex.always):
            return list(regex.finditer(norm))
        run = self.active().get(regex.id)
        cands = set(chain.from_iterable(pos for _, pos in run)) if run else set()
        for i in regex.always:
            ch = regex.first_char[i]
            at = norm.find(ch)
            while at >= 0:
                cands.add(at)
                at = norm.find(ch, at + 1)
        out: list[re.Match[str]] = []
        last = 0
        match = regex.regex.match
        for pos in sorted(cands):
            if pos < last:
                continue  # inside the previous match: finditer goes on after it
            m = match(norm, pos)
            if m is not None:
                if m.end() == pos:  # an empty match: finditer's own rules, not worth copying
                    return list(regex.finditer(norm))
                out.append(m)
                last = m.end()
        self._scans[regex.id] = out
        return out

    def _spans(self, regex: _Rx) -> Iterator[tuple[int, int]]:
        """Where `regex` matches, unordered and lazily: each alternative tried only at the
        starts of its anchor words, the unanchored ones scanned (when their first character
        occurs at all)."""
        alts, norm = regex.alts, self.norm
        run = self.active().get(regex.id)
        if run:
            for group, starts in run:
                for i in group:
                    match = alts[i][0].match
                    for pos in starts:
                        m = match(norm, pos)
                        if m is not None:
                            yield m.span()
        for i in regex.always:
            need = regex.first_char[i]
            if need is None or need in norm:
                for m in alts[i][0].finditer(norm):
                    yield m.span()

    def matches(
        self, regex: _Rx, post: bool = False, veto: _Rx | None = None, short: bool = True
    ) -> list[_Match]:
        out: list[_Match] = []
        spans: set[tuple[int, int]] = set()
        norm = self.norm
        negated, hyp_at, hypothetical = self.negated, self._hyp_at, self.hypothetical
        for a, b in sorted(self._spans(regex)):
            if a == b or (a, b) in spans or negated(a, b, post, short):
                continue
            spans.add((a, b))
            if veto is not None:
                _, cs, ce = self.clause(a)
                if veto.search(norm, cs, ce):
                    continue
            h = hyp_at.get(a)
            if h is None:
                h = hyp_at[a] = hypothetical(a)
            out.append(_Match(a, b, h))
        return out

    def any(self, regex: _Rx, short: bool = True) -> bool:
        """Is there a match of `regex` that is not negated? (`bool(matches(regex))`, stopping
        at the first one: most look-ups only ask whether a term occurs.)"""
        negated = self.negated
        return any(a != b and not negated(a, b, False, short) for a, b in self._spans(regex))

    def term(self, name: str) -> list[_Match]:
        if name not in self._terms:
            if name in ("salary_high", "salary_very_high"):
                self._salaries()
            else:
                self._terms[name] = self.matches(self.s._terms[name])
        return self._terms[name]

    def has(self, name: str) -> bool:
        ms = self._terms.get(name)
        if ms is not None:
            return bool(ms)
        if name in ("salary_high", "salary_very_high"):
            return bool(self.term(name))
        got = self._has.get(name)
        if got is None:
            got = self._has[name] = self.any(self.s._terms[name])
        return got

    def _amount(self, start: int, end: int, last: bool, dollar: str) -> tuple[float, int] | None:
        """`_find_amount` over norm[start:end] (it reads nothing outside it), remembered per
        piece of text: "gaji 4jt-6jt" recurs in a text and across texts."""
        window = self.norm[start:end]
        key = (window, last, dollar)
        memo = self.s._memo_amount
        hit = memo.get(key)
        if hit is None:
            am = _find_amount(window, 0, len(window), self.s._salary.to_idr, last, dollar)
            hit = () if am is None else am
            _remember(memo, key, hit)
        return (hit[0], start + hit[1]) if hit else None

    def _salaries(self) -> None:
        high: list[_Match] = []
        very: list[_Match] = []
        sal = self.s._salary
        dollar = sal.dollar(self.norm)
        for m in self.scan(sal.context):
            ss, se = self.sentence(m.start())
            window_end = min(se, m.end() + 45)
            am = self._amount(m.end(), window_end, False, dollar)
            if am is None:
                continue
            value, a_end = am
            self._add_salary(m.start(), a_end, value, high, very)
        for m in self.scan(sal.per_month):
            # "$1500/month": an amount right before a per-month marker
            ss, _ = self.sentence(m.start())
            am = self._amount(max(ss, m.start() - 25), m.start(), True, dollar)
            if am is not None:
                value, _ = am
                a_start = _amount_start(self.norm, max(ss, m.start() - 25), m.start())
                self._add_salary(a_start, m.end(), value, high, very)
        self._terms["salary_high"] = high
        self._terms["salary_very_high"] = very

    def _add_salary(
        self, start: int, end: int, value: float, high: list[_Match], very: list[_Match]
    ) -> None:
        sal = self.s._salary
        mt = _Match(start, end, self.hypothetical(start))
        if value >= sal.high_idr:
            high.append(mt)
        if value >= sal.very_high_idr:
            very.append(mt)
