"""Splitting long documents into sections: boundaries, sizes, ids, determinism, no empty ones."""

import re

import pytest

from workbench.errors import DocumentError
from workbench.inputs import (
    Document,
    doc_sections,
    is_heading,
    load_documents,
    long_example,
    section_order,
    split_documents,
    split_text,
    text_tokens,
)
from workbench.model import estimate_tokens


def words(text: str) -> list[str]:
    return text.split()


def para(n: int, word: str = "clause") -> str:
    """A paragraph of `n` sentences of about 40 characters each."""
    return " ".join(f"The {word} number {i} binds every State." for i in range(n))


@pytest.mark.parametrize(
    "line",
    [
        "I.",
        "IV.",
        "Section 3",
        "Section. 2.",
        "Article. I.",
        "PART II",
        "Part 4 - Remedies",
        "## Holding",
        "# 1. Facts",
        "OPINION OF THE COURT",
        "§ 12",
        "3. Definitions",
        "Chapter 7",
    ],
)
def test_headings(line):
    assert is_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "The Congress shall have Power To lay and collect Taxes.",
        "Parts of the record were sealed.",
        "Section did not apply.",
        "Clause 1: The House of Representatives shall be composed of Members chosen every "
        "second Year by the People of the several States.",
        "WHEREAS,",
        "#hashtag",
        "I",
        "SECTION 1. " + "A" * 90,  # too long for a heading
    ],
)
def test_not_headings(line):
    assert not is_heading(line)


def test_a_short_document_is_not_split_and_keeps_its_id():
    doc = Document("case-17", "Short text.\n\nTwo paragraphs.", "mem")
    assert doc_sections(doc, 100) == [doc]
    assert split_documents([doc], 100) == [doc]
    assert split_documents([doc], None) == [doc]


def test_sections_break_at_headings_fit_and_keep_every_word():
    parts = [f"Section {k}.\n\n{para(12, f'w{k}')}\n\n{para(8, f'x{k}')}" for k in range(1, 7)]
    text = "OPINION OF THE COURT\n\n" + "\n\n".join(parts)
    doc = Document("case-17", text, "cases/case-17.txt")
    limit = 400
    sections = doc_sections(doc, limit)
    assert [s.id for s in sections] == [f"case-17#s{k}" for k in range(1, len(sections) + 1)]
    assert len(sections) > 1
    assert all(s.parent == "case-17" and s.source == doc.source for s in sections)
    assert all(0 < text_tokens(s.text) <= limit for s in sections)
    assert words("\n".join(s.text for s in sections)) == words(text)  # nothing lost or repeated
    # Each part (~ 20 sentences x 40 chars = 270 tokens) fits: every section starts at a heading.
    assert all(re.match(r"(OPINION|Section \d\.)", s.text) for s in sections)
    # ...and a section holds whole parts: no part is split across two sections.
    for k in range(1, 7):
        assert sum(f"w{k} " in s.text for s in sections) == 1


def test_a_part_too_long_splits_at_paragraphs_then_sentences():
    text = f"Article. I.\n\n{para(30)}\n\n{para(30, 'rule')}"
    sections = split_text(text, 300)
    assert all(text_tokens(s) <= 300 for s in sections)
    assert sections[0].startswith("Article. I.")  # the heading stays with the text under it
    # Paragraph boundaries first: no section mixes the two paragraphs unless both fit.
    assert not any("clause" in s and "rule" in s for s in sections)
    # Sentences are never cut in the middle when sentence boundaries exist.
    assert all(s.endswith(".") for s in sections)
    assert words(" ".join(sections)) == words(text)


def test_a_run_of_headings_stays_with_the_text_below():
    text = "\n\n".join(
        ["Article. I.", "Section 1.", para(20), "Article. II.", "Section. 1.", para(20, "power")]
    )
    sections = split_text(text, 300)
    assert [s.splitlines()[0] for s in sections] == ["Article. I.", "Article. II."]


def test_a_single_huge_paragraph_is_cut_at_sentences_then_hard_cut():
    one_paragraph = para(200)  # no blank line, no heading: 200 sentences
    sections = split_text(one_paragraph, 150)
    assert len(sections) > 10 and all(0 < text_tokens(s) <= 150 for s in sections)
    assert all(s.startswith("The clause") and s.endswith("State.") for s in sections)
    no_sentences = "word " * 5000 + "x" * 2000  # no sentence end, then one endless "word"
    cut = split_text(no_sentences, 120)
    assert all(0 < text_tokens(s) <= 120 for s in cut)
    assert "".join(words(" ".join(cut))[:5000]) == "word" * 5000  # words are not split...
    assert "".join(cut).replace("word", "").replace(" ", "") == "x" * 2000  # ...until they must


def test_no_empty_sections_from_blank_runs_and_whitespace():
    text = "\n\n\n   \n" + "\n \n\n".join(para(6) for _ in range(12)) + "\n\n\t\n\n"
    sections = split_text(text, 200)
    assert sections and all(s.strip() == s and s for s in sections)
    assert words(" ".join(sections)) == words(text)


def test_splitting_is_deterministic_and_idempotent():
    doc = load_documents([long_example()], 400_000)[0]
    first = split_documents([doc], 2000)
    again = split_documents([load_documents([long_example()], 400_000)[0]], 2000)
    assert first == again
    # A section given again (the notebooks pass Documents back to `run`) is not split again.
    assert split_documents(first, 2000) == first


def test_the_bundled_long_text_splits_on_its_articles_and_sections():
    doc = load_documents([long_example()], 400_000)[0]
    assert doc.id == "us-constitution" and text_tokens(doc.text) > 8000
    sections = split_documents([doc], 2000)
    assert 5 <= len(sections) <= 8
    assert all(text_tokens(s.text) <= 2000 for s in sections)
    assert sections[0].text.startswith("THE CONSTITUTION OF THE UNITED STATES")
    assert all(re.match(r"(Article|Section)\.? ?[IVX0-9]+\.", s.text) for s in sections[1:])
    assert words("\n".join(s.text for s in sections)) == words(doc.text)


def test_a_section_id_that_collides_with_a_document_id_is_an_error():
    long = Document("a", para(100), "a.txt")
    taken = Document("a#s1", "Already named like a section.", "b.txt")
    with pytest.raises(DocumentError, match="two documents share the id 'a#s1'"):
        split_documents([long, taken], 200)


def test_one_token_estimate_everywhere():
    text = para(50)
    prompt, _ = estimate_tokens({"messages": [{"content": text}], "max_tokens": 10})
    assert prompt == text_tokens(text) + 32  # the request estimate is the text's, plus framing


def test_a_heading_is_never_a_section_alone():
    text = f"{para(5)}\n\nSection 2.\n\n{para(30)}\n\nPART III\n\n{para(40, 'power')}"
    sections = split_text(text, 300)
    assert not any(is_heading(s) for s in sections)
    assert [s for s in sections if s.startswith(("Section 2.", "PART III"))] and all(
        len(s.splitlines()) > 1 for s in sections if s.startswith(("Section", "PART"))
    )


def test_sections_sort_in_their_order():
    ids = ["b", "a#s10", "a#s2", "a", "a#s1", "a#sx", "c#s3"]
    assert sorted(ids, key=section_order) == ["a", "a#s1", "a#s2", "a#s10", "a#sx", "b", "c#s3"]
