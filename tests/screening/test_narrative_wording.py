"""Stories and questions told the way people tell them (issue #13, session 7).

English narratives where the telling words stand far apart or in words nobody wrote a pattern
for, questions that tell their own case, and the lawful texts that look like them. The texts
are written for these tests (none is a corpus case); each names the kind of wording it holds.
"""

from __future__ import annotations

import json

import pytest

from bot.screening import default_screener
from bot.screening.corpus import CORPUS_DIR, load_cases
from bot.screening.model import MODEL_FILE

NARRATIVES = [
    # a worker's own word for forced labour
    (
        "en",
        "The employers kept them like slaves behind the walls of a big house.",
        "held_against_will",
    ),
    ("id", "Di sana mereka diperbudak, kerja siang malam tanpa libur.", "held_against_will"),
    # the police or jail named as a threat, without the word "employer"
    (
        "en",
        "They threatened to report her to immigration and have her jailed if she tried to leave.",
        "threats_violence",
    ),
    # a boat that fishes, with no "fishing boat" phrase
    (
        "en",
        "His boat fished for squid off Argentina for two years and the officers beat the crew.",
        "fishing_vessel",
    ),
    # the job on the visa is not the job done
    (
        "en",
        "My visa says salon worker, not maid, but they make me clean the house all day.",
        "contract_substitution",
    ),
    # money to the agent before leaving; wages cut to repay him
    (
        "en",
        "My son paid the agent forty million rupiah before leaving for the ship.",
        "upfront_fee",
    ),
    (
        "en",
        "On the ship they deducted half his wages every month to repay the same agent.",
        "salary_deduction",
    ),
    ("en", "Is it normal that my salary is cut for 7 months to pay the agent?", "salary_deduction"),
    # wages never paid, said in other words
    (
        "en",
        "For eight months my husband has not received a single ringgit; the company keeps telling him the money will come next month.",
        "withheld_wages",
    ),
    # a working day from before dawn to late at night
    (
        "en",
        "We worked from four in the morning until eleven at night cleaning three houses, seven days a week.",
        "excessive_hours",
    ),
    # a negation in a relative clause denies only its own verb
    (
        "en",
        "The men who did not catch enough were hit and shouted at by the officers.",
        "threats_violence",
    ),
    (
        "id",
        "Pekerja yang tidak mencapai target dipukul dan disetrum oleh mandor.",
        "threats_violence",
    ),
    # a passport asked for and not given back
    (
        "en",
        "When I asked for my passport she said she keeps it safe, but she never gave it back.",
        "passport_retention",
    ),
    # "stop me from going home" is the employer's act, not the warning word "stop"
    (
        "en",
        "Can they really stop me from going home until I pay back the agency fee?",
        "held_against_will",
    ),
    # kept from calling family
    (
        "en",
        "For a year the madam would not let her call her family in Java; we were cut off from her.",
        "isolation",
    ),
]


# the words stand in different sentences or are said in other words
NARRATIVES += [
    (
        "en",
        "My salary is 1,500 riyal. In eleven months I have received it only twice.",
        "withheld_wages",
    ),
    (
        "en",
        "For the first five months, all of her wages went to the agency for her placement.",
        "salary_deduction",
    ),
    (
        "en",
        "When my wife asked to go home, the employer told her she first had to return the 4,000 riyal he paid to bring her.",
        "held_against_will",
    ),
    (
        "en",
        "The agent said no need to go to disnaker, just give KTP and KK and 5 million.",
        "no_training_or_process",
    ),
]


@pytest.mark.parametrize(
    ("lang", "text", "flag"),
    NARRATIVES,
    ids=[f"{n[0]}-{n[2]}-{i}" for i, n in enumerate(NARRATIVES)],
)
def test_narrative_wording_raises_its_flag_and_is_high(lang: str, text: str, flag: str) -> None:
    result = default_screener().check(text, lang=lang)
    assert flag in [f.code for f in result.flags], (text, [f.code for f in result.flags])
    assert result.risk == "high", (text, result.risk)
    raised = next(f for f in result.flags if f.code == flag)
    assert raised.explanation and raised.advice  # every flag says why and what to do


QUESTIONS_TELLING_THEIR_CASE = [
    ("en", "What can I do if my employer keeps my passport and has not paid me for four months?"),
    (
        "en",
        "How do I report an agent who took 20 million rupiah from my father and never sent him to Korea?",
    ),
]


@pytest.mark.parametrize(("lang", "text"), QUESTIONS_TELLING_THEIR_CASE)
def test_question_that_tells_its_own_case_is_high(lang: str, text: str) -> None:
    # the "if" and the "how do I" ask what to do about what happened, not about a supposition
    assert default_screener().check(text, lang=lang).risk == "high"


def test_supposed_case_in_a_question_stays_a_question() -> None:
    # no "my": a question about anyone is still a supposition, rated below high
    text = "Can an employer keep a worker's passport?"
    assert default_screener().check(text, lang="en").risk != "high"


LAWFUL = [
    # the worker keeps her own passport and is paid into her own account
    (
        "en",
        "My sister works in Hong Kong through a licensed agency; she keeps her passport, has Sundays off and her salary goes to her own account every month.",
    ),
    (
        "en",
        "My daughter works as a nurse in Germany through the G to G Triple Win programme, she keeps her own passport and is paid monthly.",
    ),
    # a factory operator at the legal wage of a job order is no scam job
    (
        "en",
        "Official job order through a licensed Indonesian placement company: factory operators for Taiwan, monthly salary NT$27,470, contract 3 years, apply at the company office.",
    ),
    # a negation that does deny
    ("en", "Choose an agency that does not keep your passport and does not charge placement fees."),
    # an office's warning names the signs of everyone's case
    (
        "en",
        "The Indonesian embassy in Phnom Penh warns citizens not to accept job offers in Cambodia posted on social media; victims are promised high salaries, then their passports are taken and they are forced to work as scammers.",
    ),
    (
        "id",
        "BP3MI Jawa Tengah mengimbau masyarakat tidak tergiur tawaran kerja ke Kamboja lewat media sosial. Korban biasanya dijanjikan gaji besar, paspornya ditahan dan dipaksa jadi scammer.",
    ),
    # a minister's announcement speaks of the official route
    (
        "en",
        "Indonesia aims to place 425,000 migrant workers abroad in 2025; the Migrant Worker Protection Minister agreed with the Coordinating Minister to curb illegal placements.",
    ),
    # an agent's lawful fee, said as a rule
    ("en", "The agent received the service fee from the employer, not from the worker."),
]


@pytest.mark.parametrize(
    ("lang", "text"), LAWFUL, ids=[f"{n[0]}-{i}" for i, n in enumerate(LAWFUL)]
)
def test_lawful_lookalike_is_not_high(lang: str, text: str) -> None:
    result = default_screener().check(text, lang=lang)
    assert result.risk != "high", (text, result.risk, [f.code for f in result.flags])


def test_an_offices_warning_is_explained_not_rated() -> None:
    # however many signs a warning lists, they are shown as the signs it names, not a risk
    text = LAWFUL[4][1]
    result = default_screener().check(text, lang="en")
    assert result.risk in ("low", "unclear")
    assert {"scam_compound_country", "passport_retention"} <= {f.code for f in result.flags}


def test_a_reported_case_keeps_its_signs_after_a_warning_verb() -> None:
    text = (
        "The ministry warned that 22 workers sent to Poland by an unlicensed agency had been "
        "stranded without jobs after paying 50 million each."
    )
    assert default_screener().check(text, lang="en").risk == "high"


@pytest.mark.skipif(not list(CORPUS_DIR.glob("cases_*.jsonl")), reason="corpus files not present")
def test_model_file_was_built_from_the_current_dev_split() -> None:
    # scripts/train_screening_model.py records how many dev cases it read: a corpus grown
    # without a rebuild leaves the second opinion behind it
    built = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["dev_cases"]
    assert built == sum(1 for c in load_cases() if c.split == "dev")
