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
