"""The fast forms of the word lists find exactly what the lists as written find."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from bot.understanding.lexicon import Patterns, compile_patterns, default_lexicon, fold

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
    assert checked > 500  # the lists do match the messages


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
