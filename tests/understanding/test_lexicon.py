"""The fast forms of the word lists find exactly what the lists as written find."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from bot.understanding.lexicon import (
    Indexed,
    Patterns,
    _first_keys,
    compile_patterns,
    default_lexicon,
    fold,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _texts() -> list[str]:
    texts = []
    for path in (DATA / "understanding" / "messages.jsonl", DATA / "offers.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    # long pastes, and texts that start or end right on a match
    texts += ["\n".join(texts[i : i + 12]) for i in range(0, 120, 12)]
    texts += ["dikurung", "$50/ 3 jam", "rp 5jt dulu", "gaji rm1500 sebulan", "!", ""]
    # what the word index reads differently from the engine: digits outside ASCII, symbols,
    # a word's end, a pattern's class after a few letters, words split by punctuation
    texts += [
        "gaji ٣٠٠٠ ringgit sebulan, bayar ٥ juta dulu ke rekening, bisakah saya pulang? " * 2,
        "€1200 per month, $50 fee, us$ 300 deposit, ma'am keeps my passport, can't leave " * 2,
        "hati-hati ya, dipukul majikan…di hk!!! sy d pukul, di-pukul, e-pmi, benarkah itu " * 2,
    ]
    return texts


def _lists() -> list[tuple[str, Patterns]]:
    lex = default_lexicon()
    lists = [(name, p) for name, p in vars(lex).items() if isinstance(p, Patterns)]
    lists += [(f"command.{action}", p) for action, p in lex.command_patterns]
    return lists


def test_every_list_finds_what_its_regular_expression_finds() -> None:
    texts = [fold(t) for t in _texts()]
    checked = 0
    for name, patterns in _lists():
        if patterns.regex is None:
            continue
        for text in texts:
            want = [(m.span(), m.group(0)) for m in patterns.regex.finditer(text)]
            got = [(m.span(), m.group(0)) for m in patterns.iter(text)]
            assert got == want, (name, text[:80])
            first = patterns.search(text)
            assert (first.span() if first else None) == (want[0][0] if want else None), name
            checked += bool(want)
            if len(text) >= 80:  # long enough for the word index: read through it too
                indexed = Indexed(text)
                got = [(m.span(), m.group(0)) for m in patterns.iter(indexed)]
                assert got == want, ("indexed", name, text[:80])
                # a text ending as another (the spelled one ends as the folded one)
                other = Indexed("xx " + text[10:])
                indexed = Indexed.ending_as(text, other)
                got = [(m.span(), m.group(0)) for m in patterns.iter(indexed)]
                assert got == want, ("ending as", name, text[:80])
                cut = text.find(" ", len(text) // 2)  # its start, cut at a space
                if cut > 0:
                    start = Indexed.start_of(Indexed(text), cut)
                    want = [(m.span(), m.group(0)) for m in patterns.regex.finditer(text[:cut])]
                    got = [(m.span(), m.group(0)) for m in patterns.iter(start)]
                    assert got == want, ("start of", name, text[:80])
    assert checked > 500  # the lists do match the messages


def test_the_index_names_the_first_letters_a_pattern_starts_with() -> None:
    # a word and the next, a whole short word, a word ending so, a symbol, a class after "ma"
    assert _first_keys(r"(?:di|d)\s*pukul\w*") == {
        ((False, 4), "dipu", " dipu"),
        ((False, 4), "dpuk", " dpuk"),
        ((True, 4), "di puku", " di "),
        ((True, 4), "d puku", " d "),
    }
    assert _first_keys("hk") == {((False, 4), "hk", " hk ")}
    assert _first_keys(r"\w+kah\b") == {((False, -1), "kah", "\0kah")}
    assert ((False, 0), "$", "$") in (_first_keys(r"(?:rp|\$)\s*\d") or ())
    assert _first_keys("ma.?am") == {((False, 2), "ma", " ma"), ((False, 4), "maam", " maam")}
    assert _first_keys(r"(?:\w+ )?foo") is None  # may start with any word: searched


def test_word_and_loose_alternatives_merge_in_order() -> None:
    # "%AMOUNT%..." alternatives are tried at every character, the others at word starts;
    # where both match at one place the list's first alternative wins, as in one expression.
    macros = {"AMOUNT": r"(?:rp ?\d+(?: ?jt)?|\d+ ?jt)"}
    p = compile_patterns(["gaji %AMOUNT%", "%AMOUNT%", "^info loker", "dp"], macros, "test")
    text = "info loker gaji rp 5jt, dp 2jt rp3jt"
    assert [m.group(0) for m in p.iter(text)] == [m.group(0) for m in p.regex.finditer(text)]
    assert [m.group(0) for m in p.iter(text)] == ["info loker", "gaji rp 5jt", "dp", "2jt", "rp3jt"]


def test_fold_drops_accents_and_keeps_the_rest() -> None:
    assert fold("Café  TOLOOONG surat2 ’ok’") == "cafe tolong surat 'ok'"
    assert fold("ｆｕｌｌ") == "full"
    for text in _texts()[:300]:
        slow = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
        assert fold(text) == fold(slow.lower())


def test_a_long_paste_is_read_whole_where_chat_spelling_was_written_out() -> None:
    from bot.understanding import default_understander

    # chat spelling at the start, a long advert after it, harm written at its very end
    advert = (
        "Lowongan pabrik di Taiwan, gaji 25 juta, tiket ditanggung, info lengkap hubungi kami. "
    )
    text = "kak sy gk ngerti ini bener gk. " + advert * 12 + "sy dikurung majikan, gak boleh keluar"
    u = default_understander().understand(text)
    assert u.intent.value == "danger"
