"""Readers: Markdown with front matter, plain text, Word and WebVTT transcripts.

Every reader returns the same :class:`~qualbst.corpus.model.Document`. Before
any offset is counted, a UTF-8 BOM is removed, UTF-16 with a BOM is decoded,
and CRLF or lone CR line ends become LF. ``.docx`` and ``.vtt`` files are
converted to the Markdown body form (one ``LABEL: text`` line per turn), and
their offsets count in that converted text.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .._yaml import safe_load
from ..errors import CorpusError, Problem, QualbstError, ValidationError
from .model import DOCUMENT_ID, LANGUAGES, Document, Turn, guess_role

__all__ = [
    "CASES_FILE",
    "SUFFIXES",
    "decode_bytes",
    "read_cases",
    "read_corpus",
    "read_document",
    "read_docx",
    "read_markdown",
    "read_text",
    "read_vtt",
]

CASES_FILE = "cases.csv"
SUFFIXES = (".md", ".txt", ".docx", ".vtt")
# A line that starts like a speaker label ("P:", "I3:", "RT2:") but whose label is
# not in ``speakers`` is an error rather than a continuation line.
_LABEL_LIKE = re.compile(r"^([A-Z][A-Z0-9_]{0,7}):(?=\s|$)")


def decode_bytes(data: bytes, path: str | Path) -> str:
    """Decode a transcript's bytes and normalise line ends to LF.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted.

    Raises
    ------
    CorpusError
        If the bytes are not valid UTF-8; the message names the byte offset.

    Examples
    --------
    >>> decode_bytes(b"\\xef\\xbb\\xbfa\\r\\nb\\rc", "x.md")
    'a\\nb\\nc'
    >>> decode_bytes("P: é".encode("utf-16"), "x.md")
    'P: é'
    >>> decode_bytes(b"ok\\n\\xff", "x.md")
    Traceback (most recent call last):
    ...
    qualbst.errors.CorpusError: x.md:2: not valid UTF-8: byte 0xff at byte offset 3; save the file as UTF-8
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            bad = data[exc.start]
            raise CorpusError(
                f"not valid UTF-8: byte 0x{bad:02x} at byte offset {exc.start}; save the file as UTF-8",
                file=path,
                line=line,
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line on which the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise CorpusError("no YAML front matter: the file must start with a line '---'", file=path, line=1)
    for closing in range(1, len(lines)):
        if lines[closing].strip() == "---":
            break
    else:
        raise CorpusError("front matter is not closed by a line '---'", file=path, line=1)
    source = "\n".join(lines[1:closing])
    try:
        meta = safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CorpusError(f"malformed YAML front matter: {problem}", file=path, line=line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise CorpusError("front matter must be a mapping of fields", file=path, line=2)
    body = "\n".join(lines[closing + 1 :])
    return meta, body, closing + 2


def _check_meta(meta: Mapping[str, Any], path: str, line: int) -> dict[str, str]:
    """Check the required fields; return the speakers mapping."""
    for name in ("id", "language", "speakers"):
        if meta.get(name) in (None, "", {}):
            raise CorpusError(f"required field '{name}' is missing", file=path, line=line)
    doc_id = str(meta["id"])
    if not DOCUMENT_ID.match(doc_id):
        raise CorpusError(
            f"'id' must be lowercase letters, digits and '-' (got {doc_id!r})", file=path, line=line
        )
    if meta["language"] not in LANGUAGES:
        raise CorpusError(
            f"'language' must be one of {', '.join(LANGUAGES)} (got {meta['language']!r})",
            file=path,
            line=line,
        )
    speakers = meta["speakers"]
    if not isinstance(speakers, Mapping) or not all(
        isinstance(k, str | int) and isinstance(v, str) and v.strip() for k, v in speakers.items()
    ):
        raise CorpusError(
            "'speakers' must map each turn label to a role, e.g. {P: interviewer, I1: informant}",
            file=path,
            line=line,
        )
    return {str(k): str(v) for k, v in speakers.items()}


def _parse_turns(body: str, speakers: Mapping[str, str], path: str, body_line: int) -> tuple[Turn, ...]:
    labels = sorted(speakers, key=len, reverse=True)
    turn_start = re.compile(r"^(" + "|".join(re.escape(lab) for lab in labels) + r")[ \t]*:[ \t]*")
    turns: list[Turn] = []
    current: list[Any] | None = None  # [speaker, start, end, line]
    offset = 0
    for number, line in enumerate(body.split("\n")):
        file_line = body_line + number
        match = turn_start.match(line)
        if match:
            if current is not None:
                turns.append(_close(current, len(turns) + 1, speakers))
            start = offset + match.end()
            current = [match.group(1), start, max(start, offset + len(line.rstrip())), file_line]
        elif (unknown := _LABEL_LIKE.match(line)) is not None:
            known = ", ".join(sorted(speakers))
            raise CorpusError(
                f"turn label '{unknown.group(1)}' is not in speakers ({known}); "
                "add it to 'speakers' in the front matter",
                file=path,
                line=file_line,
            )
        elif line.strip():
            if current is None:
                raise CorpusError(
                    "text before the first turn: each turn must start with 'LABEL: ' "
                    f"where LABEL is one of {', '.join(sorted(speakers))}",
                    file=path,
                    line=file_line,
                )
            current[2] = offset + len(line.rstrip())
        offset += len(line) + 1
    if current is not None:
        turns.append(_close(current, len(turns) + 1, speakers))
    if not turns:
        raise CorpusError(
            "empty transcript: no turns found (expected lines like 'P: ...')",
            file=path,
            line=body_line,
        )
    return tuple(turns)


def _close(current: list[Any], index: int, speakers: Mapping[str, str]) -> Turn:
    speaker, start, end, line = current
    return Turn(index, speaker, speakers[speaker], start, end, line)


def _document(meta: dict[str, Any], body: str, path: str, body_line: int, meta_line: int) -> Document:
    speakers = _check_meta(meta, path, meta_line)
    turns = _parse_turns(body, speakers, path, body_line)
    meta = {**meta, "id": str(meta["id"]), "speakers": speakers}
    return Document(
        id=str(meta["id"]),
        language=str(meta["language"]),
        speakers=speakers,
        body=body,
        turns=turns,
        meta=meta,
        path=path,
        body_line=body_line,
    )


def read_markdown(path: str | Path) -> Document:
    """Read a ``.md`` transcript: YAML front matter, then speaker turns.

    Raises
    ------
    CorpusError
        On undecodable bytes, malformed or incomplete front matter, an unknown
        turn label or an empty transcript; the message names file and line.
    """
    name = str(path)
    text = decode_bytes(Path(path).read_bytes(), name)
    meta, body, body_line = _split_front_matter(text, name)
    return _document(meta, body, name, body_line, meta_line=1)


def read_cases(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read ``cases.csv``: metadata for ``.txt``, ``.docx`` and ``.vtt`` files.

    One row per file, keyed by the file's stem in the column ``file``; the
    other columns are front-matter fields. ``speakers`` is written as a YAML
    flow mapping (``{P: interviewer, I1: informant}``); empty cells are left out.
    """
    name = str(path)
    text = decode_bytes(Path(path).read_bytes(), name)
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "file" not in reader.fieldnames:
        raise CorpusError("cases.csv must have a column 'file' (the transcript's stem)", file=name, line=1)
    cases: dict[str, dict[str, Any]] = {}
    line = 1
    for row in reader:
        line = reader.line_num
        stem = (row.pop("file") or "").strip()
        if not stem:
            raise CorpusError("empty 'file' cell", file=name, line=line)
        if stem in cases:
            raise CorpusError(f"file {stem!r} has two rows", file=name, line=line)
        fields: dict[str, Any] = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
        if "speakers" in fields:
            try:
                fields["speakers"] = yaml.safe_load(fields["speakers"])
            except yaml.YAMLError:
                raise CorpusError(
                    "'speakers' must be a mapping like {P: interviewer, I1: informant}",
                    file=name,
                    line=line,
                ) from None
        fields["_line"] = line
        cases[stem] = fields
    return cases


def _case_meta(
    path: Path, cases: Mapping[str, Mapping[str, Any]] | None, body: str
) -> tuple[dict[str, Any], int]:
    case = dict((cases or {}).get(path.stem, {}))
    line = int(case.pop("_line", 1))
    case.setdefault("id", path.stem)
    if "speakers" not in case:
        case["speakers"] = _infer_speakers(body)
    if "language" not in case:
        raise CorpusError(
            f"no 'language' for {path.name}: add a row for '{path.stem}' to {CASES_FILE}",
            file=path.parent / CASES_FILE if cases is not None else path,
            line=line if cases is not None else None,
        )
    return case, line


def _infer_speakers(body: str) -> dict[str, str]:
    """Guess speakers from ``LABEL:`` prefixes when no metadata names them."""
    found: dict[str, str] = {}
    for match in re.finditer(r"^([^\s:][^:\n]{0,30}?)[ \t]*:", body, flags=re.MULTILINE):
        label = match.group(1)
        if label not in found:
            found[label] = guess_role(label)
    return found


def read_text(path: str | Path, cases: Mapping[str, Mapping[str, Any]] | None = None) -> Document:
    """Read a ``.txt`` transcript: the Markdown body without front matter.

    Metadata comes from ``cases`` (the folder's ``cases.csv``), keyed by stem.
    """
    source = Path(path)
    body = decode_bytes(source.read_bytes(), str(source))
    meta, line = _case_meta(source, cases, body)
    return _document(meta, body, str(source), 1, meta_line=line)


def read_docx(path: str | Path, cases: Mapping[str, Mapping[str, Any]] | None = None) -> Document:
    """Read a Word transcript: one paragraph per turn, each starting ``LABEL:``.

    The body is the paragraphs joined by LF; "line" in messages is the
    paragraph number.
    """
    import docx  # python-docx; imported here, it is slow to import

    source = Path(path)
    try:
        paragraphs = [p.text for p in docx.Document(str(source)).paragraphs]
    except Exception as exc:  # python-docx raises several types for a bad file
        raise CorpusError(f"not a readable .docx file ({type(exc).__name__}: {exc})", file=source) from None
    body = "\n".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in paragraphs)
    meta, line = _case_meta(source, cases, body)
    return _document(meta, body, str(source), 1, meta_line=line)


def read_vtt(path: str | Path, cases: Mapping[str, Mapping[str, Any]] | None = None) -> Document:
    """Read a WebVTT transcript; speakers from voice tags or ``LABEL:`` prefixes.

    Consecutive cues of one speaker become one turn; the body is one
    ``LABEL: text`` line per turn, continued on following lines.
    """
    import webvtt

    source = Path(path)
    text = decode_bytes(source.read_bytes(), str(source))
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as exc:  # webvtt-py raises its own MalformedFileError and others
        raise CorpusError(f"not a readable WebVTT file ({exc})", file=source, line=1) from None
    lines: list[str] = []
    previous: str | None = None
    for caption in captions:
        voice = getattr(caption, "voice", None)
        content = " ".join(caption.text.split())
        if not content:
            continue
        if voice:
            voice = " ".join(str(voice).split())
            if voice == previous:
                lines.append(content)
            else:
                lines.append(f"{voice}: {content}")
            previous = voice
        else:
            lines.append(content)
            label = re.match(r"^([^\s:][^:\n]{0,30}?)[ \t]*:", content)
            previous = label.group(1) if label else previous
    body = "\n".join(lines)
    meta, line = _case_meta(source, cases, body)
    return _document(meta, body, str(source), 1, meta_line=line)


def read_document(path: str | Path, cases: Mapping[str, Mapping[str, Any]] | None = None) -> Document:
    """Read one transcript of any supported format, chosen by its suffix."""
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix == ".md":
        return read_markdown(source)
    if suffix == ".txt":
        return read_text(source, cases)
    if suffix == ".docx":
        return read_docx(source, cases)
    if suffix == ".vtt":
        return read_vtt(source, cases)
    raise CorpusError(f"unsupported transcript format {suffix!r} (use {', '.join(SUFFIXES)})", file=source)


def _transcript_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_corpus(folder: str | Path) -> tuple[Document, ...]:
    """Read every transcript in ``folder`` (sorted by file name).

    Raises
    ------
    ValidationError
        Listing one problem per bad file, and every document id used twice.
    CorpusError
        If the folder does not exist or holds no transcript.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CorpusError("transcript folder not found (pass --interviews DIR)", file=root)
    files = _transcript_files(root)
    if not files:
        raise CorpusError(f"no transcripts ({', '.join(SUFFIXES)}) in this folder", file=root)
    problems: list[Problem] = []
    cases: dict[str, dict[str, Any]] | None = None
    if (root / CASES_FILE).exists():
        try:
            cases = read_cases(root / CASES_FILE)
        except QualbstError as exc:
            problems.append(Problem(exc.file or root / CASES_FILE, exc.line, exc.message))
    documents: list[Document] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            document = read_document(path, cases)
        except QualbstError as exc:
            problems.append(Problem(exc.file or path, exc.line, exc.message))
            continue
        if document.id in seen:
            problems.append(
                Problem(path, 1, f"document id {document.id!r} is already used by {seen[document.id]}")
            )
            continue
        seen[document.id] = str(path)
        documents.append(document)
    if problems:
        raise ValidationError(problems)
    return tuple(documents)


def iter_problems(errors: Iterable[QualbstError]) -> list[Problem]:
    """Turn errors into problems (for reporting several at once)."""
    return [Problem(e.file or "?", e.line, e.message) for e in errors]
