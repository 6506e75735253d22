"""The understanding step on the messages issue 14 lists, in both languages."""

from __future__ import annotations

import pytest

from bot.understanding import Answer, Intent, default_understander


def understand(text: str, lang: str | None = None):
    return default_understander().understand(text, lang)


@pytest.mark.parametrize(
    "text",
    ["tolong", "help", "/help", "minta tolong kak", "help me", "bisa bantu saya?", "nyuwun tulung"],
)
def test_asking_for_help_alone_is_not_danger(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.COMMAND and u.action == "help"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("paspor sy ditahan majikan di malaysia", "MY"),
        ("my son is stuck in a cambodia scam company they wont let him go", "KH"),
        ("tolong anak saya dikurung majikan di riyadh", "SA"),
        ("help im locked in", None),
        ("sy gak dikasih makan sama majikan sudah 3 hari", None),
    ],
)
def test_harm_now_is_danger_with_the_country(text: str, country: str | None) -> None:
    u = understand(text)
    assert u.intent == Intent.DANGER
    assert u.country == country


@pytest.mark.parametrize(
    "text",
    [
        "kalau paspor ditahan majikan harus gimana?",  # a condition
        "majikan boleh nahan paspor gak sih?",  # a rule
        "dulu saya pernah disekap majikan, sekarang sudah pulang, sy mau laporin PT nya",
        "hati-hati, banyak PMI disiksa karena berangkat lewat calo",  # a warning
        "alhamdulillah majikan saya baik, tidak pernah dipukul",  # negated
    ],
)
def test_not_danger_when_framed_negated_or_past(text: str) -> None:
    assert understand(text).intent != Intent.DANGER


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("tolong jelaskan cara daftar ke korea", "country-south-korea"),
        ("can you help me find a job in japan", "country-japan"),
        ("kerja di jepang gmn caranya", "country-japan"),
        ("umur 17 bisa kerja ke luar negeri ga", "documents"),
        ("salary in hong kong", "country-hong-kong"),
    ],
)
def test_questions_go_to_the_guides(text: str, topic: str) -> None:
    u = understand(text)
    assert u.intent == Intent.QUESTION and u.topic == topic


@pytest.mark.parametrize(
    ("text", "topic", "country"),
    [
        ("taiwan", "country-taiwan", "TW"),
        ("malaysia", "country-malaysia", "MY"),
        ("korea", "country-south-korea", "KR"),
        ("arab", "country-middle-east", "SA"),
        ("jepang", "country-japan", "JP"),
        ("kamboja", "online-scams", "KH"),
        ("biaya", "costs", None),
        ("paspor", "documents", None),
        ("visa", "visas", None),
        ("BP3MI", "official-route", None),
        ("tkw", "official-route", None),
    ],
)
def test_a_country_or_topic_word_alone_opens_its_article(
    text: str, topic: str, country: str | None
) -> None:
    u = understand(text)
    assert (u.intent, u.topic, u.country) == (Intent.QUESTION, topic, country)


def test_offers_are_offers_even_when_they_open_with_a_question() -> None:
    advert = understand("Apakah anda ingin kerja di Taiwan? … DP 5jt ke rekening saya")
    assert advert.intent == Intent.OFFER and Intent.QUESTION not in advert.also
    asked = understand(
        "is this offer legal? caregiver job in Taiwan, I must first pay NT$30,000 training fee"
    )
    assert asked.intent == Intent.OFFER and asked.also == (Intent.QUESTION,)
    assert asked.country == "TW"


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("lanjut", "next"),
        ("berikutnya", "next"),
        ("next", "next"),
        ("more", "next"),
        ("sebelumnya", "back"),
        ("kembali", "back"),
        ("previous", "back"),
        ("back", "back"),
        ("menu", "menu"),
        ("menu utama", "menu"),
    ],
)
def test_navigation_words(text: str, action: str) -> None:
    u = understand(text)
    assert u.intent == Intent.NAVIGATION and u.action == action


@pytest.mark.parametrize(
    ("text", "number"),
    [("2", 2), ("no 2", 2), ("nomor 3", 3), ("2.", 2), ("1️⃣", 1), ("yang kedua", 2)],
)
def test_a_numbered_choice(text: str, number: int) -> None:
    u = understand(text)
    assert (u.intent, u.action, u.number) == (Intent.NAVIGATION, "choice", number)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("tidak tahu", Answer.UNKNOWN),
        ("gak tau", Answer.UNKNOWN),
        ("skip", Answer.UNKNOWN),
        ("-", Answer.UNKNOWN),
        ("ya", Answer.YES),
        ("iyaa", Answer.YES),
        ("yoi", Answer.YES),
        ("yes", Answer.YES),
        ("tidak", Answer.NO),
        ("gak", Answer.NO),
        ("nope", Answer.NO),
    ],
)
def test_form_answers(text: str, answer: Answer) -> None:
    assert understand(text).answer == answer


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("terima kasih", "thanks"),
        ("ok", "ok"),
        ("assalamualaikum", "greeting"),
        ("makasih banyak ya kak 🙏", "thanks"),
        ("nggih matur nuwun mas", "thanks"),
    ],
)
def test_small_talk(text: str, action: str) -> None:
    u = understand(text)
    assert u.intent == Intent.SMALLTALK and u.action == action


@pytest.mark.parametrize(
    ("text", "action", "language"),
    [
        ("bahasa", "language", None),
        ("bahasa inggris", "language", "en"),
        ("english please", "language", "en"),
        ("bahasa indonesia", "language", "id"),
        ("data saya", "my_data", None),
        ("tolong hapus data saya", "delete_data", None),
        ("/start", "start", None),
    ],
)
def test_commands(text: str, action: str, language: str | None) -> None:
    u = understand(text)
    assert (u.intent, u.action, u.language) == (Intent.COMMAND, action, language)


def test_status_with_a_case_number_in_any_spelling() -> None:
    for text in ("status MA-7K3QH", "cek status laporan MA 9FZ2K", "ma-b6n8r gmn?"):
        u = understand(text)
        assert u.intent == Intent.STATUS and u.case and u.case.startswith("MA-")
    assert understand("makasih kak").case is None  # "ma" + "kasih" is not a case number
    assert understand("gimana laporan saya").intent == Intent.STATUS


def test_report_with_place_phone_and_company() -> None:
    u = understand("saya mau lapor calo PT Maju Jaya di Indramayu, nomornya 0812-3456-7890")
    assert u.intent == Intent.REPORT
    assert u.place == "3212"
    assert u.phone == "0812-3456-7890"
    assert u.company == "PT Maju Jaya"


def test_unknown_for_noise_and_other_subjects() -> None:
    for text in ("asdfgh", ".", "resep rendang gimana", "[stiker]", "who won the match last night"):
        assert understand(text).intent == Intent.UNKNOWN, text


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("halo kak /help", Intent.COMMAND, "help"),
        ("halo kak 1", Intent.NAVIGATION, "choice"),
        ("lanjut makasih", Intent.NAVIGATION, "next"),
        ("hapus data saya, terima kasih", Intent.COMMAND, "delete_data"),
        ("check my case makasih", Intent.STATUS, "status"),
        ("2 makasih kak", Intent.NAVIGATION, "choice"),
    ],
)
def test_greetings_before_and_thanks_after_a_short_request(
    text: str, intent: Intent, action: str
) -> None:
    u = understand(text)
    assert (u.intent, u.action) == (intent, action)


def test_a_report_after_a_greeting_is_a_report() -> None:
    assert understand("halo kak laporan penipuan calo").intent == Intent.REPORT
    assert (
        understand("Halo kak! Mau kerja di Taiwan? gaji 30jt, DP 5jt ke rekening saya").intent
        == Intent.OFFER
    )


@pytest.mark.parametrize(
    "text",
    [
        "Spa job in Turkey USD 1500/month, free ticket, departure guaranteed. aman gak?",
        "Mbak mau ke Taiwan jadi ART? Umur 18 bisa, nanti umurnya dituakan. ini resmi?",
        "diajak tetangga kerja di brunei, nanti visanya diurus disana katanya. gimana kak?",
    ],
)
def test_an_advert_with_a_question_after_it_is_checked_and_answered(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


def test_one_figure_asked_about_stays_a_question() -> None:
    assert understand("gaji 25jt di jepang masuk akal?").intent == Intent.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "adik sy dibawa temennya kerja di pub, gak boleh pulang, hp nya dipegang bos harus gimana?",
        "udah 2 bulan kakak sy gak boleh keluar dan paspornya disembunyiin harus gimana?",
        "i am not allowed to leave the house and they took my passport, what should i do?",
    ],
)
def test_harm_told_then_asking_what_to_do_is_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


def test_asking_whether_a_rule_allows_it_is_a_question() -> None:
    assert understand("majikan boleh pegang paspor kita gak sih?").intent == Intent.QUESTION
    assert understand("majikan boleh pegang paspor kita gak sih").intent == Intent.QUESTION


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("🙏 kak", Intent.SMALLTALK),
        ("👍 min", Intent.SMALLTALK),
        ("are you a bot? kak", Intent.SMALLTALK),
        ("bot ini bisa apa aja? kak", Intent.COMMAND),
        ("makasih banyak ya kak, sangat membantu sekali, semoga sehat selalu", Intent.SMALLTALK),
    ],
)
def test_words_to_the_reader_around_small_talk_and_commands(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


def test_reporting_someone_with_a_worry_is_a_report_and_the_worry_a_question() -> None:
    u = understand("kalau sy lapor calonya, dia tau gak itu sy?")
    assert u.intent == Intent.REPORT and Intent.QUESTION in u.also
    assert understand("if I report, who will see my name?").intent == Intent.QUESTION


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("makasih bnyk kak, membantu bgt", "thanks"),
        ("ok sy udh paham skrg", "ok"),
        ("met malem min", "greeting"),
        ("siap, nanti sy kabari lg ya", "ok"),
        ("thanks so much for the help", "thanks"),
        ("ok, have a good night", "ok"),
    ],
)
def test_small_talk_in_chat_spelling_and_longer_thanks(text: str, action: str) -> None:
    u = understand(text)
    assert (u.intent, u.action) == (Intent.SMALLTALK, action)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("halo min salam kenal, aku tkw di taiwan", Intent.SMALLTALK),
        ("hi there, i am a helper from indonesia", Intent.SMALLTALK),
        # who is writing, then what they want: that is read
        ("halo kak, sy tkw di taiwan, mau tanya soal libur", Intent.QUESTION),
        ("hello, im a domestic helper in hong kong, can i change employer?", Intent.QUESTION),
    ],
)
def test_a_greeting_with_who_is_writing_is_small_talk(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "majikan teu ngidinan abdi uih",  # Sundanese: not allowed to go home
        "aku ora diolehi mulih karo majikan",  # Javanese
        "paspor abdi dicandak agen, teu tiasa uih",
        "my employer does not allow me to go home",
        "the agency doesnt allow her to call us",
    ],
)
def test_not_allowed_home_in_more_words_is_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("will i go to jail if i leave my employer?", Intent.QUESTION),
        ("apakah saya akan dipenjara kalau kabur dari majikan?", Intent.QUESTION),
        ("my employer does not allow me to have a day off, is that legal?", Intent.QUESTION),
        # the same words as a threat, with someone held: danger
        (
            "my agent said i will go to jail if i leave, he keeps me locked in the house",
            Intent.DANGER,
        ),
        ("kata agen sy bakal dipenjara kalau kabur, sy dikunci di kamar", Intent.DANGER),
    ],
)
def test_asking_what_would_happen_to_oneself_is_a_question(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "what do you think about this: maid job in Doha, 1800 QAR, is it ok?",
        "kak gimana menurutmu, jadi ART di Dubai gaji 7jt, aman gak?",
        "kata sponsor bisa berangkat tanpa paspor, itu bener gak?",
        "the broker says i can go without a passport, is it true?",
    ],
)
def test_one_job_with_its_place_and_pay_or_what_a_recruiter_said_is_an_offer(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("berapa gaji jadi ART di Dubai?", Intent.QUESTION),  # no job on the table: a question
        ("how much is the salary for a maid job in Doha?", Intent.QUESTION),
    ],
)
def test_asking_about_pay_in_general_stays_a_question(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "my agent says i owe 3000 dollars before i can go home",
        "majikan bilang harus bayar 20jt dulu baru boleh pulang",  # "dulu": first, not long ago
    ],
)
def test_paying_a_debt_before_being_let_home_is_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    "text",
    [
        "okee makasih",
        "oke siap laksanakan",
        "maaf ganggu malem gini kak",
        "makasih penjelasannya kak",
        "thanks for explaining",
        "sorry to bother you",
    ],
)
def test_more_small_talk(text: str) -> None:
    assert understand(text).intent == Intent.SMALLTALK


@pytest.mark.parametrize(
    "text",
    [
        "gpp kak santai aja",
        "gak apa-apa kak",
        "sukses selalu ya min",
        "you're welcome",
        "no worries",
    ],
)
def test_no_matter_welcome_and_good_wishes_are_small_talk(text: str) -> None:
    assert understand(text).intent == Intent.SMALLTALK


@pytest.mark.parametrize(
    "text",
    ["gmn cara mencegah perdagangan orang?", "how can my family avoid human trafficking?"],
)
def test_asking_how_to_avoid_trafficking_is_a_question_for_the_guides(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.QUESTION and u.topic is not None


@pytest.mark.parametrize(
    "text",
    [
        "my cousin is flying to qatar next week with an agent from our town, is that ok?",
        "someone in our village is recruiting girls for cafes in malaysia, going by boat. can we trust him?",
        "sepupu sy mau berangkat ke qatar minggu depan sama agen dari kampung, aman gak?",
    ],
)
def test_a_recruitment_under_way_told_with_a_question_is_an_offer(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize("text", ["tengkyu kak", "makaci", "thankyu min"])
def test_thanks_in_chat_spelling(text: str) -> None:
    assert understand(text).intent == Intent.SMALLTALK


@pytest.mark.parametrize(
    "text",
    [
        "kulo ditawani kerjo teng hongkong kalih sponsor, kedah mbayar 15 yuto. pripun?",  # Javanese
        "is 20 million rupiah for a caregiver job in japan too much?",
        "a man in our street is collecting 3000 dollars each to send us to work in poland, ok?",
    ],
)
def test_an_offer_in_javanese_a_price_for_a_job_or_money_gathered_is_an_offer(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize(
    "text",
    [
        "oke nanti sy coba dulu kak, makasih",
        "thanks for the quick reply",
        "makasih atas jawabannya",
    ],
)
def test_trying_later_and_thanks_for_a_reply_are_small_talk(text: str) -> None:
    assert understand(text).intent == Intent.SMALLTALK


@pytest.mark.parametrize(
    "text",
    [
        "makasih ya kak, sangat membantu sekali",
        "maaf ya kak telat balas, tadi lagi kerja",
        "semoga lancar terus kerjanya kak",
        "sorry for the late reply, I was at work",
        "hope you are doing well!",
        "good job, keep it up",
    ],
)
def test_small_talk_in_more_words_than_the_lists_hold(text: str) -> None:
    assert understand(text).intent == Intent.SMALLTALK


@pytest.mark.parametrize(
    "text",
    ["makasih kak, sy mau kerja ke korea", "thanks, I want to work in japan"],
)
def test_thanks_before_a_wish_leaves_the_wish_a_question(text: str) -> None:
    assert understand(text).intent == Intent.QUESTION


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ibu saya di arab sering tidak dikasih makan", Intent.DANGER),
        ("my sister in dubai is often given no food", Intent.DANGER),
        ("banyak TKW sering tidak dikasih makan majikan, hati-hati ya", Intent.QUESTION),
        ("many workers are often given no food, be careful", Intent.QUESTION),
    ],
)
def test_often_is_about_others_unless_the_writers_own_people_are_named(
    text: str, intent: Intent
) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "adik saya cuma bisa telpon diam-diam, hpnya disita",
        "my daughter can only message me secretly at night",
        "kalau gak capai target, kami dihukum sama bos",
        "if we miss the target they punish us",
        "sudah 3 bulan gak ada kabar sejak dibawa agennya",
        "my husband says nobody can get off the boat at the port",
    ],
)
def test_contact_in_secret_punishment_and_no_news_are_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    "text",
    [
        "saya dapat tawaran kerja di jepang, gajinya 30 juta, aman gak?",
        "I got a job offer in Dubai, 2000 dollars a month, is it legit?",
    ],
)
def test_having_got_an_offer_is_an_offer_to_check(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize(
    "text",
    [
        "banyak lowongan ke jepang tanpa tes di facebook, itu beneran?",
        "there are many job adverts for cambodia on tiktok, are they real?",
    ],
)
def test_asking_about_adverts_in_general_is_a_question(text: str) -> None:
    assert understand(text).intent == Intent.QUESTION


@pytest.mark.parametrize("text", ["yg no 3 kak", "pilihan nomor 2", "option no 2"])
def test_a_choice_with_two_words_before_its_number(text: str) -> None:
    assert understand(text).intent == Intent.NAVIGATION


@pytest.mark.parametrize(
    "text",
    [
        "katanya kalau sakit tetap disuruh kerja tanpa obat",
        "she said if she gets sick they still force her to work",
        "kalau target tidak tercapai mereka dihukum",
        "if we don't meet the target they hit us",
    ],
)
def test_a_condition_told_as_what_happens_is_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    "text",
    [
        "saya tidak pernah dipukul majikan, cuma gaji telat",
        "we are safe now, nobody beat us",
        "liat video kapal tenggelam di tiktok, serem",
        "watching a video of a boat sinking on tiktok, scary",
    ],
)
def test_harm_denied_or_watched_in_a_video_is_not_danger(text: str) -> None:
    assert understand(text).intent != Intent.DANGER


@pytest.mark.parametrize(
    "text",
    [
        "kulo dipun kurung majikan",
        "abdi teu tiasa kaluar ti bumi",
        "adik saya disuruh nemenin tamu di karaoke",
        "my sister is forced to entertain customers at the bar",
    ],
)
def test_held_in_javanese_or_sundanese_and_made_to_serve_men_is_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("ada broker datang ke rumah, katanya biayanya dipotong dari gaji. ikut gak ya?", True),
        (
            "a broker visited us and said the fees are deducted from her wages, can we trust him?",
            True,
        ),
        ("Who wants to work in Dubai? Cleaner job, 1500 AED, visa ready, fly next month", False),
        (
            "Siapa mau kerja ke Dubai? Cleaning service, gaji 6jt, visa siap, berangkat bulan depan",
            False,
        ),
        (
            "my friend forwarded 'nanny job in Riyadh, 1500 SAR, free ticket, send your passport "
            "photo' what do you think?",
            True,
        ),
        (
            "temen forward 'kerja pabrik di Malaysia gaji RM1800, tiket gratis, kirim foto paspor' "
            "menurut kakak gimana?",
            True,
        ),
    ],
)
def test_a_broker_the_fee_cut_from_pay_and_a_quoted_advert_are_offers(
    text: str, asks: bool
) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and (Intent.QUESTION in u.also) == asks


@pytest.mark.parametrize(
    "text",
    [
        "is it legal for the agency to charge me 3 months salary?",
        "apakah boleh agen minta biaya pelatihan?",
        "can an agency ask for a training fee?",
    ],
)
def test_asking_what_an_agency_may_charge_is_a_question(text: str) -> None:
    assert understand(text).intent == Intent.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "a woman at church can get my daughter a job in qatar, we don't need to pay anything now. sounds ok?",
        "tetangga bisa cariin anak saya kerja di qatar, katanya gak perlu bayar dulu. aman?",
        "I was approached on facebook for a job in laos and they pay for my flight, is it real?",
        "saya dihubungi orang di fb nawarin kerja di laos, tiket dibayarin. beneran gak?",
        "saya dibujuk calo supaya umur dituain biar bisa berangkat, bahaya gak?",
        "my recruiter says my age will be made older on paper so I can go, is that ok?",
    ],
)
def test_someone_who_can_get_a_job_or_made_contact_is_an_offer(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("bot nya canggih juga", Intent.SMALLTALK),
        ("this bot is really helpful", Intent.SMALLTALK),
        ("mundur satu", Intent.NAVIGATION),
        ("go back one", Intent.NAVIGATION),
    ],
)
def test_praise_of_the_bot_and_going_back_one(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "majikan laki-laki suka masuk kamar saya malam-malam",
        "her boss comes into her room at night",
        "kaptennya tidak mengizinkan kami turun",
        "we are never allowed to get off the ship",
        "ibu saya nangis terus, gajinya 8 bulan belum dibayar",
        "my sister is crying all the time, her employer keeps her phone",
    ],
)
def test_the_room_at_night_the_ship_and_fear_with_control_are_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    "text",
    [
        "saya takut kalau nanti gaji tidak dibayar, gimana?",
        "majikan saya suka marah-marah dan gaji telat 2 bulan, boleh pindah?",
        "I'm scared of being scammed, how do I check an agency?",
    ],
)
def test_worry_and_a_hard_employer_stay_questions(text: str) -> None:
    assert understand(text).intent == Intent.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "ada yang jual visa kerja jepang 30jt langsung jadi, beneran gak?",
        "someone on facebook is selling work permits for poland, is that real?",
        "my sister is going to qatar tomorrow with a man from the next village, is it safe?",
        "her agency can bring me to taiwan for free, is that true?",
    ],
)
def test_visas_for_sale_a_departure_with_someone_and_free_passage_are_offers(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("selamat hari raya kak, mohon maaf lahir batin", Intent.SMALLTALK),
        ("happy weekend everyone", Intent.SMALLTALK),
        ("apakah harus bayar atau gratis kalau lewat disnaker?", Intent.QUESTION),
        ("do I have to pay for the training or is it free?", Intent.QUESTION),
        ("kembali ke daftar", Intent.NAVIGATION),
        ("back to the list please", Intent.NAVIGATION),
    ],
)
def test_holiday_wishes_asking_whether_to_pay_and_back_to_the_list(
    text: str, intent: Intent
) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "anak saya kalau minta gaji diancam dilaporin polisi sama majikannya",
        "if she asks for her salary they threaten to call the police",
        "kakek yang dirawatnya suka pegang-pegang badannya",
        "the grandpa she cares for touches her body when nobody is home",
    ],
)
def test_threats_for_asking_for_pay_and_touching_are_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("majikan boleh pegang paspor kita gak sih kak", Intent.QUESTION),
        ("can the employer keep our passports kak", Intent.QUESTION),
        ("pelatihan di LPK itu wajib bayar atau gratis sih kak", Intent.QUESTION),
        ("if I report, who will see my name kak", Intent.QUESTION),
        ("ke jepang bisa mandiri tanpa lpk gak sih katanya ada jalur ssw", Intent.QUESTION),
        ("r u a bot?", Intent.SMALLTALK),
    ],
)
def test_a_question_asks_before_words_to_the_reader_and_without_its_mark(
    text: str, intent: Intent
) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "suami sy kerja di kl bosnya nahan gaji dan ngancem lapor polisi kalau dia keluar",
        "my husband works in kl, the boss holds his pay and threatens to call the police if he leaves",
        "suami sy di kapal ga pernah turun ke darat kaptennya ga ngizinin",
        "my husband has never been allowed to get off the ship",
    ],
)
def test_kl_is_a_place_and_never_is_not_long_ago(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("halo kak, bot ini bisa apa aja?", Intent.COMMAND, "help"),
        ("assalamualaikum, bot ini bisa apa aja?", Intent.COMMAND, "help"),
        ("good morning, what can you do?", Intent.COMMAND, "help"),
        ("hello, what can you do?", Intent.COMMAND, "help"),
        ("bot ini bisa apa aja? makasih", Intent.COMMAND, "help"),
        ("what can you do? thanks", Intent.COMMAND, "help"),
        ("assalamualaikum, are you a bot?", Intent.SMALLTALK, "greeting"),
        ("halo, kamu bot ya?", Intent.SMALLTALK, "greeting"),
    ],
)
def test_a_greeting_before_or_thanks_after_asking_about_the_bot(
    text: str, intent: Intent, action: str
) -> None:
    u = understand(text)
    assert u.intent == intent and u.action == action


@pytest.mark.parametrize(
    "text",
    [
        "majikannya tidak pernah membiarkan dia keluar rumah",
        "her employer never lets her out of the house",
    ],
)
def test_never_letting_her_out_is_danger(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    "text",
    [
        "Lowongan jaga lansia Taiwan, gaji 27000, potongan 9 bulan. Yg minat komen MINAT",
        "Caregiver job in Taiwan, salary 27000, deduction 9 months. Interested comment YES",
    ],
)
def test_an_advert_with_a_bare_salary_and_months_of_deduction_is_an_offer(text: str) -> None:
    assert understand(text).intent == Intent.OFFER


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("the agent hits the girls who ask to go home", Intent.DANGER),
        ("agennya mukul cewek-cewek yang minta pulang", Intent.DANGER),
        ("ke menu awal dong", Intent.NAVIGATION),
        ("go to the menu", Intent.NAVIGATION),
        ("gaji 4500 di hongkong cukup gak?", Intent.QUESTION),
    ],
)
def test_hitting_the_girls_the_first_menu_and_a_bare_salary_asked_about(
    text: str, intent: Intent
) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "majikan mengurung adik saya di gudang",
        "ibu saya diinjak majikannya",
        "my sister was choked by her employer last night",
        "they kicked my brother when he asked for his salary",
    ],
)
def test_more_roots_of_harm_in_any_form(text: str) -> None:
    assert understand(text).intent == Intent.DANGER


def test_a_departure_called_off_is_not_locking_up() -> None:
    assert understand("rencana keberangkatan diurungkan, uang saya bisa kembali?").intent != (
        Intent.DANGER
    )


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("adik saya ditarik rambutnya sama majikan", Intent.DANGER),
        ("her employer pulled her hair and pushed her down the stairs", Intent.DANGER),
        ("perusahaannya minta 80 juta supaya anak saya dilepas", Intent.DANGER),
        ("they want 5000 dollars to let my brother go", Intent.DANGER),
        ("ke bagian berikut", Intent.NAVIGATION),
        ("the next part", Intent.NAVIGATION),
    ],
)
def test_hair_pulled_a_price_to_let_go_and_the_next_part(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "my neighbour can arrange everything if we give her our passports, is it safe?",
        "tetangga bisa urus semuanya asal kita kasih paspor ke dia, aman gak?",
    ],
)
def test_someone_who_arranges_everything_for_the_passports_is_an_offer(text: str) -> None:
    u = understand(text)
    assert u.intent == Intent.OFFER and Intent.QUESTION in u.also


@pytest.mark.parametrize(
    "text",
    [
        "we are in a building with armed guards outside and we don't know where we are",
        "kami di gedung yang dijaga orang bersenjata, gak tau ada di mana",
        "the captain throws water on us if we fall asleep",
        "kaptennya nyiram air ke kami kalau ketiduran",
        "I ran from my employer's house and I'm at the station now",
        "saya kabur dari rumah majikan, sekarang di terminal",
    ],
)
def test_guards_punishment_for_sleeping_and_running_from_the_employer_are_danger(
    text: str,
) -> None:
    assert understand(text).intent == Intent.DANGER


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("got a dm offering a job in dubai, all expenses paid, legit?", Intent.OFFER),
        ("dapat dm nawarin kerja di dubai, semua biaya ditanggung, asli gak?", Intent.OFFER),
        ("what should I do if my agency asks for more money after I arrive?", Intent.QUESTION),
        ("kalau nanti agen minta uang lagi setelah sampai, harus gimana?", Intent.QUESTION),
        ("my agency asks for more money now that I arrived, what do I do?", Intent.OFFER),
        ("agen saya minta uang lagi padahal sudah sampai, harus gimana?", Intent.OFFER),
        ("hi! just wanted to say thank you", Intent.SMALLTALK),
        ("Cleaners wanted for hotels in Dubai, 1500 AED, free visa", Intent.OFFER),
    ],
)
def test_an_offer_in_a_dm_is_checked_and_one_imagined_is_a_question(
    text: str, intent: Intent
) -> None:
    assert understand(text).intent == intent


def _padded_to(cut: int, before: str, after: str) -> str:
    """A report whose folded text reaches position `cut` with `before`, then goes on with
    `after` (lower case, single spaces: folding keeps its length)."""
    text = "sy mau lapor calo, anak sy mau dibawa ke malaysia, "
    while len(text) + len("ceritanya panjang ") + len(before) <= cut - 3:
        text += "ceritanya panjang "
    text += ("abcdefghij" * 3)[: cut - len(text) - len(before) - 1] + " " + before
    return text + after


@pytest.mark.parametrize(
    ("before", "after", "code"),
    [
        ("tinggal di batu", " bara, sumatera utara", "1219"),  # not Kota Batu (3579)
        ("rumah di indra", "mayu, jawa barat", "3212"),  # not cut to "indra"
    ],
)
def test_a_place_name_across_the_read_part_is_read_whole(
    before: str, after: str, code: str
) -> None:
    # The place is looked for after a place word in the first part of a text; the name after
    # the word is read whole even where it runs past that part.
    from bot.understanding.lexicon import fold
    from bot.understanding.understander import MAX_PLACE_CHARS

    text = _padded_to(MAX_PLACE_CHARS, before, after)
    assert fold(text).index(before) + len(before) == MAX_PLACE_CHARS
    u = understand(text)
    assert u.intent == Intent.REPORT
    assert u.place == code


def test_a_cut_in_a_long_paste_is_not_read_as_its_end() -> None:
    # The spelled text of a long paste is read only to a margin past where it becomes the
    # folded text again; the cut is not the end of the message, so a pattern that asks what
    # follows ("kabur" not followed by "kabur" or "selesai") must not match there.
    import tomllib

    from bot.paths import CONTENT
    from bot.understanding import Understander
    from bot.understanding.lexicon import Lexicon
    from bot.understanding.understander import _fold_long, _Found, _Reading, key_of_folded

    data = tomllib.loads((CONTENT / "understanding.toml").read_text(encoding="utf-8"))
    data["report"]["patterns"] = ["kabur(?! kabur| selesai)"]
    u = Understander(lexicon=Lexicon(data), model=False)
    text = "sy gk tau hrs gmn, tlg dibaca ya kak. " + "kabur " * 300 + "selesai"
    tail, folded = _fold_long(text)
    found = _Found(u, text, folded, key_of_folded(folded), tail)
    assert found.spelled != found.folded  # chat spelling written out: two texts to read
    assert len(found.texts[1]) > len(found.reads[1][0])  # and the spelled one is read cut
    assert not _Reading(u, found).has(u.lexicon.report)
    assert u.understand(text).intent != Intent.REPORT


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a wish about the ones who did it, or a story read about others: no one's own people
        (
            "astaghfirullah nonton video tkw dipukul majikan, semoga pelakunya ditangkap",
            Intent.UNKNOWN,
        ),
        ("so sad reading about workers beaten on those boats", Intent.UNKNOWN),
        # out of it now, asking what comes next
        (
            "my brother was rescued from the compound last week, can the embassy help him get home?",
            Intent.QUESTION,
        ),
        # ... but still in it is danger
        ("my brother is still in the compound, they beat him yesterday", Intent.DANGER),
        # a price on leaving
        ("they said she can leave only after we pay 3000 dollars", Intent.DANGER),
        ("the agent says my wife has to work one more year to pay back the fees", Intent.DANGER),
        # a recruitment under way, told in a few words
        ("my cousin leaves tonight with the agent to saudi", Intent.OFFER),
        ("my daughter signed with an agency for hong kong last week", Intent.OFFER),
        ("adik sy lusa dijemput sponsor ke penampungan", Intent.OFFER),
        # asking about the case they reported
        ("has the volunteer looked at my report yet?", Intent.STATUS),
        ("laporan sy yg kemarin udah ada relawan nya?", Intent.STATUS),
        # Sundanese and Javanese answers in a list or a form
        ("teraskeun", Intent.NAVIGATION),
        ("leres pisan", Intent.NAVIGATION),
    ],
)
def test_forum_posts_go_to_the_right_place(text: str, intent: Intent) -> None:
    assert understand(text).intent == intent
