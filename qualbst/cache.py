"""The incremental cache: per-document results kept between runs.

A cache entry is one JSON file named by the hash of everything its result
depends on (its *key*): a document's content, the parts of the codebook it
uses, the model, the training settings and the code that computed it (the
source of the modules involved and the versions of spaCy, scikit-learn,
rapidfuzz and PySastrawi). Change any of them and the key changes, so an
entry is never stale: it is simply not found, and the result is recomputed.

Entries are plain data (rows of the output tables), written atomically, and
checked when read: a file that is not valid JSON, or whose recorded key or
shape is wrong, is ignored with a note and recomputed, never trusted. Nothing
in the cache is needed to reproduce a result, so the folder (by default
``.qualbst-cache/`` beside the ``interviews`` folder) can be deleted at any
time. Old entries are not pruned; deleting the folder is how to reclaim it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ._io import write_text_atomic

__all__ = ["FORMAT", "Cache", "code_version", "fingerprint"]

FORMAT = "qualbst-cache/1"
PACKAGE = Path(__file__).resolve().parent
# What the per-document stages and the trained coder are made of: a change to
# any of these files (or to these packages' versions) invalidates every entry.
_SOURCES = (
    "coding",
    "corpus",
    "lang",
    "network/interactions.py",
    "nlp.py",
    "segments.py",
    "tables.py",
    "codebook.py",
    "engine.py",
)
_PACKAGES = ("spacy", "scikit-learn", "rapidfuzz", "PySastrawi", "snowballstemmer", "pandas", "numpy")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "path"}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def fingerprint(*parts: Any) -> str:
    """The SHA-256 (hex) of ``parts`` as canonical JSON.

    Dataclasses (documents, codes, agencies) count by their fields, except
    ``path``: a project copied elsewhere keeps its keys.

    Examples
    --------
    >>> fingerprint("a", 1) == fingerprint("a", 1) != fingerprint("a", 2)
    True
    >>> len(fingerprint({"b": 1, "a": [1, 2]}))
    64
    """
    try:  # json walks lists, tuples, strings and numbers in C; _default turns the rest plain
        text = json.dumps(parts, default=_default, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except TypeError:  # a mapping with keys json cannot sort or write (tuples, mixed types)
        text = json.dumps(_plain(parts), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _default(value: Any) -> Any:
    """What :func:`fingerprint` writes for a value json has no form for (as :func:`_plain`)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name != "path"}
    if hasattr(value, "items"):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(json.dumps(v, default=_default, sort_keys=True, ensure_ascii=False) for v in value)
    return repr(value)


@cache
def code_version() -> str:
    """A hash of the code behind cached results (see module docstring).

    Examples
    --------
    >>> len(code_version())
    64
    """
    digest = hashlib.sha256(FORMAT.encode())
    files: list[Path] = []
    for name in _SOURCES:
        path = PACKAGE / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in files:
        if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.exists():
            continue
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in _PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package}={version}\0".encode())
    return digest.hexdigest()


class Cache:
    """A folder of cache entries, or nothing (``root=None``: every lookup misses).

    Parameters
    ----------
    root : path or None
        The cache folder (created on first write). ``None`` disables the
        cache: nothing is read or written (``--no-cache``).

    Attributes
    ----------
    hits, misses : dict of str to int
        Lookups per kind of entry that found / did not find a usable entry.
    notes : list of str
        Entries that were ignored as corrupt, and writes that failed.

    Examples
    --------
    >>> import tempfile
    >>> c = Cache(tempfile.mkdtemp())
    >>> c.get("demo", "k1") is None
    True
    >>> c.put("demo", "k1", {"rows": [1, 2]})
    >>> c.get("demo", "k1")
    {'rows': [1, 2]}
    >>> c.hits, c.misses
    ({'demo': 1}, {'demo': 1})
    """

    def __init__(self, root: str | Path | None) -> None:
        self.root = Path(root) if root is not None else None
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}
        self.notes: list[str] = []

    @property
    def enabled(self) -> bool:
        """Whether entries are read and written."""
        return self.root is not None

    def path(self, kind: str, key: str) -> Path:
        """Where the entry ``key`` of ``kind`` lives."""
        if self.root is None:
            raise ValueError("the cache is disabled")
        return self.root / "v1" / kind / key[:2] / f"{key}.json"

    def _count(self, table: dict[str, int], kind: str) -> None:
        table[kind] = table.get(kind, 0) + 1

    def get(self, kind: str, key: str) -> Any:
        """The data stored under ``key``, or None (missing, disabled or corrupt)."""
        if self.root is None:
            self._count(self.misses, kind)
            return None
        path = self.path(kind, key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._count(self.misses, kind)
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self._corrupt(kind, path, str(exc))
            return None
        try:
            entry = json.loads(text)
        except ValueError as exc:
            self._corrupt(kind, path, f"not JSON ({exc})")
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
            self._corrupt(kind, path, "not a qualbst cache entry for this key")
            return None
        if "data" not in entry:
            self._corrupt(kind, path, "no data")
            return None
        self._count(self.hits, kind)
        return entry["data"]

    def _corrupt(self, kind: str, path: Path, why: str) -> None:
        self.notes.append(f"cache: ignored a corrupt entry ({why}), recomputed: {path}")
        self._count(self.misses, kind)

    def put(self, kind: str, key: str, data: Any) -> None:
        """Store ``data`` (JSON-able) under ``key``, atomically; a failed write is a note."""
        if self.root is None:
            return
        entry = {"format": FORMAT, "key": key, "data": data}
        try:
            write_text_atomic(self.path(kind, key), json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            self.notes.append(f"cache: could not write an entry ({exc}); results are unaffected")

    def corrupt(self, kind: str, key: str, why: str) -> None:
        """Record that a stored entry had the wrong shape (it is then recomputed)."""
        if self.root is not None:
            self.hits[kind] = self.hits.get(kind, 1) - 1
            self._corrupt(kind, self.path(kind, key), why)


# -- whole-corpus tables, remembered by the hash of their inputs -------------------------------

_DTYPES = ("int64", "float64", "bool", "object", "str", "Int64", "boolean")


@cache
def sources_version(*sources: str) -> str:
    """A hash of :func:`code_version` and the given package files or folders.

    Examples
    --------
    >>> sources_version("factors.py") != sources_version("reliability.py")
    True
    """
    digest = hashlib.sha256(code_version().encode())
    for name in sources:
        path = PACKAGE / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" not in file.parts and file.suffix != ".pyc" and file.exists():
                digest.update(
                    file.relative_to(PACKAGE).as_posix().encode() + b"\0" + file.read_bytes() + b"\0"
                )
    return digest.hexdigest()


def folder_digest(folder: str | Path) -> str:
    """A hash of the names and bytes of the files directly in ``folder``."""
    digest = hashlib.sha256()
    root = Path(folder)
    if root.is_dir():
        for file in sorted(p for p in root.iterdir() if p.is_file()):
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def frame_digest(frame: Any) -> str:
    """A hash of a DataFrame's columns, dtypes, index and values."""
    import pandas as pd

    values = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    head = json.dumps([[str(c) for c in frame.columns], [str(t) for t in frame.dtypes]])
    return hashlib.sha256(head.encode() + b"\0" + values).hexdigest()


def _native(value: Any) -> Any:
    import pandas as pd

    if value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") and type(value).__module__ == "numpy" else value


def _encode_frame(frame: Any) -> dict[str, Any] | None:
    import pandas as pd

    if not all(isinstance(c, str) for c in frame.columns) or frame.columns.duplicated().any():
        return None
    dtypes = [str(t) for t in frame.dtypes]
    if any(t not in _DTYPES for t in dtypes):
        return None
    index = frame.index
    plain = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None
    if not plain and not (index.dtype == object and all(isinstance(v, str) for v in index)):
        return None
    return {
        "columns": list(frame.columns),
        "dtypes": dtypes,
        "rows": [[_native(v) for v in row] for row in frame.itertuples(index=False, name=None)],
        "index": None if plain else [str(v) for v in index],
        "index_name": None if plain or index.name is None else str(index.name),
    }


def _decode_frame(data: Any) -> Any:
    import pandas as pd

    frame = pd.DataFrame(data["rows"], columns=data["columns"])
    frame = frame.astype(dict(zip(data["columns"], data["dtypes"], strict=True))) if len(frame) else frame
    if not len(frame):
        frame = pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in zip(data["columns"], data["dtypes"], strict=True)}
        )
    if data["index"] is not None:
        frame.index = pd.Index(data["index"], dtype=object, name=data["index_name"])
    return frame


def _key(name: str, inputs: tuple[Any, ...], sources: tuple[str, ...]) -> str:
    """The key of a corpus-level result: its inputs (DataFrames by :func:`frame_digest`) and code."""
    import pandas as pd

    parts = [frame_digest(p) if isinstance(p, pd.DataFrame) else p for p in inputs]
    return fingerprint("corpus", name, sources_version(*sources), parts)


def remember_tables(
    store: Cache, name: str, inputs: tuple[Any, ...], compute: Any, *, sources: tuple[str, ...]
) -> dict[str, Any]:
    """``compute()`` (a dict of DataFrames), or its stored result for the same inputs.

    The key is the hash of ``inputs`` (DataFrames by :func:`frame_digest`;
    they must be everything ``compute`` reads, files included) and of the
    code (:func:`sources_version` of ``sources``, the modules ``compute``
    uses). Results with column types other than int, float, bool and object
    (and their nullable and string forms) are not stored; nor are exceptions.
    """
    key = _key(name, inputs, sources)
    found = store.get("corpus", key)
    if isinstance(found, dict):
        try:
            return {str(k): _decode_frame(v) for k, v in found.items()}
        except (KeyError, TypeError, ValueError) as exc:
            store.corrupt("corpus", key, f"unreadable tables ({exc})")
    elif found is not None:
        store.corrupt("corpus", key, "wrong shape")
    result = dict(compute())
    encoded = {k: _encode_frame(v) for k, v in result.items()}
    if store.enabled and all(e is not None for e in encoded.values()):
        try:
            json.dumps(encoded)
        except (TypeError, ValueError):
            return result
        store.put("corpus", key, encoded)
    return result


def remember_files(
    store: Cache,
    name: str,
    inputs: tuple[Any, ...],
    paths: Sequence[Path],
    make: Callable[[], Any],
    *,
    sources: tuple[str, ...],
) -> None:
    """Write ``paths`` with ``make()``, or from ``store`` for the same inputs.

    Keyed like :func:`remember_tables` (``inputs`` must be everything ``make``
    reads); the files' bytes are stored, and an entry that cannot be read is
    ignored with a note and made again.
    """
    import base64

    key = _key(name, inputs, sources)
    found = store.get("corpus", key)
    if isinstance(found, dict) and all(isinstance(found.get(p.name), str) for p in paths):
        try:
            contents = [base64.b64decode(found[p.name], validate=True) for p in paths]
        except ValueError:
            store.corrupt("corpus", key, "unreadable file")
        else:
            for path, content in zip(paths, contents, strict=True):
                path.write_bytes(content)
            return
    elif found is not None:
        store.corrupt("corpus", key, "wrong shape")
    make()
    if store.enabled:
        store.put("corpus", key, {p.name: base64.b64encode(p.read_bytes()).decode("ascii") for p in paths})
