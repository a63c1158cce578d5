"""Shared fixtures: a tiny, complete project written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qualbst.codebook import REQUIRED_AGENCIES, REQUIRED_CODES

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

DOC_A = """---
id: doc-a
informant: Informan 1
role: Staf Kesra
agency: kelurahan
language: id
speakers: {P: interviewer, I1: informant}
synthetic: true
---
P: Bagaimana alurnya, Bu?
I1: Undangan dari PT. Pos kami terima lewat kecamatan. Lalu kami bagikan
ke RT/RW.

Kalau ada yang gagal, kami cek ulang dengan RT.
P: Ada juklak?
I1: Ada, Kepmensos No. 54/HUK/2020. Pegawai kami cuma 5 orang.
"""

DOC_B = """---
id: doc-b
informant: Informant E1
agency: dinsos
language: en
speakers: {P: interviewer, E1: informant}
synthetic: true
---
P: Who hands the list to whom?
E1: The ministry sends the list to the Post Office. Then the ward office gets the invitations.
"""


def minimal_codebook() -> tuple[list[dict], list[dict]]:
    """Every contract id, each with a definition and a cue or two."""
    codes: list[dict] = []
    parents: set[str] = set()
    for code_id in REQUIRED_CODES:
        parts = code_id.split(".")
        for depth in range(1, len(parts)):
            parent = ".".join(parts[:depth])
            if parent not in parents:
                parents.add(parent)
                codes.append({"id": parent, "name": parent, "codable": False, "definition": "A category."})
    for code_id in REQUIRED_CODES:
        codes.append(
            {
                "id": code_id,
                "name": code_id.replace(".", " "),
                "name_en": code_id,
                "definition": f"Definition of {code_id}.",
                "cues": {"id": [code_id.rsplit(".", 1)[1]], "en": [code_id.rsplit(".", 1)[1]]},
            }
        )
    levels = {"kemensos": "national", "pusdatin": "national", "pos": "paying agent", "pemkot": "city",
              "dinsos": "city", "dprd": "city", "kecamatan": "district", "rtrw": "neighbourhood",
              "kpm": "recipients"}  # fmt: skip
    aliases = {"pos": ["PT. Pos", "Post Office"], "kecamatan": ["kecamatan"], "rtrw": ["RT/RW", "RT"],
               "kemensos": ["the ministry"], "kelurahan": ["ward office"]}  # fmt: skip
    agencies = [
        {"id": a, "name": a.title(), "level": levels.get(a, "ward"), "aliases": aliases.get(a, [])}
        for a in REQUIRED_AGENCIES
    ]
    return codes, agencies


CODINGS_A = """document,code,coder,quote,memo
doc-a,interdependence.sequential,coder-a,Undangan dari PT. Pos kami terima lewat kecamatan.,handoff
doc-a,interdependence.reciprocal,coder-a,"kami cek ulang
dengan RT",
doc-a,aspect.guidelines,coder-a,"Ada, Kepmensos No. 54/HUK/2020.",
doc-b,interdependence.sequential,coder-a,The ministry sends the list to the Post Office.,
"""


def write_project(root: Path) -> dict[str, Path]:
    """Write the tiny project under ``root``; return its folders."""
    interviews, codebook, codings = root / "interviews", root / "codebook", root / "codings"
    for folder in (interviews, codebook, codings):
        folder.mkdir(parents=True, exist_ok=True)
    (interviews / "doc-a.md").write_text(DOC_A, encoding="utf-8")
    (interviews / "doc-b.md").write_text(DOC_B, encoding="utf-8")
    codes, agencies = minimal_codebook()
    (codebook / "codebook.yaml").write_text(yaml.safe_dump(codes, allow_unicode=True), encoding="utf-8")
    (codebook / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True), encoding="utf-8")
    (codings / "coder-a.csv").write_text(CODINGS_A, encoding="utf-8")
    return {"interviews": interviews, "codebook": codebook, "codings": codings, "out": root / "out"}


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    """A tiny valid project in a temporary folder."""
    return write_project(tmp_path)


@pytest.fixture
def shipped() -> dict[str, Path]:
    """The shipped corpus of the repository."""
    return {
        "interviews": ROOT / "interviews",
        "codebook": ROOT / "codebook",
        "codings": ROOT / "codings",
    }
