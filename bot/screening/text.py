"""One text under analysis: clauses, sentences, negation, questions, and the matches of terms."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.screening.patterns import _CLAUSE_END, _CONDITIONAL, _SENTENCE_END, _TOKEN, _Rx, _word_keys
from bot.screening.salary import _amount_start, _find_amount
from bot.text import Word

if TYPE_CHECKING:
    from bot.screening.screener import Screener


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


@dataclass(frozen=True)
class _Match:
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


# --------------------------------------------------------------------------------------------
# One text under analysis
# --------------------------------------------------------------------------------------------


class _Text:
    """Clause/sentence structure, negation and question context of one input, with caches."""

    def __init__(self, screener: Screener, raw: str) -> None:
        self.s = screener
        self.raw = raw
        # Same length as raw, so offsets stay valid: evidence is cut from the original.
        self.norm = raw.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
        self.clause_starts = [0] + [m.end() for m in _CLAUSE_END.finditer(self.norm)]
        self.sentence_starts = [0] + [m.end() for m in _SENTENCE_END.finditer(self.norm)]
        self._terms: dict[str, list[_Match]] = {}
        self._hyp: dict[int, bool] = {}
        self._active: dict[int, set[int]] | None = None
        # Every prefix of every word: a regex whose anchors miss this set cannot match.
        self.prefixes = _word_keys(self.norm)
        self.words: list[Word] = []  # set by the screener: bot/text words with offsets

    # structure -------------------------------------------------------------------------------
    def clause(self, pos: int) -> tuple[int, int, int]:
        i = bisect.bisect_right(self.clause_starts, pos) - 1
        end = self.clause_starts[i + 1] if i + 1 < len(self.clause_starts) else len(self.norm)
        return i, self.clause_starts[i], end

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        end = self.sentence_starts[i + 1] if i + 1 < len(self.sentence_starts) else len(self.norm)
        return self.sentence_starts[i], end

    def sentence_index(self, pos: int) -> int:
        return bisect.bisect_right(self.sentence_starts, pos) - 1

    def question(self, pos: int) -> bool:
        """Is `pos` inside a question the user asks? (Unlike `hypothetical`, a story about the
        past counts in full: what happened to a relative abroad is the case at hand.)"""
        _, cs, ce = self.clause(pos)
        return bool(self.s._question_cue.search(self.norm[cs:ce]))

    def hypothetical(self, pos: int) -> bool:
        """Is `pos` inside the user's own question ("apakah boleh ...?", "is it ...")?"""
        idx, cs, ce = self.clause(pos)
        if idx not in self._hyp:
            clause = self.norm[cs:ce]
            # the user's own question, or a story about the past, is not the offer at hand
            hyp = bool(self.s._question_cue.search(clause) or self.s._past_cue.search(clause))
            if not hyp and _CONDITIONAL.search(clause):
                # "Kalau pakai visa turis, boleh gak kerja?": the condition belongs to the question
                ss, se = self.sentence(pos)
                sentence = self.norm[ss:se]
                end = self.norm[se - 1 : se + 1] if se > 0 else ""
                hyp = "?" in end and bool(self.s._question_cue.search(sentence))
            self._hyp[idx] = hyp
        return self._hyp[idx]

    def negated(self, start: int, end: int, post: bool, short: bool = True) -> bool:
        s = self.s
        _, cs, ce = self.clause(start)
        # A match that carries its own negation ("gak boleh pulang", "tanpa paspor") is not
        # cancelled by an earlier negator: "gak digaji dan gak dibolehin keluar" is two facts.
        own = s._neg_long.match(self.norm, start, end) or s._neg_short.match(self.norm, start, end)
        # a few words back is all negation can reach; bounding it keeps long texts linear
        before = s._neutral.sub(" ", self.norm[max(cs, start - 120) : start])
        tokens = _TOKEN.findall(before)
        if tokens and not own:
            if s._neg_long.search(" ".join(tokens[-s._long_scope :])):
                return True
            if short and s._neg_short.search(" ".join(tokens[-s._short_scope :])):
                return True
            if s._neg_clause.search(before):  # "jangan percaya kalau ada yang ..."
                return True
        if post and end < ce:
            after = _TOKEN.findall(self.norm[end : min(ce, end + 80)])[: s._post_scope]
            if after and s._neg_post.search(" ".join(after)):
                return True
        return False

    # matching --------------------------------------------------------------------------------
    def active(self) -> dict[int, set[int]]:
        """Pattern index -> alternatives whose anchor words occur in this text."""
        if self._active is None:
            self._active = {}
            index = self.s._anchor_index
            for anchor in self.prefixes & index.keys():
                for rid, alt in index[anchor]:
                    self._active.setdefault(rid, set()).add(alt)
        return self._active

    def matches(
        self, regex: _Rx, post: bool = False, veto: _Rx | None = None, short: bool = True
    ) -> list[_Match]:
        out: list[_Match] = []
        spans: set[tuple[int, int]] = set()
        run = self.active().get(regex.id)
        if not run and not regex.always:
            return out
        if run and regex.always:
            run = run | regex.always
        alts, norm = regex.alts, self.norm
        # order comes from the spans below, so the alternatives need no sorting first
        hits = [m for i in (run or regex.always) for m in alts[i][0].finditer(norm)]
        hits.sort(key=lambda m: m.span())
        for m in hits:
            a, b = m.span()
            if a == b or (a, b) in spans or self.negated(a, b, post, short):
                continue
            spans.add((a, b))
            if veto is not None:
                _, cs, ce = self.clause(a)
                if veto.search(self.norm, cs, ce):
                    continue
            out.append(_Match(a, b, self.hypothetical(a)))
        return out

    def term(self, name: str) -> list[_Match]:
        if name not in self._terms:
            if name in ("salary_high", "salary_very_high"):
                self._salaries()
            else:
                self._terms[name] = self.matches(self.s._terms[name])
        return self._terms[name]

    def has(self, name: str) -> bool:
        return bool(self.term(name))

    def _salaries(self) -> None:
        high: list[_Match] = []
        very: list[_Match] = []
        sal = self.s._salary
        for m in sal.context.finditer(self.norm):
            ss, se = self.sentence(m.start())
            window_end = min(se, m.end() + 45)
            am = _find_amount(self.norm, m.end(), window_end, sal.to_idr)
            if am is None:
                continue
            value, a_end = am
            self._add_salary(m.start(), a_end, value, high, very)
        for m in sal.per_month.finditer(self.norm):
            # "$1500/month": an amount right before a per-month marker
            ss, _ = self.sentence(m.start())
            am = _find_amount(self.norm, max(ss, m.start() - 25), m.start(), sal.to_idr, last=True)
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
