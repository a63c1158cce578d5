"""Reading a YAML file with the line of every problem (shared by all loaders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import QualbstError


def load_yaml(
    path: str | Path, *, error: type[QualbstError] = QualbstError, missing: str = "file not found"
) -> tuple[Any, Any]:
    """Read ``path`` (any BOM and CRLF normalised) and return ``(node, data)``:
    the composed YAML node tree, for the line of each entry, and the data.

    Raises
    ------
    QualbstError (or ``error``)
        ``file: missing`` when there is no such file; ``file:line: malformed
        YAML: problem`` when the YAML does not parse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = f.write_text("a: 1\\nb: [2\\n", encoding="utf-8")
    >>> try:
    ...     load_yaml(f)
    ... except QualbstError as exc:
    ...     print(exc.line, exc.message.split(":")[0])
    3 malformed YAML
    """
    import yaml

    from .corpus.readers import decode_bytes

    file = Path(path)
    name = str(file)
    if not file.exists():
        raise error(missing, file=name)
    text = decode_bytes(file.read_bytes(), name)
    try:
        try:
            loader = safe_loader()
            return yaml.compose(text, Loader=loader), yaml.load(text, Loader=loader)
        except yaml.YAMLError:  # parse again in Python, whose marks point at the line to fix
            return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(
            f"malformed YAML: {problem}", file=name, line=None if mark is None else mark.line + 1
        ) from None


def safe_loader() -> Any:
    """PyYAML's safe loader, in C (libyaml) when PyYAML was built with it: the
    same data, several times faster on the codebook. (Its error marks can
    point past the problem; callers reporting a line parse again in Python.)"""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` through :func:`safe_loader`; a YAML error is the one
    the Python loader raises, whose mark names the line to fix.

    Examples
    --------
    >>> safe_load("speakers: {P: interviewer}")
    {'speakers': {'P': 'interviewer'}}
    >>> try:
    ...     safe_load("id: x\\nspeakers: [a")  # libyaml would say line 3, past the end
    ... except Exception as exc:
    ...     print(exc.problem_mark.line + 1)
    2
    """
    import yaml

    try:
        return yaml.load(text, Loader=safe_loader())
    except yaml.YAMLError:
        return yaml.safe_load(text)
