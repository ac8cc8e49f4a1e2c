import json

import pytest

from workbench.records import Appender, read_jsonl, write_json_atomic


def test_append_and_read(tmp_path):
    path = tmp_path / "r.jsonl"
    a = Appender(path)
    a.append({"n": 1})
    a.append({"n": 2, "text": "é"})
    a.close()
    assert read_jsonl(path) == [{"n": 1}, {"n": 2, "text": "é"}]


def test_torn_last_line_is_dropped(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"n": 1}\n{"n": 2}\n{"n": 3, "te')
    assert read_jsonl(path) == [{"n": 1}, {"n": 2}]


def test_corrupt_middle_line_is_an_error(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"n": 1}\ngarbage\n{"n": 3}\n')
    with pytest.raises(ValueError, match="corrupt record"):
        read_jsonl(path)


def test_atomic_json(tmp_path):
    path = tmp_path / "s.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert not list(tmp_path.glob("*.tmp"))


def test_a_background_fsynced_line_is_readable_at_once_and_close_waits_for_the_disk(tmp_path):
    path = tmp_path / "r.jsonl"
    a = Appender(path, background=True)
    for n in range(50):
        a.append({"n": n})
        assert read_jsonl(path)[-1] == {"n": n}  # flushed before append returns
    syncer = a._syncer
    assert syncer is not None and syncer.is_alive()
    a.close()
    assert not syncer.is_alive() and len(read_jsonl(path)) == 50
