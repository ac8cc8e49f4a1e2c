"""The `documents` section: length limits and splitting; the old `limits.max_doc_chars` key."""

import json

import pytest

from tests.support import FIXTURES
from workbench.config import RunConfig, load_config
from workbench.errors import ConfigError


def test_defaults_read_whole_documents():
    cfg = load_config()
    assert cfg.documents.max_chars == 400_000
    assert cfg.documents.max_tokens is None and cfg.documents.chunk_tokens is None


def test_set_from_the_command_line_and_a_file(tmp_path):
    cfg = load_config(sets=["documents.chunk_tokens=2000", "documents.max_tokens=3000"])
    assert (cfg.documents.chunk_tokens, cfg.documents.max_tokens) == (2000, 3000)
    path = tmp_path / "c.toml"
    path.write_text("[documents]\nchunk_tokens = 1500\nmax_chars = 900000\n")
    cfg = load_config(path)
    assert (cfg.documents.chunk_tokens, cfg.documents.max_chars) == (1500, 900_000)


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["documents.chunk_tokens=10"], "documents.chunk_tokens"),
        (["documents.max_tokens=0"], "documents.max_tokens"),
        (
            ["documents.chunk_tokens=4000", "documents.max_tokens=3000"],
            "documents.chunk_tokens (4000) must be <= documents.max_tokens (3000)",
        ),
        (["documents.chunks=5"], "unknown config key 'documents.chunks'"),
        (
            ["limits.max_doc_chars=5", "documents.max_chars=6"],
            "limits.max_doc_chars is now documents.max_chars: set only documents.max_chars",
        ),
        (["limits.max_tokens=5"], "`limits` is now `documents`"),
    ],
)
def test_bad_values_are_one_line_errors(sets, message):
    with pytest.raises(ConfigError, match=None) as err:
        load_config(sets=sets)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_old_limits_key_still_works(tmp_path):
    assert load_config(sets=["limits.max_doc_chars=1234"]).documents.max_chars == 1234
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"limits": {"max_doc_chars": 999}, "max_rounds": 2}))
    cfg = load_config(path)
    assert cfg.documents.max_chars == 999 and "limits" not in cfg.model_dump()
    assert RunConfig(limits={"max_doc_chars": 77}).documents.max_chars == 77


def test_run_directories_written_before_still_load():
    stored = json.loads((FIXTURES / "runs" / "v0-agentic" / "config.json").read_text())["config"]
    assert stored["limits"] == {"max_doc_chars": 400000}
    cfg = RunConfig.model_validate(stored)
    assert cfg.documents.max_chars == 400_000
    # ...and the resolved form reads back identically (what a resume compares).
    again = RunConfig.model_validate(cfg.resolved().model_dump(mode="json"))
    assert again.resolved() == cfg.resolved()


def test_code_reading_the_old_attribute_gets_the_new_value():
    cfg = load_config(sets=["documents.max_chars=4321"])
    assert cfg.limits.max_doc_chars == 4321


def test_the_old_key_beside_a_documents_section_object():
    from workbench.config import Documents

    cfg = RunConfig(limits={"max_doc_chars": 50}, documents=Documents(chunk_tokens=500))
    assert (cfg.documents.max_chars, cfg.documents.chunk_tokens) == (50, 500)
