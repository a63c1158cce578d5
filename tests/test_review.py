"""Suggestions and their review: accepted ones appended, rejected ones remembered."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qualbst.cli import cli
from qualbst.coding.review import accept_suggestions, suggest
from qualbst.errors import ValidationError

SEGMENTS = pd.DataFrame({"document": ["d", "d"], "segment": ["d:2:1", "d:2:2"], "turn": [2, 2],
                         "speaker": ["I1", "I1"], "role": ["informant"] * 2, "start": [4, 20],
                         "end": [19, 40], "text": ["Kami kirim ke RT.", "Ada rapat tiap Senin."]})  # fmt: skip
MACHINE = pd.DataFrame({"document": ["d", "d", "d"], "segment": ["d:2:1", "d:2:2", "d:2:2"],
                        "start": [4, 20, 20], "end": [19, 40, 40],
                        "code": ["interdependence.sequential", "mechanism.planning", "mechanism.mutual-adjustment"],
                        "coder": ["auto:rules"] * 3, "confidence": [0.5, 0.75, 0.5],
                        "evidence": ["cue 'kirim'", "cue 'tiap senin'", "cue 'rapat'"]})  # fmt: skip
MINE = pd.DataFrame({"document": ["d"], "segment": ["d:2:2"], "code": ["mechanism.mutual-adjustment"],
                     "coder": ["me"]})  # fmt: skip


def test_suggest_leaves_out_what_the_person_coded(tmp_path: Path) -> None:
    table = suggest(MACHINE, MINE, SEGMENTS, coder="me", codings_dir=tmp_path)
    assert table[["segment", "code"]].values.tolist() == [
        ["d:2:1", "interdependence.sequential"],
        ["d:2:2", "mechanism.planning"],
    ]
    assert (table["decision"] == "").all() and table["text"].iloc[0] == "Kami kirim ke RT."


def test_accept_appends_and_remembers_rejections(tmp_path: Path) -> None:
    existing = 'document,code,coder,quote,memo\nd,aspect.parties,me,"Kami kirim",\n'
    (tmp_path / "me.csv").write_text(existing, encoding="utf-8")
    table = suggest(MACHINE, MINE, SEGMENTS, coder="me", codings_dir=tmp_path)
    table["decision"] = ["accept", "reject"]
    table.to_csv(tmp_path / "suggestions.csv", index=False)
    result = accept_suggestions(tmp_path / "suggestions.csv", coder="me", codings_dir=tmp_path)
    assert (result.accepted, result.rejected, result.undecided) == (1, 1, 0)
    text = (tmp_path / "me.csv").read_text(encoding="utf-8")
    assert text.startswith(existing)  # existing rows untouched, byte for byte
    assert (
        text[len(existing) :]
        == "d,interdependence.sequential,me,Kami kirim ke RT.,accepted suggestion of auto:rules\n"
    )
    # The rejected one is not suggested again; the accepted one is coded now.
    mine = pd.concat([MINE, pd.DataFrame({"document": ["d"], "segment": ["d:2:1"],
                                          "code": ["interdependence.sequential"], "coder": ["me"]})])  # fmt: skip
    assert suggest(MACHINE, mine, SEGMENTS, coder="me", codings_dir=tmp_path).empty


def test_bad_decision_names_the_line(tmp_path: Path) -> None:
    table = suggest(MACHINE, MINE, SEGMENTS, coder="me", codings_dir=tmp_path)
    table["decision"] = ["accept", "maybe"]
    table.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(
        ValidationError, match=r"s\.csv:3: decision must be accept, reject or empty \(got 'maybe'\)"
    ):
        accept_suggestions(tmp_path / "s.csv", coder="me", codings_dir=tmp_path)
    assert not (tmp_path / "me.csv").exists()


def test_cli_suggest_accept_round_trip(project: dict[str, Path]) -> None:
    import shutil

    from .conftest import ROOT

    for name in ("codebook.yaml", "agencies.yaml"):  # the shipped codebook: real cues
        shutil.copy(ROOT / "codebook" / name, project["codebook"] / name)
    runner = CliRunner()
    common = ["--interviews", str(project["interviews"]), "--codebook", str(project["codebook"]),
              "--codings", str(project["codings"]), "--out", str(project["out"])]  # fmt: skip
    made = runner.invoke(cli, ["suggest", "--coder", "me", "--machine", "rules", *common])
    assert made.exit_code == 0, made.output
    suggestions = pd.read_csv(project["out"] / "suggestions.csv", keep_default_na=False)
    assert len(suggestions) > 0 and set(suggestions["coder"]) == {"auto:rules"}
    suggestions["decision"] = "accept"
    suggestions.to_csv(project["out"] / "suggestions.csv", index=False)
    done = runner.invoke(cli, ["accept", str(project["out"] / "suggestions.csv"), "--coder", "me", *common])
    assert done.exit_code == 0, done.output
    assert f"accepted {len(suggestions)}" in done.output
    valid = runner.invoke(cli, ["validate", *common[:6]])
    assert valid.exit_code == 0, valid.output  # the accepted rows resolve like any manual coding
