"""Transcript readers: front matter, turns, offsets, encodings, bad input."""

from __future__ import annotations

import codecs
import string
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualbst.corpus.readers import read_corpus, read_document, read_markdown
from qualbst.errors import CorpusError, ValidationError
from qualbst.segments import segment_document

from .conftest import DOC_A


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_bytes(text.encode("utf-8"))
    else:
        path.write_bytes(text)
    return path


def test_markdown_front_matter_turns_and_offsets(tmp_path: Path) -> None:
    doc = read_markdown(write(tmp_path / "a.md", DOC_A))
    assert doc.id == "doc-a" and doc.language == "id"
    assert doc.informant == "Informan 1" and doc.agency == "kelurahan"
    assert doc.meta["synthetic"] is True
    # 4 turns: P, I1 (two paragraphs, one continuation line), P, I1
    assert [(t.index, t.speaker, t.role) for t in doc.turns] == [
        (1, "P", "interviewer"),
        (2, "I1", "informant"),
        (3, "P", "interviewer"),
        (4, "I1", "informant"),
    ]
    second = doc.turn_text(doc.turns[1])
    assert second.startswith("Undangan dari PT. Pos") and second.endswith("cek ulang dengan RT.")
    # The body starts after the closing '---' line: line 10 of the file.
    assert doc.body.startswith("P: Bagaimana") and doc.turns[0].line == 10
    assert doc.turns[1].line == 11 and doc.turns[3].line == 16


def test_crlf_and_bom_are_normalised_before_offsets(tmp_path: Path) -> None:
    plain = read_markdown(write(tmp_path / "a.md", DOC_A))
    crlf = read_markdown(write(tmp_path / "b.md", codecs.BOM_UTF8 + DOC_A.replace("\n", "\r\n").encode()))
    utf16 = read_markdown(write(tmp_path / "c.md", DOC_A.encode("utf-16")))
    assert plain.body == crlf.body == utf16.body
    assert plain.turns == crlf.turns == utf16.turns


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("---\nid: [a\n---\nP: x\n", "malformed YAML front matter", 2),
        (
            "---\nlanguage: id\nspeakers: {P: interviewer}\n---\nP: x\n",
            "required field 'id' is missing",
            1,
        ),
        ("---\nid: a\nlanguage: id\n---\nP: x\n", "required field 'speakers' is missing", 1),
        ("---\nid: a\nlanguage: fr\nspeakers: {P: x}\n---\nP: x\n", "'language' must be one of", 1),
        ("---\nid: A B\nlanguage: id\nspeakers: {P: x}\n---\nP: x\n", "'id' must be lowercase", 1),
        (
            "---\nid: a\nlanguage: id\nspeakers: {P: x}\n---\nP: x\nQ: y\n",
            "turn label 'Q' is not in speakers",
            7,
        ),
        ("---\nid: a\nlanguage: id\nspeakers: {P: x}\n---\n\n\n", "empty transcript", 6),
        (
            "---\nid: a\nlanguage: id\nspeakers: {P: x}\n---\nhello\nP: x\n",
            "text before the first turn",
            6,
        ),
        ("id: a\n", "no YAML front matter", 1),
        ("---\nid: a\n", "front matter is not closed", 1),
    ],
)
def test_bad_transcripts_name_file_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path / "bad.md", text)
    with pytest.raises(CorpusError, match=message) as info:
        read_markdown(path)
    assert info.value.file == str(path) and info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_undecodable_bytes_name_byte_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.md", DOC_A.encode() + b"\xff\xfe oops\n")
    with pytest.raises(CorpusError, match=r"byte 0xff at byte offset \d+") as info:
        read_markdown(path)
    assert info.value.line == DOC_A.count("\n") + 1


def test_duplicate_document_id_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a.md", DOC_A)
    write(tmp_path / "b.md", DOC_A)
    with pytest.raises(ValidationError, match="document id 'doc-a' is already used by"):
        read_corpus(tmp_path)


def test_txt_docx_and_vtt_read_to_the_same_model(tmp_path: Path) -> None:
    write(tmp_path / "cases.csv", "file,language,informant,speakers\n"
          "t,id,Informan 2,\"{P: interviewer, I2: informant}\"\nw,id,Informan 3,\nv,id,,\n")  # fmt: skip
    write(tmp_path / "t.txt", "P: Siapa yang kirim?\nI2: Kantor Pos kirim ke kecamatan.\n")
    word = docx.Document()
    word.add_paragraph("P: Siapa yang kirim?")
    word.add_paragraph("I3: Kantor Pos kirim ke kecamatan.")
    word.save(str(tmp_path / "w.docx"))
    write(tmp_path / "v.vtt", "WEBVTT\n\n00:00.000 --> 00:02.000\n<v P>Siapa yang kirim?\n\n"
          "00:02.000 --> 00:04.000\n<v I4>Kantor Pos kirim\n\n00:04.000 --> 00:05.000\n<v I4>ke kecamatan.\n")  # fmt: skip
    docs = {d.id: d for d in read_corpus(tmp_path)}
    assert sorted(docs) == ["t", "v", "w"]
    for doc in docs.values():
        assert [t.role for t in doc.turns] == ["interviewer", "informant"]
        assert doc.turn_text(doc.turns[1]).split() == ["Kantor", "Pos", "kirim", "ke", "kecamatan."]
    assert docs["t"].informant == "Informan 2" and docs["w"].speakers["I3"] == "informant"


def test_transcript_without_metadata_row_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "t.txt", "P: x\nI1: y\n")
    with pytest.raises(ValidationError, match=r"no 'language' for t\.txt"):
        read_corpus(tmp_path)


# -- property: for every reader and every segment, body[start:end] == text -----

WORDS = st.text(alphabet=string.ascii_letters + "éñ", min_size=1, max_size=8)
SENTENCE = st.lists(WORDS, min_size=1, max_size=8).map(lambda ws: " ".join(ws) + st_end())


def st_end() -> str:
    return "."


TURN = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)
TURNS = st.lists(TURN, min_size=1, max_size=6)


def _write_all(folder: Path, turns: list[str], crlf: bool) -> None:
    labels = ["P" if i % 2 == 0 else "I1" for i in range(len(turns))]
    lines = [f"{lab}: {text}" for lab, text in zip(labels, turns, strict=True)]
    newline = "\r\n" if crlf else "\n"
    front = "---\nid: m\nlanguage: id\nspeakers: {P: interviewer, I1: informant}\n---\n"
    write(folder / "m.md", (front + "\n".join(lines) + "\n").replace("\n", newline))
    write(folder / "t.txt", newline.join(lines))
    word = docx.Document()
    for line in lines:
        word.add_paragraph(line)
    word.save(str(folder / "w.docx"))
    cues = [f"00:{i:02d}.000 --> 00:{i:02d}.500\n<v {lab}>{text}" for i, (lab, text)
            in enumerate(zip(labels, turns, strict=True))]  # fmt: skip
    write(folder / "v.vtt", "WEBVTT\n\n" + "\n\n".join(cues) + "\n")
    write(folder / "cases.csv", "file,language,speakers\n" + "".join(
        f'{s},id,"{{P: interviewer, I1: informant}}"\n' for s in ("t", "w", "v")))  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=TURNS, crlf=st.booleans())
def test_every_segment_is_its_body_slice_for_every_reader(tmp_path_factory, turns, crlf) -> None:
    folder = tmp_path_factory.mktemp("prop")
    _write_all(folder, turns, crlf)
    for path in sorted(folder.iterdir()):
        if path.name == "cases.csv":
            continue
        from qualbst.corpus.readers import read_cases

        doc = read_document(path, read_cases(folder / "cases.csv"))
        assert len(doc.turns) == len(turns)
        rows = segment_document(doc)
        assert rows, path
        for row in rows:
            assert doc.body[row["start"] : row["end"]] == row["text"]
        # The segments cover every word of every turn, in order.
        assert " ".join(r["text"] for r in rows).split() == " ".join(turns).split()
