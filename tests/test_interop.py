"""REFI-QDA codebooks and projects, spreadsheets: qualbst.interop."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from qualbst.codebook import Agency, Code, Codebook, load_codebook
from qualbst.coding.manual import read_codings
from qualbst.corpus.readers import read_corpus
from qualbst.errors import CodebookError, CodingsError, QualbstError
from qualbst.interop import (
    code_guid,
    codebook_table,
    export_qdpx,
    import_qdpx,
    read_qdc,
    validate_qdc,
    validate_qdpx,
    write_codebook,
    write_qdc,
    write_xlsx,
)
from qualbst.interop.refi import FIELDS_MARKER, QUALBST_NAMESPACE
from qualbst.pipeline import Project, load_project
from qualbst.segments import segment_corpus

ROOT = Path(__file__).resolve().parents[1]
REFI = ROOT.parent / "shared" / "refi-qda"
VALIDATOR = REFI / "validate_refi.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "refi"
NS = {"q": "urn:QDA-XML:project:1.0"}
KEY = ["document", "code", "coder", "start", "end"]

needs_shared = pytest.mark.skipif(
    not VALIDATOR.is_file(), reason=f"the REFI-QDA validator and fixtures are not at {REFI}"
)


def run_validator(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VALIDATOR), "--schema-dir", str(REFI), "--strict", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def load(paths: dict[str, Path]) -> Project:
    return load_project(interviews=paths["interviews"], codebook=paths["codebook"], codings=paths["codings"])


def qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def make_qdpx(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


SIMPLE_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="test">
  <Users><User guid="00000000-0000-4000-8000-000000000001" name="ana"/></Users>
  <CodeBook><Codes>
    <Code guid="10000000-0000-4000-8000-000000000001" name="Handoff" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="20000000-0000-4000-8000-000000000001" name="Talk" plainTextPath="internal://t.txt">
      {selections}
    </TextSource>
  </Sources>
</Project>"""
SIMPLE_TEXT = "Q: Who pays?\nA: The post office pays."
#                 0123456789012 3456789012345678901234
# "The post office pays." starts at 16 and ends at 37 (exclusive).


def selection(
    start: int, end: int, code: str = "10000000-0000-4000-8000-000000000001", name: str = "s"
) -> str:
    return (
        f'<PlainTextSelection guid="{uuid.uuid4()}" name="{name}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{uuid.uuid4()}" creatingUser="00000000-0000-4000-8000-000000000001">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def simple_qdpx(path: Path, selections: str) -> Path:
    return make_qdpx(
        path, {"project.qde": SIMPLE_QDE.format(selections=selections), "Sources/t.txt": SIMPLE_TEXT}
    )


# ---------------------------------------------------------------- codebook (.qdc)


def rich_codebook() -> Codebook:
    codes = (
        Code("aspect", "Aspek", name_en="Aspects", definition="A category.", codable=False, color="#1F77B4"),
        Code(
            "aspect.parties",
            "Pihak",
            name_en="Parties",
            definition="Who is involved — and what they do.",
            color="#6BAED6",
            include=("roles named", "kami/kita"),
            exclude=("a mere list",),
            examples={"id": ("Pos yang bayar 😀",), "en": ()},
            cues={"id": ("peran", "tugas*"), "en": ("role",)},
            requires={"agencies": 2},
            extra={"note": "kept", "weights": [1, 2]},
        ),
        Code("obstacle", "Pihak", definition="Same name as aspect.parties: made unique.", codable=False),
        Code("obstacle.moved", "Pindah", definition="Moved away."),
    )
    agencies = (
        Agency("pos", "PT Pos Indonesia", name_en="Post", level="paying agent", aliases=("Kantor Pos",)),
        Agency("kpm", "KPM", level="recipients", parent="pos"),
    )
    return Codebook(codes, agencies)


def by_id(codebook: Codebook) -> dict[str, Code]:
    return {c.id: c for c in codebook.codes}


def test_qdc_round_trip_keeps_every_field(tmp_path: Path) -> None:
    book = rich_codebook()
    back = read_qdc(write_qdc(book, tmp_path / "c.qdc"))
    assert by_id(back) == by_id(book)
    assert back.agencies == book.agencies
    # Pre-order of the hierarchy: parents first, children under them.
    assert [c.id for c in back.codes] == ["aspect", "aspect.parties", "obstacle", "obstacle.moved"]


def test_qdc_round_trip_of_the_fixture_codebook(project: dict[str, Path], tmp_path: Path) -> None:
    book = load_codebook(project["codebook"])
    back = read_qdc(write_qdc(book, tmp_path / "c.qdc"))
    assert by_id(back) == by_id(book)
    assert back.agencies == book.agencies


def test_qdc_structure_names_and_guids(tmp_path: Path) -> None:
    root = etree.parse(str(write_qdc(rich_codebook(), tmp_path / "c.qdc"))).getroot()
    assert root.get("origin", "").startswith("qualbst")
    codes = root.findall(".//{urn:QDA-XML:codebook:1.0}Code")
    names = [c.get("name") for c in codes]
    # Two codes are named "Pihak"; each gets its id appended so names stay unique.
    assert names == ["Aspek", "Pihak (aspect.parties)", "Pihak (obstacle)", "Pindah"]
    # The GUID is uuid5 over "code:<id>" in qualbst's namespace, in every export.
    assert codes[1].get("guid") == str(uuid.uuid5(QUALBST_NAMESPACE, "code:aspect.parties"))
    assert code_guid("aspect.parties") == codes[1].get("guid")
    # Children nest in their parent; a category is not codable.
    assert codes[1].getparent() is codes[0] and codes[0].get("isCodable") == "false"
    description = codes[1].findtext("{urn:QDA-XML:codebook:1.0}Description")
    assert description.startswith(
        "Who is involved — and what they do.\n\n" + FIELDS_MARKER + "\nid: aspect.parties"
    )


def test_qdc_is_valid_and_byte_stable(tmp_path: Path) -> None:
    first = write_qdc(rich_codebook(), tmp_path / "a.qdc")
    second = write_qdc(rich_codebook(), tmp_path / "b.qdc")
    assert first.read_bytes() == second.read_bytes()
    assert validate_qdc(first) == []
    assert b"\r" not in first.read_bytes() and not first.read_bytes().startswith(b"\xef\xbb\xbf")


@needs_shared
def test_qdc_passes_the_refi_validator(tmp_path: Path) -> None:
    result = run_validator(write_qdc(rich_codebook(), tmp_path / "c.qdc"))
    assert result.returncode == 0, result.stdout


def test_read_a_foreign_qdc_with_names_only(tmp_path: Path) -> None:
    path = tmp_path / "foreign.qdc"
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Other tool"><Codes>'
        '<Code guid="{A0000000-0000-4000-8000-000000000001}" name="Café talk" isCodable="false" color="#C33">'
        "<Description>About coffee.</Description>"
        '<Code guid="A0000000-0000-4000-8000-000000000002" name="Cold" isCodable="true"/>'
        '<Code guid="A0000000-0000-4000-8000-000000000003" name="Cold" isCodable="true"/>'
        '</Code><Code guid="A0000000-0000-4000-8000-000000000004" name="2nd wave" isCodable="true"/>'
        "</Codes></CodeBook>",
        encoding="utf-8",
    )
    book = read_qdc(path)
    # Ids from names along the hierarchy; a repeated name gets -2; a leading digit a prefix.
    assert [c.id for c in book.codes] == ["cafe-talk", "cafe-talk.cold", "cafe-talk.cold-2", "code-2nd-wave"]
    first = book.codes[0]
    assert (first.name, first.definition, first.color, first.codable) == (
        "Café talk",
        "About coffee.",
        "#CC3333",
        False,
    )
    assert book.codes[1].definition == "" and book.codes[1].parent == "cafe-talk"
    assert book.agencies == ()


@needs_shared
def test_read_the_shared_synthetic_qdc() -> None:
    book = read_qdc(REFI / "fixtures" / "synthetic_valid_codebook.qdc")
    assert [(c.id, c.codable) for c in book.codes] == [
        ("experience", False),
        ("experience.positive", True),
        ("experience.negative", True),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<Project/>", "expected a REFI-QDA <CodeBook>"),
        ("<CodeBook><Codes>", "not well-formed XML"),
        ('<!DOCTYPE c [<!ENTITY e "x">]><CodeBook/>', "DOCTYPE and ENTITY declarations are refused"),
        (
            '<CodeBook><Codes><Code guid="a0000000-0000-4000-8000-000000000001" name="X" isCodable="true">'
            f"<Description>d\n{FIELDS_MARKER}\nid: [unclosed</Description></Code></Codes></CodeBook>",
            "code 'X': malformed qualbst fields",
        ),
        (
            '<CodeBook><Codes><Code guid="a0000000-0000-4000-8000-000000000001" name="X" isCodable="true">'
            f"<Description>d\n{FIELDS_MARKER}\nid: x\n</Description></Code>"
            '<Code guid="a0000000-0000-4000-8000-000000000002" name="Y" isCodable="true">'
            f"<Description>d\n{FIELDS_MARKER}\nid: x\n</Description></Code></Codes></CodeBook>",
            "code 'Y': id 'x' is used twice",
        ),
    ],
)
def test_read_qdc_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.qdc"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        read_qdc(path)


def test_read_qdc_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="file not found"):
        read_qdc(tmp_path / "nope.qdc")


@pytest.mark.parametrize(
    ("book", "message"),
    [
        (Codebook((), ()), "the codebook has no codes"),
        (Codebook((Code("a.b", "B", definition="d"),), ()), "its parent 'a' is not in the codebook"),
        (Codebook((Code("a", "A", definition="d", color="red"),), ()), "six-digit #RRGGBB"),
    ],
)
def test_write_qdc_errors(tmp_path: Path, book: Codebook, message: str) -> None:
    with pytest.raises(CodebookError, match=message):
        write_qdc(book, tmp_path / "c.qdc")
    assert not (tmp_path / "c.qdc").exists()


def test_write_codebook_reads_back_with_the_loader(tmp_path: Path) -> None:
    book = rich_codebook()
    write_codebook(book, tmp_path / "codebook", header="made in a test")
    back = load_codebook(tmp_path / "codebook", require_contract_ids=False)
    assert by_id(back) == by_id(book) and back.agencies == book.agencies
    assert (
        (tmp_path / "codebook" / "codebook.yaml").read_text(encoding="utf-8").startswith("# made in a test\n")
    )


def test_shipped_codebook_qdc_matches_codebook_yaml() -> None:
    """codebook/codebook.qdc is the shipped codebook; regenerate it with write_qdc when the YAML changes."""
    shipped = load_codebook(ROOT / "codebook")
    back = read_qdc(ROOT / "codebook" / "codebook.qdc")
    assert by_id(back) == by_id(shipped)
    assert back.agencies == shipped.agencies


# ---------------------------------------------------------------- project export


NON_ASCII_DOC = """---
id: doc-c
informant: Informan 9
language: id
date: 2022-05-30
speakers: {P: interviewer, I9: informant}
---
P: Bagaimana di kafé dekat kelurahan? 😀
I9: Undangan dari PT. Pos sudah sampai 🙂 ke RT/RW. Lalu kami cek lagi, né.
"""
CODINGS_B = """document,code,coder,quote,memo
doc-c,interdependence.sequential,coder-b,Undangan dari PT. Pos sudah sampai 🙂 ke RT/RW.,émoji inside
doc-c,interdependence.reciprocal,coder-b,"Lalu kami cek lagi, né.",
doc-a,interdependence.sequential,coder-b,Undangan dari PT. Pos kami terima lewat kecamatan.,
"""


@pytest.fixture
def two_coders(project: dict[str, Path]) -> dict[str, Path]:
    """The fixture project plus a non-ASCII document and a second coder."""
    (project["interviews"] / "doc-c.md").write_text(NON_ASCII_DOC, encoding="utf-8")
    (project["codings"] / "coder-b.csv").write_text(CODINGS_B, encoding="utf-8")
    return project


@needs_shared
def test_export_passes_the_refi_validator_strictly(two_coders: dict[str, Path], tmp_path: Path) -> None:
    out = export_qdpx(load(two_coders), tmp_path / "p.qdpx")
    result = run_validator(out)
    assert result.returncode == 0, result.stdout
    assert validate_qdpx(out) == []


def test_export_layout_and_positions_in_code_points(two_coders: dict[str, Path], tmp_path: Path) -> None:
    project = load(two_coders)
    out = export_qdpx(project, tmp_path / "p.qdpx")
    root = qde(out)
    assert root.get("origin", "").startswith("qualbst")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        texts = {n: archive.read(n) for n in names if n.startswith("Sources/")}
    assert len(texts) == 3
    for source in root.iterfind(".//q:TextSource", NS):
        document = project.document(source.get("name"))
        raw = texts[f"Sources/{source.get('guid')}.txt"]
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        assert (
            raw == document.body.encode("utf-8") and b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
        )
    users = sorted(u.get("name") for u in root.iterfind(".//q:User", NS))
    assert users == ["coder-a", "coder-b"]
    # In doc-c, "Undangan dari PT. Pos sudah sampai 🙂 ke RT/RW." starts after
    # "P: " (3) + "Bagaimana di kafé dekat kelurahan? 😀" (10+3+5+6+11+1 = 36) + "\n" (1) + "I9: " (4)
    # = 44 code points (UTF-16 counts 😀 twice: 45; UTF-8 bytes count é as 2 and 😀 as 4: 48)
    # and is 9+5+4+4+6+7+2+3+6 = 46 long, so it ends at 90.
    doc_c = next(s for s in root.iterfind(".//q:TextSource", NS) if s.get("name") == "doc-c")
    spans = sorted(
        (int(s.get("startPosition")), int(s.get("endPosition")))
        for s in doc_c.iterfind("q:PlainTextSelection", NS)
    )
    assert (44, 90) in spans
    assert project.document("doc-c").body[44:90] == "Undangan dari PT. Pos sudah sampai 🙂 ke RT/RW."


def test_export_cases_variables_and_memos(two_coders: dict[str, Path], tmp_path: Path) -> None:
    root = qde(export_qdpx(load(two_coders), tmp_path / "p.qdpx"))
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert (
        variables["date"] == "Date"
        and variables["synthetic"] == "Boolean"
        and variables["speakers"] == "Text"
    )
    cases = {c.get("name"): c for c in root.iterfind(".//q:Case", NS)}
    assert sorted(cases) == ["Informan 1", "Informan 9", "Informant E1"]
    assert len(cases["Informan 9"].findall("q:SourceRef", NS)) == 1
    values = [
        v.findtext("q:TextValue", namespaces=NS) for v in cases["Informan 9"].iterfind("q:VariableValue", NS)
    ]
    assert "{P: interviewer, I9: informant}" in values
    # The memo of a manual coding becomes its note; the CSV file and line do not travel.
    notes = {n.findtext("q:PlainTextContent", namespaces=NS) for n in root.iterfind(".//q:Note", NS)}
    assert notes == {"handoff", "émoji inside"}


def test_export_is_byte_stable(project: dict[str, Path], tmp_path: Path) -> None:
    loaded = load(project)
    assert (
        export_qdpx(loaded, tmp_path / "a.qdpx").read_bytes()
        == export_qdpx(loaded, tmp_path / "b.qdpx").read_bytes()
    )


@needs_shared
def test_export_interactions_as_notes_and_sets(project: dict[str, Path], tmp_path: Path) -> None:
    loaded = load(project)
    interactions = pd.DataFrame(
        {
            "document": ["doc-a", "doc-a", "doc-b"],
            "segment": ["doc-a:2:1", "doc-a:2:3", "no-such-segment"],
            "source": ["pos", "kelurahan", "kemensos"],
            "target": ["kelurahan", "rtrw", "pos"],
            "type": ["sequential", "reciprocal", "sequential"],
            "directed": [True, False, True],
            "quote": [
                "Undangan dari PT. Pos kami terima lewat kecamatan.",
                "",
                "The ministry sends the list",
            ],
        }
    )
    out = export_qdpx(loaded, tmp_path / "p.qdpx", interactions=interactions)
    assert run_validator(out).returncode == 0
    root = qde(out)
    sets = {s.get("name"): len(s.findall("q:MemberNote", NS)) for s in root.iterfind(".//q:Set", NS)}
    assert sets == {"qualbst: agencies": 0, "interactions: reciprocal": 1, "interactions: sequential": 2}
    titles = {n.get("name") for n in root.iterfind(".//q:Note", NS)}
    assert "sequential: pos → kelurahan" in titles and "reciprocal: kelurahan ↔ rtrw" in titles
    # doc-a:2:1 (30-80) is also a coded span: its one selection carries the coding and the note.
    doc_a = root.find(".//q:TextSource[@name='doc-a']", NS)
    first = doc_a.find("q:PlainTextSelection[@startPosition='30']", NS)
    assert len(first.findall("q:Coding", NS)) == 1 and len(first.findall("q:NoteRef", NS)) == 1
    # An interaction whose segment is unknown is noted on its source.
    assert len(root.find(".//q:TextSource[@name='doc-b']", NS).findall("q:NoteRef", NS)) == 1
    # On import the interaction note is not taken for the memo of the coding that shares its span.
    import_qdpx(out, tmp_path / "back")
    memos = pd.read_csv(tmp_path / "back" / "codings" / "coder-a.csv", keep_default_na=False)["memo"]
    assert list(memos) == ["handoff", "", "", ""]


def test_export_machine_coders_become_users(project: dict[str, Path], tmp_path: Path) -> None:
    loaded = load(project)
    machine = loaded.codings.assign(coder="auto:rules", confidence=0.5, evidence="cue: terima")
    out = export_qdpx(loaded, tmp_path / "p.qdpx", codings=pd.concat([loaded.codings, machine]))
    root = qde(out)
    assert sorted(u.get("name") for u in root.iterfind(".//q:User", NS)) == ["auto:rules", "coder-a"]
    notes = {n.findtext("q:PlainTextContent", namespaces=NS) for n in root.iterfind(".//q:Note", NS)}
    assert "confidence 0.50; cue: terima" in notes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"document": "doc-x"}, "unknown document 'doc-x'"),
        ({"code": "no.such"}, "unknown code 'no.such'"),
        ({"code": "interdependence"}, "code 'interdependence' is a category"),
        ({"coder": ""}, "empty 'coder'"),
        ({"end": 10_000}, "span 30-10000 is empty or outside the text"),
        ({"start": 80}, "span 80-80 is empty"),
        ({"start": "x"}, "'start' and 'end' must be whole numbers"),
    ],
)
def test_export_refuses_bad_codings(
    project: dict[str, Path], tmp_path: Path, change: dict, message: str
) -> None:
    loaded = load(project)
    bad = loaded.codings.head(1).astype(object).assign(**change)
    with pytest.raises(CodingsError, match=message):
        export_qdpx(loaded, tmp_path / "p.qdpx", codings=bad)
    assert not (tmp_path / "p.qdpx").exists()


def test_export_refuses_tables_missing_columns(project: dict[str, Path], tmp_path: Path) -> None:
    loaded = load(project)
    with pytest.raises(CodingsError, match="missing column"):
        export_qdpx(loaded, tmp_path / "p.qdpx", codings=loaded.codings.drop(columns="coder"))
    with pytest.raises(QualbstError, match="interactions table: missing column"):
        export_qdpx(loaded, tmp_path / "p.qdpx", interactions=pd.DataFrame({"document": ["doc-a"]}))


# ---------------------------------------------------------------- round trip


def test_round_trip_gives_back_documents_codes_and_codings(
    two_coders: dict[str, Path], tmp_path: Path
) -> None:
    before = load(two_coders)
    out = export_qdpx(before, tmp_path / "p.qdpx")
    result = import_qdpx(out, tmp_path / "imported")
    assert result.warnings == ()
    assert result.documents == ("doc-a", "doc-b", "doc-c")
    assert dict(result.codings) == {"coder-a": 4, "coder-b": 3}
    folder = tmp_path / "imported"
    # Documents: the same bodies, languages and speakers.
    after_docs = {d.id: d for d in read_corpus(folder / "interviews")}
    assert {i: d.body for i, d in after_docs.items()} == {d.id: d.body for d in before.documents}
    assert after_docs["doc-c"].language == "id" and dict(after_docs["doc-c"].speakers) == {
        "P": "interviewer",
        "I9": "informant",
    }
    # Codes and agencies: everything.
    book = load_codebook(folder / "codebook")
    assert by_id(book) == by_id(before.codebook) and book.agencies == before.codebook.agencies
    # Codings: the same rows, as CSVs and as reloaded by the pipeline.
    rows = pd.concat([pd.read_csv(p) for p in sorted((folder / "codings").glob("*.csv"))])
    expected = before.codings[KEY].sort_values(KEY).reset_index(drop=True)
    assert rows[KEY].sort_values(KEY).reset_index(drop=True).equals(expected)
    after = load(
        {"interviews": folder / "interviews", "codebook": folder / "codebook", "codings": folder / "codings"}
    )
    assert after.codings[KEY].sort_values(KEY).reset_index(drop=True).equals(expected)
    assert sorted(result.files) == sorted(p for p in tree(folder) if "." in Path(p).name)


def test_import_refuses_a_non_empty_folder_unless_asked(project: dict[str, Path], tmp_path: Path) -> None:
    out = export_qdpx(load(project), tmp_path / "p.qdpx")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(QualbstError, match="the output folder is not empty"):
        import_qdpx(out, tmp_path / "busy")
    import_qdpx(out, tmp_path / "busy", overwrite=True)
    assert (tmp_path / "busy" / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "busy" / "interviews" / "doc-a.txt").is_file()


# ---------------------------------------------------------------- foreign projects


def test_import_the_handmade_foreign_project(tmp_path: Path) -> None:
    archive = FIXTURES / "handmade.qdpx"
    with zipfile.ZipFile(archive) as z:  # the archive holds exactly the readable folder
        assert {n: z.read(n) for n in z.namelist()} == {
            p.relative_to(FIXTURES / "handmade").as_posix(): p.read_bytes()
            for p in (FIXTURES / "handmade").rglob("*")
            if p.is_file()
        }
    result = import_qdpx(archive, tmp_path / "out", language="en")
    folder = tmp_path / "out"
    assert result.origin.startswith("hand-written")
    assert result.documents == ("interview-with-ward-officer", "field-notes-day-1")
    assert result.codes == (
        "coordination",
        "coordination.handoff",
        "coordination.meeting",
        "obstacles",
        "obstacles.deceased-recipient",
        "obstacles.moved-away",
    )
    assert dict(result.codings) == {"Ana Researcher": 4, "Budi Coder": 3}
    docs = {d.id: d for d in read_corpus(folder / "interviews")}
    interview, notes = docs["interview-with-ward-officer"], docs["field-notes-day-1"]
    # "Interviewer:" and "Respondent:" open two lines each, so they are the speakers.
    assert dict(interview.speakers) == {"Interviewer": "interviewer", "Respondent": "informant"}
    assert interview.meta["Age"] == "45" and interview.meta["informant"] == "Ward officer"
    assert interview.meta["Interview date"] == "2021-02-26"
    # The field notes have no labels: each paragraph opens with "TEXT: " and CRLF became LF.
    assert notes.body.startswith("TEXT: Visited the ward office on Monday.\nThe café")
    assert "\r" not in notes.body
    rows = pd.concat(
        [pd.read_csv(p, keep_default_na=False) for p in sorted((folder / "codings").glob("*.csv"))]
    )
    found = {(r.coder, r.code, docs[r.document].body[r.start : r.end]) for r in rows.itertuples()}
    assert found == {
        (
            "Ana Researcher",
            "coordination.handoff",
            "The district office sends them to us, and we pass them on to the block leaders.",
        ),
        (
            "Budi Coder",
            "coordination.handoff",
            "The district office sends them to us, and we pass them on to the block leaders.",
        ),
        ("Budi Coder", "coordination.handoff", "It is a chain — each step waits for the one before."),
        ("Ana Researcher", "obstacles.deceased-recipient", "when a recipient has died"),
        ("Budi Coder", "obstacles", "Then we report it back to Social Services."),
        ("Ana Researcher", "coordination.meeting", "We meet every Monday to sort out such cases."),
        # Raw 133-163 in the CRLF text: minus 1 for the one "\r" before it, plus 6 for "TEXT: " twice = 142-172.
        ("Ana Researcher", "obstacles.moved-away", "names of people who moved away"),
    }
    memos = dict(zip(rows["start"].astype(str) + rows["coder"], rows["memo"], strict=True))
    assert memos["150Budi Coder"] == "A textbook case of sequential interdependence."
    assert memos["303Ana Researcher"] == "Weekly meeting with Social Services."
    # The folder is a qualbst project: its codings resolve against its segments and codebook
    # (Obstacles is a codable parent, NVivo style, and stays codable).
    book = load_codebook(folder / "codebook", require_contract_ids=False)
    documents = read_corpus(folder / "interviews")
    codings = read_codings(folder / "codings", documents, book, segment_corpus(documents))
    assert len(codings) == 7
    assert book.code("coordination.handoff").color == "#FF0000"  # "#F00" expanded
    assert book.code("coordination.meeting").definition == "(no description in the imported codebook)"


@needs_shared
def test_import_the_shared_synthetic_project(tmp_path: Path) -> None:
    archive = REFI / "fixtures" / "synthetic_valid_project.qdpx"
    result = import_qdpx(archive, tmp_path / "out")
    assert result.documents == ("interview-1",)
    assert result.codes == ("experience", "experience.positive", "experience.negative")
    assert dict(result.codings) == {"coder1": 2}
    with zipfile.ZipFile(archive) as z:
        raw = z.read("Sources/20000000-0000-4000-8000-000000000001.txt").decode("utf-8")
    document = read_corpus(tmp_path / "out" / "interviews")[0]
    # "Interview 1" opens the text without a label: it becomes "TEXT: Interview 1", so every
    # position moves by len("TEXT: ") = 6 and selects the same text as before.
    assert document.body == "TEXT: " + raw
    rows = pd.read_csv(tmp_path / "out" / "codings" / "coder1.csv", keep_default_na=False)
    assert [document.body[s:e] for s, e in zip(rows["start"], rows["end"], strict=True)] == [
        raw[53:67],
        raw[73:92],
    ]
    assert list(rows["memo"]) == ["", "Ask about the coffee machine."]
    assert any("guessed 'en'" in w for w in result.warnings)


@needs_shared
def test_import_the_atlas_ti_sample_reports_what_is_missing(tmp_path: Path) -> None:
    result = import_qdpx(REFI / "fixtures" / "atlasti84_standard_project_skyloom.qdpx", tmp_path / "out")
    assert result.documents == () and dict(result.codings) == {}
    assert len(result.codes) == 14 and "coke-diet-coke" in result.codes
    text = "\n".join(result.warnings)
    assert "the project XML is named 'Project.qde'" in text
    assert (
        "source 'Simon.docx': its text file Sources/C1C745F7-8E4D-48B2-9710-655AFE7E54FA.txt is missing"
        in text
    )
    assert "VideoSource '1960s Coca Cola commercial.mp4' not imported" in text
    book = load_codebook(tmp_path / "out" / "codebook", require_contract_ids=False)
    assert book.code("coke").definition == "the breakfast of champions"


# ---------------------------------------------------------------- untrusted input


def test_import_reports_a_selection_outside_the_text(tmp_path: Path) -> None:
    # The text has 37 code points; 16-37 is fine, 30-90 is not.
    archive = simple_qdpx(
        tmp_path / "p.qdpx", selection(16, 37, name="ok") + selection(30, 90, name="too far")
    )
    before = tree(tmp_path)
    result = import_qdpx(archive, tmp_path / "out", language="en")
    assert {p for p in tree(tmp_path) - before if not p.startswith("out/")} == {"out"}  # nothing outside out/
    assert dict(result.codings) == {"ana": 1}
    assert any(
        "selection 'too far'" in w and "positions 30-90 are outside the text (37 code points)" in w
        for w in result.warnings
    )


def test_import_moves_positions_past_a_bom_and_crlf(tmp_path: Path) -> None:
    # Raw text: BOM (0), "Q: Who?" (1-8), "\r\n" (8-10), "A: " (10-13), "Me" (13-15).
    # Dropping the BOM and the "\r" moves "Me" two code points left: 11-13.
    qde_text = SIMPLE_QDE.format(selections=selection(13, 15, name="me"))
    archive = make_qdpx(
        tmp_path / "p.qdpx", {"project.qde": qde_text, "Sources/t.txt": "\ufeffQ: Who?\r\nA: Me."}
    )
    import_qdpx(archive, tmp_path / "out", language="en")
    document = read_corpus(tmp_path / "out" / "interviews")[0]
    rows = pd.read_csv(tmp_path / "out" / "codings" / "ana.csv")
    assert document.body == "Q: Who?\nA: Me."
    assert (int(rows.loc[0, "start"]), int(rows.loc[0, "end"])) == (11, 13)


def test_import_reports_codings_of_unknown_codes(tmp_path: Path) -> None:
    archive = simple_qdpx(
        tmp_path / "p.qdpx", selection(16, 37, name="mystery", code="99999999-0000-4000-8000-000000000001")
    )
    result = import_qdpx(archive, tmp_path / "out", language="en")
    assert dict(result.codings) == {}
    assert any(
        "selection 'mystery'" in w and "points to unknown code 99999999-0000-4000-8000-000000000001" in w
        for w in result.warnings
    )


def test_import_reports_missing_sources_and_imports_the_rest(tmp_path: Path) -> None:
    content = SIMPLE_QDE.format(selections=selection(16, 37)).replace(
        "</Sources>",
        '<TextSource guid="20000000-0000-4000-8000-000000000002" name="Gone" plainTextPath="internal://gone.txt"/>'
        "</Sources>",
    )
    archive = make_qdpx(tmp_path / "p.qdpx", {"project.qde": content, "sources/t.txt": SIMPLE_TEXT})
    result = import_qdpx(archive, tmp_path / "out", language="en")
    assert result.documents == ("talk",)
    assert any("source 'Gone': its text file Sources/gone.txt is missing" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.txt", "has a '..' component"),
        ("Sources/../../evil.txt", "has a '..' component"),
        ("/tmp/evil.txt", "is an absolute path"),
        ("C:/evil.txt", "is an absolute path"),
        ("..\\evil.txt", "has a '..' component"),
    ],
)
def test_import_refuses_zip_slip(tmp_path: Path, name: str, message: str) -> None:
    archive = simple_qdpx(tmp_path / "p.qdpx", "")
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr(name, "gotcha")
    before = tree(tmp_path)
    with pytest.raises(QualbstError, match=message):
        import_qdpx(archive, tmp_path / "out")
    assert tree(tmp_path) == before  # nothing written anywhere


def test_import_bounds_entries_and_size(tmp_path: Path) -> None:
    archive = simple_qdpx(tmp_path / "p.qdpx", "")  # 2 entries, len(SIMPLE_TEXT) + the XML bytes
    with pytest.raises(QualbstError, match="the archive has 2 entries, more than the limit of 1"):
        import_qdpx(archive, tmp_path / "out", max_entries=1)
    with pytest.raises(QualbstError, match="bytes uncompressed, more than the limit of 100"):
        import_qdpx(archive, tmp_path / "out", max_bytes=100)
    bomb = make_qdpx(tmp_path / "bomb.qdpx", {"project.qde": "<Project/>", "Sources/z.txt": "0" * 5_000_000})
    assert bomb.stat().st_size < 50_000  # 5 MB of zeros compress to a few KB
    with pytest.raises(QualbstError, match="more than the limit of 1000000"):
        import_qdpx(bomb, tmp_path / "out", max_bytes=1_000_000)
    assert not (tmp_path / "out").exists()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&c;"/>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_import_refuses_entities(tmp_path: Path, content: str) -> None:
    archive = make_qdpx(tmp_path / "p.qdpx", {"project.qde": content})
    with pytest.raises(QualbstError, match="DOCTYPE and ENTITY declarations are refused"):
        import_qdpx(archive, tmp_path / "out")


def test_import_refuses_entities_in_utf16_xml(tmp_path: Path) -> None:
    # The byte scan cannot see a UTF-16 DOCTYPE; the parser's document info does.
    content = (
        '<?xml version="1.0" encoding="utf-16"?>\n'
        '<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p">&secret;</Project>'
    )
    archive = make_qdpx(tmp_path / "p.qdpx", {"project.qde": content.encode("utf-16")})
    with pytest.raises(QualbstError, match="DOCTYPE and ENTITY declarations are refused"):
        import_qdpx(archive, tmp_path / "out")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"readme.txt": "hi"}, "no project.qde at the root of the archive"),
        ({"project.qde": "<Project"}, "not well-formed XML"),
        ({"project.qde": "<CodeBook/>"}, "expected a REFI-QDA <Project>"),
    ],
)
def test_import_refuses_archives_without_a_project(tmp_path: Path, files: dict, message: str) -> None:
    with pytest.raises(QualbstError, match=message):
        import_qdpx(make_qdpx(tmp_path / "p.qdpx", files), tmp_path / "out")


def test_import_refuses_what_is_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "p.qdpx").write_text("plain text", encoding="utf-8")
    with pytest.raises(QualbstError, match="not a REFI-QDA project archive"):
        import_qdpx(tmp_path / "p.qdpx", tmp_path / "out")
    with pytest.raises(QualbstError, match="file not found"):
        import_qdpx(tmp_path / "none.qdpx", tmp_path / "out")
    with pytest.raises(QualbstError, match="language must be one of id, en"):
        import_qdpx(tmp_path / "p.qdpx", tmp_path / "out", language="fr")


# ---------------------------------------------------------------- spreadsheets


def test_codebook_table_one_row_per_code() -> None:
    table = codebook_table(rich_codebook())
    assert list(table["id"]) == ["aspect", "aspect.parties", "obstacle", "obstacle.moved"]
    row = table.set_index("id").loc["aspect.parties"]
    assert row["cues_id"] == "peran; tugas*" and row["cues_en"] == "role" and row["requires"] == "agencies: 2"
    assert row["parent"] == "aspect" and bool(row["codable"]) is True


def test_write_xlsx_sheets_round_trip_and_bytes(tmp_path: Path) -> None:
    tables = {
        "segments": pd.DataFrame({"segment": ["a:1:1"], "text": ["=SUM(A1:A9) is text, not a formula"]}),
        "codings": pd.DataFrame({"code": ["x", "y"], "start": [3, 10], "confidence": [1.0, 0.25]}),
        "codebook": codebook_table(rich_codebook()),
    }
    first = write_xlsx(tables, tmp_path / "a.xlsx")
    second = write_xlsx(tables, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    sheets = pd.read_excel(first, sheet_name=None, keep_default_na=False)
    assert list(sheets) == ["segments", "codings", "codebook"]
    assert sheets["segments"].loc[0, "text"] == "=SUM(A1:A9) is text, not a formula"
    assert sheets["codings"].to_dict("list") == {
        "code": ["x", "y"],
        "start": [3, 10],
        "confidence": [1.0, 0.25],
    }
    assert list(sheets["codebook"].columns) == list(codebook_table(rich_codebook()).columns)
    with zipfile.ZipFile(first) as z:
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "no tables to write"),
        (["a/b"], "sheet name 'a/b' is not allowed"),
        (["x" * 32], "is not allowed"),
        (["Sheet", "sheet"], "differ only in case"),
    ],
)
def test_write_xlsx_refuses_bad_sheet_names(tmp_path: Path, names: list[str], message: str) -> None:
    with pytest.raises(QualbstError, match=message):
        write_xlsx({n: pd.DataFrame({"a": [1]}) for n in names}, tmp_path / "t.xlsx")


def test_import_writes_cases_csv_readable_by_the_corpus_reader(tmp_path: Path) -> None:
    archive = simple_qdpx(tmp_path / "p.qdpx", selection(16, 37))
    import_qdpx(archive, tmp_path / "out", language="en")
    rows = list(
        csv.DictReader(
            io.StringIO((tmp_path / "out" / "interviews" / "cases.csv").read_text(encoding="utf-8"))
        )
    )
    # "Q" is an interviewer label, "A" another speaker.
    assert rows == [
        {"file": "talk", "id": "talk", "language": "en", "speakers": "{Q: interviewer, A: informant}"}
    ]
    document = read_corpus(tmp_path / "out" / "interviews")[0]
    assert document.body == SIMPLE_TEXT and document.body[16:37] == "The post office pays."
