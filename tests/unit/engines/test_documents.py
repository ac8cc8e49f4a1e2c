"""Which documents a run reads and whether each fits the challenger: limits and messages."""

import pytest

from workbench.config import load_config
from workbench.engines import check_fit, read_documents
from workbench.engines._documents import TokenLimit, prompt_room, token_limit, too_long
from workbench.errors import DocumentError
from workbench.inputs import Document, long_example, text_tokens
from workbench.roles import load_prompts


def test_the_tighter_limit_wins():
    assert token_limit(None, None, 500) is None
    assert token_limit(3000, None, 500) == TokenLimit(3000, "documents.max_tokens")
    window = token_limit(None, 8192, 4700)
    assert window.tokens == 3492 and "context window 8,192 less 4,700" in window.why
    assert token_limit(3000, 8192, 4700).tokens == 3000
    assert token_limit(5000, 8192, 4700).tokens == 3492
    assert token_limit(None, 4000, 4700).tokens == 0


def test_the_refusal_names_document_size_limit_model_and_the_fix():
    doc = Document("case-17", "x" * 30_000, "case-17.txt")
    limit = TokenLimit(3492, "context window 8,192 less 4,700 for the prompt and the reply")
    line = too_long(doc, limit, "openai/gpt-4", None)
    for part in (
        "document case-17 is 10,000 tokens",
        "3,492-token limit",
        "openai/gpt-4",
        "context window 8,192",
        "set documents.chunk_tokens (e.g. --set documents.chunk_tokens=3492)",
    ):
        assert part in line, part
    assert "\n" not in line
    assert too_long(doc, TokenLimit(10_000, "documents.max_tokens"), "m", None) == ""
    assert too_long(doc, None, "m", None) == ""
    section = Document("case-17#s1", "x" * 9000, "case-17.txt", parent="case-17")
    chunked = too_long(section, TokenLimit(2000, "documents.max_tokens"), "m", 3000)
    assert "set documents.chunk_tokens to at most 2,000 (now 3,000)" in chunked
    tiny = too_long(doc, TokenLimit(40, "documents.max_tokens"), "m", None)
    assert "too little for any section" in tiny


def test_room_is_the_prompt_without_the_document_plus_the_reply_cap():
    cfg = load_config(sets=["models.challenger.max_tokens=1000"])
    prompts = load_prompts()
    room = prompt_room(cfg, prompts)
    template = prompts.prompts["challenger"].text
    # The template holds both rubric styles' instructions; one of them is rendered.
    assert 1000 + text_tokens(template) // 3 < room < 1000 + 2 * text_tokens(template) + 500
    more = prompt_room(load_config(sets=["models.challenger.max_tokens=3000"]), prompts)
    assert more - room == 2000


def test_a_document_over_the_local_models_window_is_refused():
    cfg = load_config(sets=["models.challenger=local/smollm2"])
    docs = read_documents([long_example()], cfg)
    with pytest.raises(DocumentError) as err:
        check_fit(docs, cfg, load_prompts())
    message = str(err.value)
    assert "document us-constitution is 8,825 tokens" in message and "local/smollm2" in message
    assert "context window 8,192" in message and "documents.chunk_tokens" in message
    chunked = load_config(sets=["models.challenger=local/smollm2", "documents.chunk_tokens=2000"])
    sections = read_documents([long_example()], chunked)
    check_fit(sections, chunked, load_prompts())  # every section fits
    assert [s.parent for s in sections] == ["us-constitution"] * len(sections)


def test_the_simulator_has_no_window_only_max_tokens_applies():
    cfg = load_config()
    docs = read_documents([long_example()], cfg)
    check_fit(docs, cfg, load_prompts())
    capped = load_config(sets=["documents.max_tokens=5000"])
    with pytest.raises(
        DocumentError, match=r"over the 5,000-token limit .* \(documents.max_tokens\)"
    ):
        check_fit(docs, capped, load_prompts())
