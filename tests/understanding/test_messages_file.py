"""The labelled message set in tests/data/understanding/messages.jsonl is well formed.

The set is what the understanding step is measured on (issue 14); a broken line, a label
outside the contract or a split that moved would make every figure computed on it meaningless.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from storage.cases import normalize_number

ROOT = Path(__file__).resolve().parent.parent.parent
MESSAGES = ROOT / "tests" / "data" / "understanding" / "messages.jsonl"
GUIDES = ROOT / "content" / "id" / "guides"

INTENTS = {
    "danger",
    "offer",
    "question",
    "report",
    "status",
    "navigation",
    "smalltalk",
    "command",
    "unknown",
}
FIELDS = {"id", "text", "lang", "intent", "also", "country", "topic", "split", "source"}
ISSUE = "issue-14"
# Minimum per intent, from the brief that ordered the set.
MINIMUM = {
    "danger": 110,
    "question": 150,
    "offer": 120,
    "report": 50,
    "status": 25,
    "navigation": 50,
    "smalltalk": 60,
    "command": 50,
    "unknown": 20,
}
# Every example issue 14 lists, with the intent the issue says it must get.
ISSUE_EXAMPLES = {
    "tolong jelaskan cara daftar ke korea": "question",
    "can you help me find a job in japan": "question",
    "/help": "command",
    "kerja di jepang gmn caranya": "question",
    "umur 17 bisa kerja ke luar negeri ga": "question",
    "salary in hong kong": "question",
    "Apakah anda ingin kerja di Taiwan? … DP 5jt ke rekening saya": "offer",
    "paspor sy ditahan majikan di malaysia": "danger",
    "my son is stuck in a cambodia scam company they wont let him go": "danger",
    "taiwan": "question",
    "malaysia": "question",
    "korea": "question",
    "arab": "question",
    "jepang": "question",
    "biaya": "question",
    "paspor": "question",
    "visa": "question",
    "BP3MI": "question",
    "tkw": "question",
    "terima kasih": "smalltalk",
    "ok": "smalltalk",
    "assalamualaikum": "smalltalk",
    "lanjut": "navigation",
    "berikutnya": "navigation",
    "sebelumnya": "navigation",
    "kembali": "navigation",
    "next": "navigation",
    "previous": "navigation",
    "back": "navigation",
    "more": "navigation",
    "gak tau": "navigation",
    "bahasa inggris": "command",
    "bahasa": "command",
    "data saya": "command",
}
# A case number has at least one digit (so "majikan" is not one).
CASE_NUMBER = re.compile(r"\bMA[- ]?(?=[0-9A-Z]{0,4}[0-9])[0-9A-Z]{5}\b", re.IGNORECASE)
VALID_CASE = re.compile(r"MA-[2-9A-HJKMNP-TV-Z]{5}")
PHONE = re.compile(r"(?:\+62|\b0)8\d{1,2}[- ]?\d{3,4}[- ]?\d{3,5}")


def load() -> list[dict]:
    with MESSAGES.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def blind_by_hash(message_id: str) -> bool:
    return int(hashlib.sha256(message_id.encode()).hexdigest(), 16) % 100 < 35


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return load()


def test_every_line_has_the_fields_and_types(rows):
    assert len(rows) >= 650
    for r in rows:
        assert set(r) == FIELDS, r.get("id")
        assert isinstance(r["text"], str) and r["text"].strip(), r["id"]
        assert r["lang"] in ("id", "en", "mix"), r["id"]
        assert isinstance(r["also"], list), r["id"]
        assert r["split"] in ("dev", "blind"), r["id"]
        assert r["source"] == ISSUE or r["source"].startswith("http"), r["id"]


def test_ids_are_sequential_and_unique(rows):
    ids = [r["id"] for r in rows]
    assert ids == [f"u-{n:04d}" for n in range(1, len(rows) + 1)]


def test_texts_are_not_repeated(rows):
    texts = Counter(r["text"].strip().lower() for r in rows)
    assert [t for t, n in texts.items() if n > 1] == []


def test_intents_and_also_are_from_the_contract(rows):
    for r in rows:
        assert r["intent"] in INTENTS, r["id"]
        assert len(set(r["also"])) == len(r["also"]), r["id"]
        assert set(r["also"]) <= INTENTS - {r["intent"]}, r["id"]


def test_questions_name_an_existing_article_and_nothing_else_does(rows):
    articles = {p.stem for p in GUIDES.glob("*.md")}
    assert articles, "no guides found"
    for r in rows:
        if r["intent"] == "question":
            assert r["topic"] in articles, (r["id"], r["topic"])
        else:
            assert r["topic"] is None, r["id"]


def test_country_is_an_alpha2_code_abroad_or_null(rows):
    for r in rows:
        c = r["country"]
        assert c is None or (re.fullmatch(r"[A-Z]{2}", c) and c != "ID"), (r["id"], c)


def test_split_follows_the_hash_rule_and_issue_examples_are_dev(rows):
    # The split is a function of the id: a line cannot move between dev and blind.
    for r in rows:
        expected = "dev" if r["source"] == ISSUE else ("blind" if blind_by_hash(r["id"]) else "dev")
        assert r["split"] == expected, r["id"]
    blind = sum(r["split"] == "blind" for r in rows) / len(rows)
    assert 0.28 <= blind <= 0.40


def test_every_intent_is_in_both_splits_and_meets_its_minimum(rows):
    counts = Counter(r["intent"] for r in rows)
    for intent, minimum in MINIMUM.items():
        assert counts[intent] >= minimum, (intent, counts[intent])
    for split in ("dev", "blind"):
        present = {r["intent"] for r in rows if r["split"] == split}
        assert present == INTENTS, (split, INTENTS - present)


def test_both_languages_are_there_in_the_asked_proportion(rows):
    langs = Counter(r["lang"] for r in rows)
    indonesian = (langs["id"] + langs["mix"]) / len(rows)
    assert 0.55 <= indonesian <= 0.75
    assert langs["en"] / len(rows) >= 0.25
    assert langs["mix"] >= 20


def test_issue_examples_are_present_in_dev_with_the_issue_label(rows):
    by_text = {r["text"]: r for r in rows}
    for text, intent in ISSUE_EXAMPLES.items():
        assert text in by_text, text
        assert by_text[text]["intent"] == intent, text
        assert by_text[text]["split"] == "dev", text
        assert by_text[text]["source"] == ISSUE, text


def test_case_numbers_are_valid_and_phone_numbers_fictional(rows):
    for r in rows:
        for m in CASE_NUMBER.finditer(r["text"]):
            assert VALID_CASE.fullmatch(normalize_number(m.group())), (r["id"], m.group())
        for m in PHONE.finditer(r["text"]):
            assert "0000-0000" in m.group(), (r["id"], m.group())


def test_status_messages_without_a_number_still_ask_about_a_case(rows):
    # Guards the label: "status" is about the person's own case, not any question on reporting.
    words = ("lapor", "kasus", "case", "report", "relawan", "volunteer", "kabar")
    for r in rows:
        if r["intent"] == "status" and not CASE_NUMBER.search(r["text"]):
            assert any(w in r["text"].lower() for w in words), r["id"]
