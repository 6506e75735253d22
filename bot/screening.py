"""Job-offer screening: risk level, flags with evidence, follow-up questions.

The indicators are data (content/indicators.toml, content/guided_check.toml); this module only
knows how to read them: patterns with negation and question handling, combinations of term
groups, salary parsing, and one scoring rule shared by free text and the guided check.

    screener = default_screener()
    result = screener.check("Brgkt pake visa turis dl ya", lang="id")
    result.risk, result.flags[0].evidence   # "high", "visa turis"
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.language import guess_language
from bot.paths import CONTENT

LANGS = ("id", "en")
RISKS = ("high", "medium", "low")
FLAG_CODES = (
    "visa_nonwork",
    "pilgrimage_visa",
    "upfront_fee",
    "salary_deduction",
    "passport_retention",
    "unlicensed_recruiter",
    "informal_route",
    "scam_compound_country",
    "moratorium_domestic_work",
    "no_contract",
    "document_fraud",
    "too_good_salary",
    "no_training_or_process",
    "coached_lying",
    "held_against_will",
)

# Longer texts are screened on their first part only: a pasted chat log this long is not one
# offer, and the check must stay fast whatever is pasted.
MAX_TEXT = 20_000


# --------------------------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    evidence: str
    explanation: str
    advice: str


@dataclass(frozen=True)
class Screening:
    risk: str
    score: float
    lang: str
    flags: tuple[Flag, ...]
    questions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk,
            "score": round(self.score, 3),
            "lang": self.lang,
            "flags": [
                {
                    "code": f.code,
                    "evidence": f.evidence,
                    "explanation": f.explanation,
                    "advice": f.advice,
                }
                for f in self.flags
            ],
            "questions": list(self.questions),
        }


@dataclass(frozen=True)
class GuidedOption:
    key: str
    label: dict[str, str]
    flags: tuple[str, ...]
    lowers: bool


@dataclass(frozen=True)
class GuidedQuestion:
    id: str
    text: dict[str, str]
    options: tuple[GuidedOption, ...]

    def option(self, key: str) -> GuidedOption:
        for opt in self.options:
            if opt.key == key:
                return opt
        raise KeyError(key)


class ScreeningDataError(ValueError):
    """The indicator or guided-check data is inconsistent (raised at load, never per check)."""


# --------------------------------------------------------------------------------------------
# Compiled data
# --------------------------------------------------------------------------------------------

_SPACE_OPT = re.compile(r" \?")
_MACRO = re.compile(r"%([A-Z_]+)%")
_TOKEN = re.compile(r"[\w'’-]+")
_WORD = re.compile(r"\w+")
# Clause boundaries: negation and "is this a question" never reach across them. Dots and commas
# inside numbers ("2,5 jt", "3.500.000") are not boundaries.
_CLAUSE_END = re.compile(
    r"[.,](?=\s|$)|[!?;\n()\[\]]+|\s(?:tapi|tetapi|namun|but|padahal|sedangkan|however|although|walaupun|meskipun|sedang)(?=\s)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.](?=\s|$)|[!?\n]+")
_CONDITIONAL = re.compile(r"^\W*(?:kalau|kalo|klo|jika|jikalau|apabila|bila|seandainya|if)\b", re.I)

# Amounts for salary parsing: currency before or unit after, optional range ("12-15jt").
_AMOUNT = re.compile(
    r"""(?ix)
    (?P<cur>rp\.?|idr|usd|us\$|\$|rm|sgd|s\$|hkd|hk\$|nt\$|ntd|sar|aed|¥|€|eur)?\s*
    (?P<n1>\d{1,9}(?:[.,]\d{1,3}){0,4})
    (?:\s*(?P<u1>jt|juta|rb|ribu|k)?\s*(?:-|–|~|s/?d|sampai|to)\s*(?:rp\.?\s*|\$\s*)?(?P<n2>\d{1,9}(?:[.,]\d{1,3}){0,4}))?
    \s*(?P<unit>jt|juta|jutaan|rb|ribu|k|million|rupiah|ringgit|rm|dolar|dollar|dollars|usd|
        yuan|rmb|yen|won|ntd|nt|sgd|hkd|riyal|sar|dirham|aed|euro|eur|zloty|pln)?
    (?!\w)
    """
)
_CURRENCY = {
    "rp": "idr",
    "rp.": "idr",
    "idr": "idr",
    "rupiah": "idr",
    "usd": "usd",
    "us$": "usd",
    "$": "usd",
    "dolar": "usd",
    "dollar": "usd",
    "dollars": "usd",
    "rm": "myr",
    "ringgit": "myr",
    "sgd": "sgd",
    "s$": "sgd",
    "hkd": "hkd",
    "hk$": "hkd",
    "nt$": "ntd",
    "ntd": "ntd",
    "nt": "ntd",
    "yen": "jpy",
    "¥": "jpy",
    "won": "krw",
    "yuan": "cny",
    "rmb": "cny",
    "riyal": "sar",
    "sar": "sar",
    "dirham": "aed",
    "aed": "aed",
    "euro": "eur",
    "eur": "eur",
    "€": "eur",
    "zloty": "pln",
    "pln": "pln",
}
_MULTIPLIER = {
    "jt": 1e6,
    "juta": 1e6,
    "jutaan": 1e6,
    "million": 1e6,
    "rb": 1e3,
    "ribu": 1e3,
    "k": 1e3,
}


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
_ANCHOR_CAP = 400  # give up on (and simply always run) alternations with more start strings
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


def _word_keys(text: str) -> set[str]:
    """The keys anchors are looked up with: every word prefix, and each short whole word + " "."""
    keys: set[str] = set()
    for w in _WORD.findall(text.lower()):
        n = len(w)
        keys.update(w[:k] for k in range(1, min(n, _ANCHOR_LEN) + 1))
        if n < _ANCHOR_LEN:
            keys.add(w + " ")
    return keys


class _Rx:
    """A list of patterns, compiled whole (for search) and one by one with their anchors.

    Scanning runs only the patterns whose anchors occur in the text; `regex` (all patterns as
    one alternation) serves plain searches such as negation look-ups.
    """

    __slots__ = ("alts", "always", "id", "regex")

    def __init__(
        self,
        regex: re.Pattern[str],
        alts: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...],
    ) -> None:
        self.regex = regex
        self.alts = alts
        # patterns without anchors run on every text
        self.always = frozenset(i for i, (_, anchors) in enumerate(alts) if anchors is None)
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

    # structure -------------------------------------------------------------------------------
    def clause(self, pos: int) -> tuple[int, int, int]:
        i = bisect.bisect_right(self.clause_starts, pos) - 1
        end = self.clause_starts[i + 1] if i + 1 < len(self.clause_starts) else len(self.norm)
        return i, self.clause_starts[i], end

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        end = self.sentence_starts[i + 1] if i + 1 < len(self.sentence_starts) else len(self.norm)
        return self.sentence_starts[i], end

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


def _parse_number(text: str) -> float:
    """'1,000' and '3.500.000' are thousands, '2,5' and '1.5' decimals."""
    seps = re.findall(r"[.,]", text)
    if not seps:
        return float(text)
    groups = re.split(r"[.,]", text)
    if len(seps) > 1 or len(groups[-1]) == 3:
        return float("".join(groups))
    return float(text.replace(",", "."))


def _amount_value(m: re.Match[str], to_idr: Mapping[str, float]) -> float | None:
    cur = (m.group("cur") or "").lower()
    unit = (m.group("unit") or "").lower()
    n = m.group("n2") or m.group("n1")
    try:
        value = _parse_number(n)
    except ValueError:
        return None
    mult_unit = unit if unit in _MULTIPLIER else (m.group("u1") or "").lower()
    value *= _MULTIPLIER.get(mult_unit, 1.0)
    currency = _CURRENCY.get(cur) or _CURRENCY.get(unit)
    if currency is None:
        if mult_unit in _MULTIPLIER or value >= 100_000:
            currency = "idr"  # "gaji 15 juta", "gaji 3.500.000"
        else:
            return None  # "gaji 2x lipat", a bare small number
    return value * to_idr.get(currency, 0.0)


def _find_amount(
    text: str, start: int, end: int, to_idr: Mapping[str, float], last: bool = False
) -> tuple[float, int] | None:
    found: tuple[float, int] | None = None
    for m in _AMOUNT.finditer(text, start, end):
        if not m.group("n1"):
            continue
        value = _amount_value(m, to_idr)
        if value is None:
            continue
        found = (value, m.end())
        if not last:
            return found
    return found


def _amount_start(text: str, start: int, end: int) -> int:
    pos = start
    for m in _AMOUNT.finditer(text, start, end):
        if m.group("n1"):
            pos = m.start()
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


@dataclass(frozen=True)
class _Salary:
    context: _Rx
    per_month: _Rx
    high_idr: float
    very_high_idr: float
    to_idr: dict[str, float]


def _noisy_or(weights: Iterable[float]) -> float:
    return 1.0 - math.prod(1.0 - w for w in weights)


def _lang_texts(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ScreeningDataError(f"{where}: expected a table with id and en")
    missing = [lang for lang in LANGS if not str(table.get(lang, "")).strip()]
    if missing:
        raise ScreeningDataError(f"{where}: missing text for {', '.join(missing)}")
    return {lang: str(table[lang]).strip() for lang in LANGS}


# --------------------------------------------------------------------------------------------
# The screener
# --------------------------------------------------------------------------------------------


class Screener:
    """Loaded indicators and guided-check questions. Thread-safe: checks share no state."""

    def __init__(self, indicators: dict[str, Any], guided: dict[str, Any]) -> None:
        self._load_indicators(indicators)
        self._load_guided(guided)
        self._build_anchor_index()

    def _build_anchor_index(self) -> None:
        """anchor word prefix -> (pattern list id, alternative) for every scanned pattern list."""
        lists: list[_Rx] = list(self._terms.values())
        for spec in self._flags.values():
            lists.extend(r.regex for r in spec.rules if r.regex is not None)
        lists.extend(rx for _, rx in self._official)
        lists.extend((self._salary.context, self._salary.per_month))
        index: dict[str, list[tuple[int, int]]] = {}
        for rid, rx in enumerate(lists):
            rx.id = rid
            for alt, (_, anchors) in enumerate(rx.alts):
                for anchor in anchors or ():
                    index.setdefault(anchor, []).append((rid, alt))
        self._anchor_index = index

    @classmethod
    def load(cls, indicators: Path | None = None, guided: Path | None = None) -> Screener:
        ind_path = indicators or CONTENT / "indicators.toml"
        gui_path = guided or CONTENT / "guided_check.toml"
        with ind_path.open("rb") as fh:
            ind = tomllib.load(fh)
        with gui_path.open("rb") as fh:
            gui = tomllib.load(fh)
        return cls(ind, gui)

    # loading ---------------------------------------------------------------------------------
    def _load_indicators(self, data: dict[str, Any]) -> None:
        macros = {k: str(v) for k, v in data.get("macros", {}).items()}
        sc = data["scoring"]
        self._high = float(sc["high"])
        self._medium = float(sc["medium"])
        self._strong_min = float(sc["strong_min"])
        self._max_discount = float(sc["max_discount"])
        self._hyp_factor = float(sc["hypothetical_factor"])
        self._extra_step = float(sc["extra_evidence_step"])
        self._extra_max = float(sc["extra_evidence_max"])
        self._floor = float(sc["unknown_offer_floor"])
        self._guided_lower = float(sc["guided_lower_weight"])
        self._max_questions = int(sc["max_questions"])
        self._thin_min = int(sc["thin_min_missing"])

        neg = data["negation"]
        self._neg_long = _compile_any(neg["long"], macros, "negation.long")
        self._neg_short = _compile_any(neg["short"], macros, "negation.short")
        self._neg_clause = _compile_any(neg["clause"], macros, "negation.clause")
        self._neg_post = _compile_any(neg["post"], macros, "negation.post")
        self._neutral = _compile_any(neg["neutral"], macros, "negation.neutral")
        self._long_scope = int(neg["long_scope"])
        self._short_scope = int(neg["short_scope"])
        self._post_scope = int(neg["post_scope"])

        raw_terms: dict[str, list[str]] = {k: list(v) for k, v in data["terms"].items()}

        def flatten(name: str, seen: tuple[str, ...] = ()) -> list[str]:
            if name in seen:
                raise ScreeningDataError(f"terms.{name}: refers to itself")
            if name not in raw_terms:
                raise ScreeningDataError(f"unknown term group @{name}")
            out: list[str] = []
            for p in raw_terms[name]:
                if p.startswith("@"):
                    out.extend(flatten(p[1:], (*seen, name)))
                else:
                    out.append(p)
            return out

        self._terms: dict[str, _Rx] = {
            name: _compile_any(flatten(name), macros, f"terms.{name}") for name in raw_terms
        }
        self._question_cue = self._terms["question_cue"]
        self._past_cue = self._terms["past_cue"]

        sal = data["salary"]
        to_idr = {k: float(v) for k, v in sal["to_idr"].items()}
        self._salary = _Salary(
            context=_compile_any(sal["context"], macros, "salary.context"),
            per_month=_compile_any(sal["per_month"], macros, "salary.per_month"),
            high_idr=float(sal["high_idr"]),
            very_high_idr=float(sal["very_high_idr"]),
            to_idr=to_idr,
        )

        def term_ref(ref: str, where: str) -> str:
            if not ref.startswith("@"):
                raise ScreeningDataError(f"{where}: {ref!r} must name a term group with @")
            name = ref[1:]
            if name not in self._terms and name not in ("salary_high", "salary_very_high"):
                raise ScreeningDataError(f"{where}: unknown term group {ref}")
            return name

        flags: dict[str, _FlagSpec] = {}
        for code, spec in data["flags"].items():
            if code not in FLAG_CODES:
                raise ScreeningDataError(f"flags.{code}: not a contract flag code")
            where = f"flags.{code}"
            rules: list[_Rule] = []
            for i, r in enumerate(spec.get("rules", [])):
                rw = f"{where}.rules[{i}]"
                if "any" in r:
                    rules.append(
                        _Rule(float(r["weight"]), _compile_any(r["any"], macros, rw), (), ())
                    )
                else:
                    terms = tuple(term_ref(t, rw) for t in r["all"])
                    unless = tuple(term_ref(t, rw) for t in r.get("unless", []))
                    ev = r.get("evidence", "span")
                    if ev not in ("span", "first"):
                        raise ScreeningDataError(f"{rw}: evidence must be 'span' or 'first'")
                    rules.append(
                        _Rule(float(r["weight"]), None, terms, unless, first_only=ev == "first")
                    )
            if not rules:
                raise ScreeningDataError(f"{where}: no rules")
            boosts = tuple(
                (float(b["weight"]), tuple(term_ref(t, where) for t in b["when"]))
                for b in spec.get("boosts", [])
            )
            veto = _compile_any(spec["veto"], macros, f"{where}.veto") if "veto" in spec else None
            flags[code] = _FlagSpec(
                code=code,
                weight=float(spec["weight"]),
                explanation=_lang_texts(spec.get("explanation"), f"{where}.explanation"),
                advice=_lang_texts(spec.get("advice"), f"{where}.advice"),
                rules=tuple(rules),
                boosts=boosts,
                post_negation=bool(spec.get("post_negation", False)),
                veto=veto,
            )
        missing = [c for c in FLAG_CODES if c not in flags]
        if missing:
            raise ScreeningDataError(f"no indicators for {', '.join(missing)}")
        self._flags = flags

        self._official = tuple(
            (float(o["weight"]), _compile_any(o["patterns"], macros, f"official[{i}]"))
            for i, o in enumerate(data["official"])
        )
        self._followups = tuple(
            _FollowUp(
                id=q["id"],
                topics=tuple(term_ref(t, f"questions.{q['id']}") for t in q["topics"]),
                text=_lang_texts(q.get("text"), f"questions.{q['id']}.text"),
            )
            for q in data["questions"]
        )

    def _load_guided(self, data: dict[str, Any]) -> None:
        questions: list[GuidedQuestion] = []
        for q in data["question"]:
            qid = str(q["id"])
            opts: list[GuidedOption] = []
            for o in q["option"]:
                codes = tuple(o.get("flags", []))
                for c in codes:
                    if c not in FLAG_CODES:
                        raise ScreeningDataError(f"guided {qid}.{o['key']}: unknown flag {c}")
                opts.append(
                    GuidedOption(
                        key=str(o["key"]),
                        label=_lang_texts(o.get("label"), f"guided {qid}.{o['key']}.label"),
                        flags=codes,
                        lowers=bool(o.get("lowers", False)),
                    )
                )
            if not 2 <= len(opts) <= 6:
                raise ScreeningDataError(f"guided {qid}: needs 2 to 6 options")
            if len({o.key for o in opts}) != len(opts):
                raise ScreeningDataError(f"guided {qid}: duplicate option keys")
            questions.append(
                GuidedQuestion(
                    id=qid,
                    text=_lang_texts(q.get("text"), f"guided {qid}.text"),
                    options=tuple(opts),
                )
            )
        self._guided = questions
        by_id = {q.id: q for q in questions}
        combos: list[_Combo] = []
        for i, c in enumerate(data.get("combo", [])):
            if c["flag"] not in FLAG_CODES:
                raise ScreeningDataError(f"guided combo[{i}]: unknown flag {c['flag']}")
            when: list[tuple[str, frozenset[str]]] = []
            for qid, keys in c["when"].items():
                if qid not in by_id:
                    raise ScreeningDataError(f"guided combo[{i}]: unknown question {qid}")
                for k in keys:
                    by_id[qid].option(k)  # raises KeyError on a typo
                when.append((qid, frozenset(keys)))
            combos.append(_Combo(flag=c["flag"], weight=c.get("weight"), when=tuple(when)))
        self._guided_combos = tuple(combos)

    # public ----------------------------------------------------------------------------------
    @property
    def guided_questions(self) -> list[GuidedQuestion]:
        return list(self._guided)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return FLAG_CODES

    def check(self, text: str, lang: str | None = None) -> Screening:
        text = (text or "")[:MAX_TEXT]
        lang = self._lang(text, lang)
        t = _Text(self, text)
        return self._result(t, self._find_flags(t), lang)

    def looks_like_offer(self, text: str) -> bool:
        """Does free text typed in chat read like a job offer or recruiter message?"""
        text = (text or "")[:MAX_TEXT]
        if not text.strip():
            return False
        t = _Text(self, text)
        return self._looks_like_offer(t, self._find_flags(t))

    def check_answers(self, answers: Mapping[str, str], lang: str) -> Screening:
        """Score the guided check: question id -> option key."""
        lang = self._lang("", lang)
        by_id = {q.id: q for q in self._guided}
        chosen: dict[str, GuidedOption] = {}
        for qid, key in answers.items():
            if qid not in by_id:
                raise ValueError(f"unknown guided question {qid!r}")
            try:
                chosen[qid] = by_id[qid].option(key)
            except KeyError:
                raise ValueError(f"unknown option {key!r} for question {qid!r}") from None

        weights: dict[str, float] = {}
        evidence: dict[str, str] = {}

        def raise_flag(code: str, weight: float, ev: str) -> None:
            if weight > weights.get(code, -1.0):
                weights[code] = weight
                evidence[code] = ev

        for q in self._guided:  # question order keeps evidence stable
            opt = chosen.get(q.id)
            if opt is None:
                continue
            for code in opt.flags:
                raise_flag(code, self._flags[code].weight, opt.label[lang])
        for combo in self._guided_combos:
            if all(
                chosen.get(qid) is not None and chosen[qid].key in keys for qid, keys in combo.when
            ):
                ev = " + ".join(chosen[qid].label[lang] for qid, _ in combo.when)
                w = (
                    float(combo.weight)
                    if combo.weight is not None
                    else self._flags[combo.flag].weight
                )
                raise_flag(combo.flag, w, ev)

        lowers = sum(1 for o in chosen.values() if o.lowers)
        discount = min(self._max_discount, lowers * self._guided_lower)
        score = self._score(list(weights.values()), discount)
        if lowers == 0 and any(o.key == "unknown" for o in chosen.values()):
            # not knowing the route is itself a reason to check before leaving
            score = max(score, self._floor)
        risk = self._risk(score)
        flags = self._flag_objects(
            sorted(weights, key=lambda c: (-weights[c], FLAG_CODES.index(c))), evidence, lang
        )
        questions: tuple[str, ...] = ()
        if risk != "high":
            questions = tuple(q.text[lang] for q in self._guided if q.id not in chosen)
        return Screening(risk, score, lang, flags, questions)

    # internals -------------------------------------------------------------------------------
    @staticmethod
    def _lang(text: str, lang: str | None) -> str:
        if lang is None:
            return guess_language(text) or "id"
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
        return lang

    def _find_flags(self, t: _Text) -> dict[str, _Found]:
        found: dict[str, _Found] = {}
        active = t.active()
        for code, spec in self._flags.items():
            best: _Found | None = None
            for rule in spec.rules:
                rx = rule.regex
                if rx is not None and not rx.always and rx.id not in active:
                    continue  # none of its words occur in the text
                for w, a, b, hyp in self._rule_hits(t, spec, rule):
                    if best is None:
                        best = _Found(w, a, b, hyp, set())
                    elif (hyp, -w, a) < (best.hypothetical, -best.weight, best.start):
                        best.weight, best.start, best.end, best.hypothetical = w, a, b, hyp
                    if not hyp:
                        best.spans.add((a, b))
            if best is None:
                continue
            for w, terms in spec.boosts:
                if w > best.weight and all(t.has(n) for n in terms):
                    best.weight = w
            found[code] = best
        return found

    def _rule_hits(
        self, t: _Text, spec: _FlagSpec, rule: _Rule
    ) -> Iterable[tuple[float, int, int, bool]]:
        if rule.regex is not None:
            for m in t.matches(rule.regex, spec.post_negation, spec.veto):
                yield rule.weight, m.start, m.end, m.hypothetical
            return
        lists: list[list[_Match]] = []
        for n in rule.terms:  # stop at the first missing part: most texts lack most terms
            ms = t.term(n)
            if not ms:
                return
            lists.append(ms)
        if any(t.has(n) for n in rule.unless):
            return
        # Prefer parts that are real (not in a question), then in one clause, then close.
        best: tuple[tuple[int, int, int], list[_Match]] | None = None
        for anchor in lists[0][:8]:
            chosen = [anchor]
            ci = t.clause(anchor.start)[0]
            for ms in lists[1:]:
                chosen.append(
                    min(
                        ms,
                        key=lambda m: (
                            m.hypothetical,
                            t.clause(m.start)[0] != ci,
                            abs(m.start - anchor.start),
                        ),
                    )
                )
            # one sentence is close enough ("Thailand perbatasan, kerja marketing online")
            si = t.sentence(anchor.start)[0]
            same = all(t.sentence(m.start)[0] == si for m in chosen)
            spread = max(m.end for m in chosen) - min(m.start for m in chosen)
            key = (sum(m.hypothetical for m in chosen), int(not same), spread)
            if best is None or key < best[0]:
                best = (key, chosen)
        assert best is not None
        (n_hyp, not_same, spread), chosen = best
        a, b = chosen[0].start, chosen[0].end
        if not rule.first_only and not not_same and spread <= 60:
            a = min(m.start for m in chosen)
            b = max(m.end for m in chosen)
        yield rule.weight, a, b, n_hyp > 0

    def _official_discount(self, t: _Text) -> float:
        total = 0.0
        for weight, regex in self._official:
            # "pelatihan gratis di BLK": "gratis" praises the official office, not negates it
            if t.matches(regex, short=False):
                total += weight
        return min(self._max_discount, total)

    def _effective(self, f: _Found) -> float:
        extra = min(self._extra_max, self._extra_step * max(0, _distinct(f.spans) - 1))
        w = min(0.99, f.weight + extra)
        return w * self._hyp_factor if f.hypothetical else w

    def _score(self, weights: list[float], discount: float) -> float:
        raw = _noisy_or(weights)
        strong = _noisy_or(w for w in weights if w >= self._strong_min)
        return max(strong, raw * (1.0 - discount))

    def _risk(self, score: float) -> str:
        if score >= self._high:
            return "high"
        if score >= self._medium:
            return "medium"
        return "low"

    def _looks_like_offer(self, t: _Text, found: Mapping[str, _Found]) -> bool:
        if any(not f.hypothetical for f in found.values()):
            return True
        text = t.norm.strip()
        if not text:
            return False
        marker = t.has("offer_marker")
        question = (
            text.rstrip(" \t\n.!🙏😊🙂").endswith("?")
            or t.hypothetical(0)
            or t.has("user_question")
        )
        if question and not marker:
            return False
        context = (
            t.has("abroad")
            or t.has("salary_high")
            or bool(self._salary.context.search(t.norm))
            or t.has("topic_fee")
            or t.has("topic_visa")
        )
        if t.has("job_word") and context:
            return True
        return marker and (t.has("abroad") or t.has("job_word"))

    def _flag_objects(
        self, codes: Iterable[str], evidence: Mapping[str, str], lang: str
    ) -> tuple[Flag, ...]:
        return tuple(
            Flag(
                code=c,
                evidence=evidence[c],
                explanation=self._flags[c].explanation[lang],
                advice=self._flags[c].advice[lang],
            )
            for c in codes
        )

    def _result(self, t: _Text, found: dict[str, _Found], lang: str) -> Screening:
        eff = {code: self._effective(f) for code, f in found.items()}
        discount = self._official_discount(t)
        score = self._score(list(eff.values()), discount)
        if (
            score < self._floor
            and discount == 0.0
            and t.has("abroad")
            and self._looks_like_offer(t, found)
        ):
            # an overseas offer with no sign of the official route: check before you go
            score = self._floor
        score = min(1.0, max(0.0, score))
        risk = self._risk(score)

        order = sorted(found, key=lambda c: (-eff[c], found[c].start))
        evidence = {c: _trim(t.raw, found[c].start, found[c].end) for c in order}
        flags = self._flag_objects(order, evidence, lang)

        questions: list[str] = []
        if risk != "high":
            missing = [q for q in self._followups if not all(t.has(n) for n in q.topics)]
            if len(missing) >= self._thin_min:
                questions = [q.text[lang] for q in missing[: self._max_questions]]
        return Screening(risk, score, lang, flags, tuple(questions))


def _distinct(spans: set[tuple[int, int]]) -> int:
    """Pieces of evidence that do not overlap: two patterns on the same words count once."""
    count, last_end = 0, -1
    for a, b in sorted(spans):
        if a >= last_end:
            count += 1
            last_end = b
        else:
            last_end = max(last_end, b)
    return count


def _trim(raw: str, start: int, end: int) -> str:
    ev = raw[start:end].strip(" \t\n,.;:!?")
    return ev or raw[start:end]


@cache
def default_screener() -> Screener:
    """The screener for content/ files, loaded once per process."""
    return Screener.load()
