"""Atomic output folders: a reader or a crash sees the old outputs or the new, never a mix."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from qualbst import _io
from qualbst._io import atomic_output_dir
from qualbst.errors import QualbstError


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    (folder / "notebooks").mkdir(parents=True)
    (folder / "a.csv").write_text("old a\n")
    (folder / "b.csv").write_text("old b\n")
    (folder / "notes-by-me.txt").write_text("the researcher's own file\n")
    (folder / "notebooks" / "01.html").write_text("old notebook\n")
    return folder


def test_new_files_replace_old_and_unwritten_files_are_kept(out: Path) -> None:
    with atomic_output_dir(out) as staging:
        (staging / "a.csv").write_text("new a\n")
        (staging / "c.csv").write_text("new c\n")
    assert _tree(out) == {
        "a.csv": "new a\n",
        "b.csv": "old b\n",
        "c.csv": "new c\n",
        "notebooks/01.html": "old notebook\n",
        "notes-by-me.txt": "the researcher's own file\n",
    }
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # no staging folder left behind


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the folder exchange is Linux's renameat2")
def test_the_folder_is_swapped_in_one_step(out: Path) -> None:
    """The new folder takes the old one's place: a handle on the old folder still sees only old files."""
    before = out.stat().st_ino
    old_handle = os.open(out, os.O_RDONLY)
    try:
        with atomic_output_dir(out) as staging:
            (staging / "a.csv").write_text("new a\n")
            (staging / "c.csv").write_text("new c\n")
        # The folder the old handle points at (now deleted) never received a new file.
        assert out.stat().st_ino != before
        assert "c.csv" not in os.listdir(old_handle)  # noqa: PTH208 (a descriptor, not a path)
    finally:
        os.close(old_handle)
    assert (out / "c.csv").read_text() == "new c\n"


def test_an_error_in_the_block_leaves_out_untouched(out: Path) -> None:
    before = _tree(out)
    with pytest.raises(RuntimeError), atomic_output_dir(out) as staging:
        (staging / "a.csv").write_text("half-written")
        raise RuntimeError("crash while writing")
    assert _tree(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_a_crash_while_assembling_the_new_folder_leaves_out_untouched(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failing on the second kept file (after the first was linked) changes nothing in out/."""
    before = _tree(out)
    calls = []

    def failing_link(src: object, dst: object, **kwargs: object) -> None:
        calls.append(src)
        if len(calls) == 2:
            raise KeyboardInterrupt  # not an OSError: no copy fallback, the commit stops here
        os.link(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_io.os, "link", failing_link)
    with pytest.raises(KeyboardInterrupt), atomic_output_dir(out) as staging:
        (staging / "a.csv").write_text("new a\n")
    monkeypatch.undo()
    assert len(calls) == 2
    assert _tree(out) == before


def test_without_the_exchange_files_move_one_by_one(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_io, "_exchange", lambda a, b: False)
    with atomic_output_dir(out) as staging:
        (staging / "a.csv").write_text("new a\n")
        (staging / "notebooks").mkdir()
        (staging / "notebooks" / "02.html").write_text("new notebook\n")
    assert _tree(out) == {
        "a.csv": "new a\n",
        "b.csv": "old b\n",
        "notebooks/01.html": "old notebook\n",
        "notebooks/02.html": "new notebook\n",
        "notes-by-me.txt": "the researcher's own file\n",
    }


def test_a_missing_out_folder_is_created_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out"
    with atomic_output_dir(target) as staging:
        (staging / "a.csv").write_text("a\n")
    assert _tree(target) == {"a.csv": "a\n"}
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask


def test_an_existing_folder_keeps_its_mode(out: Path) -> None:
    out.chmod(0o750)
    with atomic_output_dir(out) as staging:
        (staging / "a.csv").write_text("new a\n")
    assert out.stat().st_mode & 0o777 == 0o750


def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("not a folder")
    with pytest.raises(QualbstError, match="out: the output path is a file"), atomic_output_dir(target):
        pytest.fail("the block must not run")
    assert target.read_text() == "not a folder"


def test_a_symlinked_out_folder_stays_a_link_to_the_new_outputs(out: Path, tmp_path: Path) -> None:
    link = tmp_path / "out-link"
    link.symlink_to(out, target_is_directory=True)
    with atomic_output_dir(link) as staging:
        (staging / "a.csv").write_text("new a\n")
    assert link.is_symlink()
    assert link.resolve() == out.resolve()
    assert (link / "a.csv").read_text() == "new a\n"
    assert (out / "b.csv").read_text() == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out-link"]  # nothing left behind
