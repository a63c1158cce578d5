"""Atomic writes: a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["atomic_output_dir", "write_bytes_atomic", "write_csv_atomic", "write_text_atomic"]


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_bytes_atomic(d / "x.bin", b"abc").read_bytes()
    b'abc'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the usual mode (umask).
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 text with LF line ends (no BOM) atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_csv_atomic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as UTF-8 CSV (no BOM, LF, no index) atomically."""
    text = frame.to_csv(index=False, lineterminator="\n")
    return write_text_atomic(path, text)


@contextlib.contextmanager
def atomic_output_dir(out: str | Path) -> Iterator[Path]:
    """Yield a staging folder that replaces ``out`` as a whole on success.

    The block writes its files into the staging folder. When it finishes
    without an exception, the files of ``out`` that the block did not write are
    hard-linked (copied where links are impossible) into the staging folder,
    which then takes the place of ``out`` in one step: ``rename`` when ``out``
    does not exist yet, an atomic exchange of the two folders
    (``renameat2(RENAME_EXCHANGE)``) when it does. A reader, or a crash, sees
    the old folder or the new one, never a mix. On error ``out`` is untouched.

    Where the exchange is unavailable (not Linux, or a file system without it)
    the staged files are moved into ``out`` one by one: each file is still
    atomic, the set is not.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_text_atomic(d / "out" / "old.txt", "kept")
    >>> with atomic_output_dir(d / "out") as staging:
    ...     _ = (staging / "new.txt").write_text("written")
    >>> sorted(p.name for p in (d / "out").iterdir())
    ['new.txt', 'old.txt']
    """
    from .errors import QualbstError

    target = Path(out)
    if target.is_symlink():  # out/ links to a folder elsewhere: replace that folder, keep the link
        target = target.resolve()
    if target.exists() and not target.is_dir():
        raise QualbstError("the output path is a file, not a folder; name a folder", file=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        if not target.exists():
            _chmod_like_mkdir(staging)
            staging.rename(target)
            return
        _link_missing(target, staging)
        staging.chmod(target.stat().st_mode & 0o7777)
        if not _exchange(staging, target):
            _move_into(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _chmod_like_mkdir(folder: Path) -> None:
    """Give a mkdtemp folder (0700) the mode ``mkdir`` would (0777 less umask)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _link_missing(source: Path, staging: Path) -> None:
    """Hard-link into ``staging`` every file of ``source`` it does not hold."""
    for item in sorted(source.rglob("*")):
        dest = staging / item.relative_to(source)
        if item.is_dir() and not item.is_symlink():
            dest.mkdir(exist_ok=True)
            continue
        if dest.exists() or dest.is_symlink():
            continue
        try:
            os.link(item, dest, follow_symlinks=False)
        except OSError:
            shutil.copy2(item, dest, follow_symlinks=False)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where unsupported."""
    import ctypes
    import errno
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # glibc before 2.28, or another libc
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _move_into(staging: Path, target: Path) -> None:
    """Move each staged file into ``target`` (per-file atomic fallback)."""
    for item in sorted(staging.rglob("*")):
        if item.is_dir() and not item.is_symlink():
            continue
        dest = target / item.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() and item.samefile(dest):
            continue  # a hard link of the file already there
        item.replace(dest)
