"""The screener: loads the indicator data and checks texts and guided-check answers."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.language import guess_language
from bot.paths import CONTENT
from bot.screening.concepts import Concepts
from bot.screening.lawful import Lawful
from bot.screening.model import Model
from bot.screening.patterns import _compile_any, _Rx, _word_keys
from bot.screening.results import (
    FLAG_CODES,
    LANGS,
    MAX_TEXT,
    RISKS,
    Flag,
    GuidedOption,
    GuidedQuestion,
    Screening,
    ScreeningDataError,
)
from bot.screening.salary import _Salary
from bot.screening.scoring import _distinct, _lang_texts, _noisy_or, _trim
from bot.screening.text import _Combo, _FlagSpec, _FollowUp, _Found, _Match, _Rule, _Text
from bot.text import Analyser, default_analyser

# --------------------------------------------------------------------------------------------
# The screener
# --------------------------------------------------------------------------------------------


class Screener:
    """Loaded indicators and guided-check questions. Thread-safe: checks share no state."""

    def __init__(
        self,
        indicators: dict[str, Any],
        guided: dict[str, Any],
        concepts: Concepts | None = None,
        analyser: Analyser | None = None,
        use_model: bool = True,
    ) -> None:
        self._load_indicators(indicators)
        self._load_guided(guided)
        self._build_anchor_index()
        self._analyser = analyser or default_analyser()
        # the screener reads three concepts itself (see _notice); the rules read the others
        self._concepts = concepts or Concepts.load(self._analyser, FLAG_CODES, read=_CONCEPTS_READ)
        # an extra fee on top of an official one weighs what any upfront fee does
        self._lawful = Lawful.load(self._analyser, FLAG_CODES, self._flags["upfront_fee"].weight)
        self._model: Model | None = Model.load() if use_model else None
        # an authority's warning speaks of everyone's case, not the reader's (see _notice)
        concept = self._concepts.id_of
        self._authority = concept("official_name")
        self._personal = concept("worker_self")
        self._incident = concept("incident")  # a reported case is no notice, whatever it ends with
        unmatched = [
            c
            for c in FLAG_CODES
            if not self._flags[c].rules and all(r.flag != c for r in self._concepts.rules)
        ]
        if unmatched:
            raise ScreeningDataError(f"no rules or concepts for {', '.join(unmatched)}")

    def _build_anchor_index(self) -> None:
        """anchor word prefix -> (pattern list id, alternative) for every scanned pattern list."""
        lists: list[_Rx] = list(self._terms.values())
        # negation and cue lists too: a text where none of their words occur skips them
        lists.extend(
            (self._neg_long, self._neg_short, self._neg_clause, self._neutral, self._neg_post)
        )
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
        # lower-case word -> (pattern list id, alternative) it can start; words repeat, so this
        # is remembered (bounded; a plain dict is safe to share between threads here)
        self._anchor_cache: dict[str, tuple[tuple[int, tuple[int, ...]], ...]] = {}
        # what a clause or the words around a match say (a question, the past, a negator),
        # remembered per piece of text: each is a pure function of that text (see
        # bot.screening.text._remember for the bounds)
        self._memo_asks: dict[str, bool] = {}
        self._memo_past: dict[str, bool] = {}
        self._memo_before: dict[tuple[str, bool], tuple[bool, bool, bool]] = {}
        self._memo_after: dict[str, bool] = {}
        self._memo_amount: dict[tuple[str, bool, str], tuple[float, int] | tuple[()]] = {}

    def _anchors_of(self, word: str) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """(pattern list id, its alternatives) that may begin at `word` (as typed)."""
        hit = self._anchor_cache.get(word)
        if hit is None:
            index = self._anchor_index
            by_list: dict[int, dict[int, None]] = {}
            for key in _word_keys(word.lower()):
                for rid, alt in index.get(key, ()):
                    by_list.setdefault(rid, {})[alt] = None
            hit = tuple((rid, tuple(alts)) for rid, alts in by_list.items())
            if len(self._anchor_cache) < 200_000:
                self._anchor_cache[word] = hit
        return hit

    @classmethod
    def load(
        cls, indicators: Path | None = None, guided: Path | None = None, use_model: bool = True
    ) -> Screener:
        ind_path = indicators or CONTENT / "indicators.toml"
        gui_path = guided or CONTENT / "guided_check.toml"
        with ind_path.open("rb") as fh:
            ind = tomllib.load(fh)
        with gui_path.open("rb") as fh:
            gui = tomllib.load(fh)
        return cls(ind, gui, use_model=use_model)

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
        self._presupposing = self._terms["presupposing_question"]
        self._warning_cue = self._terms["warning_cue"]

        sal = data["salary"]
        to_idr = {k: float(v) for k, v in sal["to_idr"].items()}
        self._salary = _Salary(
            context=_compile_any(sal["context"], macros, "salary.context"),
            per_month=_compile_any(sal["per_month"], macros, "salary.per_month"),
            high_idr=float(sal["high_idr"]),
            very_high_idr=float(sal["very_high_idr"]),
            to_idr=to_idr,
            local_dollar=tuple(
                (cur, re.compile(r"\b(?:" + "|".join(names) + r")\b", re.IGNORECASE))
                for cur, names in sal.get("local_dollar", {}).items()
            ),
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
            _sourced(spec, where)
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
            # flags added for issue #13 match by concepts only (content/screening/concepts.toml)
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
            _sourced(q, f"guided {qid}")
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
                        says=tuple(str(w) for w in o.get("says", [])),
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

    def guided_answer(self, question_id: str, text: str) -> str | None:
        """The option a typed answer means ("ya", "gk tau", "ke majikan"), or None when it
        fits none or two equally well. Read through bot/text, so chat spellings count."""
        question = next((q for q in self._guided if q.id == question_id), None)
        if question is None:
            raise ValueError(f"unknown guided question {question_id!r}")
        typed = [w.form for w in self._analyser.words(text or "")]
        if not typed:
            return None
        best: dict[str, int] = {}
        for opt in question.options:
            for phrase in (*opt.says, *(opt.label[lang] for lang in LANGS)):
                words = [w.form for w in self._analyser.words(phrase)]
                n = len(words)
                if n and any(typed[i : i + n] == words for i in range(len(typed) - n + 1)):
                    best[opt.key] = max(best.get(opt.key, 0), n)
        if not best:
            return None
        top = max(best.values())
        keys = [k for k, n in best.items() if n == top]
        return keys[0] if len(keys) == 1 else None

    def check(self, text: str, lang: str | None = None) -> Screening:
        text = (text or "")[:MAX_TEXT]
        lang = self._lang(text, lang)
        t = _Text(self, text)
        return self._result(t, self._find_flags(t, lang), lang)

    def looks_like_offer(self, text: str) -> bool:
        """Does free text typed in chat read like a job offer or recruiter message?"""
        text = (text or "")[:MAX_TEXT]
        if not text.strip():
            return False
        t = _Text(self, text)
        return self._looks_like_offer(t, self._find_flags(t, guess_language(text) or "id"))

    def check_if_offer(self, text: str, lang: str | None = None) -> Screening | None:
        """`check(text, lang)` when free text `looks_like_offer`, else None: what the menu
        asks of typed text. The text is read once when its own language is `lang` (most
        messages), instead of once for each question."""
        text = (text or "")[:MAX_TEXT]
        if not text.strip():
            return None
        t = _Text(self, text)
        own = guess_language(text) or "id"
        found = self._find_flags(t, own)
        if not self._looks_like_offer(t, found):
            return None
        lang = self._lang(text, lang)
        if lang != own:  # the flags are read in the language the answer is given in
            t = _Text(self, text)
            found = self._find_flags(t, lang)
        return self._result(t, found, lang)

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

    def _find_flags(self, t: _Text, lang: str) -> dict[str, _Found]:
        found: dict[str, _Found] = {}
        t.words = self._analyser.words(t.raw, lang)
        for hit in self._concepts.hits(t, t.words):
            f = found.get(hit.flag)
            if f is None:
                found[hit.flag] = _Found(hit.weight, hit.start, hit.end, hit.question, set())
            elif (hit.question, -hit.weight) < (f.hypothetical, -f.weight):
                f.weight, f.start, f.end, f.hypothetical = (
                    hit.weight,
                    hit.start,
                    hit.end,
                    hit.question,
                )
            if not hit.question:
                found[hit.flag].spans.add((hit.start, hit.end))
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
            prior = found.get(code)  # a concept hit for the same flag
            if prior is not None:
                best.spans |= prior.spans
                if (prior.hypothetical, -prior.weight) < (best.hypothetical, -best.weight):
                    best.weight, best.start, best.end = prior.weight, prior.start, prior.end
                    best.hypothetical = prior.hypothetical
            for w, terms in spec.boosts:
                if w > best.weight and all(t.has(n) for n in terms):
                    best.weight = w
            found[code] = best
        if found and self._notice(t, found):
            t.notice = True
            for f in found.values():
                f.hypothetical = True  # the signs a warning names, not the case at hand
                f.spans.clear()
        return found

    def _notice(self, t: _Text, found: Mapping[str, _Found]) -> bool:
        """Is the text an authority's warning ("Kemlu: waspadai tawaran kerja ke Kamboja ...",
        "Foreign Ministry ... be careful with job offers")? It names an office, gives a warning,
        and the writer is not in it: no "saya", "my", "we" ("the husband is often a farmer" is
        the office speaking; "my husband" is a case).
        A text that asks for money or passes itself off as an office's call is never one: "BP2MI:
        waspada calo! transfer biaya pendaftaran ke rekening ..." is the scam in a warning's words."""
        # an office calling a poster fake names that fake notice; it does not pass one on
        denied = "fake_official_notice" in found and t.has("denial_cue")
        if any(
            c in found
            and not found[c].hypothetical
            and not (denied and c == "fake_official_notice")
            for c in _NEVER_IN_A_NOTICE
        ):
            return False
        named = t.concepts
        if self._authority not in named or self._personal in named or self._incident in named:
            return False
        if t.has("warning_cue") or t.has("rule_cue") or t.has("denial_cue"):
            return True
        clause = self._neg_clause  # "jangan tergiur ...", "don't be lured ..."
        return t.may(clause, 0, len(t.norm)) and clause.search(t.norm) is not None

    def _rule_hits(
        self, t: _Text, spec: _FlagSpec, rule: _Rule
    ) -> Iterable[tuple[float, int, int, bool]]:
        """(weight, start, end, hypothetical) of each hit of one rule; a list, not a generator:
        most rules have none, known after a look-up or two."""
        if rule.regex is not None:
            w = rule.weight
            return [
                (w, m.start, m.end, m.hypothetical)
                for m in t.matches(rule.regex, spec.post_negation, spec.veto)
            ]
        # stop at the first missing part (most texts lack most terms), known without matching
        # any part in full; only a rule whose parts all occur needs their positions
        has = t.has
        for n in rule.terms:
            if not has(n):
                return ()
        lists: list[list[_Match]] = [t.term(n) for n in rule.terms]
        for n in rule.unless:
            if has(n):
                return ()
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
        return ((rule.weight, a, b, n_hyp > 0),)

    def _official_discount(self, t: _Text) -> tuple[float, bool]:
        """(discount, does any sign of the official route stand in the text). Signs of weight
        0 (an office's name) only say the text speaks of that route."""
        total, named = 0.0, False
        for weight, regex in self._official:
            # "pelatihan gratis di BLK": "gratis" praises the official office, not negates it
            if t.any(regex, short=False):
                total += weight
                named = True
        return min(self._max_discount, total), named

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

    def _too_thin(self, t: _Text, found: Mapping[str, _Found], bare: bool = False) -> bool:
        """Not an offer nor a situation, or too little of one, to judge."""
        if any(not f.hypothetical for f in found.values()):
            return False
        if len(t.words) < 4 or bare:
            return True
        context = (
            t.has("job_word")
            or t.has("abroad")
            or t.has("topic_fee")
            or bool(t.scan(self._salary.context))
        )
        return not context

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
            or bool(t.scan(self._salary.context))
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
        # official programme fees and lawful routes are explained, not flagged (issue #15)
        lawful = tuple(self._lawful.apply(t, found, self._salary.to_idr, lang))
        eff = {code: self._effective(f) for code, f in found.items()}
        discount, official = self._official_discount(t)
        score = self._score(list(eff.values()), discount)
        floored = False
        if (
            score < self._floor
            and not official
            and not lawful
            and t.has("abroad")
            and self._looks_like_offer(t, found)
        ):
            # an overseas offer with no sign of the official route: check before you go
            score, floored = self._floor, True
        if t.notice:
            # the signs a warning names are everyone's, not a risk in the text itself: however
            # many it lists, they are explained, not rated (issue #13: warnings read as high)
            score = min(score, self._medium * 0.99)
        score = min(1.0, max(0.0, score))
        risk = self._risk(score)
        # "taiwan caregiver", "info loker jepang kak?": a country and a job, nothing else; the
        # floor's "check before you go" has nothing to check yet, the questions do
        bare = floored and not found and len(t.words) < 6
        if (risk == "low" or bare) and self._too_thin(t, found, bare):
            # a single word, a bare company name, an empty message: say so and ask
            questions = tuple(q.text[lang] for q in self._followups[: self._max_questions])
            return Screening("unclear", score, lang, (), questions, lawful=lawful)

        opinion = None
        if (
            self._model is not None
            and not t.notice
            and risk != "high"
            and (
                any(not f.hypothetical for f in found.values()) or self._looks_like_offer(t, found)
            )
        ):
            # the second opinion may raise the level, never lower it
            counts = self._model.counts(t.words)  # read once, for the score and the kind
            p = self._model.probability(t.words, counts)
            raised = (
                "high" if p >= self._model.high else "medium" if p >= self._model.medium else None
            )
            if raised == "high" and risk == "low" and not found:
                raised = "medium"  # from nothing the model alone says "check", not "danger"
            if raised is not None and RISKS.index(raised) < RISKS.index(risk):
                # naming the nearest kind of case costs more than the score: only when shown
                risk, opinion = raised, self._model.explain(t.words, lang, counts)
                score = max(score, self._high if raised == "high" else self._medium)

        order = sorted(found, key=lambda c: (-eff[c], found[c].start))
        evidence = {c: _trim(t.raw, found[c].start, found[c].end) for c in order}
        flags = self._flag_objects(order, evidence, lang)

        questions: list[str] = []
        if risk != "high":
            missing = [q for q in self._followups if not all(t.has(n) for n in q.topics)]
            if len(missing) >= self._thin_min:
                questions = [q.text[lang] for q in missing[: self._max_questions]]
        return Screening(risk, score, lang, flags, tuple(questions), opinion, lawful)


# the concepts _notice reads from _Text.concepts (an office named, the writer in the text, a
# reported case); only these and the rules' concepts are looked for in a text
_CONCEPTS_READ = ("official_name", "worker_self", "incident")

# flags of a text that speaks to the reader as a recruiter does, whatever warning it quotes
_NEVER_IN_A_NOTICE = ("upfront_fee", "fake_official_notice", "task_scam")


def _sourced(entry: Mapping[str, Any], where: str) -> None:
    """Every indicator and guided question names its source section and a reviewed date
    (issue #15); `content check` loads the screener, so it fails on a missing one."""
    for field in ("source", "reviewed"):
        if not str(entry.get(field, "")).strip():
            raise ScreeningDataError(f"{where}: missing {field}")
    reviewed = str(entry["reviewed"])
    try:
        date.fromisoformat(reviewed)
    except ValueError:
        raise ScreeningDataError(f"{where}: reviewed {reviewed!r} is not YYYY-MM-DD") from None


@cache
def default_screener() -> Screener:
    """The screener for content/ files, loaded once per process."""
    return Screener.load()
