"""Salary amounts in offers ("gaji 12-15jt", "RM 3,000", "$1500/month"), in rupiah for comparison."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.screening.patterns import _Rx

# Amounts for salary parsing: currency before or unit after, optional range ("12-15jt").
_AMOUNT = re.compile(
    r"""(?ix)
    (?P<cur>rp\.?|idr|usd|us\$|\$|rm|sgd|s\$|hkd|hk\$|nt\$|ntd|sar|aed|¥|€|eur|£|gbp)?\s*
    (?P<n1>\d{1,9}(?:[.,]\d{1,3}){0,4})
    (?:\s*(?P<u1>jt|juta|rb|ribu|k)?\s*(?:-|–|~|s/?d|sampai|to)\s*(?:rp\.?\s*|\$\s*)?(?P<n2>\d{1,9}(?:[.,]\d{1,3}){0,4}))?
    \s*(?P<unit>jt|juta|jutaan|rb|ribu|k|million|rupiah|ringgit|rm|dolar|dollar|dollars|usd|
        yuan|rmb|yen|won|ntd|nt|sgd|hkd|riyal|sar|dirham|aed|euros|euro|eur|zloty|pln|pounds|pound|gbp)?
    (?!\w)
    """
)
_CURRENCY = {
    "rp": "idr",
    "rp.": "idr",
    "idr": "idr",
    "rupiah": "idr",
    "usd": "usd",
    "us$": "usd",
    "$": "usd",
    "dolar": "usd",
    "dollar": "usd",
    "dollars": "usd",
    "rm": "myr",
    "ringgit": "myr",
    "sgd": "sgd",
    "s$": "sgd",
    "hkd": "hkd",
    "hk$": "hkd",
    "nt$": "ntd",
    "ntd": "ntd",
    "nt": "ntd",
    "yen": "jpy",
    "¥": "jpy",
    "won": "krw",
    "yuan": "cny",
    "rmb": "cny",
    "riyal": "sar",
    "sar": "sar",
    "dirham": "aed",
    "aed": "aed",
    "euro": "eur",
    "eur": "eur",
    "€": "eur",
    "euros": "eur",
    "£": "gbp",
    "gbp": "gbp",
    "pound": "gbp",
    "pounds": "gbp",
    "zloty": "pln",
    "pln": "pln",
}
_MULTIPLIER = {
    "jt": 1e6,
    "juta": 1e6,
    "jutaan": 1e6,
    "million": 1e6,
    "rb": 1e3,
    "ribu": 1e3,
    "k": 1e3,
}


def _parse_number(text: str) -> float:
    """'1,000' and '3.500.000' are thousands, '2,5' and '1.5' decimals."""
    seps = re.findall(r"[.,]", text)
    if not seps:
        return float(text)
    groups = re.split(r"[.,]", text)
    if len(seps) > 1 or len(groups[-1]) == 3:
        return float("".join(groups))
    return float(text.replace(",", "."))


def _amount_value(
    m: re.Match[str], to_idr: Mapping[str, float], dollar: str = "usd"
) -> float | None:
    """`dollar`: the currency a bare "$" stands for ("$4,310" in a Hong Kong text is HK$)."""
    cur = (m.group("cur") or "").lower()
    unit = (m.group("unit") or "").lower()
    n = m.group("n2") or m.group("n1")
    try:
        value = _parse_number(n)
    except ValueError:
        return None
    mult_unit = unit if unit in _MULTIPLIER else (m.group("u1") or "").lower()
    value *= _MULTIPLIER.get(mult_unit, 1.0)
    currency = dollar if cur == "$" else _CURRENCY.get(cur) or _CURRENCY.get(unit)
    if currency is None:
        if mult_unit in _MULTIPLIER or value >= 100_000:
            currency = "idr"  # "gaji 15 juta", "gaji 3.500.000"
        else:
            return None  # "gaji 2x lipat", a bare small number
    return value * to_idr.get(currency, 0.0)


def _find_amount(
    text: str,
    start: int,
    end: int,
    to_idr: Mapping[str, float],
    last: bool = False,
    dollar: str = "usd",
) -> tuple[float, int] | None:
    found: tuple[float, int] | None = None
    for m in _AMOUNT.finditer(text, start, end):
        if not m.group("n1"):
            continue
        value = _amount_value(m, to_idr, dollar)
        if value is None:
            continue
        found = (value, m.end())
        if not last:
            return found
    return found


def _amount_start(text: str, start: int, end: int) -> int:
    pos = start
    for m in _AMOUNT.finditer(text, start, end):
        if m.group("n1"):
            pos = m.start()
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


@dataclass(frozen=True)
class _Salary:
    context: _Rx
    per_month: _Rx
    high_idr: float
    very_high_idr: float
    to_idr: dict[str, float]
    # currency -> the places whose own dollar a bare "$" means (Hong Kong, Taiwan, Singapore)
    local_dollar: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def dollar(self, text: str) -> str:
        """What a bare "$" stands for in `text`: the local dollar when exactly one place with
        its own dollar is named ("salary $4,310" in Hong Kong), else the US dollar."""
        if "$" not in text:
            return "usd"
        named = [cur for cur, rx in self.local_dollar if rx.search(text)]
        return named[0] if len(named) == 1 else "usd"
