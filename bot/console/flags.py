"""Short names for the screener's warning-sign codes, for lists, filters and figures."""

from __future__ import annotations

from bot.i18n import N_, _

FLAG_LABELS = {
    "visa_nonwork": N_("tourist or visit visa for work"),
    "pilgrimage_visa": N_("umrah or hajj visa for work"),
    "upfront_fee": N_("fee asked up front"),
    "salary_deduction": N_("wages cut to repay costs"),
    "passport_retention": N_("passport held by someone else"),
    "unlicensed_recruiter": N_("recruiter not licensed"),
    "informal_route": N_("unofficial route"),
    "scam_compound_country": N_("country of online-scam compounds"),
    "moratorium_domestic_work": N_("domestic work where it is banned"),
    "no_contract": N_("no work contract"),
    "document_fraud": N_("false documents"),
    "too_good_salary": N_("pay too good to be true"),
    "no_training_or_process": N_("no training or official process"),
    "coached_lying": N_("told to lie to officials"),
    "held_against_will": N_("held against their will"),
}


def flag_label(code: str) -> str:
    return _(FLAG_LABELS[code]) if code in FLAG_LABELS else code
