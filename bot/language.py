"""A stop-word guess of the language of a short chat message.

A detector library costs ~100 MB for little gain on chat text (see docs); Malay counts as
Indonesian. Returns None when the text gives no evidence either way.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zA-Z']+")

_ID = frozenset(
    """
    yang dan di ke dari ini itu saya aku kamu anda tidak nggak gak ga enggak bukan ada apa
    bagaimana gimana berapa kapan dimana mana siapa kenapa mengapa bisa boleh mau ingin harus
    sudah udah belum akan sedang lagi juga atau dengan untuk pada dalam kerja bekerja kerjanya
    gaji biaya bayar visa paspor agen luar negeri tolong halo hai selamat pagi siang sore malam
    terima kasih makasih iya ya tidak kalau jika karena tapi tetapi saja aja dong deh sih kok
    cara syarat berangkat pulang majikan lowongan tawaran disuruh katanya mohon bantu minta
    anak ibu bapak suami istri keluarga saudara adik kakak orang tua umur tahun bulan juta
    ribu rupiah negara pekerja migran resmi laporan lapor calo sponsor bahasa indonesia
    apakah adalah kami kita mereka dia nya lah kah pun per sama seperti sampai setelah
    """.split()
)
_EN = frozenset(
    """
    the a an and or of to in on for with is are was were be been am i you he she we they it
    my your our their this that these those what how when where who why which can could would
    should will shall do does did not no yes hello hi good morning evening thanks thank please
    help job work salary fee pay paid visa passport agent abroad country want need have has
    had from about get got there here if but because just only also very much many any some
    me him her them us language english report check offer company contract employer
    """.split()
)
_SHARED = _ID & _EN


def guess_language(text: str) -> str | None:
    """'id', 'en', or None when unclear."""
    words = [w.lower() for w in _WORD.findall(text)]
    id_hits = sum(1 for w in words if w in _ID and w not in _SHARED)
    en_hits = sum(1 for w in words if w in _EN and w not in _SHARED)
    if id_hits == en_hits:
        return None
    if en_hits > id_hits and en_hits >= 2 * max(id_hits, 0.5):
        return "en"
    if id_hits > en_hits:
        return "id"
    return None
