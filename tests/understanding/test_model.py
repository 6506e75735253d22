"""The second opinion on danger (bot/understanding/model.py) and how the understander uses it.

The sentences are written for these tests, not taken from the labelled set: danger told without
the words the rules know, which the rules alone read as something else.
"""

from __future__ import annotations

import json
import math

import pytest

from bot.text.features import features
from bot.understanding import Intent, Understander, default_understander
from bot.understanding.evaluation import load
from bot.understanding.model import (
    FEATURES,
    MODEL_FILE,
    RAISABLE,
    Model,
    default_model,
    read,
)

# Danger told round about: the rules alone miss each of these (checked below).
INDIRECT_DANGER = [
    # a debt to be paid before going home, with no money at all
    "kata bosnya adik sy harus lunasin utang tiket dulu, baru boleh pulang, dia gak pegang uang sepeser pun",
    # at sea for a year, unpaid, news only through the ship's wifi
    "suami sy di kapal udah setahun gak sandar, gaji gak dikasih, cuma bisa kabarin lewat wifi kapal",
    # writes only while the employer sleeps, bruised
    "kakak saya di riyadh cuma bisa chat kalau majikan tidur, katanya badannya biru2",
    "my cousin in kuching says her boss hides her phone and she only gets rice once a day",
    "my friend in jeddah is sick but madam won't take her to a doctor and keeps her inside",
    "my aunt in kuwait only messages when the family is asleep, she says her back is bruised",
]
# Was model-only until the rules learnt debt bondage told as work to pay back (u-1687 batch):
# the rules now find it, so the model's guard does not apply.
DEBT_BONDAGE = [
    "the agent told my sister she must work two more years to pay back her ticket, she has no money and no passport",
    "kata agen adik sy harus kerja 2 tahun lagi buat bayar utang tiket, paspor dipegang dia",
]

# "tolong"/"help" as "please", and questions about the same hardships with nothing happening now
NOT_DANGER = [
    ("tolong jelaskan cara daftar ke korea", Intent.QUESTION),
    ("tolong infokan biaya ke taiwan", Intent.QUESTION),
    ("mohon bantuannya kak, cara daftar g to g gimana?", Intent.QUESTION),
    ("can you help me find a job in japan", Intent.QUESTION),
    ("help me check PT ABC", Intent.QUESTION),
    ("please help, how do I renew my passport in malaysia?", Intent.QUESTION),
    ("kalau majikan gak kasih makan, lapor ke mana?", Intent.QUESTION),
    ("apakah agen boleh menyimpan paspor pekerja?", Intent.QUESTION),
    ("what should I do if my employer keeps my passport?", Intent.QUESTION),
    ("is it normal that the employer keeps the phone during work hours?", Intent.QUESTION),
    ("tolong", Intent.COMMAND),
    ("help", Intent.COMMAND),
    ("alhamdulillah majikan saya baik, tidak pernah dipukul", None),
]


@pytest.fixture(scope="module")
def rules_only() -> Understander:
    return Understander(model=False)


def test_the_shipped_model_loads_with_the_features_of_the_code() -> None:
    model = default_model()
    assert model is not None, f"{MODEL_FILE} is missing"
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["features"] == FEATURES  # else: python scripts/train_understanding_model.py
    assert {Intent(k) for k in data["thresholds"]} <= RAISABLE
    assert all(0.5 <= t < 1.0 for t in model.thresholds.values())
    assert default_understander().model is model


def test_the_shipped_model_was_built_on_todays_dev_lines() -> None:
    # A line added to the labelled set (or a label corrected) means a rebuild: the file says
    # how many dev lines it was fitted on. The full comparison, `python
    # scripts/train_understanding_model.py --check`, refits the model (minutes): not a test.
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    rows = load([MODEL_FILE.parent.parent / "tests" / "data" / "understanding" / "messages.jsonl"])
    assert data["dev_lines"] == sum(r["split"] == "dev" for r in rows)


def test_a_file_built_for_other_features_is_refused() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["features"] = {**FEATURES, "char_n": [2, 4]}
    with pytest.raises(ValueError, match="features"):
        Model(data)


def test_the_score_is_the_linear_model_the_script_fits() -> None:
    """Summing word by word (with remembered shares) is the dot product of the features."""
    model = default_model()
    assert model is not None
    for text in (INDIRECT_DANGER[0], INDIRECT_DANGER[3], "ok ok ok makasih makasih"):
        words = read(text)
        z = model._bias + sum(model._w.get(k, 0.0) * v for k, v in features(words).items())
        assert model.probability(words) == pytest.approx(1.0 / (1.0 + math.exp(-z)), abs=1e-9)
        assert model.probability(words) == model.probability(words)  # remembered, the same


@pytest.mark.parametrize("text", INDIRECT_DANGER)
def test_indirect_danger_the_rules_miss_is_raised(text: str, rules_only: Understander) -> None:
    assert rules_only.understand(text).intent != Intent.DANGER
    got = default_understander().understand(text)
    assert got.intent == Intent.DANGER
    assert got.matched == ("model",)


@pytest.mark.parametrize("text", DEBT_BONDAGE)
def test_work_forced_to_pay_back_a_debt_is_danger_by_the_rules(
    text: str, rules_only: Understander
) -> None:
    assert rules_only.understand(text).intent == Intent.DANGER


def test_danger_raised_by_the_model_keeps_the_data_found() -> None:
    got = default_understander().understand(INDIRECT_DANGER[3])
    assert got.intent == Intent.DANGER and got.country == "MY"


@pytest.mark.parametrize(("text", "intent"), NOT_DANGER)
def test_polite_help_and_questions_are_not_made_danger(
    text: str, intent: Intent | None, rules_only: Understander
) -> None:
    got = default_understander().understand(text).intent
    assert got != Intent.DANGER
    assert got == (intent or rules_only.understand(text).intent)


@pytest.fixture(scope="module")
def sure() -> Understander:
    """An understander whose model is sure of danger in every text."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["danger"] = {"bias": 30.0, "w": {}}  # probability 1 for every text
    return Understander(model=Model(data))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hapus data saya", Intent.COMMAND),
        ("bahasa inggris", Intent.COMMAND),
        ("lanjut", Intent.NAVIGATION),
        ("2", Intent.NAVIGATION),
        ("gak tau", Intent.NAVIGATION),
        ("terima kasih kak", Intent.SMALLTALK),
        ("taiwan", Intent.QUESTION),  # a topic word alone: whole-message words are rules only
        ("status MA-7K3QH", Intent.STATUS),
        ("laporan sy sdh sampai mana", Intent.STATUS),
        ("mau lapor calo yang nipu adik saya", Intent.REPORT),
        # a word of harm the rules read and set aside: denied, a condition, long past
        ("saya tidak pernah dipukul majikan, cuma gaji telat", Intent.QUESTION),
        ("kalau nanti disekap majikan harus ngapain?", Intent.QUESTION),
    ],
)
def test_even_a_sure_model_changes_only_unknown_questions_and_offers(
    text: str, intent: Intent, sure: Understander
) -> None:
    assert sure.understand(text).intent == intent


def test_a_sure_model_does_raise_what_it_may(rules_only: Understander, sure: Understander) -> None:
    for text in ("bla bla bla qwerty", "gimana cara kerja di jepang yang aman?"):
        assert rules_only.understand(text).intent in RAISABLE
        assert sure.understand(text).intent == Intent.DANGER
