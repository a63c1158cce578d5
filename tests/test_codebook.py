"""Codebook and agency dictionary: loading and every documented error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qualbst.codebook import REQUIRED_AGENCIES, REQUIRED_CODES, load_codebook
from qualbst.errors import ValidationError

from .conftest import minimal_codebook


def write_book(folder: Path, codes: list[dict], agencies: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "codebook.yaml").write_text(yaml.safe_dump(codes), encoding="utf-8")
    (folder / "agencies.yaml").write_text(yaml.safe_dump(agencies), encoding="utf-8")
    return folder


def test_minimal_codebook_loads(tmp_path: Path) -> None:
    book = load_codebook(write_book(tmp_path, *minimal_codebook()))
    assert set(REQUIRED_CODES) <= set(book.codable_ids)
    assert book.code("obstacle.moved").parent == "obstacle"
    assert not book.code("obstacle").codable
    assert [a.id for a in book.agencies] == list(REQUIRED_AGENCIES)


def _problem(tmp_path: Path, codes: list[dict], agencies: list[dict]) -> str:
    with pytest.raises(ValidationError) as info:
        load_codebook(write_book(tmp_path, codes, agencies))
    return "\n".join(str(p) for p in info.value.problems)


def test_duplicate_code_id(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    codes.append(dict(codes[-1]))
    assert "duplicate code id 'obstacle.name-mismatch' (first at line" in _problem(tmp_path, codes, agencies)


def test_unknown_parent(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    codes.append({"id": "extra.x", "name": "x", "definition": "d"})
    assert "code 'extra.x': unknown parent 'extra'" in _problem(tmp_path, codes, agencies)


def test_missing_required_ids(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    codes = [c for c in codes if c["id"] != "obstacle.refused"]
    agencies = [a for a in agencies if a["id"] != "rtrw"]
    text = _problem(tmp_path, codes, agencies)
    assert "codebook.yaml: required code id 'obstacle.refused' is missing" in text
    assert "agencies.yaml: required agency id 'rtrw' is missing" in text


def test_empty_definition_names_file_line_and_entry(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    codes[-1]["definition"] = "  "
    text = _problem(tmp_path, codes, agencies)
    assert "code 'obstacle.name-mismatch': 'definition' is missing or empty" in text
    line = text.split("codebook.yaml:")[1].split(":")[0]
    source = (tmp_path / "codebook.yaml").read_text().splitlines()
    assert "obstacle.name-mismatch" in "\n".join(source[int(line) - 1 : int(line) + 6])


def test_a_generic_form_must_be_an_alias(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    agencies[-1]["generic"] = ["pak lurah"]
    assert "is not one of its aliases" in _problem(tmp_path, codes, agencies)


def test_alias_collision_between_two_agencies(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    agencies[0]["aliases"] = ["Kantor Pos"]
    agencies[2]["aliases"] = ["kantor  pos"]
    assert "alias 'kantor  pos' of agency 'pos' is also an alias of 'kemensos'" in _problem(
        tmp_path, codes, agencies
    )


def test_invalid_cue_names_code_and_cue(tmp_path: Path) -> None:
    codes, agencies = minimal_codebook()
    codes[-1]["cues"] = {"id": ["salah (eja"]}
    assert "code 'obstacle.name-mismatch': cue 'salah (eja' is not a valid pattern" in _problem(
        tmp_path, codes, agencies
    )


@pytest.mark.parametrize(
    ("requires", "message"),
    [
        ({"agencies": 0}, "'requires.agencies' must be a positive whole number"),
        ({"agencies": 2, "parallel": "yes"}, "'requires.parallel' must be true or false"),
        (
            {"agencies": 2, "peers": True},
            "unknown requirement(s) 'peers' (known: agencies, parallel, yields_to)",
        ),
        ({"yields_to": []}, "'requires.yields_to' must be a code id or a list of code ids"),
        ({"yields_to": "obstacle.name-mismatch"}, "'requires.yields_to' names the code itself"),
        ({"yields_to": ["obstacle"]}, "'requires.yields_to' names 'obstacle', not a codable code"),
        ({"yields_to": ["obstacle.tpyo"]}, "'requires.yields_to' names 'obstacle.tpyo', not a codable code"),
    ],
)
def test_invalid_requirement_names_the_code(tmp_path: Path, requires: dict, message: str) -> None:
    codes, agencies = minimal_codebook()
    codes[-1]["requires"] = requires
    assert f"code {codes[-1]['id']!r}: {message}" in _problem(tmp_path, codes, agencies)


def test_a_code_yields_to_one_that_yields_to_none(tmp_path: Path) -> None:
    """Two codes yielding to each other would cancel each other: one level only."""
    codes, agencies = minimal_codebook()
    by_id = {c["id"]: c for c in codes}
    by_id["interdependence.sequential"]["requires"] = {"yields_to": ["interdependence.reciprocal"]}
    assert load_codebook(write_book(tmp_path / "one", codes, agencies)).code(
        "interdependence.sequential"
    ).requires["yields_to"] == ["interdependence.reciprocal"]
    by_id["interdependence.reciprocal"]["requires"] = {"yields_to": ["interdependence.pooled"]}
    assert (
        "code 'interdependence.sequential': yields to 'interdependence.reciprocal', which itself yields"
        in _problem(tmp_path / "two", codes, agencies)
    )


@pytest.mark.parametrize("cue", ["~ kurang", "staf ~", "staf ~ ~ kurang", "~"])
def test_a_gap_must_stand_alone_between_two_words(tmp_path: Path, cue: str) -> None:
    codes, agencies = minimal_codebook()
    codes[-1]["cues"] = {"id": [cue]}
    assert f"cue {cue!r} is not a valid pattern" in _problem(tmp_path, codes, agencies)


def test_a_gap_cue_finds_up_to_two_words_between(tmp_path: Path) -> None:
    from qualbst.coding.matching import annotator

    codes, agencies = minimal_codebook()
    codes[-1]["cues"] = {"id": ["staf ~ kurang"]}
    book = load_codebook(write_book(tmp_path, codes, agencies))
    ann = annotator(book, "id")
    found = {
        text: [m.surface for m in ann.cues_in([text])[0]]
        for text in (
            "Stafnya kurang.",
            "Staf kami kurang.",
            "Staf kami di sini kurang.",
            "Staf di kantor kami sangat kurang.",
        )
    }
    assert found == {
        "Stafnya kurang.": ["Stafnya kurang"],
        "Staf kami kurang.": ["Staf kami kurang"],
        "Staf kami di sini kurang.": [],  # three words between: too far
        "Staf di kantor kami sangat kurang.": [],
    }


def test_malformed_yaml(tmp_path: Path) -> None:
    folder = write_book(tmp_path, *minimal_codebook())
    (folder / "codebook.yaml").write_text("- id: a\n  name: [x\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="malformed YAML"):
        load_codebook(folder)


def test_shipped_codebook_is_valid(shipped: dict[str, Path]) -> None:
    book = load_codebook(shipped["codebook"])
    for code_id in REQUIRED_CODES:
        code = book.code(code_id)
        assert code.definition and code.name and code.name_en
        assert len(code.examples.get("id", ())) >= 3 and len(code.examples.get("en", ())) >= 3
        assert code.cues.get("id") and code.cues.get("en")
