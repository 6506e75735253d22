"""Concepts that co-occur: matching that holds on wording nobody wrote a pattern for.

A concept is a set of words in both languages (content/screening/concepts.toml), read in
every form through bot/text ("ditahan", "nahan", "withheld" -> their roots), plus the place
lists of content/screening/places.toml. A rule raises a flag when all its concepts occur
close together (a window of words) within one sentence, or anywhere in the text. This is what
catches stories told in long sentences ("the mandor took my Indonesian passport and now says
he lost it") where no fixed phrase stands.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.paths import CONTENT
from bot.screening.results import ScreeningDataError
from bot.text import FORM, LEMMA, Analyser, Word

if TYPE_CHECKING:
    from bot.screening.text import _Text

CONCEPTS_FILE = CONTENT / "screening" / "concepts.toml"
PLACES_FILE = CONTENT / "screening" / "places.toml"
_FIRST = itemgetter(0)
_MAX_ANCHORS = 8  # occurrences of a rule's first concept tried; enough for any real text


@dataclass(frozen=True)
class ConceptRule:
    flag: str
    concepts: tuple[int, ...]
    unless: tuple[int, ...]
    window: int  # largest distance in words between the first and the last concept
    text_scope: bool  # True: anywhere in the text; False: within one sentence
    weight: float
    source: str
    reviewed: str


@dataclass(frozen=True)
class ConceptHit:
    flag: str
    weight: float
    start: int
    end: int
    question: bool  # inside the user's own question


def _plan(bucket: list[Any]) -> tuple[int, tuple[Any, ...], frozenset[str], dict[str, Any]]:
    """(size, the one-word phrases as (place, concept), every word that may come second in a
    longer one, second word -> (place, concept, phrase) of the longer ones) of one index key;
    places keep the index order."""
    second: dict[str, list[tuple[int, int, Any]]] = {}
    for o, (cid, phrase) in enumerate(bucket):
        if len(phrase) > 1:
            for lemma in phrase[1]:
                second.setdefault(lemma, []).append((o, cid, phrase))
    singles = tuple((o, cid) for o, (cid, phrase) in enumerate(bucket) if len(phrase) == 1)
    return len(bucket), singles, frozenset(second), {k: tuple(v) for k, v in second.items()}


class Concepts:
    """Compiled concepts and rules; `hits` reads one text. Immutable once loaded."""

    def __init__(
        self,
        data: Mapping[str, Any],
        places: Mapping[str, Any],
        analyser: Analyser,
        flag_codes: tuple[str, ...],
        read: Collection[str] | None = None,
    ) -> None:
        """`read`: the concept names the caller reads from `_Text.concepts` besides those of
        the rules; given, every other concept is left out of the matching (None: none is)."""
        raw: dict[str, list[str]] = {k: list(v) for k, v in data.get("concepts", {}).items()}
        for name, items in places.items():
            if name in raw:
                raise ScreeningDataError(f"places.{name}: also a concept name")
            raw[name] = [str(x) for x in items]
        self.names = tuple(raw)
        ids = {n: i for i, n in enumerate(self.names)}
        self.ids = ids

        def terms(name: str, seen: tuple[str, ...] = ()) -> list[str]:
            if name in seen:
                raise ScreeningDataError(f"concepts.{name}: refers to itself")
            out: list[str] = []
            for t in raw[name]:
                if t.startswith("@"):
                    if t[1:] not in raw:
                        raise ScreeningDataError(f"concepts.{name}: unknown {t}")
                    out.extend(terms(t[1:], (*seen, name)))
                else:
                    out.append(t)
            return out

        # first lemma -> (concept id, the phrase's lemma sets)
        index: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]] = {}
        for name in self.names:
            for term in terms(name):
                if term.startswith("="):
                    # "=word": that typed form only, not every word of its root ("=dipukul" is
                    # beaten, while the bare root "pukul 08.00" tells the time). A form is
                    # looked up like a lemma, so it needs no index of its own.
                    forms = [w.form for w in analyser.words(term[1:])]
                    if len(forms) != 1:
                        raise ScreeningDataError(f"concepts.{name}: {term!r} must be one word")
                    entry = (ids[name], (frozenset(forms),))
                    bucket = index.setdefault(forms[0], [])
                    if entry not in bucket:
                        bucket.append(entry)
                    continue
                phrase = analyser.phrase(term)
                if not phrase:
                    raise ScreeningDataError(f"concepts.{name}: empty term {term!r}")
                for lemma in phrase[0]:
                    entry = (ids[name], phrase)
                    bucket = index.setdefault(lemma, [])
                    if entry not in bucket:
                        bucket.append(entry)
        # concepts whose own terms carry a negation ("tidak dibayar", "not paid")
        negators = {"tidak", "not", "belum", "never", "no", "tanpa", "without", "bukan", "tak"}
        self._negative = frozenset(
            ids[name]
            for name in self.names
            if any(
                any(lemmas & negators for lemmas in analyser.phrase(term)) for term in terms(name)
            )
        )

        rules: list[ConceptRule] = []
        for i, r in enumerate(data.get("rule", [])):
            where = f"concepts rule[{i}]"
            if r.get("flag") not in flag_codes:
                raise ScreeningDataError(f"{where}: unknown flag {r.get('flag')!r}")
            for field in ("source", "reviewed"):
                if not str(r.get(field, "")).strip():
                    raise ScreeningDataError(f"{where}: missing {field}")
            names = list(r["all"])
            unknown = [n for n in [*names, *r.get("unless", [])] if n not in ids]
            if unknown or not names:
                raise ScreeningDataError(f"{where}: unknown or no concepts {unknown}")
            scope = r.get("scope", "sentence")
            if scope not in ("sentence", "text"):
                raise ScreeningDataError(f"{where}: scope must be 'sentence' or 'text'")
            rules.append(
                ConceptRule(
                    flag=r["flag"],
                    concepts=tuple(ids[n] for n in names),
                    unless=tuple(ids[n] for n in r.get("unless", [])),
                    window=int(r.get("window", 12)),
                    text_scope=scope == "text",
                    weight=float(r["weight"]),
                    source=str(r["source"]),
                    reviewed=str(r["reviewed"]),
                )
            )
        self.rules = tuple(rules)
        # each rule with its concepts as sets: "are they all in the text" is one C-level test
        self._checks = tuple((r, frozenset(r.concepts), frozenset(r.unless)) for r in rules)
        self._wanted: frozenset[int] | None = None  # None: every concept is looked for
        if read is not None:
            # only the concepts some rule reads, and those the caller asks for, are looked
            # for in a text: place lists included only through another concept ("@ports")
            # would otherwise be found, at every place name, for nothing
            wanted = {ids[n] for n in read} | {c for r in rules for c in (*r.concepts, *r.unless)}
            self._wanted = frozenset(wanted)
            index = {
                k: kept for k, b in index.items() if (kept := [e for e in b if e[0] in wanted])
            }
        self._index = index
        # lemma -> (its phrases, the one-word ones alone, every word that may follow as the
        # second of a longer one): a word like "di" or "tidak" starts hundreds of phrases, and
        # a text where the next word fits none of them takes only the one-word ones, at once
        self._plans: dict[str, tuple[int, tuple[Any, ...], frozenset[str], dict[str, Any]]] = {
            key: _plan(bucket) for key, bucket in index.items()
        }
        # (form, lemma) -> what `occurrences` needs of a word (see _entry): a cache, bounded
        self._entries: dict[tuple[str, str], tuple[tuple[int, ...], frozenset[str], Any, Any]] = {}

    def id_of(self, name: str) -> int:
        """The id of a concept the caller reads from a text's occurrences; a concept left out
        of the matching (not in `read`) is an error here, not a silent absence later."""
        cid = self.ids[name]
        if self._wanted is not None and cid not in self._wanted:
            raise ValueError(f"concept {name!r} is read but not looked for: add it to `read`")
        return cid

    @classmethod
    def load(
        cls,
        analyser: Analyser,
        flag_codes: tuple[str, ...],
        concepts: Path = CONCEPTS_FILE,
        places: Path = PLACES_FILE,
        read: Collection[str] | None = None,
    ) -> Concepts:
        data = tomllib.loads(concepts.read_text(encoding="utf-8"))
        pl = tomllib.loads(places.read_text(encoding="utf-8"))
        return cls(data, pl, analyser, flag_codes, read)

    def _entry(self, form: str, lemma: str) -> tuple[tuple[int, ...], frozenset[str], Any, Any]:
        """(the concepts its one-word phrases name, in index order and once each; every word
        that may come second in a longer phrase; its plan; the plan of its form, when that
        differs) of a word some phrase begins with, remembered per (form, lemma)."""
        key = (form, lemma)
        hit = self._entries.get(key)
        if hit is None:
            plans = self._plans
            plan = plans.get(lemma)
            more = plans.get(form) if form != lemma else None
            if plan is None:
                plan, more = more, None
            singles = plan[1] if more is None else plan[1] + more[1]
            follows = plan[2] if more is None else plan[2] | more[2]
            hit = (tuple(dict.fromkeys(cid for _, cid in singles)), follows, plan, more)
            if len(self._entries) < 100_000:
                self._entries[key] = hit
        return hit

    def occurrences(self, words: list[Word], text: str) -> dict[int, list[tuple[int, int]]]:
        """concept id -> (first word index, last word index) of each occurrence, in the order
        of the words. The words of a phrase follow each other with nothing but spaces between
        ("tidak ada, gaji" is not "tidak ada gaji")."""
        out: dict[int, list[tuple[int, int]]] = {}
        plans = self._plans
        n = len(words)
        setdefault = out.setdefault
        last = n - 1
        # the words any phrase can start at, found in C: most words of a text start none
        lemmas = list(map(LEMMA, words))
        forms = list(map(FORM, words))
        known = plans.__contains__
        at = set(compress(range(n), map(known, lemmas)))
        at.update(compress(range(n), map(known, forms)))
        entries = self._entries
        entry = self._entry
        # where no longer phrase can start (most places) a word names its one-word concepts,
        # the same wherever it stands: those places are gathered per word and added at once
        alone: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for i in sorted(at):
            word = (forms[i], lemmas[i])
            e = entries.get(word) or entry(*word)
            follows = e[1]
            if i == last or (lemmas[i + 1] not in follows and forms[i + 1] not in follows):
                here = alone.get(word)
                if here is None:
                    alone[word] = [(i, i)]
                else:
                    here.append((i, i))
                continue
            plan, more = e[2], e[3]
            nxt = words[i + 1]
            # the one-word phrases and the longer ones whose second word is the next word, in
            # the order of the index (a position's order decides which occurrence comes first)
            picks: list[tuple[int, int, int]] = []
            for offset, p in ((0, plan),) if more is None else ((0, plan), (plan[0], more)):
                picks.extend((offset + o, cid, 1) for o, cid in p[1])
                second = p[3]
                tried: set[int] = set()
                for key in (nxt.lemma, nxt.form):
                    for o, cid, phrase in second.get(key, ()):
                        if o in tried:
                            continue
                        tried.add(o)
                        k = len(phrase)
                        if (
                            i + k > n
                            or not all(
                                (words[i + j].lemma in phrase[j] or words[i + j].form in phrase[j])
                                and (
                                    words[i + j].start == words[i + j - 1].start  # one token, two
                                    or not text[words[i + j - 1].end : words[i + j].start].strip()
                                )
                                for j in range(1, k)
                            )
                        ):
                            continue
                        picks.append((offset + o, cid, k))
            picks.sort()
            for _, cid, k in picks:
                occ = setdefault(cid, [])
                if not occ or occ[-1] != (i, i + k - 1):
                    occ.append((i, i + k - 1))
        mixed: set[int] = set()
        for word, places in alone.items():
            for cid in (entries.get(word) or entry(*word))[0]:
                occ = out.get(cid)
                if occ is None:
                    out[cid] = list(places)
                else:
                    occ.extend(places)
                    mixed.add(cid)
        for cid in mixed:  # in the order of the words; at one word, in the order found
            out[cid].sort(key=_FIRST)
        return out

    def hits(self, t: _Text, words: list[Word]) -> Iterator[ConceptHit]:
        if not words:
            return
        occ = self.occurrences(words, t.raw)
        t.concepts = occ.keys()  # which concepts the text names, for the screener's own reading
        if not occ:
            return
        sentence_of = t.sentence_index
        kept: dict[int, list[tuple[int, int]]] = {}

        def live(cid: int) -> list[tuple[int, int]]:
            # occurrences not cancelled by a negator right before them ("tidak ditahan")
            if cid not in kept:
                kept[cid] = [
                    (a, b)
                    for a, b in occ.get(cid, ())
                    if not t.negated(words[a].start, words[b].end, post=False)
                ]
            return kept[cid]

        present = occ.keys()  # every list in occ has at least one occurrence
        for rule, needs, unless in self._checks:
            if not present >= needs:
                continue
            if unless and not present.isdisjoint(unless):
                continue
            lists = [live(c) for c in rule.concepts]
            if not all(lists) and any(c in self._negative for c in rule.concepts):
                # "has not paid my wages": the negator belongs to the rule's own negative
                # concept (unpaid), it does not cancel the wage next to it
                neg = [span for c in rule.concepts if c in self._negative for span in kept[c]]
                # ... but "never pay" is one occurrence, not "never" + a wage called "pay"
                lists = [
                    kept[c]
                    if c in self._negative
                    else [(a, b) for a, b in occ[c] if not any(x <= b and a <= y for x, y in neg)]
                    for c in rule.concepts
                ]
            if not all(lists):
                continue
            best: tuple[int, int, int] | None = None
            for a0, b0 in lists[0][:_MAX_ANCHORS]:
                s0 = sentence_of(words[a0].start)
                lo, hi = a0, b0
                ok = True
                for other in lists[1:]:
                    pick = None
                    for a, b in other:
                        if not rule.text_scope and sentence_of(words[a].start) != s0:
                            continue
                        d = abs(a - a0)
                        if pick is None or d < pick[0]:
                            pick = (d, a, b)
                    if pick is None:
                        ok = False
                        break
                    lo, hi = min(lo, pick[1]), max(hi, pick[2])
                if ok and hi - lo <= rule.window and (best is None or hi - lo < best[0]):
                    best = (hi - lo, lo, hi)
            if best is None:
                continue
            _, lo, hi = best
            start, end = words[lo].start, words[hi].end
            # a question only when all of it is asked: "mau ikut ke Kamboja gk? kerjaannya
            # marketing online" offers what it asks about
            question = t.question(start) and t.question(words[hi].start)
            if end - start > 160:  # far apart: quote the first concept's words only
                a0, b0 = lists[0][0]
                start, end = words[a0].start, words[b0].end
            yield ConceptHit(rule.flag, rule.weight, start, end, question)
