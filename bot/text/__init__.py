"""Shared text handling: normalisation, chat spellings, tokens with offsets, morphology.

Every part of the bot that reads what a person typed (the offer check, guidance search,
language guessing) goes through here, so "gk brgkt", "nggak berangkat" and "tidak
diberangkatkan" read alike everywhere, and evidence can still quote the person's own words.

    analyser = default_analyser()
    words = analyser.words("Paspornya ditahan agen, gk blh pulang")
    [(w.lemma, w.start, w.end) for w in words][:2]   # [("paspor", 0, 9), ("tahan", 10, 17)]
"""

from bot.text.analyser import FORM, LEMMA, Analyser, Word, default_analyser
from bot.text.morphology import Morphology
from bot.text.normalise import fold
from bot.text.spelling import Spellings
from bot.text.tokens import Token, tokenize

__all__ = [
    "FORM",
    "LEMMA",
    "Analyser",
    "Morphology",
    "Spellings",
    "Token",
    "Word",
    "default_analyser",
    "fold",
    "tokenize",
]
