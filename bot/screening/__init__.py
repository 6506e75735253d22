"""Job-offer screening: risk level, flags with evidence, follow-up questions.

The indicators are data (content/indicators.toml, content/guided_check.toml); this module only
knows how to read them: patterns with negation and question handling, combinations of term
groups, salary parsing, and one scoring rule shared by free text and the guided check.

    screener = default_screener()
    result = screener.check("Brgkt pake visa turis dl ya", lang="id")
    result.risk, result.flags[0].evidence   # "high", "visa turis"
"""

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
from bot.screening.screener import Screener, default_screener

__all__ = [
    "FLAG_CODES",
    "LANGS",
    "MAX_TEXT",
    "RISKS",
    "Flag",
    "GuidedOption",
    "GuidedQuestion",
    "Screener",
    "Screening",
    "ScreeningDataError",
    "default_screener",
]
