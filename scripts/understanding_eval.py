"""Intent figures of the understanding step on the labelled messages.

    python scripts/understanding_eval.py [--split dev|blind|all] [--show] [FILES...]

Tune on `dev` only; `blind` is for the figures in the notes and tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding import default_understander  # noqa: E402
from bot.understanding.evaluation import load, score  # noqa: E402

DEFAULT = sorted((ROOT / "tests" / "data" / "understanding").glob("*.jsonl"))


# The routing before the understanding step (commit ca770a6), frozen here so the baseline
# stays what it was while the handlers change: the danger words of content/emergency.toml, the
# command sets of handlers/{emergency,language,help,privacy,menu}.py, the question test of
# handlers/guidance.py. The offer check and the article search are today's.
_OLD_DANGER = [
    "tolong", "tolongin", "tlg", "darurat", "dikurung", "dikunci di kamar", "disekap", "disiksa",
    "dipukul", "dianiaya", "diperkosa", "dilecehkan", "tidak boleh pulang", "tdk boleh pulang",
    "nggak boleh pulang", "gak boleh pulang", "ga boleh pulang", "gk boleh pulang",
    "tidak bisa pulang", "dijual", "diancam", "disandera", "kabur dari majikan", "minta tolong",
    "bahaya", "sos", "help", "help me", "emergency", "locked up", "locked in", "beaten", "abused",
    "raped", "not allowed to go home", "can't go home", "cannot go home", "held against my will",
    "trapped", "in danger",
]  # fmt: skip
_OLD_EMERGENCY = {"darurat", "/darurat", "emergency", "/emergency", "kontak darurat", "sos"}
_OLD_LANGUAGE = {"bahasa", "language", "/bahasa", "/language", "ganti bahasa", "change language"}
_OLD_HELP = {"/help", "bantuan", "/bantuan", "cara pakai", "how to use", "petunjuk", "info bot"}
_OLD_PRIVACY = {
    "data saya", "my data", "/data", "/mydata", "lihat data saya", "privasi", "privacy",
    "/privasi", "/privacy", "hapus data saya", "hapus data", "delete my data", "delete data",
    "/hapus", "/delete", "erase my data", "hapus semua data saya",
}  # fmt: skip
_OLD_MENU = {
    "menu",
    "/menu",
    "kembali",
    "back",
    "main menu",
    "menu utama",
    "home",
    "mulai",
    "start",
}
_OLD_GREETINGS = {
    "halo", "hallo", "hai", "hi", "hello", "hey", "assalamualaikum", "asalamualaikum",
    "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "pagi", "siang", "sore",
    "malam", "p", "permisi", "good morning", "good evening", "ok", "oke", "terima kasih",
    "makasih", "thanks", "thank you",
}  # fmt: skip
_OLD_QUESTION = (
    r"^(?:apa|apakah|apa2|bagaimana|gimana|gmn|gmna|berapa|brp|brapa|bisa|bisakah|bs|boleh|bolehkah|"
    r"kapan|dimana|di mana|mana|siapa|kenapa|mengapa|knp|perlu|harus|haruskah|adakah|ada gak|cara|syarat|"
    r"how|what|whats|what's|when|where|who|why|which|can|could|is|are|do|does|should|must|may)\b"
)
_OLD_MENU_LABELS = {
    "cek tawaran kerja", "info migrasi aman", "laporkan calo/masalah", "kontak darurat",
    "bahasa / language", "check a job offer", "safe migration info",
    "report a recruiter or a problem", "emergency contacts", "language / bahasa",
}  # fmt: skip


def baseline():
    """The routing before the understanding step, for a consented person at the main menu,
    as far as it can be said without a database: the first thing that took the text."""
    import re

    from bot.conversation import clean_text, normalize
    from bot.screening import default_screener
    from bot.search import default_search

    screener, search = default_screener(), default_search()
    danger = re.compile(
        r"(?<![\w])(?:"
        + "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_OLD_DANGER, key=len, reverse=True)
        )
        + r")(?![\w])",
        re.IGNORECASE,
    )
    question = re.compile(_OLD_QUESTION, re.IGNORECASE)
    status = re.compile(
        r"^/?(?:status|cek status|lacak|track)\b\s*(ma[\s-]?[a-z0-9]{5})?\s*$", re.IGNORECASE
    )

    def is_question(text: str) -> bool:
        text = text.strip()
        return 0 < len(text) <= 200 and (text.endswith("?") or bool(question.match(text)))

    def predict(text: str, lang: str | None) -> str:
        text = clean_text(text)
        norm = normalize(text)
        if not text:
            return "unknown"
        if danger.search(text) or norm in _OLD_EMERGENCY:
            return "danger"  # the emergency screen
        if norm.split(" ", 1)[0] == "/start" or norm in _OLD_LANGUAGE:
            return "command"
        if norm in _OLD_HELP or norm in _OLD_PRIVACY:
            return "command"
        if status.match(text.strip()):
            return "status"
        if norm in _OLD_MENU:
            return "navigation"
        if (
            re.fullmatch(r"(?:no\.?|nomor|number|pilih)?\s*(\d{1,2})", norm)
            or norm in _OLD_MENU_LABELS
        ):
            return "navigation"
        if norm in _OLD_GREETINGS:
            return "smalltalk"
        answer = search.answer(text)
        if is_question(text) and (answer.best or answer.candidates):
            return "question"
        if screener.looks_like_offer(text):
            return "offer"
        if answer.best:
            return "question"
        return "unknown"

    return predict


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--split", default="dev", choices=("dev", "blind", "all"))
    parser.add_argument("--show", action="store_true", help="print each miss")
    parser.add_argument(
        "--baseline", action="store_true", help="what the routing before issue 14 did at the menu"
    )
    args = parser.parse_args()
    rows = load(args.files or DEFAULT)
    if args.split != "all":
        rows = [r for r in rows if r.get("split") == args.split]
    u = default_understander()
    by_id = {r["id"]: r for r in rows}

    def predict(text: str, lang: str | None) -> str:
        return u.understand(text, lang).intent.value

    if args.baseline:
        predict = baseline()

    total = score(rows, predict)
    print(f"{args.split}: {total.line()}")
    for lang in ("id", "en", "mix"):
        part = [r for r in rows if r.get("lang") == lang]
        if part:
            print(f"  {lang}: {score(part, predict).line()}")
    print("  confusions (want -> got):", dict(total.confusions.most_common()))
    if args.show:
        for rid, want, got in total.misses:
            print(f"  {rid} {want:>10} -> {got:<10} {by_id[rid]['text'][:120]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
