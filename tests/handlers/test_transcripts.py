"""Golden transcripts: whole conversations through the console, in both languages.

A change in what the bot says shows up here as a diff. When the change is intended, rewrite
the files with `UPDATE_GOLDEN=1 python -m pytest tests/handlers/test_transcripts.py` and read
the diff before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import ConsoleDriver, running

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "transcripts"

SCRIPTS = {
    "start_menu_id": ["halo", "1", "1", "4", "menu", "bantuan", "data saya", "5", "2"],
    "start_menu_en": ["Hello, I need some information", "2", "2", "help", "9", "language", "1"],
    "guidance_browse_id": ["halo", "1", "1", "2", "1", "1", "1", "2", "3", "4"],
    "guidance_browse_en": ["hi", "2", "1", "2", "7", "1", "2", "1"],
    "guidance_ask_id": [
        "halo",
        "1",
        "1",
        "brp biaya jadi TKW ke hongkong",
        "menu",
        "bisa kerja pakai visa umroh?",
    ],
    "guidance_ask_en": [
        "hello",
        "2",
        "1",
        "can I work in Saudi on an umrah visa?",
        "what does Kawan PMI do",
    ],
    "check_paste_report_id": [
        "halo",
        "1",
        "1",
        "1",
        "Info loker Malaysia kerja kilang gaji 6jt, brgkt pake visa turis dl ya, bayar DP 3jt ke rek pribadi",
        "1",
        "2",
        "Bu Sri",
    ],
    "check_paste_en": [
        "hello",
        "2",
        "1",
        "1",
        "Government to government program Korea EPS, register on SISKOP2MI, test EPS-TOPIK, work visa and contract signed before departure",
        "5",
    ],
    "check_guided_id": ["halo", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1"],
    "check_guided_en": ["hi", "2", "1", "1", "1", "2", "2", "2", "2", "2", "2", "2", "2"],
    "delete_my_data_id": ["halo", "1", "2", "hapus data saya", "2", "hapus data saya", "1", "halo"],
    # Issue 14: free text goes to the right place.
    "understand_polite_id": [
        "halo",
        "1",
        "1",
        "tolong jelaskan cara daftar ke korea",
        "menu",
        "/help",
        "tolong",
    ],
    "understand_polite_en": ["hi", "2", "1", "can you help me find a job in japan", "menu", "help"],
    "understand_questions_offers_id": [
        "halo",
        "1",
        "1",
        "kerja di jepang gmn caranya",
        "menu",
        "umur 17 bisa kerja ke luar negeri ga",
        "menu",
        "Apakah anda ingin kerja di Taiwan? Gaji 25jt, berangkat 2 minggu. DP 5jt ke rekening saya",
    ],
    "understand_questions_offers_en": [
        "hi",
        "2",
        "1",
        "salary in hong kong",
        "menu",
        "is this offer legal? caregiver job in Taiwan, no placement fee they say, but I must first pay NT$30,000 training fee to the agent's own account",
    ],
    "understand_danger_id": ["halo", "1", "1", "paspor sy ditahan majikan di malaysia", "1"],
    "understand_danger_en": [
        "hi",
        "2",
        "1",
        "my son is stuck in a cambodia scam company they wont let him go",
        "1",
    ],
    "understand_words_id": [
        "halo",
        "1",
        "1",
        "taiwan",
        "malaysia",
        "korea",
        "arab",
        "jepang",
        "biaya",
        "paspor",
        "visa",
        "BP3MI",
        "tkw",
        "terima kasih",
        "ok",
        "assalamualaikum",
    ],
    "understand_words_en": ["hi", "2", "1", "hong kong", "passport", "thanks", "ok", "bye"],
    "navigate_article_id": [
        "halo",
        "1",
        "1",
        "2",
        "1",
        "lanjut",
        "berikutnya",
        "lanjut",
        "lanjut",  # the article has four parts since content's rewrite: this is the last one
        "sebelumnya",
        "kembali",
        "kembali",
        "kembali",
        "lanjut",
        "menu",
    ],
    "navigate_article_en": [
        "hi",
        "2",
        "1",
        "2",
        "more",
        "1",
        "next",
        "next",
        "previous",
        "back",
        "back",
        "more",
        "back",
    ],
    "report_natural_id": [
        "halo",
        "1",
        "1",
        "3",
        "ya saya sendiri",
        "Ada sponsor datang ke rumah minta DP 5 juta untuk kerja di Taiwan pakai visa turis",
        "gak tau",
        "bahasa inggris",
        "1",
        "-",
        "Indramayu",
        "iya",
        "nggak",
        "ya",
        "2",
        "2",
        "Bu Sri dari PT Maju Jaya",
        "1",
    ],
    "report_natural_en": [
        "hi",
        "2",
        "1",
        "3",
        "my family",
        "A sponsor asked my sister for 5 million rupiah to work in Taiwan on a tourist visa",
        "dont know",
        "my data",
        "2",
        "skip",
        "Cirebon",
        "yes",
        "1",
        "no",
        "yes",
        "2",
        "5",
        "yes",
        "1",
    ],
    "report_leave_and_resume_id": [
        "halo",
        "1",
        "1",
        "3",
        "2",
        "Anak saya ditawari kerja di Malaysia oleh calo, disuruh bayar 3 juta dulu",
        "menu",
        "2",
        "3",
        "1",
        "Pak Darto",
    ],
    "report_from_offer_id": [
        "halo",
        "1",
        "1",
        "Lowongan Malaysia kerja kilang gaji 6jt, brgkt pake visa turis, bayar DP 3jt ke PT Sinar Jaya, hubungi 0812-3456-7890",
        "1",
        "2",
        "1",
        "Indramayu",
        "1",
    ],
    "check_guided_typed_id": [
        "halo",
        "1",
        "1",
        "1",
        "1",
        "1",
        "1",
        "kembali",
        "1",
        "1",
        "tidak",
        "ya",
        "gak tau",
        "tidak",
        "1",
    ],
}


def render(lines: list[str], outputs: list[str]) -> str:
    parts = []
    for line, out in zip(lines, outputs, strict=True):
        out = re.sub(r"MA-[0-9A-Z]{5}", "MA-?????", out)  # case numbers are random
        parts.append(f"> {line}\n{out.rstrip()}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_transcript(db_path: Path, name: str) -> None:
    lines = SCRIPTS[name]
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user=name)
        outputs = await chat.script(lines)
    actual = render(lines, outputs)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"wrote new golden file {path.name}; read it and run again")
    assert actual == path.read_text(encoding="utf-8")
