"""The guidance content: both languages complete, sourced, dated, and fitting a chat message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content_check import check
from bot.directory import Directory
from bot.guidance import Library
from bot.paths import CONTENT
from bot.render import split_text


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


def test_the_shipped_content_has_no_problems() -> None:
    assert check() == []


def test_every_article_exists_in_both_languages_with_the_same_front_matter(
    library: Library,
) -> None:
    ids_id, ids_en = set(library.by_lang["id"]), set(library.by_lang["en"])
    assert ids_id == ids_en and len(ids_id) >= 12
    for article_id in ids_id:
        a, b = library.get(article_id, "id"), library.get(article_id, "en")
        assert (a.order, a.related, set(a.sources)) == (b.order, b.related, set(b.sources)), (
            article_id
        )
        assert a.sources and all(url.startswith("http") for url in a.sources)
        assert a.title != b.title  # translated, not copied


def test_every_part_fits_whatsapp_and_telegram(library: Library) -> None:
    directory = Directory.load()
    for lang in ("id", "en"):
        for article in library.topics(lang):
            for part in article.parts(directory):
                assert len(part) <= 1300, (article.id, lang, len(part))


def test_contacts_in_articles_come_from_the_directory_with_what_they_are_for(
    library: Library,
) -> None:
    text = library.get("in-trouble", "en").rendered(Directory.load())
    assert "{{" not in text
    assert "+62 812-9007-0027" in text  # the Foreign Ministry hotline, from contacts.toml
    kp2mi_wa = library.get("rights", "id").rendered(Directory.load())
    # a medium-confidence line: no homework for the reader, but the date it was last checked
    # and whether it works from abroad
    line = kp2mi_wa.split("+62 811-8080-141", 1)[1].split("\n• ", 1)[0]
    assert "Dicek 23 Nov 2026." in line and "luar negeri" in line
    assert "pastikan dulu" not in kp2mi_wa


def test_unverified_and_low_confidence_numbers_are_never_shown() -> None:
    directory = Directory.load()
    assert directory.get("kbri_riyadh") is None  # sources conflict
    assert directory.get("kbri_singapura") is None  # old, low confidence
    assert directory.render(["kbri_riyadh", "kp2mi_call_centre"]).count("•") == 1


def test_split_text_keeps_order_and_limits() -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 80 for i in range(10))
    parts = split_text(text, 500)
    assert all(len(p) <= 500 for p in parts)
    assert " ".join(parts).replace("\n", " ").split() == text.replace("\n", " ").split()
    assert split_text("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]


def test_content_check_catches_what_an_editor_might_break(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    (root / "en" / "guides" / "rights.md").unlink()
    costs = root / "id" / "guides" / "costs.md"
    costs.write_text(
        costs.read_text(encoding="utf-8") + "\nHubungi 0812-3456-7890 sekarang.\n", encoding="utf-8"
    )
    visas = root / "en" / "guides" / "visas.md"
    visas.write_text(
        visas.read_text(encoding="utf-8").replace('reviewed = "', 'reviewed = "x', 1),
        encoding="utf-8",
    )
    contacts = root / "contacts.toml"
    contacts.write_text(
        contacts.read_text(encoding="utf-8").replace(
            '\nconfidence = "medium"\n', '\nconfidence = "maybe"\n', 1
        ),
        encoding="utf-8",
    )
    problems = "\n".join(check(root))
    assert "id/guides/rights.md has no en twin" in problems
    assert "phone number '0812-3456-7890'" in problems
    assert "visas.md: reviewed is not a date" in problems
    assert "confidence must be one of" in problems


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_content_check_fails_on_a_data_entry_without_source_or_date(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert check(root) == []
    _edit(root / "emergency.toml", 'code = "MM"\n', 'code = "MM"\nsource = ""\n')
    _edit(
        root / "emergency.toml",
        'source = "contacts-research.md §2 (Myanmar), §3 (KBRI Yangon), Conflicts 10"\n',
        "",
    )
    _edit(
        root / "flag_articles.toml",
        '[informal_route]\narticle = "informal-routes"\n',
        '[informal_route]\narticle = "informal-routes"\nreviewed = "someday"\n',
    )
    _edit(
        root / "flag_articles.toml",
        'source = "domain-facts.md §3.2 (informal routes)"\nreviewed = "2026-12-01"\n',
        'source = "domain-facts.md §3.2 (informal routes)"\n',
    )
    _edit(root / "contacts.toml", 'source = "contacts-research.md §3 (KBRI Yangon)"\n', "")
    _edit(
        root / "indicators.toml",
        '[flags.passport_retention]\nsource = "domain-facts.md §3.5 (passport kept by the agency or employer)"\n',
        "[flags.passport_retention]\n",
    )
    _edit(root / "guided_check.toml", 'reviewed = "2026-12-01"\n', 'reviewed = "2099-01-01"\n')
    problems = "\n".join(check(root))
    assert "emergency.toml: country[13] (MM): source is missing or empty" in problems
    assert "flag_articles.toml: informal_route: reviewed is missing or not a date" in problems
    assert "contacts.toml: contact kbri_yangon: source is missing or empty" in problems
    assert "indicators.toml: flags.passport_retention: source is missing or empty" in problems
    assert (
        "guided_check.toml: question[0] (country): reviewed date 2099-01-01 is in the future"
        in problems
    )


def test_content_check_refuses_an_indonesia_only_line_for_someone_abroad(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root / "emergency.toml",
        'then = ["kemlu_hotline"]',
        'then = ["kp2mi_call_centre", "kemlu_hotline"]',
    )
    _edit(
        root / "emergency.toml",
        'local = ["kh_police_117"]',
        'local = ["polri_110", "kh_police_117"]',
    )
    problems = "\n".join(check(root))
    assert "abroad.then: 'kp2mi_call_centre' only works inside ID" in problems
    assert "country[12] (KH).local: 'polri_110' only works inside ID" in problems


def test_content_check_refuses_numbered_steps_and_a_part_ending_on_a_colon(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root / "en" / "guides" / "costs.md", "- housekeeper", "1. housekeeper")
    problems = "\n".join(check(root))
    assert "en/guides/costs.md: numbered line '1. housekeeper' reads like a menu choice" in problems
    # a lead-in and the contacts it announces stay in one part
    library = Library.load(root)
    directory = Directory.load(root / "contacts.toml")
    for lang in ("id", "en"):
        for article in library.topics(lang):
            parts = article.parts(directory)
            assert all(not p.rstrip().endswith(":") for p in parts[:-1]), article.id


def test_stale_lists_contacts_checked_too_long_ago(tmp_path: Path) -> None:
    from datetime import date

    from bot.content_check import stale

    root = _copy(tmp_path)
    text = (root / "contacts.toml").read_text(encoding="utf-8")
    start = text.index('id = "kbri_yangon"')
    end = text.index('checked = "', start)
    text = text[:end] + 'checked = "2025-01-15"' + text[end + len('checked = "2026-12-01"') :]
    (root / "contacts.toml").write_text(text, encoding="utf-8")
    rows = stale(300, root, today=date(2026, 12, 1))
    assert rows == ["kbri_yangon: checked 2025-01-15 (685 days ago), high: +95 9 503 7055"]
    assert len(stale(5, root, today=date(2026, 12, 1))) > len(rows)  # the 2026-11-23 ones too
    assert stale(10_000, root, today=date(2026, 12, 1)) == []


def test_content_check_stale_on_the_command_line() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    fresh = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", "--stale", "100000"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
    )
    assert fresh.returncode == 0 and "every contact was checked" in fresh.stdout
    old = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", "--stale", "0"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
    )
    assert old.returncode == 1
    assert "kp2mi_call_centre: checked 2026-11-23" in old.stdout


def test_content_check_wants_each_acronym_explained_where_an_article_first_uses_it(
    tmp_path: Path,
) -> None:
    from bot.content_check import unexplained_acronyms

    assert unexplained_acronyms("Ask BP3MI (the ministry's office) first. BP3MI helps.") == []
    assert unexplained_acronyms("Ask the ministry's office (BP3MI) first.") == []
    assert unexplained_acronyms("Ask BP3MI first. BP3MI is the ministry's office.") == []
    assert unexplained_acronyms("Ask BP3MI first.\n\nBP3MI is the office.") == ["BP3MI"]
    root = _copy(tmp_path)
    _edit(
        root / "en" / "guides" / "visas.md",
        "signed employment contract (PK)",
        "signed PK",
    )
    problems = "\n".join(check(root))
    assert "en/guides/visas.md: PK is not explained where it is first used" in problems
