import pytest

from tests.support import DOCS
from workbench.errors import DocumentError
from workbench.inputs import Document, fingerprint, load_documents


def test_bundled_examples_by_default():
    docs = load_documents(None, 400_000)
    assert [d.id for d in docs][:2] == ["article-i", "article-ii"] and len(docs) == 8


def test_files_folders_and_jsonl(tmp_path):
    (tmp_path / "a.md").write_text("# A\nSome text here.")
    (tmp_path / "b.jsonl").write_text('{"id": "x", "text": "first"}\n\n{"text": "second"}\n')
    docs = load_documents([tmp_path], 1000)
    assert [d.id for d in docs] == ["a", "x", "b:3"]
    assert load_documents([DOCS / "article-vii.txt"], 1000)[0].id == "article-vii"


def test_python_objects():
    docs = load_documents([Document("d", "text", "mem"), {"id": "e", "text": "more"}], 100)
    assert [d.id for d in docs] == ["d", "e"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"  \n\t", "document is empty"),
        ("bin.txt", b"\x89PNG\r\n\x00\x00data", "looks binary"),
        ("latin.txt", b"caf\xe9 au lait", "not valid UTF-8 (byte 0xe9 at offset 3)"),
        ("doc.pdf", b"%PDF-1.4", "unsupported document type .pdf"),
        ("bad.jsonl", b'{"text": "ok"}\n{nope\n', "bad.jsonl:2: not valid JSON"),
        ("notext.jsonl", b'{"body": "x"}\n', 'needs a "text" field'),
        ("surrogate.jsonl", b'{"text": "abc \\ud800 def"}\n', "lone surrogate"),
    ],
)
def test_bad_documents(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        load_documents([path], 1000)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_and_too_large(tmp_path):
    with pytest.raises(DocumentError, match="no such document"):
        load_documents([tmp_path / "nope.txt"], 1000)
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    with pytest.raises(DocumentError, match="over the 100-character limit"):
        load_documents([big], 100)


def test_empty_folder_and_duplicate_ids(tmp_path):
    with pytest.raises(DocumentError, match="folder has no"):
        load_documents([tmp_path], 1000)
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(DocumentError, match="share the id 'a'"):
        load_documents([tmp_path / "a.txt", tmp_path / "a.txt"], 1000)


def test_fingerprint_changes_with_text():
    a = [Document("d", "one", "m")]
    assert fingerprint(a) == fingerprint([Document("d", "one", "other")])
    assert fingerprint(a) != fingerprint([Document("d", "two", "m")])
