"""Every flag, in both languages: the sign said plainly, told as a long story, denied, asked
about, and the lawful lookalikes that must not raise it (issues #13 and #15).

The texts are written for these tests (not taken from the corpus, so the blind split stays
blind); each says what a person would really type. Rules only: the learned second opinion may
raise levels but never sets a flag, so flags are the rules' work.
"""

from __future__ import annotations

import pytest

from bot.screening import FLAG_CODES, Screener


@pytest.fixture(scope="module")
def s() -> Screener:
    return Screener.load(use_model=False)


# flag -> (Indonesian, English): the sign said plainly, in an offer or a chat
PLAIN: dict[str, tuple[str, str]] = {
    "visa_nonwork": (
        "Kerja di Malaysia berangkat pakai visa turis dulu, nanti diurus di sana",
        "You fly to Dubai on a tourist visa and the work permit is sorted there",
    ),
    "pilgrimage_visa": (
        "Berangkat kerja ke Saudi pakai visa umroh, nanti langsung kerja di rumah majikan",
        "She went to Saudi on an umrah visa to work as a maid",
    ),
    "upfront_fee": (
        "Untuk proses wajib bayar DP 5 juta dulu ke sponsor sebelum berangkat",
        "You must pay a processing fee of 15 million rupiah before we book your ticket",
    ),
    "salary_deduction": (
        "Gaji dipotong 7 bulan untuk bayar biaya agen",
        "Her salary will be deducted for seven months to repay the agency",
    ),
    "passport_retention": (
        "Paspor saya ditahan majikan sejak hari pertama",
        "The employer kept my passport since the first day",
    ),
    "unlicensed_recruiter": (
        "Ada sponsor datang ke rumah nawarin kerja ke Taiwan, PT-nya tidak punya izin",
        "The recruiter is not licensed and has no office, only WhatsApp",
    ),
    "informal_route": (
        "Nanti nyebrang dari Batam naik speedboat malam hari ke Johor",
        "We crossed at night by small boat from Batam to Johor",
    ),
    "scam_compound_country": (
        "Loker admin di Kamboja gaji 15 juta, tiket ditanggung",
        "Customer service job in Cambodia, salary 1000 USD, ticket paid",
    ),
    "moratorium_domestic_work": (
        "Dicari pembantu rumah tangga untuk majikan di Arab Saudi, berangkat cepat",
        "Housemaid needed for a family in Riyadh, Saudi Arabia, leave next week",
    ),
    "no_contract": (
        "Kerja ke Malaysia tidak ada kontrak, nanti kontrak dikasih setelah sampai",
        "Job in Malaysia, no written contract, it will be given on arrival",
    ),
    "document_fraud": (
        "Umur anak saya 16 tapi kata calo umurnya diubah di KTP biar bisa berangkat",
        "The agent said they will change her age on the documents so she can go",
    ),
    "too_good_salary": (
        "Kerja gampang tanpa pengalaman di Kamboja gaji 25 juta per bulan",
        "Easy job, no experience needed, salary 3000 USD a month",
    ),
    "no_training_or_process": (
        "Langsung berangkat ke Malaysia tanpa pelatihan, tanpa medical, proses cepat 3 hari",
        "Go to Malaysia straight away, no training and no medical check, 3 days process",
    ),
    "coached_lying": (
        "Nanti di bandara bilang saja mau liburan, jangan bilang mau kerja",
        "At the airport tell the officer you are going on holiday, not to work",
    ),
    "held_against_will": (
        "Adik saya dikurung di rumah majikan dan tidak boleh pulang",
        "My sister is locked in the house and not allowed to go home",
    ),
    "minor_recruited": (
        "Anak saya umur 16 tahun direkrut calo untuk kerja ke Malaysia",
        "My daughter is 16 years old and a recruiter wants to send her to work in Malaysia",
    ),
    "sexual_exploitation": (
        "Dicari LC karaoke di Malaysia, wajib kirim foto seluruh badan",
        "Hostess job at a karaoke bar in Malaysia, send a full body photo first",
    ),
    "marriage_brokering": (
        "Ada calo nawarin nikah dengan pria China, keluarga dapat uang 50 juta",
        "A broker offers marriage to a man in China and the family gets 50 million",
    ),
    "debt_bondage": (
        "Saya terjerat utang ke agen, gaji habis buat bayar utang biaya berangkat",
        "I owe the agent for my fees and all my wages go to pay off the debt",
    ),
    "withheld_wages": (
        "Sudah lima bulan gaji tidak dibayar majikan",
        "My employer has not paid my wages for five months",
    ),
    "fishing_vessel": (
        "Kerja di kapal ikan asing, setahun di laut tidak pernah ke darat",
        "He works on a foreign fishing boat and has not been ashore for a year",
    ),
    "task_scam": (
        "Kerja online cuma like dan follow lewat Telegram, tapi harus deposit dulu biar komisi cair",
        "Online job on Telegram: like videos for commission, but you must deposit first",
    ),
    "fake_official_notice": (
        "Ada poster pakai logo BP2MI minta transfer biaya pendaftaran ke nomor pribadi",
        "A poster with the ministry logo asks for a registration fee sent to a personal number",
    ),
    "threats_violence": (
        "Kakak saya dipukul majikan dan diancam kalau mau kabur",
        "The boss beat her and threatened to kill her if she ran away",
    ),
    "contract_substitution": (
        "Dijanjikan kerja di pabrik, ternyata dipekerjakan di kebun sawit, beda dengan kontrak",
        "She was promised a factory job but was made to work on a plantation, not the job in the contract",
    ),
    "isolation": (
        "Istri saya tidak boleh pegang HP dan tidak boleh hubungi keluarga",
        "She is not allowed to contact her family and has no day off",
    ),
    "excessive_hours": (
        "Kerja dari jam 5 pagi sampai jam 12 malam tanpa istirahat, 19 jam sehari",
        "She works 18 hours a day with no rest and no day off",
    ),
    "deception": (
        "Dijanjikan kerja enak gaji besar, ternyata bohong semua",
        "They promised an easy job with good pay but it was all lies",
    ),
    "abusive_conditions": (
        "Di sana tidak dikasih makan yang cukup dan tidur di gudang",
        "She is not given enough food and sleeps in the storeroom",
    ),
}


def test_every_flag_has_plain_cases() -> None:
    assert set(PLAIN) == set(FLAG_CODES)


@pytest.mark.parametrize("code", FLAG_CODES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_plain_sign_raises_its_flag(s: Screener, code: str, lang: str) -> None:
    text = PLAIN[code][0 if lang == "id" else 1]
    r = s.check(text, lang=lang)
    assert code in {f.code for f in r.flags}, (text, [f.code for f in r.flags])
    assert r.risk in ("high", "medium"), (text, r.risk)
    flag = next(f for f in r.flags if f.code == code)
    assert flag.evidence and flag.evidence in text  # the person's own words, quoted


# long stories: the words that matter stand far apart, among others that do not
NARRATIVES = [
    (
        "id",
        "Assalamualaikum kak, saya mau cerita soal adik saya. Dia berangkat tahun lalu lewat "
        "tetangga yang katanya kenal orang PT, waktu itu dia masih 17 tahun. Sampai di sana dia "
        "kerja di rumah orang, setiap hari dari subuh sampai tengah malam, dan sekarang sudah "
        "empat bulan gajinya belum dibayar sama sekali. Paspornya juga dipegang majikan dan dia "
        "tidak boleh keluar rumah. Kami di kampung bingung harus bagaimana.",
        {"withheld_wages", "passport_retention"},
    ),
    (
        "en",
        "Hello, I am writing about my cousin. Last year a woman from our village came to the "
        "house and said there was factory work in Malaysia with good pay and that she would "
        "arrange everything. My cousin paid her 8 million rupiah in cash. When they arrived in "
        "Malaysia the supervisor took all of their passports and put them in a locked room at "
        "night. Now he says they owe him money for food and transport and that nobody leaves "
        "until the debt is paid.",
        {"passport_retention", "upfront_fee"},
    ),
]


@pytest.mark.parametrize(("lang", "text", "codes"), NARRATIVES)
def test_long_narrative_is_high(s: Screener, lang: str, text: str, codes: set[str]) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high"
    assert codes <= {f.code for f in r.flags}, [f.code for f in r.flags]


# the sign denied: the flag must not stand
NEGATED = [
    ("id", "Kerja resmi lewat P3MI berizin, tidak ada biaya penempatan, visa kerja", "upfront_fee"),
    (
        "en",
        "Licensed agency, no placement fee, work visa, contract signed before departure",
        "upfront_fee",
    ),
    ("id", "Paspor dipegang sendiri, bukan visa turis tapi visa kerja resmi", "visa_nonwork"),
    ("en", "This is not a tourist visa: it is a work visa issued before you leave", "visa_nonwork"),
    ("id", "Paspor saya pegang sendiri, tidak ditahan majikan", "passport_retention"),
    ("en", "We hold our own passports; the employer never kept them", "passport_retention"),
]


@pytest.mark.parametrize(("lang", "text", "code"), NEGATED)
def test_denied_sign_raises_no_flag(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert code not in {f.code for f in r.flags}, [f.code for f in r.flags]
    assert r.risk != "high"


# the person asks whether something is allowed: a question is not an offer
QUESTIONS = [
    ("id", "Apakah boleh kerja di Jepang pakai visa turis?", "visa_nonwork"),
    ("en", "Is it legal to work in Japan on a tourist visa?", "visa_nonwork"),
    ("id", "Apakah majikan boleh menahan paspor saya?", "passport_retention"),
    ("en", "Can my employer keep my passport?", "passport_retention"),
]


@pytest.mark.parametrize(("lang", "text", "code"), QUESTIONS)
def test_question_is_not_rated_high(s: Screener, lang: str, text: str, code: str) -> None:
    assert s.check(text, lang=lang).risk != "high"


# lawful things that look like signs (issue #15): official fees and lawful routes
LAWFUL = [
    (
        "id",
        "Pengumuman pendaftaran ujian EPS-TOPIK Korea 2025: biaya ujian Rp459.526 dibayar lewat BNI, daftar di siskop2mi.",
    ),
    (
        "en",
        "EPS-TOPIK Korea 2025 registration: the test fee is USD 28, paid through BNI; register on siskop2mi.",
    ),
    (
        "id",
        "Mau daftar Working Holiday Visa Australia, harus punya tabungan minimal AUD 5.000 di rekening sendiri. Ini legal kan?",
    ),
    (
        "en",
        "For the Australian work and holiday visa I must show AUD 5,000 in my own bank account as funds. Is that normal?",
    ),
    (
        "id",
        "Saya ambil KUR PMI di bank BNI buat biaya berangkat ke Korea lewat G to G, dicicil dari gaji.",
    ),
    ("en", "In Taiwan my agency charges a monthly service fee of NT$1,800. Is that allowed?"),
    # session 6: the SSW test fee to the organiser, the G to G Korea visa and second medical
    (
        "en",
        "SSW skills evaluation test in Indonesia: test fee IDR 780,000, transfer it first to the test organiser's account and attach the receipt.",
    ),
    (
        "id",
        "Ujian keterampilan SSW (tokutei ginou): biaya ujian Rp780.000 ditransfer dulu ke rekening penyelenggara ujian, lampirkan bukti bayar.",
    ),
    (
        "id",
        "Nama saya masuk entry list HRD Korea, disuruh siapkan biaya visa KVAC Rp1.104.000 dan MCU II Rp850.000 sebelum berangkat.",
    ),
    (
        "en",
        "I am on the HRD Korea entry list and must pay the KVAC visa fee of Rp1,104,000 before departure.",
    ),
]


@pytest.mark.parametrize(("lang", "text"), LAWFUL)
def test_lawful_fee_is_explained_not_rated_high(s: Screener, lang: str, text: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk != "high", [f.code for f in r.flags]
    assert "upfront_fee" not in {f.code for f in r.flags}
    assert r.lawful, "the lawful programme is named and explained"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("id", "Biaya ujian EPS-TOPIK 5 juta, transfer dulu ke saya biar pasti lulus"),
        ("id", "Biaya ujian SSW tokutei ginou 7 juta, transfer dulu ke rekening saya biar lulus"),
        (
            "en",
            "The KVAC visa fee for the entry list is 9 million rupiah, pay it first to my account",
        ),
        ("en", "The EPS-TOPIK test costs 10 million rupiah, send it to my personal account first"),
        (
            "id",
            "Urus Working Holiday Visa Australia lewat saya, transfer 20 juta ke rekening pribadi saya",
        ),
    ],
)
def test_fee_above_the_official_one_is_still_flagged(s: Screener, lang: str, text: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high"
    assert "upfront_fee" in {f.code for f in r.flags} or "unlicensed_recruiter" in {
        f.code for f in r.flags
    }
    assert len(r.lawful) >= 2  # the programme explained, and why this money is not its fee


# warnings and official notices that list the signs are not offers
WARNINGS = [
    (
        "id",
        "Disnaker mengimbau: waspadai lowongan dari akun perorangan, biaya pendaftaran, visa kunjungan atau ziarah.",
    ),
    (
        "en",
        "Ministry notice: employers should not keep workers' passports. Holding a passport that is not yours is an offence.",
    ),
    # session 6: an office's finding about others
    ("en", "MOM house visits found some employers illegally holding their workers' passports."),
    ("en", "The KP2MI warns: job offers to Cambodia and Myanmar are not official placements."),
    ("id", "KP2MI memperingatkan: tawaran kerja ke Kamboja dan Myanmar bukan jalur resmi."),
    (
        "id",
        "Disnaker menemukan beberapa perusahaan di Malaysia secara ilegal menahan paspor pekerja.",
    ),
]


@pytest.mark.parametrize(("lang", "text"), WARNINGS)
def test_warning_notice_is_not_rated_high(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk != "high"


# every indicator and guided-check question is sourced and dated (issue #15)
def test_every_indicator_and_question_names_source_and_date() -> None:
    import tomllib

    from bot.paths import CONTENT

    ind = tomllib.loads((CONTENT / "indicators.toml").read_text(encoding="utf-8"))
    gui = tomllib.loads((CONTENT / "guided_check.toml").read_text(encoding="utf-8"))
    lawful = tomllib.loads((CONTENT / "screening" / "lawful.toml").read_text(encoding="utf-8"))
    entries = [
        *(("flag " + k, v) for k, v in ind["flags"].items()),
        *(("guided " + q["id"], q) for q in gui["question"]),
        *(("lawful " + p["id"], p) for p in lawful["programme"]),
    ]
    for where, e in entries:
        assert str(e.get("source", "")).startswith(("domain-facts.md §", "Ditjen")), where
        assert len(str(e.get("reviewed", ""))) == 10, where


@pytest.mark.parametrize(
    ("name", "field"), [("indicators.toml", "source"), ("guided_check.toml", "reviewed")]
)
def test_loading_fails_on_a_missing_source_or_date(tmp_path, name: str, field: str) -> None:
    from bot.paths import CONTENT
    from bot.screening import ScreeningDataError

    text = (CONTENT / name).read_text(encoding="utf-8")
    # drop the field of the first flag (indicators) or question (guided check)
    lines = text.splitlines(keepends=True)
    header = "[flags." if name == "indicators.toml" else "[[question]]"
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    first = next(i for i, line in enumerate(lines) if i > start and line.startswith(f"{field} = "))
    del lines[first]
    (tmp_path / name).write_text("".join(lines), encoding="utf-8")
    other = "guided_check.toml" if name == "indicators.toml" else "indicators.toml"
    (tmp_path / other).write_text((CONTENT / other).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ScreeningDataError, match=f"missing {field}"):
        Screener.load(tmp_path / "indicators.toml", tmp_path / "guided_check.toml", use_model=False)


# Kinds the dev-split misses showed (issue #13, session 3): written here in our own words, one
# sign each, so that a concept lost from content/screening/concepts.toml fails by name.
NEW_KINDS = [
    (
        "en",
        "Bar in Osaka needs singers. You accompany customers and drink with them.",
        "sexual_exploitation",
    ),
    (
        "id",
        "Karaoke di Johor butuh penyanyi, tugasnya temani tamu minum sampai pagi.",
        "sexual_exploitation",
    ),
    ("id", "Adik saya sudah 2 tahun gak digaji sama majikannya di Jeddah.", "withheld_wages"),
    (
        "en",
        "After the first year the family stopped paying her and said she owes them.",
        "withheld_wages",
    ),
    ("id", "Waktu diperiksa di bandara ternyata kartu E-PMI saya palsu.", "document_fraud"),
    (
        "en",
        "The agent will take you by boat to Malaysia at night, 30 minutes only.",
        "informal_route",
    ),
    ("en", "The cousins were sold and forced to work as maids in a house.", "held_against_will"),
    ("en", "Come work with me in Dubai, no need work visa, the boss arranges it.", "visa_nonwork"),
    (
        "id",
        "Kerja ke Malaysia gak usah lewat PT, langsung berangkat minggu depan.",
        "unlicensed_recruiter",
    ),
    (
        "id",
        "Kalau mau pulang dari Riyadh harus ganti biaya 50 juta dulu, kata kantor.",
        "held_against_will",
    ),
    ("id", "Nanti di bandara kalau ditanya petugas, bilang saja mau liburan.", "coached_lying"),
    (
        "en",
        "Training fee, medical fee and uniform fee. All must be paid before the visa.",
        "upfront_fee",
    ),
    ("id", "Mau ganti majikan? Bayar biaya agensi 2 bulan gaji dulu ya.", "upfront_fee"),
    (
        "en",
        "My employer makes me work at her sister's shop too, it is against my contract.",
        "contract_substitution",
    ),
]


@pytest.mark.parametrize(("lang", "text", "code"), NEW_KINDS)
def test_new_kind_raises_its_flag(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert code in {f.code for f in r.flags}, (r.risk, [(f.code, f.evidence) for f in r.flags])


# Notices of rights from a government office: low, not "check before you go" medium. An
# office's name clears no flag: a fee to a person next to it stays flagged.
NOTICES = [
    (
        "en",
        "Labour Department notice: a helper in Hong Kong gets one rest day every week and 12 statutory holidays a year.",
    ),
    ("en", "The embassy in Seoul reminds Indonesian workers that the minimum wage rose this year."),
    (
        "id",
        "KBRI Kuala Lumpur: pekerja rumah tangga di Malaysia berhak libur satu hari setiap minggu.",
    ),
    ("id", "Menurut MoU Indonesia-Malaysia, gaji PRT dibayar lewat bank setiap bulan."),
    # session 6: lawful programmes named by their own offices
    (
        "en",
        "Triple Win, run by GIZ and the Federal Employment Agency, supports Indonesian nurses through the German course and the visa in Germany.",
    ),
    (
        "id",
        "Program magang ke Jepang lewat IM Japan: seleksi oleh pemprov dan Kemnaker, pelatihan bahasa sebelum berangkat ke Jepang.",
    ),
    (
        "en",
        "Korean counties bring seasonal farm workers to Korea through agreements with partner cities in Indonesia.",
    ),
    (
        "id",
        "Rekrut langsung pabrik Taiwan lewat direct hiring service BP2MI, tanpa biaya penempatan, visa dan tiket dibayar majikan.",
    ),
    # a job fair at the manpower office; a worker's lawful rights said as facts
    (
        "en",
        "Job fair at the provincial manpower office on Monday: licensed companies recruit for Malaysia and Hong Kong.",
    ),
    ("id", "Bursa kerja luar negeri di Disnaker hari Sabtu, P3MI berizin buka lowongan ke Taiwan."),
    ("en", "The Korean E-9 visa lets you work up to 4 years and 10 months in Korea."),
    ("id", "Majikan saya di Hong Kong perpanjang kontrak 2 tahun lagi, saya dapat cuti tahunan."),
    (
        "en",
        "Hong Kong helpers: your employer must pay at least HK$4,990 a month and a food allowance.",
    ),
]


@pytest.mark.parametrize(("lang", "text"), NOTICES)
def test_notice_of_rights_is_low(s: Screener, lang: str, text: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk in ("low", "unclear"), (r.risk, [(f.code, f.evidence) for f in r.flags])


def test_office_name_clears_no_flag(s: Screener) -> None:
    r = s.check("Kata KBRI aman. Kerja di Malaysia, paspor ditahan majikan selama kontrak.", "id")
    assert r.risk == "high"
    assert "passport_retention" in {f.code for f in r.flags}


def test_instead_of_negates(s: Screener) -> None:
    r = s.check(
        "Employers in Taiwan pay the broker fees, instead of the worker paying NT$60,000.", "en"
    )
    assert "upfront_fee" not in {f.code for f in r.flags}
    assert r.risk != "high"


def test_time_of_day_is_not_violence(s: Screener) -> None:
    # "pukul 08.00" tells the time; "dipukul" is beaten (concepts.toml "=word" forms)
    notice = s.check("Peserta G to G Korea harap hadir pukul 08.00 di kantor BP3MI.", "id")
    assert "threats_violence" not in {f.code for f in notice.flags}
    beaten = s.check("Adik saya sering dipukul majikannya di Malaysia.", "id")
    assert "threats_violence" in {f.code for f in beaten.flags}


def test_relative_what_in_a_story_is_no_question(s: Screener) -> None:
    # "what they promised" tells; "what should I do?" asks
    story = s.check(
        "In Dubai I worked two years, then they stopped paying what they promised.", "en"
    )
    assert story.risk == "high", [(f.code, f.evidence) for f in story.flags]
    asked = s.check("What if the agent keeps my passport, is that allowed?", "en")
    assert asked.risk != "high"


# Sample utterances of domain-facts.md §3.6 (what at-risk users may write), copied into the
# test because the project never reads ../shared at run or test time.
FACT_BASE_SAMPLES = [
    ("id", "disuruh bayar 20 juta kalau mau pulang", "high"),
    ("en", "can't go home unless I pay", "high"),
    ("id", "calo/PL (petugas lapangan) minta uang", "high"),
    ("id", "dijanjikan kerja sambil kuliah", "medium"),
    ("id", "belum tanda tangan kontrak", "medium"),
]


@pytest.mark.parametrize(("lang", "text", "least"), FACT_BASE_SAMPLES)
def test_fact_base_sample_is_rated_at_least(s: Screener, lang: str, text: str, least: str) -> None:
    order = ("unclear", "low", "medium", "high")
    r = s.check(text, lang=lang)
    assert order.index(r.risk) >= order.index(least), (r.risk, [f.code for f in r.flags])


def test_fine_and_own_ticket_home_is_not_pay_to_leave(s: Screener) -> None:
    # an official notice: a runaway worker pays the fine and the ticket home; nobody holds her
    r = s.check("KDEI: pekerja yang kabur wajib membayar denda dan tiket pulang sendiri.", "id")
    assert "held_against_will" not in {f.code for f in r.flags}


# Dev misses of session 4 (issue #13), each sign in both languages, with the lookalike that
# must stay clear. Written for these tests, not taken from the corpus.
WORDINGS_WITH_THEIR_FLAG: list[tuple[str, str, str]] = [
    # a number of months of wages taken for the agent
    ("en", "The agency took 3 months of my salary as their fee", "salary_deduction"),
    ("id", "Gaji 3 bulan diambil agen buat biaya", "salary_deduction"),
    # wages owed
    ("en", "My boss still owes me four months of wages", "withheld_wages"),
    ("id", "Gaji 4 bulan belum dibayar majikan", "withheld_wages"),
    # threatened with the police (ILO: threat of denunciation)
    ("en", "He said if I complain he will report me to the police", "threats_violence"),
    ("id", "Majikan ancam lapor polisi kalau saya kabur", "threats_violence"),
    # told to say they are on holiday
    ("en", "At the airport the agent told us to say we are on holiday", "coached_lying"),
    ("id", "Kami disuruh bilang mau liburan kalau ditanya petugas bandara", "coached_lying"),
    # an age said in years
    (
        "en",
        "My niece is only 16 years old and the agent is sending her to Malaysia",
        "minor_recruited",
    ),
    ("id", "Ponakan saya baru 16 tahun mau diberangkatkan ke Malaysia", "minor_recruited"),
    # a "booking" of guests in a karaoke job
    ("en", "Karaoke job, the guests book the girls every night", "sexual_exploitation"),
    ("id", "Kerja karaoke, ada booking tamu tiap malam", "sexual_exploitation"),
    # session 6: wages "kept for her" until she goes home
    (
        "en",
        "Every time she asks for her salary the madam says be patient, it is saved for her until she goes home",
        "withheld_wages",
    ),
    (
        "id",
        "Tiap minta gaji, majikan bilang sabar dulu, gajinya dikasih pas pulang nanti",
        "withheld_wages",
    ),
    # worked for nothing to repay the trip
    ("en", "For the first months we worked for nothing to pay back the trip", "withheld_wages"),
    ("id", "Bulan-bulan pertama kami kerja tanpa dibayar untuk ganti ongkos", "withheld_wages"),
    # a day from before dawn to past midnight, or hardly any sleep
    (
        "en",
        "She works from five in the morning until past midnight in that house",
        "excessive_hours",
    ),
    ("id", "Dia kerja dari jam 4 pagi sampai tengah malam di rumah majikan", "excessive_hours"),
    (
        "en",
        "On the boat he only gets to sleep three hours because they haul nets all night",
        "excessive_hours",
    ),
    ("id", "Di kapal dia tidur cuma 3 jam, sisanya angkat jaring terus", "excessive_hours"),
    # the passport given back only once a debt is paid
    (
        "en",
        "The agent will only give the passport back after he pays what he owes",
        "passport_retention",
    ),
    (
        "id",
        "Paspornya baru dikembalikan kalau utangnya sudah lunas, kata agen",
        "passport_retention",
    ),
    # a guarded compound with online "chat" or "invest" work, no country named
    (
        "en",
        "They drove us to a compound with armed guards and told us to chat with people online and get them to invest",
        "scam_compound_country",
    ),
    (
        "id",
        "Kami dibawa ke kompleks tertutup yang dijaga ketat, disuruh chat orang supaya mau investasi",
        "scam_compound_country",
    ),
    # a child's age said not to matter, or a child recruited by a field agent
    (
        "en",
        "My daughter is 16 but the sponsor says age is no problem for Malaysia",
        "minor_recruited",
    ),
    ("id", "Anak saya umur 16, kata calo umur gak masalah buat ke Malaysia", "minor_recruited"),
    # a helper told to work in a massage place
    (
        "en",
        "While she waits for her visa the agency wants the helper to work in a massage place",
        "sexual_exploitation",
    ),
    ("id", "Sambil nunggu visa, agensi suruh PRT itu kerja di tempat pijat", "sexual_exploitation"),
    # the ferienjob "internship" to Germany
    ("en", "Ferienjob internship to Germany for students, processing fee first", "deception"),
    (
        "id",
        "Program magang ferienjob ke Jerman buat mahasiswa, bayar biaya proses dulu",
        "deception",
    ),
    # travel booked through the recruiter's "partner", refunded later
    (
        "en",
        "Book your flight through our partner travel agent, the cost will be reimbursed after the interview",
        "upfront_fee",
    ),
    (
        "id",
        "Tiket dan hotel dipesan lewat travel rekanan kami, nanti akan diganti setelah wawancara",
        "upfront_fee",
    ),
    # the police threatened to those who back out
    ("en", "If you back out now I will report you to the police for fraud", "threats_violence"),
    ("id", "Kalau batal berangkat saya laporin ke polisi, tiket sudah dibeli", "threats_violence"),
    # Europe promised after a transit somewhere else
    (
        "en",
        "The agent promised a job in Poland, we go to Turkey and from there to Poland",
        "contract_substitution",
    ),
    (
        "id",
        "Dijanjikan kerja di Polandia, berangkat ke Turki dulu lalu dari sana ke Polandia",
        "contract_substitution",
    ),
    # Malaysia's visit pass, the work permit "later"
    (
        "en",
        "Maid ready, she comes on a social visit pass, we settle the PLKS later",
        "visa_nonwork",
    ),
    ("id", "Masuk Malaysia pakai pas lawatan sosial dulu, PLKS diurus belakangan", "visa_nonwork"),
    # a passport handed over on arrival
    (
        "en",
        "On the first day she had to hand over her passport to the supervisor",
        "passport_retention",
    ),
    ("id", "Sampai di mess, paspor harus diserahkan ke mandor", "passport_retention"),
    # wages that "have not come" for months
    ("en", "Our salaries have not come for six months now", "withheld_wages"),
    ("id", "Gaji kami belum keluar sudah 6 bulan", "withheld_wages"),
    # deportation threatened
    ("en", "He said he would have me deported if I ask for my money", "threats_violence"),
    ("id", "Kata majikan: kalau minta gaji, saya laporkan ke imigrasi", "threats_violence"),
    # told to say she is visiting relatives
    (
        "en",
        "The recruiter told her to say at the airport that she was visiting relatives",
        "coached_lying",
    ),
    (
        "id",
        "Disuruh bilang mau berkunjung ke saudara kalau ditanya petugas bandara",
        "coached_lying",
    ),
    # "I owe him" the costs, taken from the wage
    ("en", "The employer says I owe him the ticket and deducts it from my salary", "debt_bondage"),
    ("id", "Kata majikan saya punya utang tiket, gaji dipotong tiap bulan", "debt_bondage"),
    # a share of the wage taken for the placement
    ("en", "They take 80 percent of her wages to pay for the placement", "salary_deduction"),
    ("id", "Agen ambil 70 persen gaji buat bayar biaya penempatan", "salary_deduction"),
    # entering as tourists, or on a Schengen visa for tourism, for a job
    ("en", "We fly to Kuala Lumpur as tourists and then start work at the factory", "visa_nonwork"),
    (
        "id",
        "Berangkat ke Malaysia ngaku turis, sampai sana langsung kerja di pabrik",
        "visa_nonwork",
    ),
    (
        "en",
        "The agent arranged a Schengen visa for tourism, we start work in a Polish warehouse",
        "visa_nonwork",
    ),
    (
        "id",
        "Agen urus visa Schengen untuk wisata, nanti kerja di gudang di Polandia",
        "visa_nonwork",
    ),
    # money to break the contract and go
    (
        "en",
        "If she wants to break the contract she has to pay 20,000 dirhams to the office",
        "held_against_will",
    ),
    ("id", "Kalau mau putus kontrak harus bayar 30 juta ke agen", "held_against_will"),
    # a news report of real victims that an office "warned" about is the case, not a notice
    (
        "en",
        "The ministry warned that 22 workers sent to Poland by an unlicensed agency had been stranded without jobs after paying 50 million each.",
        "unlicensed_recruiter",
    ),
    (
        "id",
        "Kementerian memperingatkan, 22 pekerja yang dikirim agen tanpa izin ke Polandia telantar tanpa kerja setelah bayar 50 juta per orang.",
        "unlicensed_recruiter",
    ),
]


@pytest.mark.parametrize(("lang", "text", "code"), WORDINGS_WITH_THEIR_FLAG)
def test_wording_raises_its_flag_and_is_high(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert code in [f.code for f in r.flags], (text, r.risk, [f.code for f in r.flags])
    assert r.risk == "high", (text, r.risk)


LOOKALIKES: list[tuple[str, str, str]] = [
    # years of work are not an age
    ("en", "She worked for 16 years as a maid in Selangor", "minor_recruited"),
    ("id", "Ibu saya sudah 16 tahun kerja di Malaysia jadi pembantu", "minor_recruited"),
    # a lawful cap on an agency's commission is not a deduction of months of wages
    ("en", "The agency fee is at most 10% of the first month's salary", "salary_deduction"),
    ("id", "Komisi agen maksimal 10% dari gaji sebulan", "salary_deduction"),
    # hotel bookings for a trip are not "booking" guests
    ("en", "We made hotel bookings for the whole trip to Japan", "sexual_exploitation"),
    ("id", "Kami sudah booking hotel untuk liburan ke Jepang", "sexual_exploitation"),
    # session 6: a salary paid every month, the ticket when she goes home
    (
        "en",
        "The employer pays her salary every month and buys the ticket when she goes home",
        "withheld_wages",
    ),
    ("id", "Gaji dibayar setiap bulan, tiket dibelikan majikan waktu pulang", "withheld_wages"),
    # the end-of-service award paid on leaving is a lawful benefit, not wages kept
    (
        "en",
        "His end-of-service gratuity and last salary are paid when he goes home",
        "withheld_wages",
    ),
    ("id", "Uang pesangon dan gaji terakhir dibayar waktu pulang", "withheld_wages"),
    # a flight's times are not a working day
    ("en", "The flight leaves at 5 am and lands before midnight in Riyadh", "excessive_hours"),
    ("id", "Pesawat berangkat jam 5 pagi dan sampai Jeddah tengah malam", "excessive_hours"),
    # a passport back after the visa is stamped
    (
        "en",
        "The embassy will give the passport back after the visa is stamped",
        "passport_retention",
    ),
    ("id", "Paspor dikembalikan setelah visa selesai dicap kedutaan", "passport_retention"),
    # wages the company owes are withheld wages, not the worker's debt
    ("en", "The company still owes him three months of salary", "debt_bondage"),
    ("id", "Gajinya 3 bulan masih ditunggak perusahaan", "debt_bondage"),
    # a residential compound with no scam work
    (
        "en",
        "The hospital in Riyadh gives nurses a flat in a residential compound",
        "scam_compound_country",
    ),
    (
        "id",
        "Perawat di Riyadh tinggal di kompleks tertutup milik rumah sakit",
        "scam_compound_country",
    ),
    # years in a trade are not a child's age
    ("en", "The sponsor has worked for 16 years as a recruiter", "minor_recruited"),
    ("id", "Sponsor itu sudah 16 tahun jadi perekrut", "minor_recruited"),
    # a women-only spa next to a maid agency
    ("en", "The maid agency is next to a spa for female clients", "sexual_exploitation"),
    ("id", "Kantor penyalur PRT di sebelah spa khusus wanita", "sexual_exploitation"),
    # the bare word is too thin to judge
    ("en", "ferienjob", "deception"),
    ("id", "ferienjob?", "deception"),
    # a flight home the employer pays back
    ("en", "Book your own flight home and the company reimburses it", "upfront_fee"),
    ("id", "Beli tiket pulang sendiri, nanti diganti perusahaan", "upfront_fee"),
    # advice to go to the police
    ("en", "If you cancel and the agent keeps your money, go to the police", "threats_violence"),
    ("id", "Kalau batal dan uang tidak kembali, lapor polisi saja", "threats_violence"),
    # nurses flying via Doha to a lawful programme
    (
        "en",
        "Nurses fly to Germany via Doha; the programme promised free language classes",
        "contract_substitution",
    ),
    (
        "id",
        "Perawat terbang ke Jerman lewat Doha, program menjanjikan kursus bahasa gratis",
        "contract_substitution",
    ),
    # a visit pass refused
    ("en", "Never come on a visit pass, wait for your PLKS work permit", "visa_nonwork"),
    ("id", "Jangan masuk pakai pas lawatan, tunggu PLKS kamu jadi", "visa_nonwork"),
    # the PLKS is itself the Visit Pass (Temporary Employment): a work permit
    (
        "en",
        "The employer applies for your Visit Pass (Temporary Employment) before you fly to Malaysia",
        "visa_nonwork",
    ),
    (
        "id",
        "Majikan mengurus PLKS (Pas Lawatan Kerja Sementara) sebelum kamu terbang",
        "visa_nonwork",
    ),
    # a caregiver's massage for the grandmother is care work
    ("en", "The helper gives the grandmother a massage every evening", "sexual_exploitation"),
    ("id", "PRT itu tiap sore memijat nenek di rumah", "sexual_exploitation"),
    # the machine operators' company compound is housing
    (
        "en",
        "Machine operators wanted for a factory in Dammam, housing in the company compound",
        "scam_compound_country",
    ),
    (
        "id",
        "Dicari operator mesin pabrik di Dammam, tinggal di compound perusahaan",
        "scam_compound_country",
    ),
    # the salary's first month is no withholding
    ("en", "Be patient, the first salary comes after one month of work", "withheld_wages"),
    ("id", "Sabar ya, gaji pertama dibayar setelah sebulan kerja", "withheld_wages"),
    # deck cadets of a container ship are seafarers, not fishing crew
    (
        "en",
        "A licensed manning agency is recruiting deck cadets for container ships, seaman book required",
        "fishing_vessel",
    ),
    (
        "id",
        "Agen awak kapal berizin cari kadet dek untuk kapal kontainer, syarat buku pelaut",
        "fishing_vessel",
    ),
    # a passport handed to the embassy for the visa
    ("en", "Hand over your passport at the embassy for the visa", "passport_retention"),
    ("id", "Paspor diserahkan ke kedutaan untuk visa", "passport_retention"),
    # something else that has not come
    ("en", "If your salary has not come by the 7th, ask your agency", "withheld_wages"),
    ("id", "Kalau gaji belum keluar tanggal 7, tanyakan ke agensi", "withheld_wages"),
    # the law on overstaying, not a threat
    (
        "en",
        "Immigration will deport you if you overstay, so renew your visa on time",
        "threats_violence",
    ),
    (
        "id",
        "Pekerja tanpa dokumen bisa dideportasi, urus izin tinggal tepat waktu",
        "threats_violence",
    ),
    # a real visit to relatives
    ("en", "She is visiting relatives in Kuala Lumpur for Eid", "coached_lying"),
    ("id", "Dia berkunjung ke saudara di Johor waktu lebaran", "coached_lying"),
    # a debt of thanks
    ("en", "I owe him a thank-you for helping me find the official route", "debt_bondage"),
    ("id", "Saya berterima kasih sudah dibantu cari jalur resmi", "debt_bondage"),
    # the lawful cap on an agency's share of the first month
    ("en", "The agency may take at most 10 percent of the first month's wage", "salary_deduction"),
    ("id", "Agen boleh ambil paling banyak 10 persen dari gaji bulan pertama", "salary_deduction"),
    # a past holiday, and a work visa applied for now
    (
        "en",
        "We visited Japan as tourists last year; now my son applies for the SSW work visa.",
        "visa_nonwork",
    ),
    (
        "id",
        "Tahun lalu kami ke Jepang sebagai turis. Sekarang anak saya daftar kerja SSW.",
        "visa_nonwork",
    ),
    # the lawful notice, or pay in lieu of it
    (
        "en",
        "If either party wants to break the contract, give one month's notice or pay one month's wages in lieu",
        "held_against_will",
    ),
    (
        "id",
        "Kalau mau putus kontrak, beri pemberitahuan sebulan sebelumnya atau bayar gaji sebulan",
        "held_against_will",
    ),
]


@pytest.mark.parametrize(("lang", "text", "code"), LOOKALIKES)
def test_lookalike_raises_no_flag(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert code not in [f.code for f in r.flags], (text, [(f.code, f.evidence) for f in r.flags])


# An authority's warning names the signs of everyone's case; the same words told about one's
# own family are the case at hand; a scam dressed in a warning's words stays a scam.
NOTICE_PAIRS: list[tuple[str, str, str]] = [
    (
        "en",
        "Foreign Ministry: hundreds of Indonesians were held by online scam companies in "
        "Cambodia last year. Be careful with job offers on social media.",
        "My brother was held by an online scam company in Cambodia. The Foreign Ministry says "
        "be careful with such offers.",
    ),
    (
        "id",
        "Kemlu mengimbau: waspadai tawaran kerja online scam di Kamboja lewat media sosial, gaji "
        "besar tanpa syarat. Ratusan WNI disekap tahun lalu.",
        "Adik saya disekap perusahaan online scam di Kamboja. Kata Kemlu hati-hati dengan "
        "tawaran begitu.",
    ),
    # session 6: a report of people rescued or sent home is a case, whatever appeal ends it
    (
        "en",
        "Foreign Ministry: be careful with job offers in Poipet on social media, high salary and "
        "no qualifications needed.",
        "The embassy repatriated 28 citizens who were forced to work for scam companies in "
        "Poipet. The ministry asked the public to be careful with high-paying job offers.",
    ),
    (
        "id",
        "Kemlu mengingatkan masyarakat agar waspada tawaran kerja bergaji tinggi di Poipet lewat "
        "media sosial.",
        "KBRI Phnom Penh memulangkan 28 WNI korban perusahaan online scam di Poipet. Kemlu "
        "mengingatkan masyarakat agar waspada tawaran kerja bergaji tinggi.",
    ),
]


@pytest.mark.parametrize(("lang", "notice", "own"), NOTICE_PAIRS)
def test_authority_warning_is_not_the_readers_case(
    s: Screener, lang: str, notice: str, own: str
) -> None:
    assert s.check(notice, lang=lang).risk != "high", notice
    assert s.check(own, lang=lang).risk == "high", own


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "id",
            "BP2MI: waspada calo! Pendaftaran seleksi G to G Korea lewat admin, transfer biaya "
            "pendaftaran Rp 500.000 ke rekening a.n. Budi",
        ),
        (
            "en",
            "BP2MI: beware of brokers! To register for the G to G Korea selection, transfer the "
            "registration fee of Rp 500,000 to the account of Mr Budi",
        ),
    ],
)
def test_fee_in_a_warnings_words_stays_high(s: Screener, lang: str, text: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high", (r.risk, [f.code for f in r.flags])


MORE_HIGH_SIGNS: list[tuple[str, str, str]] = [
    # the card or PIN wages are paid into, kept by the agency
    (
        "en",
        "The agency keeps my ATM card and PIN, my salary goes into that account",
        "withheld_wages",
    ),
    ("id", "Kartu ATM saya dipegang agen sama PIN-nya, gaji masuk ke situ", "withheld_wages"),
    # no papers at all, in Malaysia
    (
        "en",
        "My two children were born in Sabah and have no documents at all, we take them back "
        "and forth by boat",
        "informal_route",
    ),
    (
        "id",
        "Dua anak saya lahir di Malaysia dan belum punya dokumen sama sekali, kami bolak-balik "
        "naik perahu",
        "informal_route",
    ),
    # an invitation asked as a question offers what it asks about
    (
        "en",
        "Is it ok if I take you to Cambodia? The job is only online marketing, chatting with people",
        "scam_compound_country",
    ),
    (
        "id",
        "mau ikut gw ke kamboja gk? kerjaannya marketing online doang, chat2 orang",
        "scam_compound_country",
    ),
]


@pytest.mark.parametrize(("lang", "text", "code"), MORE_HIGH_SIGNS)
def test_more_signs_are_high_with_their_flag(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I keep my own ATM card and my own passport"),
        ("id", "Kartu ATM dan paspor saya pegang sendiri"),
    ],
)
def test_own_card_kept_is_no_withheld_wage(s: Screener, lang: str, text: str) -> None:
    assert "withheld_wages" not in [f.code for f in s.check(text, lang=lang).flags]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Specified Skilled Worker programme in Japan: pass the Japanese language test and the "
            "skills test for your sector",
        ),
        ("id", "Program SSW Jepang: lulus tes bahasa Jepang dan tes keterampilan sesuai bidang"),
    ],
)
def test_ssw_named_in_full_is_the_official_route(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk == "low"


def test_the_users_own_whole_question_stays_a_question(s: Screener) -> None:
    assert s.check("Kerja marketing online di Kamboja aman gak?", lang="id").risk != "high"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The LPK says I can pay the training fee in instalments during the course"),
        ("id", "Biaya pelatihan LPK bisa dicicil selama pelatihan"),
    ],
)
def test_paying_in_instalments_is_no_debt_bondage(s: Screener, lang: str, text: str) -> None:
    assert "debt_bondage" not in [f.code for f in s.check(text, lang=lang).flags]


@pytest.mark.parametrize(
    ("lang", "text", "code"),
    [
        (
            "en",
            "The agency takes the loan back in instalments from my salary every month",
            "debt_bondage",
        ),
        ("id", "Utang ke agen dicicil dari gaji tiap bulan", "debt_bondage"),
        ("en", "The fee is 40 million, once it is paid off we book your flight", "upfront_fee"),
        ("id", "Biayanya 40 juta, setelah lunas langsung dijadwalkan terbang", "upfront_fee"),
    ],
)
def test_instalments_from_wages_and_pay_off_then_fly(
    s: Screener, lang: str, text: str, code: str
) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Indonesian Embassy in Beijing: be aware of marriage fraud. Women are promised a "
            "dowry and a rich Chinese husband, but the husband is often a poor farmer.",
        ),
        (
            "id",
            "KBRI Beijing: waspadai penipuan pengantin pesanan. Perempuan dijanjikan mahar dan "
            "suami China yang kaya, padahal suaminya sering hanya petani miskin.",
        ),
    ],
)
def test_embassy_warning_about_brides_is_not_high(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk != "high"


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "caregiver job Taiwan"), ("id", "lowongan pabrik Korea kak")],
)
def test_a_country_and_a_job_alone_is_not_enough_to_judge(
    s: Screener, lang: str, text: str
) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "unclear" and r.questions, r


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "tourist visa to Malaysia for work"), ("id", "visa turis kerja ke Malaysia")],
)
def test_a_short_text_with_a_sign_is_judged(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk == "high"


@pytest.mark.parametrize(
    ("lang", "text", "code"),
    [
        # domestic work for a household in the Middle East, however the job is called
        (
            "en",
            "Cleaning services company in Oman recruiting ladies. Work is placed in family homes, "
            "direct contract.",
            "moratorium_domestic_work",
        ),
        (
            "id",
            "Perusahaan cleaning service di Oman cari tenaga wanita. Ditempatkan di rumah "
            "keluarga, kontrak langsung.",
            "moratorium_domestic_work",
        ),
        # a new payment at every step
        (
            "en",
            "Every week they ask for another payment, first for the visa, then for the ticket",
            "upfront_fee",
        ),
        (
            "id",
            "Setelah DP, disuruh bayar lagi untuk visa, lalu minta lagi untuk tiket",
            "upfront_fee",
        ),
    ],
)
def test_household_in_the_gulf_and_payment_after_payment(
    s: Screener, lang: str, text: str, code: str
) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "SPSK pilot: domestic workers are employed by a syarikah in Riyadh, which sends them "
            "to households",
        ),
        (
            "id",
            "Program SPSK: PMI ditempatkan lewat syarikah di Riyadh, lalu bekerja di rumah tangga",
        ),
    ],
)
def test_spsk_company_channel_is_not_rated_high(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk != "high"


def _codes(s: Screener, text: str, lang: str) -> list[str]:
    return [f.code for f in s.check(text, lang=lang).flags]


def _cases(theme: str, rows: list[tuple[str, str, str, bool]]) -> list[object]:
    """Rows of (lang, text, code, raised) named by their theme, for test_a_sign_is_raised_or_not_as_its_context_says."""
    return [pytest.param(*row, id=f"{theme}-{n}") for n, row in enumerate(rows)]


AMOUNTS_READ_AS_WAGE_OR_FEE = _cases(
    "amounts_read_as_wage_or_fee",
    [
        # a bare "$" in a Hong Kong text is HK$ (HK$4,900 is an ordinary helper's wage) ...
        (
            "en",
            "Hong Kong helper job, salary $4,900 a month, day off every Sunday",
            "too_good_salary",
            False,
        ),
        (
            "id",
            "Kerja di Hongkong gaji $4.900 per bulan, libur tiap Minggu",
            "too_good_salary",
            False,
        ),
        # ... and still US$ where no place with its own dollar is named
        (
            "en",
            "Office job in Dubai, no experience needed, salary $4,900 a month",
            "too_good_salary",
            True,
        ),
        (
            "id",
            "Kerja kantor di Dubai tanpa pengalaman, gaji $4.900 per bulan",
            "too_good_salary",
            True,
        ),
        # the pay a job gives each month is a wage, not a fee ...
        ("en", "Chef job in Japan with pay from USD 1,500 a month", "upfront_fee", False),
        ("id", "Lowongan chef di Jepang, bayaran 1.500 dolar per bulan", "upfront_fee", False),
        # ... unless it is paid each month to the agent
        ("en", "You pay 500 dollars per month to the agent for 7 months", "upfront_fee", True),
        ("id", "Kamu bayar 5 juta per bulan ke agen selama 7 bulan", "upfront_fee", True),
        # money borrowed to pay the recruiter is a fee paid up front
        ("en", "I borrowed 4,000 dollars from my uncle to pay the agency", "upfront_fee", True),
        ("id", "Saya pinjam 30 juta dari saudara buat bayar agen", "upfront_fee", True),
        # a big salary in a high-wage destination is no bait on its own ...
        (
            "en",
            "Farm work in Korea on an E-8 visa, salary around 25 million rupiah a month",
            "too_good_salary",
            False,
        ),
        (
            "id",
            "Kerja pertanian di Korea visa E-8, gaji sekitar 25 juta per bulan",
            "too_good_salary",
            False,
        ),
        # ... but it still is next to 'no experience needed'
        (
            "en",
            "Korea factory, no experience needed, salary 25 million rupiah a month",
            "too_good_salary",
            True,
        ),
        ("id", "Pabrik Korea tanpa pengalaman, gaji 25 juta per bulan", "too_good_salary", True),
    ],
)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Factory job in Taiwan through BNP2TKI, the selection is in Jakarta"),
        ("id", "Lowongan pabrik ke Taiwan lewat BNP2TKI, seleksi di Jakarta"),
    ],
)
def test_old_name_of_the_agency_is_the_official_route(s: Screener, lang: str, text: str) -> None:
    # BNP2TKI is BP2MI's old name (domain-facts §13): no "check before you go" floor
    assert s.check(text, lang=lang).risk == "low"


@pytest.mark.parametrize(
    ("lang", "text", "code"),
    [
        # "is it normal that ...": what happened is told, the question is whether it is allowed
        (
            "en",
            "Is it normal that the agent takes 3 months of my salary after I start working in "
            "Malaysia?",
            "salary_deduction",
        ),
        (
            "id",
            "Wajar gak kalau agen potong gaji 3 bulan setelah saya kerja di Malaysia?",
            "salary_deduction",
        ),
        ("en", "Is it normal that my employer in Saudi keeps my passport?", "passport_retention"),
        ("id", "Apakah wajar kalau majikan di Saudi menahan paspor saya?", "passport_retention"),
    ],
)
def test_question_that_tells_what_happened_is_the_case(
    s: Screener, lang: str, text: str, code: str
) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # asking whether something would be allowed stays a question
        ("en", "Is it legal for my employer to keep my passport?"),
        ("id", "Boleh gak kalau majikan menahan paspor saya?"),
    ],
)
def test_question_whether_allowed_stays_a_question(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk != "high"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # an office stating a rule names signs as everyone's, not the reader's case
        (
            "en",
            "Ministry of Manpower Singapore: agencies must check the helper's age against her "
            "passport. Anyone found underage is not allowed to work.",
        ),
        (
            "id",
            "Disnaker: agensi wajib mencocokkan umur calon pekerja dengan paspornya. Yang "
            "ketahuan di bawah umur dilarang bekerja ke luar negeri.",
        ),
        (
            "en",
            "The minister said individuals may not recruit domestic workers for Saudi Arabia, "
            "only licensed companies can.",
        ),
        (
            "id",
            "Menteri bilang perorangan dilarang merekrut pekerja rumah tangga ke Arab Saudi, "
            "hanya perusahaan berizin.",
        ),
    ],
)
def test_office_stating_a_rule_is_low(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk in ("low", "unclear")


def test_rule_words_do_not_clear_the_readers_own_case(s: Screener) -> None:
    # the writer is in it: "dilarang keluar" next to the ministry's name is still a case
    r = s.check(
        "Menurut aturan Kemnaker majikan wajib kasih libur, tapi saya dikurung dan paspor "
        "saya ditahan majikan di Riyadh",
        lang="id",
    )
    assert r.risk == "high"


@pytest.mark.parametrize(
    ("lang", "text", "raised"),
    [
        # a spa for women customers: the woman named is the client ...
        (
            "en",
            "Spa therapist jobs in Dubai, a spa for female customers (woman to woman), "
            "training before placement",
            False,
        ),
        ("id", "Lowongan terapis spa ke Oman, spa khusus tamu wanita, dilatih dulu", False),
        # ... while women offered for spa work are still the sign
        ("en", "Spa therapist jobs in Dubai for young women, high salary, send a photo", True),
        ("id", "Lowongan terapis spa wanita muda ke Oman, gaji besar", True),
    ],
)
def test_spa_for_women_customers(s: Screener, lang: str, text: str, raised: bool) -> None:
    assert ("sexual_exploitation" in _codes(s, text, lang)) is raised


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # euro and pound amounts are money too (the routes to Poland, Germany and the UK)
        ("en", "The Indonesian organisation took another 1,100 pounds to get him to the UK faster"),
        ("id", "Yayasan itu minta 1.100 pound lagi biar cepat berangkat ke Inggris"),
        ("en", "Pay €3,500 to the recruiter for the Poland work permit"),
        ("id", "Bayar 3.500 euro ke perekrut untuk izin kerja Polandia"),
    ],
)
def test_euro_and_pound_fees(s: Screener, lang: str, text: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and "upfront_fee" in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text", "high"),
    [
        # an office calling a poster fake is a warning ...
        (
            "id",
            "BP2MI menegaskan poster lowongan kerja ke Jepang yang memakai logo BP2MI dan meminta "
            "biaya pendaftaran adalah hoaks. BP2MI tidak pernah memungut biaya.",
            False,
        ),
        (
            "en",
            "KP2MI says the viral poster of jobs in Germany with its logo asking a registration "
            "fee to a WhatsApp number is a hoax. Official vacancies are only on siskop2mi.",
            False,
        ),
        # ... a poster in the office's name that asks for money is the fake, whatever it says
        (
            "id",
            "PENGUMUMAN KP2MI: dibuka lowongan kerja ke Jepang, kirim biaya pendaftaran 500 ribu "
            "ke nomor admin di bawah. Jangan percaya hoaks!",
            True,
        ),
        (
            "en",
            "Official KP2MI vacancy: jobs in Germany, send the registration fee of 500,000 rupiah "
            "to our admin on WhatsApp. Do not believe hoaxes!",
            True,
        ),
    ],
)
def test_hoax_denial_is_a_warning(s: Screener, lang: str, text: str, high: bool) -> None:
    assert (s.check(text, lang=lang).risk == "high") is high


@pytest.mark.parametrize(
    ("lang", "text", "high"),
    [
        # Taiwan's monthly service fee taken from the wage is that lawful fee (domain-facts §1.7)
        (
            "en",
            "In Taiwan my agency charges a monthly service fee of NT$1,800 in the first year, "
            "deducted from my salary. Is that allowed?",
            False,
        ),
        (
            "id",
            "Di Taiwan biaya jasa bulanan agensi NT$1.800 dipotong dari gaji saya tiap bulan, "
            "itu boleh?",
            False,
        ),
        # months of wages for the agent are not that fee
        (
            "en",
            "In Taiwan the agency said 7 months of my salary will be deducted for the service fee.",
            True,
        ),
        ("id", "Di Taiwan gaji saya dipotong 7 bulan untuk biaya jasa agensi.", True),
    ],
)
def test_taiwan_service_fee_from_the_wage(s: Screener, lang: str, text: str, high: bool) -> None:
    assert (s.check(text, lang=lang).risk == "high") is high


@pytest.mark.parametrize(
    ("lang", "text", "code"),
    [
        # office jobs in a scam-compound city, reached through a transit hub
        (
            "en",
            "The agent flew them to Kuala Lumpur first and from there to Phnom Penh for office jobs.",
            "scam_compound_country",
        ),
        (
            "id",
            "Agen terbangkan mereka ke Kuala Lumpur dulu, lalu ke Phnom Penh untuk kerja kantoran.",
            "scam_compound_country",
        ),
        # costs taken from the wage for months, said the other way round
        (
            "en",
            "The company deducted the cost of her training and flight from her wages for ten months.",
            "salary_deduction",
        ),
        (
            "id",
            "Perusahaan memotong biaya pelatihan dan tiket dari gajinya selama sepuluh bulan.",
            "salary_deduction",
        ),
        # costs to repay before she may go home
        (
            "en",
            "When she asked to go home, the agency said she must first repay 30 million for the "
            "costs.",
            "held_against_will",
        ),
        (
            "id",
            "Waktu dia minta pulang, agensi bilang dia harus ganti semua biaya 30 juta dulu.",
            "held_against_will",
        ),
    ],
)
def test_told_in_other_words(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


def test_office_job_elsewhere_is_no_scam_sign(s: Screener) -> None:
    r = s.check("Office job in Dubai through a licensed agency, contract signed before departure")
    assert r.risk == "low", r


WORDS_WITH_TWO_MEANINGS = _cases(
    "words_with_two_meanings",
    [
        # "interested applicants" is no interest on a debt ...
        (
            "en",
            "Caregiver in Taiwan, salary NT$20,000, interested applicants contact the P3MI office.",
            "debt_bondage",
            False,
        ),
        (
            "en",
            "The agent's loan has high interest and it is taken from my salary every month",
            "debt_bondage",
            True,
        ),
        # ... a JLPT certificate is no land title given as security ...
        (
            "id",
            "Lowongan pabrik Jepang, gaji 180.000 yen, yang punya sertifikat JLPT silakan daftar.",
            "debt_bondage",
            False,
        ),
        (
            "id",
            "Sertifikat tanah orang tua jadi jaminan utang ke sponsor, gaji dipotong tiap bulan",
            "debt_bondage",
            True,
        ),
        # ... and a fee that "cannot be refunded" is no wage left unpaid
        (
            "id",
            "Biaya ujian tidak dapat dikembalikan, gaji di Jepang sesuai kontrak.",
            "withheld_wages",
            False,
        ),
        (
            "id",
            "Sudah 3 bulan kerja di Malaysia gaji tidak dapat sama sekali",
            "withheld_wages",
            True,
        ),
        (
            "en",
            "The test fee cannot be refunded; the salary in Japan follows the contract.",
            "withheld_wages",
            False,
        ),
        ("en", "Three months working in Malaysia and no salary at all", "withheld_wages", True),
    ],
)


LAWFUL_AD_WORDS = _cases(
    "lawful_ad_words",
    [
        # "keeps you on a permanent contract" keeps no wage ...
        (
            "en",
            "Nurses wanted for Germany, the hospital pays for the language course and keeps you "
            "on a permanent contract.",
            "withheld_wages",
            False,
        ),
        (
            "en",
            "The employer keeps my salary and says he will send it later",
            "withheld_wages",
            True,
        ),
        ("id", "Gaji saya ditahan majikan sudah 5 bulan", "withheld_wages", True),
        # ... a passport kept by the worker is not held from her ...
        (
            "en",
            "Plantation job in Malaysia, levy paid by the company, passport kept by the worker.",
            "passport_retention",
            False,
        ),
        (
            "id",
            "Kerja kebun sawit Malaysia, levy dibayar perusahaan, paspor dipegang pekerja sendiri.",
            "passport_retention",
            False,
        ),
        ("en", "My passport was kept by the agency in Johor", "passport_retention", True),
        # ... and a cruise ship's crew is no fishing crew
        (
            "en",
            "Ship crew for a cruise line, BST certificate and seaman book needed, apply to the "
            "manning agency.",
            "fishing_vessel",
            False,
        ),
        (
            "id",
            "ABK kapal pesiar, wajib punya sertifikat BST dan buku pelaut, daftar di manning agency.",
            "fishing_vessel",
            False,
        ),
        (
            "id",
            "ABK kapal ikan Taiwan, gaji ditahan kapten sampai kontrak habis",
            "fishing_vessel",
            True,
        ),
    ],
)


@pytest.mark.parametrize(
    ("lang", "text", "raised"),
    [
        # a rule that forbids holding passports denies the act ...
        ("id", "Malaysia: majikan dilarang menahan paspor pekerja, itu pelanggaran hukum.", False),
        ("en", "In Malaysia employers are prohibited from holding workers' passports.", False),
        ("id", "Paspor tidak boleh ditahan oleh majikan, itu hak pekerja.", False),
        # ... while a worker who may not go out still has her passport taken
        ("id", "Kami dilarang keluar dan paspor disita majikan", True),
        ("en", "We are not allowed to go out and the employer took our passports", True),
        # advice to keep one's own passport safe is no retention
        (
            "id",
            "Simpan paspor dan kontrak baik-baik, fotokopi dan tinggalkan satu di keluarga.",
            False,
        ),
        ("en", "Keep your passport and contract in a safe place and leave a copy at home.", False),
    ],
)
def test_forbidden_or_advised_is_not_done(s: Screener, lang: str, text: str, raised: bool) -> None:
    assert ("passport_retention" in _codes(s, text, lang)) is raised, s.check(text, lang=lang)


HOSTESS_AND_SCHOOL_PUPILS = _cases(
    "hostess_and_school_pupils",
    [
        # sitting with the guests of a karaoke is the hostess work of issue 13
        (
            "en",
            "Now she works in a karaoke in Kuching and says she has to sit with the guests.",
            "sexual_exploitation",
            True,
        ),
        (
            "id",
            "Ponakan saya kerja di karaoke di Kuching, katanya harus duduk sama tamu sampai pagi.",
            "sexual_exploitation",
            True,
        ),
        # pupils still at school recruited for work are minors ...
        (
            "en",
            "The recruiter signed up twelve girls from the junior high school for factory work in "
            "Batam.",
            "minor_recruited",
            True,
        ),
        (
            "id",
            "Perekrut itu mendaftarkan dua belas siswi SMP untuk kerja pabrik di Batam.",
            "minor_recruited",
            True,
        ),
        # ... a junior-high graduate of 18 or more is not
        (
            "id",
            "Lowongan pabrik Malaysia, syarat minimal lulusan SMP, usia 18-35 tahun, lewat P3MI "
            "resmi.",
            "minor_recruited",
            False,
        ),
        (
            "en",
            "Factory jobs in Malaysia, junior high graduates aged 18 to 35, through a licensed P3MI.",
            "minor_recruited",
            False,
        ),
    ],
)


ILLEGAL_DEPARTURE_AND_BROKER_NAMED = _cases(
    "illegal_departure_and_broker_named",
    [
        # a report of workers stopped as illegal, and recruited by a broker
        (
            "id",
            "Satgas TPPO menggagalkan keberangkatan 20 CPMI ilegal di Bandara El Tari; mereka "
            "direkrut calo.",
            "no_training_or_process",
            True,
        ),
        (
            "en",
            "Police at Kupang airport stopped 20 illegal migrant workers; they were recruited by a "
            "broker.",
            "no_training_or_process",
            True,
        ),
        (
            "id",
            "Mereka direkrut calo dari kampung sebelah untuk kerja di Malaysia.",
            "unlicensed_recruiter",
            True,
        ),
        (
            "en",
            "They were recruited by a broker from the next village for work in Malaysia.",
            "unlicensed_recruiter",
            True,
        ),
    ],
)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # a warning or a comparison question names illegal work without being a case of it
        (
            "id",
            "Waspada! Jangan berangkat jadi PMI ilegal, risikonya besar. Daftar lewat Disnaker.",
        ),
        (
            "en",
            "BP2MI warns: do not become an illegal migrant worker; register at the manpower office.",
        ),
        ("id", "Temanku kerja pakai WHV di Melbourne. Apa sama aja kayak jadi TKI ilegal?"),
    ],
)
def test_illegal_named_in_a_warning_or_question(s: Screener, lang: str, text: str) -> None:
    assert s.check(text, lang=lang).risk != "high"


@pytest.mark.parametrize(
    ("lang", "text", "code"),
    [
        # a bride matched with "a man from China" for money to the family
        (
            "en",
            "My cousin's daughter was matched with a man from China by a broker; the family got "
            "50 million.",
            "marriage_brokering",
        ),
        (
            "id",
            "Anak sepupu saya dijodohkan calo dengan pria dari China, keluarga dapat 50 juta.",
            "marriage_brokering",
        ),
        # a false theft charge after asking for wages: intimidation (ILO)
        (
            "en",
            "She is in the embassy shelter in Amman because the employer accused her of theft "
            "after she asked for her wages.",
            "threats_violence",
        ),
        (
            "id",
            "Dia di penampungan KBRI Amman karena dituduh mencuri oleh majikan setelah minta gaji.",
            "threats_violence",
        ),
    ],
)
def test_bride_from_abroad_and_false_accusation(
    s: Screener, lang: str, text: str, code: str
) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text", "high"),
    [
        # an office telling where to report names abuse as everyone's risk ...
        (
            "en",
            "Taiwan's Ministry of Labor: foreign workers who are abused can call the 1955 hotline "
            "for free, in Indonesian.",
            False,
        ),
        (
            "id",
            "Kementerian Tenaga Kerja Taiwan: pekerja asing yang dianiaya bisa hubungi hotline "
            "1955 gratis.",
            False,
        ),
        # ... the worker who called it is the case
        (
            "en",
            "My employer beats me every day and I work 20 hours. I called the 1955 hotline but "
            "nobody answered.",
            True,
        ),
        (
            "id",
            "Majikan saya memukul saya setiap hari, kerja 20 jam. Saya sudah telepon hotline 1955 "
            "tapi tidak diangkat.",
            True,
        ),
    ],
)
def test_hotline_notice_and_the_caller(s: Screener, lang: str, text: str, high: bool) -> None:
    assert (s.check(text, lang=lang).risk == "high") is high


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "UAE domestic worker law: the recruiter may not charge the worker any fee, and the "
            "worker keeps her passport.",
        ),
        (
            "id",
            "Undang-undang PRT di UEA: perekrut dilarang memungut biaya dari pekerja, dan paspor "
            "dipegang pekerja sendiri.",
        ),
    ],
)
def test_law_notice_worker_keeps_passport(s: Screener, lang: str, text: str) -> None:
    r = s.check(text, lang=lang)
    assert "passport_retention" not in [f.code for f in r.flags] and r.risk != "high", r


@pytest.mark.parametrize(
    ("lang", "text", "code"),
    [
        # kept at work past the contract: no ticket home, another year
        (
            "en",
            "After the contract ended the boss refused to buy my ticket home and said I had to "
            "work another year.",
            "held_against_will",
        ),
        (
            "id",
            "Kontrak sudah habis tapi majikan tidak mau membelikan tiket pulang, katanya harus "
            "kerja setahun lagi.",
            "held_against_will",
        ),
        # the wage "kept until he returns", and no call home for months
        (
            "en",
            "My husband is on a Taiwanese boat near Fiji, he has not been able to call us for ten "
            "months and the agency says the salary is kept until he returns.",
            "withheld_wages",
        ),
        (
            "id",
            "Suami saya di kapal Taiwan dekat Fiji, sudah 10 bulan tidak bisa telepon, kata agen "
            "gajinya disimpan sampai pulang.",
            "withheld_wages",
        ),
        # everything to pay back before one may quit
        (
            "en",
            "For the first seven months I got nothing, everything went to the agency, and the "
            "employer said if I quit I would have to pay it all back.",
            "held_against_will",
        ),
        (
            "id",
            "Tujuh bulan pertama saya tidak dapat apa-apa, semua ke agensi, dan kata majikan kalau "
            "berhenti harus bayar balik semua.",
            "held_against_will",
        ),
    ],
)
def test_kept_on_and_paid_nothing(s: Screener, lang: str, text: str, code: str) -> None:
    r = s.check(text, lang=lang)
    assert r.risk == "high" and code in [f.code for f in r.flags], (r.risk, r.flags)


@pytest.mark.parametrize(
    ("lang", "text", "code", "raised"),
    AMOUNTS_READ_AS_WAGE_OR_FEE
    + WORDS_WITH_TWO_MEANINGS
    + LAWFUL_AD_WORDS
    + HOSTESS_AND_SCHOOL_PUPILS
    + ILLEGAL_DEPARTURE_AND_BROKER_NAMED,
)
def test_a_sign_is_raised_or_not_as_its_context_says(
    s: Screener, lang: str, text: str, code: str, raised: bool
) -> None:
    assert (code in _codes(s, text, lang)) is raised, s.check(text, lang=lang)
