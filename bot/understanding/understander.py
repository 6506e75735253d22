"""One reading of a message before any conversation sees it: what kind of message it is and
the data in it (topic, country, case number, place, phone, company, a yes/no/unknown answer).

The words are data (content/understanding.toml, see bot/understanding/lexicon.py); this module
holds the order in which they are read:

1. Whole-message words: a number or a navigation word, a command, small talk, a form answer
   ("gak tau", "ya"), a country or topic word alone ("taiwan", "biaya").
2. A case number, or asking about a report -> status.
3. Danger: harm now (held, beaten, no food, not allowed to leave, a child taken), unless a
   frame before it in the same clause makes it a condition, a warning or something long past.
4. Wanting to report -> report.
5. An offer or a recruitment under way (one strong sign, or two weak ones) -> offer, with
   "question" in `also` when the person asks whether it is all right.
6. A question about something the guides know (a topic, a country, words of the domain).
7. Small talk around other words, else unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache, cached_property, lru_cache
from itertools import islice, takewhile
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.understanding.lexicon import (
    Hit,
    Indexed,
    Lexicon,
    Patterns,
    common_end,
    default_lexicon,
    fold,
    indexed,
    key_of_folded,
)
from bot.understanding.model import Model, default_model
from bot.understanding.result import Answer, Intent, Understanding

if TYPE_CHECKING:
    from bot.places import Gazetteer
    from bot.search import ArticleSearch
    from bot.text import Analyser, Word

MAX_CHARS = 4000  # a long paste is read on its start: enough to know what it is
# A kab/kota is looked for where someone asks for help near it: a report, danger, an offer or a
# question; after a place word ("di", "dari", "kota"), in the first part of the text.
MAX_PLACE_CHARS = 600
# bot/text costs about a microsecond a character: chat spelling and roots are read in the first
# part of a message (every message of the labelled set fits), the rest as written.
MAX_SPELLED_CHARS = 600
MAX_WHOLE_WORDS = 16  # longer messages are never read as a command, a choice or small talk
MAX_PLACE_CUES = 4
MAX_CHAT_WORDS = 12  # small talk in more words than the lists hold, up to this many words
MAX_ASKING_WORDS = 40  # a question ending before words to the reader, up to this many words
_CLAUSE = re.compile(r"[,.;!?\n]+|\s(?:tapi|tp|tetapi|but|namun|padahal)\s")
_SENTENCE_END = re.compile(r"[.!?\n]+")
# "MA" not after a letter or digit; the look-behind comes after the letters, so the engine
# skips to an "m" instead of trying the look-behind at every character of a paste.
_CASE = re.compile(r"([Mm][Aa])(?<![A-Za-z0-9][Mm][Aa])([\s-]?)([2-9A-Za-z]{5})(?![A-Za-z0-9])")
_CASE_ALPHABET = frozenset("23456789ABCDEFGHJKMNPQRSTVWXYZ")
_PHONE = re.compile(
    r"(?<![\d])(?:\+?62|0)8\d(?:[\s.-]?\d){6,11}(?!\d)|(?<![\d])\+\d{2,3}(?:[\s.-]?\d){7,11}(?!\d)"
)
_COMPANY = re.compile(r"(?<![\w])(PT|CV|Pt|pt|cv)\.?\s+((?:[A-Za-z0-9&'.-]+\s?){1,4})")
# What a match of _PHONE or _COMPANY starts with: they are tried only where these stand
# (both start with a look-behind, which the engine tries at every character of a paste).
_PHONE_STARTS = ("+", "62", "08")
_COMPANY_STARTS = ("PT", "CV", "Pt", "pt", "cv")


def _first_match(
    pattern: re.Pattern[str], text: str, starts: tuple[str, ...]
) -> re.Match[str] | None:
    """`pattern.search(text)` for a pattern whose matches begin with one of `starts`."""
    places = []
    for start in starts:
        at = text.find(start)
        while at >= 0:
            places.append(at)
            at = text.find(start, at + 1)
    for at in sorted(places):
        m = pattern.match(text, at)
        if m is not None:
            return m
    return None


_COMPANY_STOP = frozenset(
    [
        "di",
        "ke",
        "dari",
        "yang",
        "yg",
        "itu",
        "ini",
        "nya",
        "minta",
        "bilang",
        "katanya",
        "mau",
        "akan",
        "sudah",
        "udah",
        "dan",
        "atau",
        "untuk",
        "buat",
        "in",
        "at",
        "from",
        "the",
        "that",
        "which",
        "who",
        "is",
        "was",
        "asked",
        "said",
        "wants",
        "says",
    ]
)
_ENDS = " -'/"  # stripped off each form of a short message, as the lists are keyed
_NUMBER = re.compile(
    r"^(?:(?:no|nomor|nomer|nmr|number|num|option|opsi|pilihan|pilih|angka|yang|yg|choice|nr)\.?\s*){0,2}"
    r"(?:ke\s*|ke-)?#?(\d{1,2})[.)]?$"
)
_ORDINALS = {
    "pertama": 1, "kesatu": 1, "satu": 1, "first": 1, "one": 1,
    "kedua": 2, "dua": 2, "second": 2, "two": 2,
    "ketiga": 3, "tiga": 3, "third": 3, "three": 3,
    "keempat": 4, "empat": 4, "fourth": 4, "four": 4,
    "kelima": 5, "lima": 5, "fifth": 5, "five": 5,
    "keenam": 6, "enam": 6, "sixth": 6, "six": 6,
}  # fmt: skip
# A numbered choice has a digit or ends with an ordinal word ("-" before it allowed, as in
# _number): a message with neither is not read for one.
_NUMBER_HINT = re.compile(
    r"\d|(?<!\S)-*(?:" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")(?!\S)"
)
_ORDINAL_PREFIX = re.compile(r"^(?:yang|yg|the|nomor|no|pilih|pilihan|option)\s+")
# Words of the domain: a question with one of these is for the guides even when no article
# is sure ("gimana cara kerja yang aman").
_DOMAIN = re.compile(
    r"(?<![\w])(?:kerja\w*|bekerja|gaji\w*|visa\w*|paspor\w*|passport\w*|tkw|tki|pmi|cpmi|bmi|"
    r"luar negeri|abroad|overseas|migran\w*|migrant\w*|agen\w*|agency|sponsor\w*|calo\w*|pt|"
    r"majikan\w*|employer\w*|kontrak\w*|contract\w*|biaya\w*|fee\w*|cost\w*|salary|wages?|job\w*|"
    r"work\w*|helper\w*|maid|art|prt|perawat|caregiver|pabrik|factory|disnaker|bp2mi|bp3mi|kp2mi|"
    r"kbri|kjri|embassy|consulate|kedutaan|konsulat|lapor\w*|report\w*|dokumen\w*|documents?|syarat\w*|"
    r"ijazah|umur|usia|age|lpk|pelatihan|training|siskop2mi|libur|day off|hak|rights?|bpjs|"
    r"berangkat|departure|imigrasi|immigration|deport\w*|overstay|scam|penipuan|tppo|trafficking|"
    r"apply|daftar|mendaftar|register|licen[cs]\w*|resmi|legal|ilegal|illegal)(?![\w])"
)
_AMOUNT_WORDS = re.compile(
    r"\d[\d.,]*\s?(?:jt|juta|rb|ribu|k|million|rm|ringgit|usd|dolar|dollar|nt|ntd|hkd|sgd|yen|won|riyal|sr|aed|dirham|euro)(?![\w])|"
    r"(?:rp|rm|usd|\$|nt\$|hk\$|s\$|sr|aed|€)\s?\d"
)
_WITH_PLACE = frozenset({Intent.REPORT, Intent.DANGER, Intent.OFFER, Intent.STATUS})
# Intents whose result carries no phone or company (nothing to report or check)
_WITHOUT_CONTACT = frozenset({Intent.NAVIGATION, Intent.COMMAND, Intent.SMALLTALK, Intent.UNKNOWN})
# A message quoted in full: in double quotes, or in single quotes opened after no letter
_QUOTED = re.compile(r"[\"\u201c][^\"\u201d]{20,}|(?<![\w])'[^']{20,}'")
_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() says is one
_EMOJI_ONLY = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200d\s]+")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF](?:\uFE0F)?")
_CONTACT_QUESTION = re.compile(
    r"(?:nomor|nmr|number|hotline|kontak|contact|telepon|telp|phone|call)"
)
_PRIVACY = re.compile(
    r"(?<![\w])(?:nama|name|anonim\w*|anonymous\w*|tanpa nama|data|dilihat|lihat|see|baca|read|"
    r"tahu|tau|know|rahasia|secret|confidential|siapa aja|who)(?![\w])"
)
# Reporting someone named, not asking how reports work: "lapor calonya", "report the agent".
_REPORT_SOMEONE = re.compile(
    r"(?<![\w])(?:report|reporting|lapor|laporin|laporkan|melaporkan|ngelaporin)\s+"
    r"(?:the |this |that |my |a |our |si |sama |ke polisi )?(?:recruiter|agent|agency|calo\w*|"
    r"sponsor\w*|agen\w*|pt|perusahaan\w*|company|boss|bos\w*|majikan\w*|employer|lpk)(?![\w])"
)
_BAHASA_BEFORE = re.compile(r"(?:bahasa|bhs|language|kursus|les|belajar|course)\s+$")
_DIVERSION = re.compile(
    r"(?:ternyata|malah|dibawa ke|dibawa|dipindah ke|dijual ke|taken to|taken across|but|tapi|"
    r"sekarang di|skrg di|now in|ended up in)\s+(?:\w+\s+){0,4}$"
)
_SAFE_NOW = re.compile(
    r"(?<![\w])(?:sudah|udah|sdh|telah) (?:\w+ )?(?:pulang|kembali|di rumah|keluar dari|di shelter|aman|"
    r"bebas|dipulangkan)|di shelter|now (?:i am|i.?m|we are|he is|she is) (?:home|back|safe)|"
    r"(?:came|come|is|am|are) (?:back|home)|(?:i.?m|we.?re|he.?s|she.?s) back|sekarang (?:\w+ )?sudah pulang"
)


_T = TypeVar("_T")

# What counts as a short message, and how many different ones are remembered.
SHORT_CHARS = 40
SHORT_REMEMBERED = 20_000


class Understander:
    def __init__(
        self,
        lexicon: Lexicon | None = None,
        search: ArticleSearch | None = None,
        gazetteer: Gazetteer | None = None,
        model: Model | bool | None = True,  # True: the shipped one; False or None: rules only
    ) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.model = default_model() if model is True else (model or None)
        self._search = search
        self._gazetteer = gazetteer
        # Short messages are few and typed by everyone ("menu", "1", "halo", "ok makasih"):
        # what they mean is remembered (thread-safe, bounded; ~0.5 KB each at most).
        self._short = lru_cache(maxsize=SHORT_REMEMBERED)(self._understand)
        self._answers = {phrase: Answer(a) for phrase, a in self.lexicon.answers.items()}
        # lexicon.whole_first with the intents as Intent
        self._whole_first = {
            phrase: (Intent(intent), action)
            for phrase, (intent, action) in self.lexicon.whole_first.items()
        }

    @property
    def search(self) -> ArticleSearch:
        if self._search is None:
            from bot.search import default_search

            self._search = default_search()
        return self._search

    @cached_property
    def place_names(self) -> dict[str, tuple[str, ...]]:
        """Squashed kab/kota names, with and without "Kabupaten"/"Kota", to their codes."""
        from bot.places import squash

        names: dict[str, list[str]] = {}
        for place in self.gazetteer:
            full = squash(place.name)
            bare = squash(
                re.sub(r"^(?:kabupaten|kota)\s+(?:administrasi\s+)?", "", place.name, flags=re.I)
            )
            for name in dict.fromkeys((full, bare)):
                names.setdefault(name, []).append(place.code)
        return {k: tuple(v) for k, v in names.items()}

    @cached_property
    def analyser(self) -> Analyser:
        """bot/text's analyser, looked up once (imported when first needed: it loads the
        morphology)."""
        from bot.text import default_analyser

        return default_analyser()

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            from bot.places import default_gazetteer

            self._gazetteer = default_gazetteer()
        return self._gazetteer

    # --- the one entry point ---------------------------------------------------------------
    def understand(self, text: str, lang: str | None = None) -> Understanding:
        raw = (text or "").strip()[:MAX_CHARS]
        if len(raw) <= SHORT_CHARS:
            return self._short(raw, lang)
        return self._understand(raw, lang)

    def _understand(self, raw: str, lang: str | None) -> Understanding:
        tail, folded = _fold_long(raw)
        whole = key_of_folded(folded)
        if not whole or (_ALNUM.search(whole) is None and whole not in self.lexicon.answers):
            kinds = {self.lexicon.emoji.get(e) for e in _EMOJI.findall(raw)}
            if _EMOJI_ONLY.fullmatch(raw) and kinds and None not in kinds:  # 🙏 👍: thanks, ok
                return Understanding(Intent.SMALLTALK, action=sorted(kinds)[-1])
            return Understanding(Intent.UNKNOWN)
        if _EMOJI.search(raw) and whole.count(" ") < 4:  # "🙏 kak", "👍 min": emoji said to someone
            words = self._strip_address(whole)
            kinds = {self.lexicon.emoji.get(e) for e in _EMOJI.findall(raw)}
            # only words to the reader are left once they are taken off
            lex = self.lexicon
            if words in lex.address_set and words not in lex.answers and None not in kinds:
                return Understanding(Intent.SMALLTALK, action=sorted(kinds)[-1])
        found = _Found(self, raw, folded, whole, tail)
        result = self._whole(found, whole)
        if result is not None:  # a choice, a command, small talk, a topic word: rules only
            return result
        result = self._read(found)
        # the second opinion (bot/understanding/model.py): unknown, a question or an offer
        # becomes danger when the model is sure and the rules saw no word of harm to weigh
        model = self.model
        if (
            model is not None
            and model.raises(result.intent, found.words)
            and not self._saw_harm(found)
        ):
            return found.result(Intent.DANGER, matched=("model",))
        return result

    def _saw_harm(self, found: _Found) -> bool:
        """A word of harm stands in the text: the rules have read it and set it aside (denied,
        a condition, long past, in the news), which a bag of words cannot; the model defers."""
        lex = self.lexicon
        return any(lex.danger.search(t) is not None for t in found.texts) or (
            _harm_text(found.raw, lex, found.words, found.tail) is not None
        )

    def saw_harm(self, text: str) -> bool:
        """`_saw_harm` of a message, for scripts/train_understanding_model.py."""
        raw = (text or "").strip()[:MAX_CHARS]
        tail, folded = _fold_long(raw)
        return self._saw_harm(_Found(self, raw, folded, key_of_folded(folded), tail))

    # --- 1. whole-message words -----------------------------------------------------------
    def _strip_address(self, whole: str) -> str:
        """Words to the reader off both ends, "kak", "ya", "min", longest phrase first, as long
        as a word is left. Each pass visits the phrases in the order of `lexicon.address` and
        takes a phrase off the start, else off the end; the phrases are looked up by the
        words at either end instead of visited one by one."""
        return self._address_steps(whole)[-1]

    def _address_steps(self, whole: str) -> list[str]:
        """The message after each word to the reader taken off, the whole message first:
        "are you a bot kak" -> "are you a bot" -> "are you a" ("bot" is said to the reader)."""
        steps = [whole]
        words = whole.split()
        lex = self.lexicon
        if words and words[0] not in lex.address_starts and words[-1] not in lex.address_ends:
            return steps  # no word to the reader can start or end it: nothing to take off
        changed = True
        while changed and words:
            changed = False
            for n, phrases in self.lexicon.address_by_length:
                visited = -1  # place in `address` of the last phrase taken off in this pass
                while len(words) > n:
                    at_start = phrases.get(tuple(words[:n]), -1)
                    at_end = phrases.get(tuple(words[-n:]), -1)
                    if at_start > visited and (at_end <= visited or at_start <= at_end):
                        words, visited = words[n:], at_start
                    elif at_end > visited:
                        words, visited = words[:-n], at_end
                    else:
                        break
                    changed = True
                    steps.append(" ".join(words))
        return steps

    def _whole(self, found: _Found, whole: str) -> Understanding | None:
        lex = self.lexicon
        if whole.count(" ") >= MAX_WHOLE_WORDS:  # a sentence, not a word typed at a prompt
            return None
        stripped = found.stripped
        answers = self._answers
        found.answer = answers.get(whole) or answers.get(stripped) or answers.get(found.spelled_key)

        # "halo kak 1": a choice after a greeting ("2 makasih": thanks after it)
        if _NUMBER_HINT.search(whole) is not None:  # the forms below are made of its words
            number = (
                _number(whole)
                or _number(stripped)
                or _number(found.greeted)
                or _number(found.thanked)
            )
            if number is not None:
                return found.result(Intent.NAVIGATION, action="choice", number=number)
        first = self._whole_first
        form = whole.strip(" -'/")  # the first form tried, looked up before making the rest
        claimed = first.get(form) if form else None
        if claimed is None:
            claimed = next(
                filter(None, map(first.get, self._candidates(found, whole, stripped))), None
            )
        if claimed is not None:
            intent, action = claimed
            if intent == Intent.COMMAND:
                return self._command(found, action)
            return found.result(intent, action=action)
        if len(stripped.split()) <= 8 and not _DOMAIN.search(stripped):
            texts = tuple(dict.fromkeys((stripped, *found.texts)))  # often the same text
            if any(lex.any_command.search(t) for t in texts):
                for action, patterns in lex.command_patterns:
                    if any(patterns.search(t) for t in texts):
                        return self._command(found, action)
        if found.answer is not None:  # "gak tau", "ya", "skip": an answer to whatever was asked
            return found.result(Intent.NAVIGATION, action="answer")
        # "makasih bnyk kak", "oke sy paham skrg": small talk in chat spelling, written out
        smalltalk = (
            self._smalltalk_only(stripped)
            or self._smalltalk_only(found.spelled_stripped)
            or (stripped != whole and self._smalltalk_only(whole))  # "salam, are you a bot?"
        )
        if smalltalk:
            return found.result(Intent.SMALLTALK, action=smalltalk)
        topic = lex.topics.get(stripped) or lex.topics.get(whole)
        country = lex.country_names.get(stripped) or lex.country_names.get(_bare_country(stripped))
        if country is not None or topic is not None:
            if country is not None:
                found.country = country.code
                topic = topic or country.article
            return found.result(Intent.QUESTION, topic=topic or found.topic())
        return None

    def _candidates(self, found: _Found, whole: str, stripped: str) -> Iterator[str]:
        """The forms of a short message the whole-message lists are looked up with, each
        once, made only as far as the lookup goes (the spelled form needs bot/text)."""
        seen: set[str] = set()

        def forms() -> Iterator[str]:
            yield whole
            yield stripped
            if not found.may_be_whole:
                return  # no form below can be in the lists
            if " " not in whole and " " not in found.spelled_key:
                # one word: every form below is that word, nothing, or the spelled word
                yield found.spelled_key
                return
            yield _polite(stripped)
            greeted = found.greeted
            yield greeted
            yield _polite(greeted)
            # "halo kak, are you a bot?": the greeting off, the words to the reader kept ("bot")
            yield self._strip_greeting(whole, address_after_greeting_only=True)
            yield self._strip_greeting(whole, keep_address=True)  # "salam, bot ini bisa apa?"
            yield found.spelled_stripped
            yield from found.steps[1:-1]  # "are you a bot kak" -> "are you a bot"
            yield self._strip_smalltalk_end(whole, address_only=True)  # "bot ini bisa apa aja"
            yield self._strip_smalltalk_end(found.spelled_key, address_only=True)
            # "lanjut makasih", "hapus data saya, terima kasih": thanks after what they want
            thanked = found.thanked
            yield thanked
            yield _polite(thanked)
            yield self._strip_smalltalk_end(whole)  # "bot ini bisa apa aja? makasih"

        for form in forms():
            form = form.strip(" -'/")  # as the lists are keyed: "halo kak /help" -> "help"
            if form and form not in seen:
                seen.add(form)
                yield form

    def _strip_smalltalk_end(self, whole: str, address_only: bool = False) -> str:
        """Small talk and words to the reader off the end, as long as a word is left."""
        words = whole.split()
        lex = self.lexicon
        ends = lex.address_ends if address_only else lex.smalltalk_ends
        table = {} if address_only else lex.whole["smalltalk"]
        address = lex.address_set
        moved = True
        while moved and len(words) > 1:
            moved = False
            longest = ends.get(words[-1], 0)  # no phrase of the lists ends so: 0, none tried
            for n in range(min(5, len(words) - 1, longest), 0, -1):
                phrase = " ".join(words[-n:])
                if phrase in table or phrase in address:
                    words, moved = words[:-n], True
                    break
        return " ".join(words)

    def _command(self, found: _Found, action: str) -> Understanding:
        command_to_intent = {
            "status": Intent.STATUS,
            "report": Intent.REPORT,
        }
        if action in command_to_intent:
            return found.result(command_to_intent[action], action=action)
        if action.startswith("language_"):
            return found.result(Intent.COMMAND, action="language", language=action.split("_")[1])
        return found.result(Intent.COMMAND, action=action)

    def _smalltalk_only(self, whole: str) -> str | None:
        """ "ok makasih ya, very helpful": made only of small talk (and words to the reader)."""
        words = whole.split()
        if not words or len(words) > 12:
            return None
        lex = self.lexicon
        starts = lex.chat_starts
        if words[0] not in starts or words[-1] not in lex.chat_ends:
            return None  # no phrase of the lists starts (or ends) it
        table = self.lexicon.whole["smalltalk"]
        address = self.lexicon.address_set
        answers = self.lexicon.answers  # "nggih matur nuwun": a yes around thanks
        # best[i]: the first small-talk kind covering words[:i], "" when only address words
        best: list[str | None] = [None] * (len(words) + 1)
        best[0] = ""
        for i in range(len(words)):
            if best[i] is None:
                continue
            longest = starts.get(words[i], 0)  # the phrases starting with this word
            for j in range(i + 1, min(len(words), i + 6, i + longest) + 1):
                phrase = " ".join(words[i:j])
                kind = table.get(phrase)
                if kind is None and phrase not in address and phrase not in answers:
                    continue
                value = best[i] or kind or ""
                if best[j] is None or (not best[j] and value):
                    best[j] = value
        return best[-1] or None

    # --- 2..7 ------------------------------------------------------------------------------
    def _read(self, found: _Found) -> Understanding:
        lex = self.lexicon
        texts = found.texts
        text = found.folded
        also: list[Intent] = []
        # Each fact below is worked out when a decision first needs it (see _Reading)
        r = _Reading(self, found)
        danger = r.danger
        if not danger and (found.case or r.status_words):
            return found.result(Intent.STATUS)
        if danger and r.report and any(_SAFE_NOW.search(t) for t in texts):
            danger = False
        if danger:
            if r.report:
                also.append(Intent.REPORT)
            if r.advert and r.offer:
                also.append(Intent.OFFER)
            if _CONTACT_QUESTION.search(text) and r.asks:
                also.append(Intent.QUESTION)
            return found.result(Intent.DANGER, also=also)
        asks = r.asks
        if r.report:
            if asks and any(_PRIVACY.search(t) for t in texts):
                if not any(_REPORT_SOMEONE.search(t) for t in texts):
                    return found.result(Intent.QUESTION, topic=found.topic())
                # "if I report the recruiter, will he know?": a report, and a worry to answer
                also.append(Intent.QUESTION)
            if r.offer and r.concrete and _quoted_or_long(found.raw):
                also.append(Intent.OFFER)
            return found.result(Intent.REPORT, also=also)
        if r.offer:
            if r.asks_check or (asks and not r.rhetorical and _ends_asking(found.raw)):
                also.append(Intent.QUESTION)
            return found.result(Intent.OFFER, also=also)
        if (
            not asks
            and found.opening != found.whole
            and lex.introductions.search(found.opening) is not None
        ):  # "halo kak salam kenal, sy bmi di hk": a greeting, and who is writing
            return found.result(Intent.SMALLTALK, action="greeting")
        if not asks:  # "wah mantap infonya kak, jadi tercerahkan", "maaf baru bales, td lg kerja"
            chat = self._smalltalk_around(found)
            if chat is not None:
                return found.result(Intent.SMALLTALK, action=chat)
        relevant = self._relevant(found)
        if asks and relevant:
            return found.result(Intent.QUESTION, topic=found.topic())
        comment = r.has(lex.unknown_patterns)
        if relevant and not comment and text.count(" ") < 30:  # single spaces: 30 words
            # "mau kerja ke korea", "i want to work in korea": a wish is a question too
            return found.result(Intent.QUESTION, topic=found.topic())
        whole = found.whole
        if whole.count(" ") >= MAX_WHOLE_WORDS:
            return found.result(Intent.UNKNOWN)
        whole = found.stripped
        first = self._smalltalk_only(" ".join(whole.split()[:3])) or self._smalltalk_only(
            " ".join(whole.split()[:2])
        )
        if self._smalltalk_only(whole) or (
            not relevant and len(whole.split()) <= 8 and first in ("greeting", "thanks", "bye")
        ):  # "selamat siang kak, salam dari hongkong"
            return found.result(Intent.SMALLTALK)
        return found.result(Intent.UNKNOWN)

    def _smalltalk_around(self, found: _Found) -> str | None:
        """Small talk in more words than the whole-message lists hold: the phrases of
        [smalltalk.around] and of the small-talk list are taken off, and the message is small
        talk when one was and what is left names nothing the guides know."""
        if found.whole.count(" ") >= MAX_CHAT_WORDS:  # a paste: not read by bot/text for this
            return None
        for text in dict.fromkeys((found.whole, found.spelled_key)):
            kind = self._chat_kind(text)
            if kind is not None:
                return kind
        return None

    def _chat_kind(self, text: str) -> str | None:
        lex = self.lexicon
        if not text or text.count(" ") >= MAX_CHAT_WORDS:
            return None
        kinds: list[str] = []
        for kind, patterns in lex.smalltalk_around:
            out, last = [], 0
            for m in patterns.iter(text):
                if m.start() < last:
                    continue
                out.append(text[last : m.start()])
                last = m.end()
            if last:
                kinds.append(kind)
                out.append(text[last:])
                text = " ".join(" ".join(out).split())
        table = lex.whole["smalltalk"]
        words, kept, i = text.split(), [], 0
        while i < len(words):
            for j in range(min(len(words), i + 5), i, -1):
                phrase = " ".join(words[i:j])
                kind = table.get(phrase)
                if kind is not None and phrase not in lex.smalltalk_weak:
                    kinds.append(kind)
                    i = j
                    break
            else:
                kept.append(words[i])
                i += 1
        if not kinds:
            return None
        rest = " ".join(w for w in kept if w not in lex.address_set)
        if rest and (
            _DOMAIN.search(rest) or lex.topic_regex.search(rest) or lex.country_regex.search(rest)
        ):
            return None
        return "thanks" if "thanks" in kinds else kinds[0]

    def _relevant(self, found: _Found) -> bool:
        """About something the guides know: words of the domain, a country with an article,
        a topic word, or an article the search is sure of."""
        if _DOMAIN.search(found.folded) or found.topic_word():
            return True
        lex = self.lexicon
        country = next((c for c in lex.countries if c.code == found.country), None)
        if country is not None and country.article:
            return True
        return self.search.answer(found.raw).best is not None

    def _asks(self, found: _Found) -> bool:
        lex = self.lexicon
        opening = found.opening
        return (
            found.raw.rstrip(" .!🙏😊🙂").endswith("?")
            or ("?" in found.raw and len(found.raw) <= 300)
            or lex.question_starts.search(opening) is not None
            or any(lex.question.search(t) is not None for t in found.texts)
            or self._asks_before_address(found)
        )

    def _asks_before_address(self, found: _Found) -> bool:
        """ "... bisa gak kak", "who will see my name kak": the question ends before the
        words to the reader (a short message only: a paste ends in its own words)."""
        whole = found.whole
        if whole.count(" ") >= MAX_ASKING_WORDS:
            return False
        stripped = found.stripped
        return stripped != whole and self.lexicon.question.search(stripped) is not None

    def _strip_greeting(
        self, whole: str, address_after_greeting_only: bool = False, keep_address: bool = False
    ) -> str:
        """ "halo kak, mau tanya ..." -> "mau tanya ...": the question starts after greetings.
        `address_after_greeting_only`: a word to the reader goes only right after a greeting
        ("halo kak, bot ini bisa apa" -> "bot ini bisa apa"); `keep_address`: greetings only."""
        words = whole.split(" ", 60)  # single spaces; a paste's rest stays in one piece
        starts = self.lexicon.greeting_starts
        if words[0] not in starts:
            return whole  # no greeting or word to the reader starts it
        table = self.lexicon.whole["smalltalk"]
        address = self.lexicon.address_set
        i, moved, greeted = 0, True, False
        while moved and i < len(words):
            moved = False
            # the most words a phrase starting with this word has (the last piece of the split
            # may hold several words: its first one starts the phrase); 0: none is tried
            longest = starts.get(words[i].partition(" ")[0], 0)
            for j in range(min(len(words), i + 5, i + longest), i, -1):
                phrase = " ".join(words[i:j])
                if phrase in table:
                    i, moved, greeted = j, True, True
                    break
                if (
                    phrase in address
                    and not keep_address
                    and (greeted or not address_after_greeting_only)
                ):
                    i, moved, greeted = j, True, False
                    break
        return " ".join(words[i:])

    def _offer_signs(self, text: str) -> tuple[int, int, int]:
        """Signs counted up to where more would decide nothing: concrete 2, strong 2 and
        weak 2 settle every rule of `_read` (more concrete signs make strong and weak ones
        moot, two strong ones make weak ones moot), so a long paste is not read to its end."""
        lex = self.lexicon
        concrete = _count(self._not_imagined(text, lex.offer_concrete.iter(text)), 2)
        strong = _count(self._not_imagined(text, lex.offer_strong.iter(text)), 2)
        weak = _distinct(lex.offer_weak.iter(text), 2)
        if _count(lex.paste_markers.iter(text), 4) >= 4:
            concrete += 1
        if strong + weak and _QUOTED.search(text):  # a message quoted in full
            concrete += 1
        return concrete, strong, weak

    def _not_imagined(self, text: str, hits: Iterator[Hit | re.Match[str]]) -> Iterator[object]:
        """The signs not after a case the person imagines in the same clause ("if my agency
        asks for more money"); the condition is looked for only in texts that have one."""
        conditions = self.lexicon.offer_conditions
        if conditions.search(text) is None:
            yield from hits
            return
        for m in hits:
            start = _clause_start(text, m.start())
            if conditions.search(text[start : m.end()]) is None:
                yield m

    def _danger(self, text: str, patterns: Patterns) -> bool:
        lex = self.lexicon
        for m in patterns.iter(text):  # lazily: the first real match is enough
            start = _clause_start(text, m.start())
            end = _clause_end(text, m.end())
            before = text[start : m.start()]
            if _negated(lex, before):
                continue
            near = " ".join(before.rsplit(None, lex.frame_scope)[-lex.frame_scope :])
            told = f"{near} {m.group(0)}"
            framed = lex.danger_frames.search(told) is not None or (
                lex.danger_general.search(told) is not None
                and lex.danger_own.search(text[start:end]) is None
            )
            if framed and not (
                lex.danger_present.search(text[start:end]) or lex.danger_threats.search(near)
            ):
                continue
            if self._generic_question(text, start, end):
                continue
            return True
        return False

    def _generic_question(self, text: str, start: int, end: int) -> bool:
        """ "majikan boleh nahan paspor gak?": asks about a rule, not about someone. "Not
        allowed" is no such word: "gak boleh pulang, harus gimana?" tells and asks for help."""
        sentence_end = _SENTENCE_END.search(text, end)
        tail = text[end : sentence_end.end()] if sentence_end else text[end:]
        clause = text[start:end] + tail
        if "?" not in clause and not _ASKING_TAG.search(clause):
            return False
        modal = _MODAL.search(_NOT_ALLOWED.sub(" ", clause))
        person = re.search(
            r"(?<![\w])(?:saya|sy|aku|gw|ku|kami|adik\w*|anak\w*|kakak\w*(?![\s.!?]*$)|ibu\w*|suami\w*|istri\w*|"
            r"my|i|me|we|our|son|daughter|sister|brother|mother|husband|wife)(?![\w])",
            clause,
        )
        return modal is not None and person is None


_MODAL = re.compile(
    r"(?<![\w])(?:boleh\w*|bisa\w*|apakah|can|may|is it|allowed|legal|berhak|hak|aturan)(?![\w])"
)
# "... boleh pegang paspor gak sih": asked without a question mark
_ASKING_TAG = re.compile(
    r"(?<![\w])(?:gak|ga|gk|nggak|ngga|enggak|tidak|kah)"
    r"(?: (?:sih|kak|ya|min|dong|deh|nih|gan|sis|bu|pak|mas|mbak|mba|kakak))*[\s.!]*$"
)
# "gak boleh keluar", "not allowed to leave": told, not asked
_NOT_ALLOWED = re.compile(
    r"(?<![\w])(?:gak|ga|gk|g|nggak|ngga|enggak|tidak|tdk|tak|ndak|nda|not|cannot|can.?t|don.?t|"
    r"won.?t|isn.?t|aren.?t|never) (?:di ?)?(?:boleh\w*|bisa\w*|can|may|allowed)(?![\w])"
)
HARM = "xharmx"  # where a word of harm stood, in the text read by roots
_HARM = Patterns(re.compile(HARM))


def _spelled_end(raw: str) -> int:
    """Where bot/text stops reading a long message: the words of the message's start are
    read by bot/text (chat spelling, roots), the part written by the person; a long paste
    goes on as written, read by the pattern lists only (see _Found.words)."""
    cut = raw.rfind(" ", 0, MAX_SPELLED_CHARS)
    return cut if cut > 0 else MAX_SPELLED_CHARS


def _folded_tail(raw: str) -> tuple[int, str] | None:
    """(cut, fold(raw[cut:])) for a message longer than bot/text reads, cut at the space
    where it stops: the spelled and harm texts differ from the folded one only before it,
    so they reuse its fold. Folding is the same on either side of a space (accents, case
    and letter runs never reach across one), so fold(raw) is fold(raw[:cut]) and this
    joined by a space (see _joined)."""
    if len(raw) <= MAX_SPELLED_CHARS:
        return None
    cut = _spelled_end(raw)
    if raw[cut] != " ":  # no space to cut at
        return None
    return cut, fold(raw[cut:])


def _joined(head: str, tail: str) -> str:
    """fold(a + b) from fold(a) and fold(b) when b starts with a space."""
    return f"{head} {tail}" if head and tail else head or tail


def _fold_out(out: list[str], raw: str, last: int, tail: tuple[int, str] | None) -> str:
    """fold("".join(out) + raw[last:]), with the folded end of the message reused when all
    of `out` stands before its cut."""
    if tail is not None and last <= tail[0]:
        cut, folded_tail = tail
        out.append(raw[last:cut])
        return _joined(fold("".join(out)), folded_tail)
    out.append(raw[last:])
    return fold("".join(out))


def _fold_long(raw: str) -> tuple[tuple[int, str] | None, str]:
    """The folded end of a long paste (see _folded_tail; None for a short one) and the whole
    text folded, its end taken from that tail instead of folded again."""
    tail = _folded_tail(raw) if len(raw) > MAX_SPELLED_CHARS else None
    return tail, fold(raw) if tail is None else _joined(fold(raw[: tail[0]]), tail[1])


def _harm_text(
    raw: str, lex: Lexicon, words: list[Word], tail: tuple[int, str] | None = None
) -> str | None:
    """The text with each word whose root is a word of harm replaced by HARM, so the
    frames and negators around it are read as for a pattern; None when there is none."""
    lemmas, affixed = lex.harm_lemmas, lex.harm_affixed
    if not any(
        w.lemma in lemmas or (w.lemma in affixed and w.form != w.lemma) for w in words
    ):  # most texts have none: nothing to build
        return None
    out: list[str] = []
    last, found = 0, False
    for word in words:
        harm = word.lemma in lemmas or (word.lemma in affixed and word.form != word.lemma)
        if word.start < last:
            continue
        out.append(raw[last : word.start])
        out.append(HARM if harm else raw[word.start : word.end])
        last, found = word.end, found or harm
    return indexed(_fold_out(out, raw, last, tail)) if found else None


def _spelled(raw: str, folded: str, words: list[Word], tail: tuple[int, str] | None = None) -> str:
    """The text with chat spellings written out (bot/text): "gk blh kluar" -> "tidak boleh
    keluar", punctuation kept where it was, so clauses still end at commas."""
    last = 0
    for word in words:  # most short messages are written out already: nothing to rebuild
        if word.start < last or word.form != raw[word.start : word.end]:
            break
        last = word.end
    else:
        return folded  # the same text: fold(raw) is `folded`
    out: list[str] = []
    last = 0
    for word in words:
        if word.start >= last:
            out.append(raw[last : word.start])
            out.append(word.form)
            last = word.end
        else:  # "5jt" -> "5", "juta": one token, several words
            out.append(" " + word.form)
    spelled = _fold_out(out, raw, last, tail)
    if spelled == folded:
        return folded
    return Indexed.ending_as(spelled, folded) if isinstance(folded, Indexed) else spelled


# Longer than any match of the lists, with what they look at before it.
_MATCH_MARGIN = 300
# Longer than what a pattern of the lists looks at after its match ("(?! (?:\w+ )?libur)").
_LOOK_MARGIN = 100


def _count(hits: Iterator[object], most: int) -> int:
    return sum(1 for _ in islice(hits, most))


def _distinct(hits: Iterator[Hit | re.Match[str]], most: int) -> int:
    seen: set[str] = set()
    for m in hits:
        seen.add(m.group(0))
        if len(seen) >= most:
            break
    return len(seen)


def _negated(lex: Lexicon, before: str) -> bool:
    words = before.rsplit(None, lex.negator_scope)[-lex.negator_scope :]
    if not words:
        return False
    near = " ".join(words)
    if lex.negator_whole.search(near) is not None:
        return True
    last = None
    for m in lex.danger_negators.iter(near):
        last = m
    if last is None:
        return False
    # what stands between the negator and the pattern: only words that carry no verb of their own
    return all(w in lex.negator_gap for w in near[last.end() :].split())


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE.finditer(text, 0, pos):
        start = m.end()
    return start


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE.search(text, pos)
    return m.start() if m else len(text)


# An advert word, with what says it is many adverts in general ("banyak iklannya di tiktok")
_ADVERT = re.compile(
    r"(?<![\w])(?:(banyak|byk|many|lots of|sering|often) (?:\w+ )?)?"
    r"(?:lowongan|loker|iklan\w*|dicari|hiring|vacanc\w*|job ad|advert\w*)"
)


def _advert(text: str) -> bool:
    """An advert is quoted or named: one advert, not adverts in general."""
    return '"' in text or any(m.group(1) is None for m in _ADVERT.finditer(text))


def _ends_asking(raw: str) -> bool:
    """The person's own question at the end: "… itu resmi gak?", "is it real?"."""
    return raw.rstrip(" .!🙏😊🙂").endswith("?")


def _quoted_or_long(raw: str) -> bool:
    return '"' in raw or "\u201c" in raw or len(raw) > 160


def _number(whole: str) -> int | None:
    m = _NUMBER.match(whole)
    if m:
        return int(m.group(1))
    if whole.rsplit(" ", 1)[-1].lstrip("-") not in _ORDINALS:  # no ordinal can end it
        return None
    word = _ORDINAL_PREFIX.sub("", whole)
    word = re.sub(r"^ke\s*-?\s*", "ke", word) if word.startswith("ke ") else word
    return _ORDINALS.get(word)


_POLITE = re.compile(r"^(?:tolong|tlg|mohon|please|pls|minta|bisa|can you|could you)\s+")
_COUNTRY_AROUND = re.compile(
    r"^(?:kerja (?:di |ke )?|info |work in |jobs? in )|(?: jobs?| work| kerja| info)$"
)


def _polite(whole: str) -> str:
    """ "tolong hapus data saya" -> "hapus data saya": a command asked politely."""
    return _POLITE.sub("", whole)


def _bare_country(whole: str) -> str:
    """ "taiwan jobs", "kerja malaysia", "malaysia work" -> the country name alone."""
    return _COUNTRY_AROUND.sub("", whole)


class _once(Generic[_T]):  # used as a decorator, like cached_property
    """`functools.cached_property` without its lock (Python 3.11 takes one on every first
    use, which cost a short message a tenth of its time): a `_Found` lives in one thread."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value


class _Found:
    """The data of one message, each piece looked for once and only when needed."""

    def __init__(
        self,
        understander: Understander,
        raw: str,
        folded: str,
        whole: str,
        tail: tuple[int, str] | None = None,
    ) -> None:
        self.u = understander
        self.raw = raw
        self.tail = tail  # see _folded_tail
        self.folded = indexed(folded)
        self.whole = whole  # key(raw)
        self.answer: Answer | None = None
        self.country = self._country()
        self.case = self._case() if "ma" in self.folded else None  # see _case
        self._topic: str | bool | None = False

    @_once
    def words(self) -> list[Word]:
        raw = self.raw
        if len(raw) > MAX_SPELLED_CHARS:  # its start only (see _spelled_end)
            raw = raw[: _spelled_end(raw)]
        return self.u.analyser.words(raw)

    @_once
    def spelled(self) -> str:
        return _spelled(self.raw, self.folded, self.words, self.tail)

    @_once
    def texts(self) -> tuple[str, ...]:
        """The folded text, and the spelled one when it differs: the pattern lists read both."""
        return (self.folded,) if self.spelled == self.folded else (self.folded, self.spelled)

    @_once
    def reads(self) -> tuple[tuple[str, int], ...]:
        """`texts` for a list that only says whether it matches, each with the last place a
        match may end to count. The spelled text is cut where it has become the folded text
        again (bot/text reads only the start of a long paste), plus a margin longer than any
        match and what it looks at before it: a match further on is in the folded text too,
        which is read whole. The cut is no end of the message, so a look-ahead there would see
        nothing where the message goes on ("dijual" not followed by "murah" would match at a
        cut after "dijual"): a match counts only if it ends _LOOK_MARGIN characters before
        the cut, and one ending later is in the common end, where the folded text finds it."""
        texts = self.texts
        if len(texts) == 1:
            return ((texts[0], len(texts[0])),)
        folded, spelled = texts
        same = common_end(folded, spelled)
        # at a space: words whole (Indexed.start_of keeps the index only so)
        cut = spelled.find(" ", len(spelled) - same + _MATCH_MARGIN + _LOOK_MARGIN)
        if cut < 0:
            return (folded, len(folded)), (spelled, len(spelled))
        start = Indexed.start_of(spelled, cut) if isinstance(spelled, Indexed) else spelled[:cut]
        return (folded, len(folded)), (start, cut - _LOOK_MARGIN)

    @_once
    def spelled_key(self) -> str:
        if self.spelled is self.folded:
            return self.whole  # key_of_folded(folded)
        return key_of_folded(self.spelled)  # `spelled` is folded already

    # The short message's forms, each made once per call (see Understander._whole)
    @_once
    def steps(self) -> list[str]:
        return self.u._address_steps(self.whole)

    @_once
    def stripped(self) -> str:
        """The whole message without the words to the reader at its ends."""
        lex, whole = self.u.lexicon, self.whole
        words = whole.split(" ")  # single spaces (a key)
        if words[0] not in lex.address_starts and words[-1] not in lex.address_ends:
            return whole  # as _address_steps finds: nothing to take off
        return self.steps[-1]

    @_once
    def greeted(self) -> str:
        return self.u._strip_greeting(self.stripped)

    @_once
    def thanked(self) -> str:
        return self.u._strip_smalltalk_end(self.greeted)

    @_once
    def spelled_stripped(self) -> str:
        return self.u._strip_address(self.spelled_key)

    @_once
    def may_be_whole(self) -> bool:
        """Whether a form of the message can be a whole-message phrase. Every form is a run of
        its words, or of its spelled form's, stripped of " -'/" at its ends (see
        Understander._candidates): one such run must be in the lists."""
        lex = self.u.lexicon
        vocabulary, phrases = lex.whole_words, lex.whole_first
        for text in dict.fromkeys((self.whole, self.spelled_key)):
            words = text.split()
            for w in words:
                if (
                    w in vocabulary
                    or w.strip(_ENDS) in vocabulary
                    or w.lstrip(_ENDS) in vocabulary
                    or w.rstrip(_ENDS) in vocabulary
                ):
                    break
            else:
                continue  # no word of any phrase, however its run is stripped
            # a run keeps its number of words once stripped, unless a word is only " -'/"
            most = lex.whole_longest if all(w.strip(_ENDS) for w in words) else len(words)
            for i in range(len(words)):
                for j in range(i + 1, min(len(words), i + most) + 1):
                    if " ".join(words[i:j]).strip(_ENDS) in phrases:
                        return True
        return False

    @_once
    def opening(self) -> str:
        """The whole message after the greetings at its start."""
        return indexed(self.u._strip_greeting(self.whole))

    def result(self, intent: Intent, **fields: object) -> Understanding:
        values: dict[str, object] = {
            "country": self.country,
            "case": self.case,
            "answer": self.answer,
        }
        if intent in _WITH_PLACE:
            values["place"] = self._place()
        if intent not in _WITHOUT_CONTACT:
            values["phone"] = self._phone()
            values["company"] = self._company()
        values.update(fields)
        also = values.get("also")
        if also is not None:
            values["also"] = tuple(dict.fromkeys(also))  # type: ignore[call-overload]
        return Understanding.of(intent, values)

    # country ------------------------------------------------------------------------------
    def _country(self) -> str | None:
        lex = self.u.lexicon
        hits = []
        for m in lex.country_regex.iter(self.folded):
            # the word before it: "bahasa inggris" is no country (single spaces: 30 characters)
            if _BAHASA_BEFORE.search(self.folded[max(0, m.start() - 30) : m.start()]):
                continue
            country = lex.country_names[m.group(0)]
            hits.append((m.start(), country.code))
        if not hits:
            return None
        codes = list(dict.fromkeys(code for _pos, code in hits))
        if len(codes) >= 3 and len(self.folded) < 400:
            return None  # a list of destinations, not one country
        for pos, code in hits:
            if _DIVERSION.search(self.folded[max(0, pos - 60) : pos]):
                return code
        return codes[0]

    # case number --------------------------------------------------------------------------
    def _case(self) -> str | None:
        if "ma" not in self.folded:  # every case number starts so, in any case of letters
            return None
        for m in _CASE.finditer(self.raw):
            body = m.group(3).upper()
            if not set(body) <= _CASE_ALPHABET:
                continue
            typed_as_number = (
                any(c.isdigit() for c in body) or m.group(2) == "-" or m.group(0).isupper()
            )
            if typed_as_number:
                return "MA-" + body
        return None

    # topic --------------------------------------------------------------------------------
    def topic_word(self) -> str | None:
        m = self.u.lexicon.topic_regex.search(self.folded)
        return self.u.lexicon.topics.get(m.group(0)) if m else None

    def topic(self) -> str | None:
        if self._topic is not False:
            return self._topic  # type: ignore[return-value]
        lex = self.u.lexicon
        answer = self.u.search.answer(self.raw)
        topic = answer.best
        if topic is None and self.country:
            country = next((c for c in lex.countries if c.code == self.country), None)
            topic = country.article if country else None
        if topic is None:
            topic = self.topic_word()
        if topic is None and answer.candidates:
            topic = answer.candidates[0]
        self._topic = topic
        return topic

    # place, phone, company ------------------------------------------------------------------
    def _place(self) -> str | None:
        """A kab/kota named after a place word: "di Indramayu", "dari Kota Cirebon". Exact
        names only (the report form asks again, with typos allowed, when this finds none)."""
        lex = self.u.lexicon
        names = self.u.place_names
        text = self.folded
        # the cues that start in the first part; the name after one is read whole, wherever
        # the part ends (a cut "di batu|bara" would be Kota Batu, "indra|mayu" nothing)
        cues = takewhile(lambda m: m.start() < MAX_PLACE_CHARS, lex.place_cues.iter(text))
        for m in islice(cues, MAX_PLACE_CUES):
            rest = re.findall(r"[a-z0-9]+", text[m.end() : m.end() + 60])[:3]
            for n in range(len(rest), 0, -1):
                candidate = "".join(rest[:n])
                if m.group(0) in ("kab", "kabupaten", "kota"):
                    candidate = f"{'kota' if m.group(0) == 'kota' else 'kabupaten'}{candidate}"
                codes = names.get(candidate)
                if codes is not None and len(codes) == 1:
                    return codes[0]
        return None

    def _phone(self) -> str | None:
        m = _first_match(_PHONE, self.raw, _PHONE_STARTS)
        return m.group(0).strip() if m else None  # as the person wrote it, dashes and spaces kept

    def _company(self) -> str | None:
        m = _first_match(_COMPANY, self.raw, _COMPANY_STARTS)
        if not m:
            return None
        words = []
        for w in m.group(2).split():
            if w.lower().strip(".,") in _COMPANY_STOP:
                break
            words.append(w.strip(".,"))
        return f"{m.group(1).upper()} {' '.join(words)}" if words else None


class _Reading:
    """What `Understander._read` decides on, each worked out once and only when a decision
    needs it: a paste in danger is not read for the words of a case's status, nor for the
    question around an offer that has a concrete sign anyway. Same values as reading them
    all in the order of the decisions."""

    def __init__(self, understander: Understander, found: _Found) -> None:
        self.u = understander
        self.found = found
        self.lex = understander.lexicon

    def has(self, patterns: Patterns) -> bool:
        found = self.found
        if patterns.at_end:
            return any(patterns.search(t) is not None for t in found.texts)
        for text, last_end in found.reads:
            # the first match: any other one starts after it, in the common end when the
            # first ends past `last_end` (see _Found.reads), where the folded text finds it
            m = patterns.search(text)
            if m is not None and m.end() <= last_end:
                return True
        return False

    def has_at_start(self, patterns: Patterns) -> bool:
        """Also after the greetings: "halo kak, laporan penipuan calo" starts a report."""
        opening = self.found.opening
        return self.has(patterns) or (
            opening != self.found.whole and patterns.search(opening) is not None
        )

    @_once
    def asked(self) -> bool:
        """Asked in words or by a question mark (before an advert's own question counts)."""
        return self.u._asks(self.found)

    @_once
    def report(self) -> bool:
        return self.has_at_start(self.lex.report)

    @_once
    def status_words(self) -> bool:
        return self.has_at_start(self.lex.status)

    @_once
    def signs(self) -> tuple[int, int, int]:
        """(concrete, strong, weak) signs of an offer, as counted by `_offer_signs`."""
        texts = self.found.texts
        signs = self.u._offer_signs(texts[0])
        if len(texts) > 1 and signs[0] < 2:  # two concrete signs settle everything: no more
            signs = max(signs, self.u._offer_signs(texts[1]))
        return signs

    @_once
    def asks_check(self) -> bool:
        return self.has(self.lex.offer_check)

    @_once
    def rhetorical(self) -> bool:
        return self.has_at_start(self.lex.offer_rhetorical)

    @_once
    def framed(self) -> bool:
        """ "Mau kerja di Taiwan? ...": the reader is asked, by an advert on the table."""
        return self.rhetorical and sum(self.signs) > 0

    @_once
    def asks(self) -> bool:
        if self.framed:
            return self.asks_check or _ends_asking(self.found.raw)
        return self.asked

    @_once
    def concrete(self) -> int:
        concrete, strong, _ = self.signs
        if self.framed:
            concrete += 1
        text = self.found.folded
        if self.advert and (strong or _AMOUNT_WORDS.search(text)):
            concrete += 1  # an advert is quoted: "ini lowongan kafe ..., gaji 6jt. aman gak?"
        return concrete

    @_once
    def advert(self) -> bool:
        return _advert(self.found.folded)

    @_once
    def quoted_amount(self) -> bool:
        """An advert is quoted with an amount: `concrete` counts it as a sign, so it is at
        least 1 whatever the lists find (they are not read to know that)."""
        text = self.found.folded
        return self.advert and _AMOUNT_WORDS.search(text) is not None

    @_once
    def offer(self) -> bool:
        if self.lex.question_declared.search(self.found.opening) is not None:
            return self.concrete >= 2
        if self.quoted_amount or self.concrete >= 1:  # enough whether the person asks or not
            return True
        _, strong, weak = self.signs
        if self.asks:
            # "gaji 25jt di jepang masuk akal?" names one sign and asks: a question. A pasted
            # advert with "aman gak?" after it names several: the offer is checked.
            return strong >= 2 or (strong >= 1 and weak >= 2)
        return strong >= 1 or weak >= 2

    @_once
    def danger(self) -> bool:
        u, lex, found = self.u, self.lex, self.found
        texts = found.texts
        if any(u._danger(t, lex.danger) for t in texts):
            return True
        harm = _harm_text(found.raw, lex, found.words, found.tail)
        if harm is not None and u._danger(harm, _HARM):
            return True
        # weak signs of danger count unless the message is an offer with a concrete or
        # strong sign
        if self.offer and (self.quoted_amount or self.concrete + self.signs[1] >= 1):
            return False
        return any(u._danger(t, lex.danger_weak) for t in texts) or (
            any(lex.danger_own.search(t) is not None for t in texts)
            and any(u._danger(t, lex.danger_distress) for t in texts)
            and any(u._danger(t, lex.danger_control) for t in texts)
        )


@cache
def default_understander() -> Understander:
    return Understander()
