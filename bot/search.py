"""Find the guidance article that answers a free-text question, in Indonesian or English.

People type in chat style ("brp biaya ke taiwan", "gmn cara jd tkw resmi"), with typos, old
names (TKI, PJTKI, KTKLN, PAP) and either language whatever their locale. The search is
plain Python:

1. Analysis, the same for articles and questions: lower case, no accents or punctuation,
   squeezed letter runs ("tolooong"), reduplication ("surat-surat", "surat2"), then the
   synonyms, abbreviations, old terms and place names of content/search_terms.toml, stop
   words out, and a light Indonesian/English affix stripping (-nya, -kah, -kan, -an, di-,
   me-, pe-, ber-, -s, -ing, ...). A stripped form is only used when it is a word of the
   articles, so "ditahan" meets "tahan" but "sekolah" never becomes "seko".
2. Each article is one document over both languages (a question may mix them), with fields
   title, keywords, section headings and body, scored with BM25F. A keyword phrase of the
   article found whole in the question adds a bonus, and so does most of its title.
3. A question word the articles do not know is matched to the nearest article word: edit
   distance 1 (2 for long words), a longer word it starts, or, for a vowel-less chat
   abbreviation ("brgkt"), a word it is the skeleton of. Such a match counts for less.

`answer()` adds the decision the chat needs: one article when the top hit is clearly the
answer (a good score, well ahead of the second), three candidates when unsure, nothing when
no word of the question is known or the text is noise.

The weights below were set on tests/data/guidance_questions/part*.jsonl; holdout.jsonl was
written before any tuning and is not tuned against.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from bot.guidance import Article, Library, default_library
from bot.paths import CONTENT

TERMS_FILE = CONTENT / "search_terms.toml"

# Only the start of a very long message is read: a question is short, and this keeps
# the time bounded whatever is pasted in.
MAX_QUERY_CHARS = 600
MAX_TOKEN_CHARS = 30
MAX_QUERY_TERMS = 60
# At most this many words of one question are looked up approximately.
MAX_APPROXIMATE = 12
# A question of four words or more of which fewer than this share is known is noise.
NOISE_SHARE = 0.25

# BM25F: weight and length normalisation per field.
FIELDS = ("title", "keywords", "headings", "body")
FIELD_WEIGHT = {"title": 3.0, "keywords": 2.5, "headings": 1.5, "body": 1.0}
FIELD_B = {"title": 0.3, "keywords": 0.3, "headings": 0.5, "body": 0.75}
K1 = 4.0
# A keyword phrase of several words found whole in the question.
PHRASE_WEIGHT = 0.25
# Times the squared share (by idf) of an article title's words found in the question.
TITLE_WEIGHT = 0.5
# A question word matched only approximately counts for this share of an exact match.
FUZZY_WEIGHT = {1: 0.75, 2: 0.5}
PREFIX_WEIGHT = 0.6
SKELETON_WEIGHT = 0.6

# answer(): the top hit is the answer when its score is at least CONFIDENT_SCORE and the
# second hit scores at most CONFIDENT_RATIO of it.
CONFIDENT_SCORE = 1.5
CONFIDENT_RATIO = 0.6

VOWELS = frozenset("aeiou")
_CONTACTS = re.compile(r"^\{\{.*?\}\}\s*$", re.MULTILINE)
_HEADING = re.compile(r"^#+\s*(.+)$", re.MULTILINE)
_TOKEN = re.compile(r"[a-z0-9]+")
_SQUEEZE = re.compile(r"([a-z])\1{2,}")
_REDUP_DASH = re.compile(r"\b([a-z]{2,})-\1\b")
_REDUP_TWO = re.compile(r"\b([a-z]{3,})2\b")
_NUMBER_UNIT = re.compile(r"^(\d+)([a-z]+)$")


@dataclass(frozen=True)
class Hit:
    article_id: str
    score: float


@dataclass(frozen=True)
class Answer:
    best: str | None
    candidates: tuple[str, ...]


# --- Analysis ---------------------------------------------------------------------------


def surface_tokens(text: str) -> list[str]:
    """Lower-case word and number tokens, before any word list is applied."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'", "").replace("\u2019", "").replace("`", "")
    text = _SQUEEZE.sub(r"\1", text)
    text = _REDUP_DASH.sub(r"\1", text)
    text = _REDUP_TWO.sub(r"\1", text)
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if len(tok) > MAX_TOKEN_CHARS:
            continue
        m = _NUMBER_UNIT.match(tok)  # "20jt", "8tahun"
        if m:
            out.extend(m.groups())
        else:
            out.append(tok)
    return out


@dataclass(frozen=True)
class Terms:
    """The word lists of content/search_terms.toml, ready to apply."""

    words: dict[str, tuple[str, ...]]
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    stopwords: frozenset[str]
    keep: frozenset[str]

    @property
    def max_phrase(self) -> int:
        return max((len(p) for p in self.phrases), default=1)

    @classmethod
    def load(cls, path: Path | None = None) -> Terms:
        data = tomllib.loads((path or TERMS_FILE).read_text(encoding="utf-8"))
        words: dict[str, tuple[str, ...]] = {}
        phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in data.get("synonyms", {}).items():
            target = tuple(surface_tokens(canonical))
            if not target:
                continue
            for variant in variants:
                toks = tuple(surface_tokens(variant))
                if not toks or toks == target:
                    continue
                if len(toks) == 1:
                    words[toks[0]] = target
                else:
                    phrases[toks] = target
        stop = data.get("stopwords", {})
        stopwords = frozenset(w for lang in stop.values() for s in lang for w in surface_tokens(s))
        keep = frozenset(
            w for s in data.get("stemming", {}).get("keep", []) for w in surface_tokens(s)
        )
        return cls(words=words, phrases=phrases, stopwords=stopwords, keep=keep)

    def protected(self) -> frozenset[str]:
        """Words the stemmer leaves alone: the keep list and every word of the synonyms."""
        out = set(self.keep)
        out.update(self.words)
        for target in self.words.values():
            out.update(target)
        for _toks, target in self.phrases.items():
            out.update(target)
        return frozenset(out)


_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_DERIVATIONAL = ("kan", "an", "i")


def _suffix_forms(word: str) -> set[str]:
    forms = {word}
    for group in (_PARTICLES, _POSSESSIVES, _DERIVATIONAL):
        for f in list(forms):
            for suf in group:
                if f.endswith(suf) and len(f) - len(suf) >= 3:
                    forms.add(f[: -len(suf)])
                    break
    for f in list(forms):  # English inflections
        if f.endswith("ies") and len(f) > 4:
            forms.add(f[:-3] + "y")
        elif f.endswith(("sses", "shes", "ches", "xes")):
            forms.add(f[:-2])
        elif f.endswith("s") and not f.endswith(("ss", "us", "is")) and len(f) > 3:
            forms.add(f[:-1])
        if f.endswith("ing") and len(f) > 5:
            forms.update((f[:-3], f[:-3] + "e"))
        if f.endswith("ed") and len(f) > 4:
            forms.update((f[:-2], f[:-1]))
    return forms


def _prefix_forms(word: str) -> set[str]:
    """One layer of Indonesian prefixes, with the nasal sound changes (men+tipu = menipu)."""
    out: set[str] = set()
    w = word
    for pre in ("di", "ke", "se", "ter", "ber", "per", "be", "te"):
        if w.startswith(pre) and len(w) - len(pre) >= 3:
            out.add(w[len(pre) :])
    for head in ("me", "pe"):
        if not w.startswith(head):
            continue
        rest = w[2:]
        if rest.startswith("ny") and len(rest) > 4:
            out.add("s" + rest[2:])
        elif rest.startswith("ng") and len(rest) > 4:
            out.update((rest[2:], "k" + rest[2:]))
        elif rest.startswith("m") and len(rest) > 3:
            out.update((rest[1:], "p" + rest[1:]))
        elif rest.startswith("n") and len(rest) > 3:
            out.update((rest[1:], "t" + rest[1:]))
        elif len(rest) >= 3:
            out.add(rest)
    # Chat forms: ngecek, nyari, nipu, mukul.
    if w.startswith("nge") and len(w) > 5:
        out.add(w[3:])
    elif w.startswith("ng") and len(w) > 4:
        out.update((w[2:], "k" + w[2:]))
    elif w.startswith("ny") and len(w) > 4:
        out.update(("s" + w[2:], "c" + w[2:]))
    elif w.startswith("n") and len(w) > 4 and w[1] in VOWELS:
        out.add("t" + w[1:])
    return out


def stem_candidates(word: str) -> set[str]:
    forms = _suffix_forms(word)
    for _ in range(2):
        for f in list(forms):
            forms |= _prefix_forms(f)
    return {f for f in forms if len(f) >= 3}


class Analyzer:
    """Text to search terms. `roots` are the words a stripped form must be one of."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.protected = terms.protected()
        self.roots: frozenset[str] = frozenset()
        self._max_phrase = terms.max_phrase
        self.stem = lru_cache(maxsize=50_000)(self._stem)
        # The phrases again, written with the canonical form of each of their words.
        self._mapped_phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for toks, target in terms.phrases.items():
            key = tuple(w for t in toks for w in terms.words.get(t, (t,)))
            if key != target and len(key) > 1:
                self._mapped_phrases.setdefault(key, target)

    def _replace(
        self, toks: list[str], phrases: dict[tuple[str, ...], tuple[str, ...]]
    ) -> list[str]:
        """Phrases (longest first) and single words replaced by their canonical form."""
        mapped: list[str] = []
        i, n = 0, len(toks)
        words = self.terms.words
        while i < n:
            for size in range(min(self._max_phrase, n - i), 1, -1):
                target = phrases.get(tuple(toks[i : i + size]))
                if target:
                    mapped.extend(target)
                    i += size
                    break
            else:
                mapped.extend(words.get(toks[i], (toks[i],)))
                i += 1
        return mapped

    def words(self, text: str) -> list[str]:
        """Tokens after the synonyms and stop words, before stemming."""
        # Twice: "gk pake" is first read as "tidak pakai", which is then a phrase itself.
        mapped = self._replace(surface_tokens(text), self.terms.phrases)
        mapped = self._replace(mapped, self._mapped_phrases)
        stop = self.terms.stopwords
        return [t for t in mapped if t not in stop and (len(t) > 1 or t.isdigit())]

    def set_roots(self, roots: set[str]) -> None:
        self.roots = frozenset(roots | self.protected)
        self.stem.cache_clear()

    def _stem(self, word: str) -> str:
        if word in self.protected or len(word) < 5 or not word.isalpha():
            return word
        # The shortest form that is a word of the lists, else of the articles, else the word.
        candidates = stem_candidates(word)
        listed = [c for c in candidates if c in self.protected and len(c) >= 4]
        if listed:
            return min(listed, key=lambda c: (len(c), c))
        known = [c for c in candidates if c in self.roots and len(c) >= 4]
        if word in self.roots:
            known.append(word)
        return min(known, key=lambda c: (len(c), c)) if known else word

    def analyze(self, text: str) -> list[str]:
        out = []
        for w in self.words(text):
            s = self.stem(w)
            target = self.terms.words.get(s, (s,))
            out.extend(t for t in target if t not in self.terms.stopwords)
        return out


# --- Approximate matching of unknown words ---------------------------------------------


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a swap of two neighbours counts 1); limit+1 if above."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


class Vocabulary:
    """The index terms, with lookups for a word that is not one of them."""

    def __init__(self, terms: set[str]) -> None:
        self.terms = frozenset(terms)
        self._deletes: dict[str, set[str]] = defaultdict(set)
        self._by_first: dict[str, list[str]] = defaultdict(list)
        self.near = lru_cache(maxsize=20_000)(self._near)
        for t in sorted(terms):
            if not t.isalpha() or len(t) < 3:
                continue
            for d in _deletes(t, 2 if len(t) >= 7 else 1):
                self._deletes[d].add(t)
            self._by_first[t[0]].append(t)

    def _near(self, word: str) -> tuple[tuple[str, float], ...]:
        """Index terms close to an unknown word, with the share of a full match they get."""
        if word in self.terms or not word.isalpha() or len(word) < 3:
            return ()
        limit = 2 if len(word) >= 7 else 1 if len(word) >= 4 else 0
        found: dict[str, float] = {}
        if limit:
            seen: set[str] = set()
            for d in _deletes(word, limit):
                seen |= self._deletes.get(d, set())
            best = limit + 1
            for t in seen:
                dist = edit_distance(word, t, limit)
                if dist > limit or (dist == 2 and len(t) < 7):
                    continue
                if dist < best:
                    best, found = dist, {}
                if dist == best:
                    found[t] = FUZZY_WEIGHT[dist]
        if not found and len(word) >= 4:
            longer = [
                t for t in self._by_first[word[0]] if t.startswith(word) and len(t) > len(word)
            ]
            if 0 < len(longer) <= 3:
                found = {t: PREFIX_WEIGHT for t in longer}
        if not found and len(word) >= 3 and not (set(word) & VOWELS):
            skel = [
                t
                for t in self._by_first[word[0]]
                if t[-1] == word[-1] and len(t) > len(word) and _is_subsequence(word, t)
            ]
            if 0 < len(skel) <= 3:
                found = {t: SKELETON_WEIGHT for t in skel}
        if not found:
            return ()
        share = 1.0 / len(found)
        return tuple(sorted((t, w * share) for t, w in found.items()))


# --- The index --------------------------------------------------------------------------


def _article_fields(article: Article) -> dict[str, str]:
    body = _CONTACTS.sub(" ", article.body)
    headings = " . ".join(_HEADING.findall(body))
    body = _HEADING.sub(" ", body)
    return {
        "title": article.title,
        "keywords": " . ".join(article.keywords),
        "headings": headings,
        "body": body,
    }


class ArticleSearch:
    def __init__(self, library: Library, terms: Terms | None = None) -> None:
        self.library = library
        self.analyzer = Analyzer(terms or Terms.load())
        self.ids: tuple[str, ...] = tuple(library.ids())
        langs = [lang for lang in library.by_lang if library.by_lang[lang]]
        raw: dict[str, dict[str, list[str]]] = {}
        keyword_texts: dict[str, list[str]] = {}
        for aid in self.ids:
            texts: dict[str, list[str]] = {f: [] for f in FIELDS}
            keyword_texts[aid] = []
            for lang in langs:
                article = library.get(aid, lang)
                if article is None:
                    continue
                for f, text in _article_fields(article).items():
                    texts[f].append(text)
                keyword_texts[aid].extend(article.keywords)
            raw[aid] = {f: " . ".join(v) for f, v in texts.items()}

        # Stripped forms must land on words the articles use.
        roots: set[str] = set()
        for fields in raw.values():
            for text in fields.values():
                roots.update(w for w in self.analyzer.words(text) if w.isalpha())
        self.analyzer.set_roots(roots)

        self.tf: dict[str, dict[str, Counter[str]]] = {}
        self.length: dict[str, dict[str, int]] = {}
        df: Counter[str] = Counter()
        for aid in self.ids:
            self.tf[aid] = {}
            self.length[aid] = {}
            seen: set[str] = set()
            for f in FIELDS:
                toks = self.analyzer.analyze(raw[aid][f])
                if f == "body":  # years, article numbers, amounts: noise against a question
                    toks = [t for t in toks if not t.isdigit()]
                self.tf[aid][f] = Counter(toks)
                self.length[aid][f] = len(toks)
                seen.update(toks)
            df.update(seen)
        n = len(self.ids)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.avg = {
            f: max(1.0, sum(self.length[a][f] for a in self.ids) / max(1, n)) for f in FIELDS
        }
        # Term -> article -> BM25F saturated weight, precomputed.
        self.weights: dict[str, dict[str, float]] = defaultdict(dict)
        for aid in self.ids:
            pseudo: dict[str, float] = defaultdict(float)
            for f in FIELDS:
                norm = 1 - FIELD_B[f] + FIELD_B[f] * self.length[aid][f] / self.avg[f]
                for t, c in self.tf[aid][f].items():
                    pseudo[t] += FIELD_WEIGHT[f] * c / norm
            for t, p in pseudo.items():
                self.weights[t][aid] = self.idf[t] * p / (K1 + p)
        # Keyword phrases of several terms.
        self.phrases: dict[str, list[tuple[frozenset[str], float]]] = {}
        for aid in self.ids:
            found: dict[frozenset[str], float] = {}
            for kw in keyword_texts[aid]:
                toks = frozenset(self.analyzer.analyze(kw))
                if len(toks) >= 2:
                    found[toks] = sum(self.idf.get(t, 0.0) for t in toks)
            self.phrases[aid] = list(found.items())
        self.vocabulary = Vocabulary(set(self.idf))
        self.titles: dict[str, list[tuple[frozenset[str], float]]] = {}
        for aid in self.ids:
            self.titles[aid] = []
            for lang in langs:
                article = library.get(aid, lang)
                toks = frozenset(self.analyzer.analyze(article.title)) if article else frozenset()
                total = sum(self.idf.get(t, 0.0) for t in toks)
                if total > 0:
                    self.titles[aid].append((toks, total))
            if not self.titles[aid]:
                self.titles[aid].append((frozenset(), 1.0))
        self.order = {aid: i for i, aid in enumerate(self.ids)}

    def query_terms(self, query: str) -> dict[str, float]:
        """Index terms of a question, each with how much it counts (1 for an exact match).

        Empty when nothing is recognised, and also for noise: no word known as it is and
        most words not even close to a known one ("asdf qwer zxcv"), or hardly any word
        known in a long string (random letters that happen to spell "hp").
        """
        out: dict[str, float] = {}
        exact = unknown = approximate = 0
        words = list(dict.fromkeys(self.analyzer.analyze(query[:MAX_QUERY_CHARS])))
        for t in words[:MAX_QUERY_TERMS]:
            if t in self.idf:
                out[t] = 1.0
                exact += 1
                continue
            near = self.vocabulary.near(t) if unknown + approximate < MAX_APPROXIMATE else ()
            if near:
                approximate += 1
            else:
                unknown += 1
            for term, share in near:
                out[term] = max(out.get(term, 0.0), share)
        known = exact + approximate
        if not exact and unknown >= approximate:
            return {}
        if known + unknown >= 4 and known < NOISE_SHARE * (known + unknown):
            return {}
        return out

    def scores(self, query: str) -> dict[str, float]:
        terms = self.query_terms(query)
        scores: dict[str, float] = defaultdict(float)
        for t, share in terms.items():
            for aid, w in self.weights[t].items():
                scores[aid] += share * w
        exact = {t for t, s in terms.items() if s == 1.0}
        if len(exact) >= 2:
            for aid in list(scores):
                for toks, weight in self.phrases[aid]:
                    if toks <= exact:
                        scores[aid] += PHRASE_WEIGHT * weight
                # Most of a title asked back ("jalur tikus bahaya") points at that article.
                coverage = max(
                    sum(self.idf[t] for t in title & exact) / total
                    for title, total in self.titles[aid]
                )
                scores[aid] += TITLE_WEIGHT * coverage**2
        return scores

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        scores = self.scores(query)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.order[kv[0]]))
        return [Hit(aid, round(s, 4)) for aid, s in ranked[:limit] if s > 0]

    def answer(self, query: str) -> Answer:
        hits = self.search(query, 3)
        if not hits:
            return Answer(None, ())
        candidates = tuple(h.article_id for h in hits)
        top = hits[0].score
        second = hits[1].score if len(hits) > 1 else 0.0
        if top >= CONFIDENT_SCORE and second <= CONFIDENT_RATIO * top:
            return Answer(hits[0].article_id, candidates)
        return Answer(None, candidates)


@cache
def default_search() -> ArticleSearch:
    return ArticleSearch(default_library())
