"""REFI-QDA projects (``.qdpx``): export a qualbst project, import one from any QDA tool.

A ``.qdpx`` is a zip holding ``project.qde`` (QDA-XML, namespace
``urn:QDA-XML:project:1.0``) and a ``Sources/`` folder with the text of each
source. :func:`export_qdpx` writes one that NVivo, ATLAS.ti, MAXQDA and
QualCoder import; :func:`import_qdpx` turns one from any of them into
transcripts, a codebook and codings CSVs that qualbst reads.

What goes where (export)
------------------------
==========================  ===================================================
qualbst                     REFI-QDA
==========================  ===================================================
document (body)             ``<TextSource name=id plainTextPath="internal://<guid>.txt">``
                            and ``Sources/<guid>.txt`` (UTF-8, LF, no BOM)
front-matter field          ``<Variable>`` (Text, Boolean, Integer, Float, Date,
                            DateTime); a value on the source and, when all its
                            documents agree, on the informant's ``<Case>``
informant                   ``<Case>`` with a ``<SourceRef>`` to each document
codebook, agencies          ``<CodeBook>`` as in :mod:`qualbst.interop.refi`;
                            agencies in a member-less ``<Set>``
coder (``auto:rules`` too)  ``<User name=coder id=coder>``
codings row                 ``<Coding creatingUser=...>`` in the
                            ``<PlainTextSelection>`` of its span (one selection
                            per document and span); its memo (manual codings)
                            or evidence (machine codings, with the confidence
                            when below 1) is a ``<Note>`` it refers to
interaction                 a ``<Note>`` ("source → target (type)" and the
                            quote) referred to from the selection of its
                            segment; one ``<Set>`` of notes per interaction type
==========================  ===================================================

Positions count Unicode code points from 0, end exclusive, in the text file;
they are the codings table's ``start`` and ``end``. GUIDs come from uuid5 over
the object's identity, zip entries are sorted and dated 1980-01-01, and no
creation times are written: the same project gives the same bytes.

Importing untrusted files
-------------------------
Entries with an absolute path or ``..`` are refused, as are archives with more
than ``max_entries`` entries or more than ``max_bytes`` of uncompressed data
(counted while reading, not trusted from the headers). XML with a DOCTYPE or
entity declaration is refused; the parser never expands entities or touches
the network. Selections outside their text and codings that point to unknown
codes are skipped and reported by name, as are missing source files. Output
goes to a staging folder inside ``out_dir`` and is moved into place at the end:
nothing is written outside ``out_dir``.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime
import decimal
import functools
import importlib
import io
import math
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml
from lxml import etree

from .._io import write_bytes_atomic, write_text_atomic
from ..codebook import Code, Codebook
from ..corpus.model import DOCUMENT_ID, LANGUAGES, guess_role
from ..corpus.readers import CASES_FILE, read_cases, read_text
from ..errors import CodingsError, Problem, QualbstError
from ._zip import deterministic_zip
from .refi import (
    NS_PROJECT,
    ORIGIN,
    append_agencies_set,
    append_codes,
    check_own_output,
    child_text,
    children,
    code_guid,
    local_name,
    new_root,
    norm_guid,
    parse_xml,
    read_agencies_set,
    read_codes,
    refi_guid,
    schema_problems,
    slugify,
    source_line,
    to_bytes,
    write_codebook,
    xml_text,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..corpus.model import Document
    from ..pipeline import Project

__all__ = [
    "INTERACTIONS_SET_PREFIX",
    "MAX_BYTES",
    "MAX_ENTRIES",
    "WRAP_LABEL",
    "WRAP_ROLE",
    "ImportResult",
    "export_qdpx",
    "guess_language",
    "import_qdpx",
    "validate_qdpx",
]

#: Default limit on the number of entries in an imported archive.
MAX_ENTRIES = 10_000
#: Default limit on the uncompressed bytes read from an imported archive (500 MiB).
MAX_BYTES = 500 * 2**20
#: Sets of interaction notes are named this prefix and the interaction type.
INTERACTIONS_SET_PREFIX = "interactions: "
#: Speaker label put before paragraphs of an imported text that no speaker label opens.
WRAP_LABEL = "TEXT"
#: The role declared for :data:`WRAP_LABEL` in ``cases.csv``.
WRAP_ROLE = "text"

_P = f"{{{NS_PROJECT}}}"
_VALUE_ELEMENTS = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}
# As the transcript reader: a line opening with a label such as "P:", "I3:", "RT2:".
_LABEL_LIKE = re.compile(r"^([A-Z][A-Z0-9_]{0,7}):(?=\s|$)", re.MULTILINE)
# A capitalised name of up to four words as a label ("Interviewer:", "Bu Ani:").
_NAME_LABEL = re.compile(r"^([A-Z][^\W\d_]*(?: [A-Z][^\W\d_]*){0,3})[ \t]*:(?=[ \t])", re.MULTILINE)
_LANGUAGE_NAMES = {
    "id": "id",
    "ind": "id",
    "indonesian": "id",
    "indonesia": "id",
    "bahasa indonesia": "id",
    "en": "en",
    "eng": "en",
    "english": "en",
    "inggris": "en",
}
# The evidence of a manual coding (qualbst.coding.manual): "coder-a.csv:12" or "coder-a.csv:12 memo: ...".
_MANUAL_EVIDENCE = re.compile(r"^[^\s:]+\.csv:\d+(?: memo: (?P<memo>.*))?$", re.DOTALL)
_TEXT_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|md|pdf|vtt)$", re.IGNORECASE)


# ================================================================ export


@dataclass(frozen=True)
class _Coding:
    document: str
    start: int
    end: int
    code: str
    coder: str
    note: str


@dataclass(frozen=True)
class _Interaction:
    document: str
    span: tuple[int, int] | None
    source: str
    target: str
    type: str
    directed: bool
    quote: str
    key: str


def _cell(value: Any) -> str:
    """A table cell as stripped text ('' for None and NaN)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if not isinstance(value, list | tuple | dict) and pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _truthy(value: Any) -> bool:
    return _cell(value).lower() in ("true", "1", "yes", "y")


def _coding_rows(
    table: pd.DataFrame | None, documents: Mapping[str, Document], codebook: Codebook
) -> list[_Coding]:
    if table is None or len(table) == 0:
        return []
    missing = [c for c in ("document", "start", "end", "code", "coder") if c not in table.columns]
    if missing:
        raise CodingsError(f"codings table: missing column(s) {', '.join(missing)}")
    order = {doc_id: n for n, doc_id in enumerate(documents)}
    rows: dict[tuple[str, int, int, str, str], _Coding] = {}
    for number, record in enumerate(table.to_dict("records"), start=1):
        where = f"codings table, row {number}"
        doc_id, code, coder = _cell(record["document"]), _cell(record["code"]), _cell(record["coder"])
        if doc_id not in documents:
            raise CodingsError(f"{where}: unknown document {doc_id!r} (not among the project's documents)")
        if not codebook.has_code(code):
            raise CodingsError(f"{where}: unknown code {code!r} (not in the codebook)")
        if not codebook.code(code).codable:
            raise CodingsError(
                f"{where}: code {code!r} is a category (codable: false) and cannot carry codings"
            )
        if not coder:
            raise CodingsError(f"{where}: empty 'coder'")
        try:
            start, end = int(record["start"]), int(record["end"])
        except (TypeError, ValueError):
            raise CodingsError(
                f"{where}: 'start' and 'end' must be whole numbers "
                f"(got {record['start']!r}, {record['end']!r})"
            ) from None
        length = len(documents[doc_id].body)
        if not 0 <= start < end <= length:
            raise CodingsError(
                f"{where}: span {start}-{end} is empty or outside the text of {doc_id!r} (0-{length})"
            )
        evidence = _cell(record.get("evidence"))
        manual = _MANUAL_EVIDENCE.match(evidence)
        if manual:  # the file and line mean nothing outside qualbst; the memo does
            evidence = (manual.group("memo") or "").strip()
        confidence = _cell(record.get("confidence"))
        if confidence and float(confidence) < 1.0:
            evidence = f"confidence {float(confidence):.2f}" + (f"; {evidence}" if evidence else "")
        key = (doc_id, start, end, code, coder)
        rows.setdefault(key, _Coding(doc_id, start, end, code, coder, evidence))
    return sorted(rows.values(), key=lambda r: (order[r.document], r.start, r.end, r.code, r.coder))


def _interaction_rows(
    table: pd.DataFrame | None, documents: Mapping[str, Document], segments: pd.DataFrame | None
) -> list[_Interaction]:
    if table is None or len(table) == 0:
        return []
    missing = [c for c in ("document", "segment", "source", "target", "type") if c not in table.columns]
    if missing:
        raise QualbstError(f"interactions table: missing column(s) {', '.join(missing)}")
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    if segments is not None and len(segments):
        for doc_id, seg, start, end in zip(
            segments["document"], segments["segment"], segments["start"], segments["end"], strict=True
        ):
            spans[(str(doc_id), str(seg))] = (int(start), int(end))
    rows: list[_Interaction] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(table.to_dict("records"), start=1):
        doc_id = _cell(record["document"])
        if doc_id not in documents:
            raise QualbstError(f"interactions table, row {number}: unknown document {doc_id!r}")
        segment = _cell(record["segment"])
        fields = (doc_id, segment, _cell(record["source"]), _cell(record["target"]), _cell(record["type"]))
        base = "\x1f".join(fields)
        seen[base] = seen.get(base, 0) + 1
        rows.append(
            _Interaction(
                document=doc_id,
                span=spans.get((doc_id, segment)),
                source=fields[2],
                target=fields[3],
                type=fields[4] or "interaction",
                directed=_truthy(record.get("directed")),
                quote=_cell(record.get("quote")),
                key=f"{base}\x1f{seen[base]}",
            )
        )
    order = {doc_id: n for n, doc_id in enumerate(documents)}
    return sorted(rows, key=lambda r: (order[r.document], r.span or (-1, -1), r.key))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float" if math.isfinite(value) else "Text"
    if isinstance(value, datetime.datetime):
        return "DateTime"
    if isinstance(value, datetime.date):
        return "Date"
    return "Text"


def _variable_type(values: Iterable[Any]) -> str:
    kinds = {_kind(v) for v in values}
    if len(kinds) == 1:
        return kinds.pop()
    return "Float" if kinds == {"Integer", "Float"} else "Text"


def _flow_yaml(value: Any) -> str:
    """A mapping or list as one line of YAML flow style (``{P: interviewer}``)."""
    plain = _plain(value)
    return str(
        yaml.safe_dump(plain, default_flow_style=True, sort_keys=False, allow_unicode=True, width=2**30)
    ).strip()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _value_text(value: Any, kind: str) -> str:
    """A front-matter value as the text of its REFI value element."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        return format(decimal.Decimal(repr(float(value))), "f")  # xsd:decimal has no exponent
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return _flow_yaml(value)
    return str(value)


def _excerpt(text: str, limit: int = 60) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[:limit].rstrip() + "…"


class _ProjectWriter:
    """Builds ``project.qde`` and the source files of one export."""

    def __init__(self, documents: tuple[Document, ...], codebook: Codebook, name: str) -> None:
        self.documents = documents
        self.codebook = codebook
        self.root = new_root(NS_PROJECT, "Project", name=xml_text(name), origin=ORIGIN)
        self.files: dict[str, bytes] = {}

    def users(self, coders: list[str]) -> None:
        if not coders:
            return
        users = etree.SubElement(self.root, f"{_P}Users")
        for coder in coders:
            etree.SubElement(
                users, f"{_P}User", guid=refi_guid("user", coder), name=xml_text(coder), id=xml_text(coder)
            )

    def codes(self) -> None:
        if not self.codebook.codes:
            return
        book = etree.SubElement(self.root, f"{_P}CodeBook")
        append_codes(etree.SubElement(book, f"{_P}Codes"), self.codebook, NS_PROJECT)

    def variables(self) -> dict[str, str]:
        values: dict[str, list[Any]] = {}
        for document in self.documents:
            for key, value in document.meta.items():
                if value is not None:
                    values.setdefault(str(key), []).append(value)
        types = {key: _variable_type(vals) for key, vals in sorted(values.items())}
        if types:
            element = etree.SubElement(self.root, f"{_P}Variables")
            for key, kind in types.items():
                etree.SubElement(
                    element,
                    f"{_P}Variable",
                    guid=refi_guid("variable", key),
                    name=xml_text(key),
                    typeOfVariable=kind,
                )
        return types

    @staticmethod
    def value(parent: etree._Element, key: str, value: Any, kind: str) -> None:
        node = etree.SubElement(parent, f"{_P}VariableValue")
        etree.SubElement(node, f"{_P}VariableRef", targetGUID=refi_guid("variable", key))
        etree.SubElement(node, f"{_P}{_VALUE_ELEMENTS[kind]}").text = xml_text(_value_text(value, kind))

    def cases(self, types: Mapping[str, str]) -> None:
        groups: dict[str, list[Document]] = {}
        for document in self.documents:
            groups.setdefault(document.informant, []).append(document)
        if not groups:
            return
        element = etree.SubElement(self.root, f"{_P}Cases")
        for informant, documents in groups.items():
            case = etree.SubElement(
                element, f"{_P}Case", guid=refi_guid("case", informant), name=xml_text(informant)
            )
            for key, kind in types.items():
                found = [d.meta.get(key) for d in documents]
                if found[0] is not None and all(v == found[0] for v in found):
                    self.value(case, key, found[0], kind)
            for document in documents:
                etree.SubElement(case, f"{_P}SourceRef", targetGUID=refi_guid("source", document.id))

    def sources(
        self,
        types: Mapping[str, str],
        codings: list[_Coding],
        interactions: list[_Interaction],
        notes: dict[str, str],
    ) -> list[tuple[str, str, str, str | None]]:
        """Write the sources; return the notes as (guid, name, text, user guid)."""
        note_list: list[tuple[str, str, str, str | None]] = []
        spans: dict[str, dict[tuple[int, int], dict[str, list[Any]]]] = {}
        for row in codings:
            entry = spans.setdefault(row.document, {}).setdefault(
                (row.start, row.end), {"codings": [], "notes": []}
            )
            entry["codings"].append(row)
        loose: dict[str, list[str]] = {}
        for interaction in interactions:
            guid = refi_guid("note", f"interaction\x1f{interaction.key}")
            arrow = "→" if interaction.directed else "↔"
            title = f"{interaction.type}: {interaction.source} {arrow} {interaction.target}"
            text = title + (f"\n{interaction.quote}" if interaction.quote else "")
            note_list.append((guid, title, text, None))
            notes[guid] = interaction.type
            if interaction.span is None:
                loose.setdefault(interaction.document, []).append(guid)
            else:
                entry = spans.setdefault(interaction.document, {}).setdefault(
                    interaction.span, {"codings": [], "notes": []}
                )
                entry["notes"].append(guid)
        element = etree.SubElement(self.root, f"{_P}Sources")
        for document in self.documents:
            guid = refi_guid("source", document.id)
            self.files[f"Sources/{guid}.txt"] = document.body.encode("utf-8")
            source = etree.SubElement(
                element,
                f"{_P}TextSource",
                guid=guid,
                name=xml_text(document.id),
                plainTextPath=f"internal://{guid}.txt",
            )
            for (start, end), entry in sorted(spans.get(document.id, {}).items()):
                key = f"{document.id}\x1f{start}\x1f{end}"
                selection = etree.SubElement(
                    source,
                    f"{_P}PlainTextSelection",
                    guid=refi_guid("selection", key),
                    name=xml_text(_excerpt(document.body[start:end])),
                    startPosition=str(start),
                    endPosition=str(end),
                )
                coders = {row.coder for row in entry["codings"]}
                if len(coders) == 1:
                    selection.set("creatingUser", refi_guid("user", coders.pop()))
                for row in entry["codings"]:
                    row_key = f"{key}\x1f{row.code}\x1f{row.coder}"
                    user = refi_guid("user", row.coder)
                    coding = etree.SubElement(
                        selection, f"{_P}Coding", guid=refi_guid("coding", row_key), creatingUser=user
                    )
                    etree.SubElement(coding, f"{_P}CodeRef", targetGUID=code_guid(row.code))
                    if row.note:
                        note_guid = refi_guid("note", f"coding\x1f{row_key}")
                        etree.SubElement(coding, f"{_P}NoteRef", targetGUID=note_guid)
                        note_list.append((note_guid, f"{row.code} ({row.coder})", row.note, user))
                for note_guid in entry["notes"]:
                    etree.SubElement(selection, f"{_P}NoteRef", targetGUID=note_guid)
            for note_guid in loose.get(document.id, []):
                etree.SubElement(source, f"{_P}NoteRef", targetGUID=note_guid)
            for key, kind in types.items():
                value = document.meta.get(key)
                if value is not None:
                    self.value(source, key, value, kind)
        return note_list

    def notes(self, note_list: list[tuple[str, str, str, str | None]]) -> None:
        if not note_list:
            return
        element = etree.SubElement(self.root, f"{_P}Notes")
        for guid, name, text, user in note_list:
            note = etree.SubElement(element, f"{_P}Note", guid=guid, name=xml_text(name))
            if user is not None:
                note.set("creatingUser", user)
            etree.SubElement(note, f"{_P}PlainTextContent").text = xml_text(text)

    def sets(self, interaction_notes: Mapping[str, str]) -> None:
        by_type: dict[str, list[str]] = {}
        for guid, kind in interaction_notes.items():
            by_type.setdefault(kind, []).append(guid)
        if not by_type and not self.codebook.agencies:
            return
        element = etree.SubElement(self.root, f"{_P}Sets")
        append_agencies_set(element, self.codebook, NS_PROJECT)
        for kind, guids in sorted(by_type.items()):
            name = f"{INTERACTIONS_SET_PREFIX}{kind}"
            node = etree.SubElement(element, f"{_P}Set", guid=refi_guid("set", name), name=xml_text(name))
            etree.SubElement(node, f"{_P}Description").text = xml_text(
                f"Notes on the {kind} interactions between agencies (qualbst interactions table)."
            )
            for guid in guids:
                etree.SubElement(node, f"{_P}MemberNote", targetGUID=guid)


def export_qdpx(
    project: Project,
    path: str | Path,
    *,
    codings: pd.DataFrame | None = None,
    interactions: pd.DataFrame | None = None,
    name: str = "qualbst project",
) -> Path:
    """Write a project as a REFI-QDA project archive (``.qdpx``).

    Parameters
    ----------
    project : Project
        Documents, codebook, segments and codings (see
        :func:`qualbst.load_project`).
    path : str or Path
        The ``.qdpx`` to write (atomically).
    codings : DataFrame, optional
        A codings table (CONTRACT.md columns; ``document``, ``start``, ``end``,
        ``code`` and ``coder`` are required, ``confidence`` and ``evidence``
        used when present). Default: ``project.codings``. Machine coders
        (``auto:rules``, ``auto:model``) become users like people.
    interactions : DataFrame, optional
        An interactions table (CONTRACT.md columns); each row becomes a note
        on its segment, grouped in one set per interaction type.
    name : str, default "qualbst project"
        The project's name.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    CodingsError
        If a codings row names an unknown document or code, a category
        (``codable: false``), no coder, or an empty or out-of-range span.
    CodebookError
        If a code's parent is missing or a colour is not ``#RRGGBB``.
    QualbstError
        If an interactions row names an unknown document or a column is missing.

    Notes
    -----
    The mapping is in the module docstring. The archive is checked against the
    official Project XSD before it is written, and passes
    ``validate_refi.py --strict`` (origin set, unique code and source names,
    internal UTF-8 ``.txt`` sources with LF and no BOM, code-point positions).
    Identical codings rows (same document, span, code and coder) are written
    once.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile, pandas as pd
    >>> from qualbst.codebook import Code, Codebook
    >>> from qualbst.corpus.model import Document, Turn
    >>> from qualbst.pipeline import Project
    >>> turn = Turn(1, "P", "interviewer", 3, 17, 1)
    >>> doc = Document("a", "en", {"P": "interviewer"}, "P: We send it on.", (turn,))
    >>> codings = pd.DataFrame({"document": ["a"], "start": [3], "end": [17], "code": ["x"],
    ...                         "coder": ["ana"]})
    >>> p = Project((doc,), Codebook((Code("x", "X", definition="d"),), ()), pd.DataFrame(), codings)
    >>> out = export_qdpx(p, pathlib.Path(tempfile.mkdtemp()) / "p.qdpx")
    >>> sorted(n.split("/")[0] for n in zipfile.ZipFile(out).namelist())
    ['Sources', 'project.qde']
    """
    documents = tuple(project.documents)
    by_id = {d.id: d for d in documents}
    codebook = project.codebook
    rows = _coding_rows(project.codings if codings is None else codings, by_id, codebook)
    links = _interaction_rows(interactions, by_id, getattr(project, "segments", None))
    writer = _ProjectWriter(documents, codebook, name)
    writer.users(sorted({row.coder for row in rows}))
    writer.codes()
    types = writer.variables()
    writer.cases(types)
    interaction_notes: dict[str, str] = {}
    note_list = writer.sources(types, rows, links, interaction_notes) if documents else []
    writer.notes(note_list)
    writer.sets(interaction_notes)
    check_own_output(writer.root, "project")
    entries = {"project.qde": to_bytes(writer.root), **writer.files}
    return write_bytes_atomic(path, deterministic_zip(sorted(entries.items())))


# ================================================================ import


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_qdpx` wrote.

    Attributes
    ----------
    out : str
        The output folder.
    origin : str
        The project's ``origin`` (the tool that wrote it), '' if not given.
    documents : tuple of str
        Ids of the documents written to ``interviews/``.
    codes : tuple of str
        Ids of the codes written to ``codebook/codebook.yaml``.
    codings : Mapping[str, int]
        Number of codings written per coder.
    warnings : tuple of str
        Everything skipped or changed, as ``file:line: message``.
    files : tuple of str
        The files written, relative to ``out``.
    """

    out: str
    origin: str
    documents: tuple[str, ...]
    codes: tuple[str, ...]
    codings: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "codings", MappingProxyType(dict(self.codings)))


class _Archive:
    """A zip opened for import: entry names checked, sizes bounded."""

    def __init__(self, path: Path, max_entries: int, max_bytes: int) -> None:
        self.name = str(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise QualbstError(
                f"not a REFI-QDA project archive (a .qdpx is a zip file): {exc}", file=path
            ) from None
        infos = self.zip.infolist()
        if len(infos) > max_entries:
            self.zip.close()
            raise QualbstError(
                f"the archive has {len(infos)} entries, more than the limit of {max_entries}; refused "
                "(raise max_entries if the project is really this large)",
                file=path,
            )
        for info in infos:
            problem = _unsafe_name(info.filename)
            if problem:
                self.zip.close()
                raise QualbstError(
                    f"entry {info.filename!r} {problem}; refused "
                    "(an archive must not write outside its folder)",
                    file=path,
                )
        declared = sum(info.file_size for info in infos)
        if declared > max_bytes:
            self.zip.close()
            raise QualbstError(
                f"the archive holds {declared} bytes uncompressed, "
                f"more than the limit of {max_bytes}; refused",
                file=path,
            )
        self.budget = max_bytes
        self.limit = max_bytes
        self.entries = [info for info in infos if not info.is_dir()]
        self.sources = {
            info.filename.split("/", 1)[1].lower(): info
            for info in self.entries
            if info.filename.count("/") == 1 and info.filename.split("/", 1)[0].lower() == "sources"
        }

    def read(self, info: zipfile.ZipInfo) -> bytes:
        if info.flag_bits & 0x1:
            raise QualbstError(f"entry {info.filename!r} is encrypted; cannot import it", file=self.name)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(self.budget + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise QualbstError(f"entry {info.filename!r} is corrupt: {exc}", file=self.name) from None
        if len(data) > self.budget:
            raise QualbstError(
                f"more than {self.limit} bytes uncompressed (entry {info.filename!r} is larger than "
                "its header says); refused",
                file=self.name,
            )
        self.budget -= len(data)
        return data

    def source(self, filename: str) -> zipfile.ZipInfo | None:
        return self.sources.get(filename.lower())

    def close(self) -> None:
        self.zip.close()


def _unsafe_name(name: str) -> str:
    """Why a zip entry name is unsafe ('' if it is safe).

    Examples
    --------
    >>> _unsafe_name("Sources/a.txt"), _unsafe_name("../x"), _unsafe_name("/etc/passwd")
    ('', "has a '..' component", 'is an absolute path')
    """
    if not name or "\x00" in name:
        return "has an empty name or a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "has a '..' component"
    return ""


@dataclass(frozen=True)
class _OffsetMap:
    """Positions in a source text to positions in the written body.

    ``deleted`` are positions of the raw text removed by normalisation (BOM,
    the CR of CRLF); ``inserted`` are positions of the normalised text before
    which ``width`` characters (a speaker label) were inserted.
    """

    deleted: tuple[int, ...]
    inserted: tuple[int, ...]
    width: int

    def start(self, position: int) -> int:
        normal = position - bisect.bisect_left(self.deleted, position)
        return normal + self.width * bisect.bisect_right(self.inserted, normal)

    def end(self, position: int) -> int:
        normal = position - bisect.bisect_left(self.deleted, position)
        return normal + self.width * bisect.bisect_left(self.inserted, normal)


def _normalise(raw: str) -> tuple[str, list[int]]:
    """Remove a BOM and turn CRLF / CR into LF; return the text and the deleted positions."""
    deleted: list[int] = []
    pieces: list[str] = []
    position = 0
    if raw.startswith("\ufeff"):
        deleted.append(0)
        position = 1
    for match in re.finditer(r"\r\n?", raw):
        pieces.append(raw[position : match.start()])
        pieces.append("\n")
        if match.group() == "\r\n":
            deleted.append(match.start())
        position = match.end()
    pieces.append(raw[position:])
    return "".join(pieces), deleted


def _speakers_from_text(text: str) -> dict[str, str]:
    """Speaker labels that open lines: short capitals (``P:``, ``I3:``) anywhere, and
    capitalised names (``Interviewer:``, ``Bu Ani:``) that open two lines or more.

    Examples
    --------
    >>> _speakers_from_text("Interviewer: Why?\\nRespondent: So.\\nInterviewer: Ok.\\nNote: once")
    {'Interviewer': 'interviewer'}
    """
    names = [m.group(1) for m in _NAME_LABEL.finditer(text)]
    counts = {name: names.count(name) for name in names}
    found: dict[str, str] = {}
    for match in re.finditer(r"^[^\n]*", text, flags=re.MULTILINE):
        line = match.group()
        short = _LABEL_LIKE.match(line)
        named = _NAME_LABEL.match(line)
        label = (
            short.group(1) if short else (named.group(1) if named and counts[named.group(1)] > 1 else None)
        )
        if label is not None and label not in found:
            found[label] = guess_role(label)
    return found


def _wrap(text: str, speakers: dict[str, str]) -> tuple[str, dict[str, str], tuple[int, ...], str]:
    """Make ``text`` readable as turns: label each paragraph no speaker label opens.

    Returns the body, the speakers (with the wrap label if used), the positions
    where a label was inserted, and the prefix inserted ('' if none).

    Examples
    --------
    >>> _wrap("Title\\n\\nQ: Why?\\nA: Because.", {"Q": "interviewer", "A": "informant"})[::2]
    ('TEXT: Title\\n\\nQ: Why?\\nA: Because.', (0,))
    """
    labels = sorted(speakers, key=len, reverse=True)
    opener = (
        re.compile(r"^(?:" + "|".join(re.escape(label) for label in labels) + r")[ \t]*:") if labels else None
    )
    lines = text.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    first = next((n for n, line in enumerate(lines) if opener is not None and opener.match(line)), len(lines))
    inserts: list[int] = []
    previous_blank = True
    for number in range(first):
        blank = not lines[number].strip()
        if not blank and previous_blank:
            inserts.append(starts[number])
        previous_blank = blank
    if not inserts:
        return text, speakers, (), ""
    label = WRAP_LABEL
    number = 1
    while label in speakers:
        number += 1
        label = f"{WRAP_LABEL}{number}"
    prefix = f"{label}: "
    pieces: list[str] = []
    position = 0
    for at in inserts:
        pieces.append(text[position:at])
        pieces.append(prefix)
        position = at
    pieces.append(text[position:])
    return "".join(pieces), {**speakers, label: WRAP_ROLE}, tuple(inserts), prefix


@functools.cache
def _stop_words(language: str) -> frozenset[str]:
    module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    return frozenset(module.STOP_WORDS)


def guess_language(text: str) -> str:
    """``id`` or ``en``: which language's stop words (spaCy's lists) occur more often.

    Words in both lists are not counted; a tie gives ``en``.

    Examples
    --------
    >>> guess_language("Kami sudah kirim undangan ke RT dan RW kemarin.")
    'id'
    >>> guess_language("We sent the invitations to the block leaders yesterday.")
    'en'
    """
    only_id = _stop_words("id") - _stop_words("en")
    only_en = _stop_words("en") - _stop_words("id")
    words = re.findall(r"[^\W\d_]+", text.lower())
    score_id = sum(word in only_id for word in words)
    score_en = sum(word in only_en for word in words)
    return "id" if score_id > score_en else "en"


@dataclass
class _Document:
    id: str
    name: str
    guid: str
    body: str
    speakers: dict[str, str]
    meta: dict[str, str]
    wrapped: bool
    codings: list[dict[str, Any]] = field(default_factory=list)


class _Importer:
    """One import: the parsed project, what was found, what was skipped."""

    def __init__(self, archive: _Archive, root: etree._Element, label: str, language: str | None) -> None:
        self.archive = archive
        self.root = root
        self.label = label
        self.language = language
        self.warnings: list[str] = []
        self.users: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.code_ids: dict[str, str] = {}
        self.codes: tuple[Code, ...] = ()
        self.agencies: tuple[Any, ...] = ()
        self.case_values: dict[str, dict[str, str]] = {}
        self.documents: list[_Document] = []

    def warn(self, element: etree._Element | None, message: str) -> None:
        line = source_line(element) if element is not None else None
        self.warnings.append(str(Problem(self.label, line, message)))

    def top(self, name: str) -> list[etree._Element]:
        return children(self.root, name)

    # ---------------------------------------------------------- project parts

    def read_users(self) -> None:
        for users in self.top("Users"):
            for user in children(users, "User"):
                name = (user.get("name") or user.get("id") or "").strip()
                self.users[norm_guid(user.get("guid"))] = name or norm_guid(user.get("guid"))

    def read_notes(self) -> None:
        for notes in self.top("Notes"):
            for note in children(notes, "Note"):
                text = child_text(note, "PlainTextContent")
                if text is None:
                    text = child_text(note, "Description") or note.get("name") or ""
                self.notes[norm_guid(note.get("guid"))] = text.strip()

    def read_codebook(self) -> None:
        problems: list[Problem] = []
        for book in self.top("CodeBook"):
            for codes in children(book, "Codes"):
                self.codes, self.code_ids = read_codes(codes, self.label, problems)
        sets = [s for sets in self.top("Sets") for s in children(sets, "Set")]
        self.agencies = read_agencies_set(sets, self.label, problems)
        if (self.root.get("origin") or "").startswith("qualbst"):
            # Interaction notes of a qualbst export sit on coded selections but are no coding memos.
            for node in sets:
                if (node.get("name") or "").startswith(INTERACTIONS_SET_PREFIX):
                    for member in children(node, "MemberNote"):
                        self.notes.pop(norm_guid(member.get("targetGUID")), None)
        self.warnings.extend(str(p) for p in problems)

    def read_variables_and_cases(self) -> None:
        for variables in self.top("Variables"):
            for variable in children(variables, "Variable"):
                self.variables[norm_guid(variable.get("guid"))] = (variable.get("name") or "").strip()
        for cases in self.top("Cases"):
            for case in children(cases, "Case"):
                values = self.values(case)
                name = (case.get("name") or "").strip()
                if name and "informant" not in values:
                    values["informant"] = name
                for ref in children(case, "SourceRef"):
                    target = self.case_values.setdefault(norm_guid(ref.get("targetGUID")), {})
                    for key, value in values.items():
                        target.setdefault(key, value)

    def values(self, element: etree._Element) -> dict[str, str]:
        found: dict[str, str] = {}
        for node in children(element, "VariableValue"):
            refs = children(node, "VariableRef")
            key = self.variables.get(norm_guid(refs[0].get("targetGUID"))) if refs else None
            if not key:
                self.warn(node, "a variable value refers to no known Variable; skipped")
                continue
            for child in node:
                if local_name(child) in _VALUE_ELEMENTS.values():
                    found[key] = (child.text or "").strip()
        return found

    # ---------------------------------------------------------- sources

    def read_sources(self) -> None:
        used: set[str] = set()
        for sources in self.top("Sources"):
            for source in sources:
                kind = local_name(source)
                if not kind:
                    continue
                name = (source.get("name") or "").strip()
                holder: etree._Element | None = source
                if kind == "PDFSource":
                    representations = children(source, "Representation")
                    holder = representations[0] if representations else None
                elif kind != "TextSource":
                    holder = None
                if holder is None:
                    self.warn(source, f"{kind} {name!r} not imported: qualbst reads text sources only")
                    continue
                self.read_text_source(source, holder, name, used)

    def source_text(self, holder: etree._Element, name: str) -> str | None:
        inline = child_text(holder, "PlainTextContent")
        path = (holder.get("plainTextPath") or "").strip()
        if not path:
            if inline is None:
                self.warn(
                    holder, f"source {name!r} has neither plainTextPath nor PlainTextContent; not imported"
                )
            return inline
        if not path.startswith("internal://"):
            if inline is not None:
                return inline
            self.warn(
                holder, f"source {name!r} is external ({path}); only internal sources are read; not imported"
            )
            return None
        filename = path[len("internal://") :]
        if not filename or _unsafe_name(filename) or "/" in filename or "\\" in filename:
            self.warn(
                holder, f"source {name!r}: plainTextPath {path!r} is not a bare file name; not imported"
            )
            return None
        info = self.archive.source(filename)
        if info is None:
            if inline is not None:
                return inline
            self.warn(
                holder,
                f"source {name!r}: its text file Sources/{filename} is missing from the archive; "
                "the document and its codings are not imported",
            )
            return None
        data = self.archive.read(info)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.warn(
                holder,
                f"source {name!r}: {info.filename} is not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset "
                f"{exc.start}); not imported",
            )
            return None

    def document_id(self, name: str, guid: str, used: set[str]) -> str:
        if DOCUMENT_ID.match(name) and name not in used:
            used.add(name)
            return name
        base = slugify(_TEXT_SUFFIX.sub("", name)) or f"source-{guid[:8]}"
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        return candidate

    def read_text_source(
        self, source: etree._Element, holder: etree._Element, name: str, used: set[str]
    ) -> None:
        raw = self.source_text(holder, name or norm_guid(source.get("guid")))
        if raw is None:
            return
        guid = norm_guid(source.get("guid"))
        normal, deleted = _normalise(raw)
        if not normal.strip():
            self.warn(source, f"source {name!r} is empty; not imported")
            return
        meta = self.values(source)
        for key, value in self.case_values.get(guid, {}).items():
            meta.setdefault(key, value)
        speakers = self.declared_speakers(meta, source, name)
        declared = bool(speakers)
        for label, role in _speakers_from_text(normal).items():
            if label not in speakers:
                if declared:
                    self.warn(
                        source, f"source {name!r}: label {label!r} is not among its speakers; added as {role}"
                    )
                speakers[label] = role
        body, speakers, inserted, prefix = _wrap(normal, speakers)
        mapping = _OffsetMap(tuple(deleted), inserted, len(prefix))
        document = _Document(
            id=self.document_id(name, guid, used),
            name=name,
            guid=guid,
            body=body,
            speakers=speakers,
            meta=meta,
            wrapped=bool(inserted),
        )
        if document.wrapped:
            self.warn(
                source,
                f"source {name!r}: {len(inserted)} paragraph(s) open with no speaker label; each now opens "
                f"with {prefix!r} (a speaker of role {WRAP_ROLE!r}) and positions are shifted to match",
            )
        document.meta["language"] = self.document_language(meta, normal, source, name)
        self.read_codings(source, holder, document, raw, mapping)
        self.documents.append(document)

    def declared_speakers(self, meta: dict[str, str], source: etree._Element, name: str) -> dict[str, str]:
        text = meta.pop("speakers", "")
        if not text:
            return {}
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.warn(
                source,
                f"source {name!r}: variable 'speakers' is not a mapping like {{P: interviewer}}; ignored",
            )
            return {}
        return {str(k): v for k, v in value.items()}

    def document_language(self, meta: Mapping[str, str], text: str, source: etree._Element, name: str) -> str:
        given = _LANGUAGE_NAMES.get(str(meta.get("language", "")).strip().lower())
        if given in LANGUAGES:
            return given
        if self.language is not None:
            return self.language
        guessed = guess_language(text)
        self.warn(
            source,
            f"source {name!r}: no language variable; guessed {guessed!r} from its words "
            "(change 'language' in interviews/cases.csv if wrong)",
        )
        return guessed

    # ---------------------------------------------------------- codings

    def coder(self, *elements: etree._Element) -> str:
        for element in elements:
            user = element.get("creatingUser")
            if user:
                return self.users.get(norm_guid(user), norm_guid(user))
        return "unknown"

    def memo(self, *elements: etree._Element) -> str:
        parts: list[str] = []
        for element in elements:
            description = child_text(element, "Description")
            if description and description.strip() and local_name(element) != "TextSource":
                parts.append(description.strip())
            for ref in children(element, "NoteRef"):
                text = self.notes.get(norm_guid(ref.get("targetGUID")))
                if text:
                    parts.append(text)
        return "\n".join(dict.fromkeys(parts))

    def add_coding(
        self,
        coding: etree._Element,
        document: _Document,
        span: tuple[int, int],
        owners: tuple[etree._Element, ...],
        what: str,
    ) -> None:
        refs = children(coding, "CodeRef")
        target = norm_guid(refs[0].get("targetGUID")) if refs else ""
        code = self.code_ids.get(target)
        if code is None:
            self.warn(
                coding,
                f"a coding of {what} in source {document.name!r} points to unknown code "
                f"{target or '(none)'}; skipped",
            )
            return
        document.codings.append(
            {
                "document": document.id,
                "code": code,
                "coder": self.coder(coding, *owners),
                "start": span[0],
                "end": span[1],
                "memo": self.memo(coding, *owners[:-1]),
            }
        )

    def read_codings(
        self,
        source: etree._Element,
        holder: etree._Element,
        document: _Document,
        raw: str,
        mapping: _OffsetMap,
    ) -> None:
        length = len(raw)
        for selection in children(holder, "PlainTextSelection"):
            label = f"selection {selection.get('name') or ''!r} ({norm_guid(selection.get('guid'))})"
            codings = children(selection, "Coding")
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                self.warn(
                    selection,
                    f"{label} in source {document.name!r}: positions are not whole numbers; skipped",
                )
                continue
            if not 0 <= start <= end <= length:
                self.warn(
                    selection,
                    f"{label} in source {document.name!r}: positions {start}-{end} are outside the text "
                    f"({length} code points); its {len(codings)} coding(s) skipped",
                )
                continue
            if start == end:
                if codings:
                    self.warn(
                        selection, f"{label} in source {document.name!r} is empty; its coding(s) skipped"
                    )
                continue
            span = (mapping.start(start), mapping.end(end))
            for coding in codings:
                self.add_coding(coding, document, span, (selection, source), label)
        for coding in children(holder, "Coding"):  # the whole source coded
            self.add_coding(coding, document, (0, len(document.body)), (source,), "the whole source")

    def fix_categories(self) -> tuple[Code, ...]:
        """Codes that were applied but are not codable become codable (with a warning)."""
        applied = {row["code"] for document in self.documents for row in document.codings}
        fixed: list[Code] = []
        for code in self.codes:
            if code.id in applied and not code.codable:
                self.warnings.append(
                    str(
                        Problem(
                            self.label,
                            None,
                            f"code {code.name!r} is not codable but has codings; made codable",
                        )
                    )
                )
                code = replace(code, codable=True)
            fixed.append(code)
        return tuple(fixed)


def _cases_csv(documents: list[_Document]) -> str:
    reserved = ("file", "id", "language", "speakers")
    extra = sorted({key for d in documents for key in d.meta if key not in reserved})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*reserved, *extra])
    for document in documents:
        writer.writerow(
            [
                document.id,
                document.id,
                document.meta["language"],
                _flow_yaml(document.speakers),
                *(document.meta.get(key, "") for key in extra),
            ]
        )
    return buffer.getvalue()


def _codings_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    columns = ["document", "code", "coder", "start", "end", "memo"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r["document"], r["start"], r["end"], r["code"], r["memo"])):
        writer.writerow(row)
    return buffer.getvalue()


def _coder_files(coders: Iterable[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    used: set[str] = set()
    for coder in sorted(coders):
        base = slugify(coder) or "coder"
        if base == "interactions" or base.endswith(".rejected"):
            base = f"{base}-coder"
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        files[coder] = f"{candidate}.csv"
    return files


def _clean_meta(document: _Document) -> dict[str, str]:
    """Case attributes for ``cases.csv``: ``file`` and ``id`` are the document's own."""
    meta: dict[str, str] = {}
    for key, value in document.meta.items():
        if key in ("file", "id"):
            if value != document.id:
                meta[f"{key}_attribute"] = value
        else:
            meta[key] = value
    return meta


def _write_all(importer: _Importer, staging: Path, codes: tuple[Code, ...], origin: str) -> list[Path]:
    interviews = staging / "interviews"
    written: list[Path] = []
    documents = importer.documents
    for document in documents:
        document.meta = _clean_meta(document)
    for document in documents:
        written.append(write_text_atomic(interviews / f"{document.id}.txt", document.body))
    if documents:
        cases_path = write_text_atomic(interviews / CASES_FILE, _cases_csv(documents))
        cases = read_cases(cases_path)
        unreadable = []
        for document in documents:
            try:
                read_text(interviews / f"{document.id}.txt", cases)
            except QualbstError as exc:
                importer.warnings.append(
                    str(
                        Problem(
                            importer.label, None, f"document {document.id!r} is not readable ({exc}); skipped"
                        )
                    )
                )
                unreadable.append(document)
        for document in unreadable:
            (interviews / f"{document.id}.txt").unlink()
            written.remove(interviews / f"{document.id}.txt")
            documents.remove(document)
        if documents:
            written.append(write_text_atomic(cases_path, _cases_csv(documents)))
        else:
            cases_path.unlink()
    header = f"Imported by qualbst from a REFI-QDA project (origin: {origin or 'not given'})."
    written.extend(write_codebook(Codebook(codes, importer.agencies), staging / "codebook", header=header))
    by_coder: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        for row in document.codings:
            by_coder.setdefault(row["coder"], []).append(row)
    for coder, filename in _coder_files(by_coder).items():
        written.append(write_text_atomic(staging / "codings" / filename, _codings_csv(by_coder[coder])))
    return written


def _move_into(staging: Path, out: Path) -> None:
    root = out.resolve()
    for item in sorted(staging.rglob("*")):
        if item.is_dir():
            continue
        dest = out / item.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.parent.resolve().is_relative_to(root):
            raise QualbstError(
                f"{dest.parent} leads outside the output folder (a symbolic link?); not written"
            )
        item.replace(dest)


def import_qdpx(
    path: str | Path,
    out_dir: str | Path,
    *,
    language: str | None = None,
    overwrite: bool = False,
    max_entries: int = MAX_ENTRIES,
    max_bytes: int = MAX_BYTES,
) -> ImportResult:
    """Import a REFI-QDA project (``.qdpx``) from any QDA tool into ``out_dir``.

    Writes ``interviews/<id>.txt`` and ``interviews/cases.csv`` (columns
    ``file, id, language, speakers`` and the case variables),
    ``codebook/codebook.yaml`` and ``codebook/agencies.yaml`` (an empty list
    unless the project came from qualbst) and one ``codings/<coder>.csv`` per
    user with ``document, code, coder, start, end, memo``. The folder then
    reads with :func:`qualbst.read_corpus`, ``load_codebook(...,
    require_contract_ids=False)`` and :func:`qualbst.read_codings`.

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` (untrusted).
    out_dir : str or Path
        Output folder; must be empty or absent unless ``overwrite``.
    language : {"id", "en"}, optional
        Language of documents that have no ``language`` variable; by default
        it is guessed from their stop words (and reported).
    overwrite : bool, default False
        Allow a non-empty ``out_dir``: files of the same name are replaced,
        others kept.
    max_entries, max_bytes : int
        Limits on the archive's entries and uncompressed bytes.

    Returns
    -------
    ImportResult
        Documents, codes, codings per coder, warnings and files written.

    Raises
    ------
    QualbstError
        If the file is missing or not a zip; an entry has an absolute path or
        ``..``; the archive is over a limit; it holds no ``.qde`` at its root;
        the XML is not well-formed or declares a DOCTYPE or entities; it is
        not a ``<Project>``; ``out_dir`` is not empty; ``language`` is not
        ``id`` or ``en``.

    Notes
    -----
    ``project.qde`` or any single ``.qde`` at the root (ATLAS.ti writes
    ``Project.qde``) is read; sources may sit in ``Sources/`` or ``sources/``.
    A source file that is missing, external or not UTF-8, a picture, audio or
    video source, a selection outside its text, a coding of an unknown code:
    each is skipped and reported in ``warnings``; the rest is imported.
    Schema errors are reported too, and do not stop the import.

    Text is normalised as the readers do (BOM removed, CRLF to LF) and
    positions are moved to match. A transcript's turns must open with
    ``LABEL:`` lines: labels that look like speaker labels (``P:``, ``I3:``,
    ``Q:``) become the speakers when no ``speakers`` variable names them, and
    each paragraph before the first such line (all of them, in a text with
    none) is prefixed with ``TEXT: `` (:data:`WRAP_LABEL`, role ``text``), with
    positions shifted by the prefix; a selection that spans such a paragraph
    break then includes the prefix. Document ids are the source names made
    into ids (``Interview 1.docx`` becomes ``interview-1``). Codes written by
    qualbst keep their ids and fields; other codes get ids from their names.
    A code applied in the project but marked not codable is made codable,
    since qualbst's codings loader refuses categories.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> qde = (b'<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="hand"><Sources>'
    ...        b'<TextSource guid="20000000-0000-4000-8000-000000000001" name="Talk" '
    ...        b'plainTextPath="internal://t.txt"/></Sources></Project>')
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(folder / "p.qdpx", "w") as z:
    ...     z.writestr("project.qde", qde)
    ...     z.writestr("Sources/t.txt", "Q: Who pays?\\nA: The post office.")
    >>> result = import_qdpx(folder / "p.qdpx", folder / "out", language="en")
    >>> result.documents, (folder / "out/interviews/talk.txt").read_text()
    (('talk',), 'Q: Who pays?\\nA: The post office.')
    """
    source = Path(path)
    out = Path(out_dir)
    if language is not None and language not in LANGUAGES:
        raise QualbstError(f"language must be one of {', '.join(LANGUAGES)} (got {language!r})")
    if not source.is_file():
        raise QualbstError("file not found", file=source)
    if out.exists() and not out.is_dir():
        raise QualbstError("the output folder is a file; choose a folder", file=out)
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise QualbstError(
            "the output folder is not empty; choose an empty or new folder (or allow overwriting)", file=out
        )
    archive = _Archive(source, max_entries, max_bytes)
    try:
        importer = _read_project(archive, source, language)
        codes = importer.fix_categories()
        origin = (importer.root.get("origin") or "").strip()
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".qualbst-import-", dir=out))
        try:
            written = _write_all(importer, staging, codes, origin)
            files = tuple(sorted(p.relative_to(staging).as_posix() for p in written if p.exists()))
            _move_into(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        archive.close()
    counts: dict[str, int] = {}
    for document in importer.documents:
        for row in document.codings:
            counts[row["coder"]] = counts.get(row["coder"], 0) + 1
    return ImportResult(
        out=str(out),
        origin=origin,
        documents=tuple(d.id for d in importer.documents),
        codes=tuple(c.id for c in codes),
        codings=dict(sorted(counts.items())),
        warnings=tuple(importer.warnings),
        files=files,
    )


def _find_qde(archive: _Archive) -> tuple[zipfile.ZipInfo, str | None]:
    at_root = [
        info
        for info in archive.entries
        if "/" not in info.filename and info.filename.lower().endswith(".qde")
    ]
    exact = [info for info in at_root if info.filename == "project.qde"]
    if exact:
        return exact[0], None
    named = [info for info in at_root if info.filename.lower() == "project.qde"]
    if len(named) == 1:
        return named[0], f"the project XML is named {named[0].filename!r}; the standard says 'project.qde'"
    if len(at_root) == 1:
        return at_root[
            0
        ], f"the project XML is named {at_root[0].filename!r}; the standard says 'project.qde'"
    found = ", ".join(info.filename for info in archive.entries if info.filename.lower().endswith(".qde"))
    raise QualbstError(
        "no project.qde at the root of the archive" + (f" (found: {found})" if found else ""),
        file=archive.name,
    )


def _read_project(archive: _Archive, source: Path, language: str | None) -> _Importer:
    info, note = _find_qde(archive)
    label = f"{source.name}/{info.filename}"
    root = parse_xml(archive.read(info), label)
    if local_name(root) != "Project":
        raise QualbstError(
            f"root element is <{local_name(root)}>, expected a REFI-QDA <Project>", file=label, line=1
        )
    importer = _Importer(archive, root, label, language)
    if note:
        importer.warnings.append(str(Problem(label, None, note)))
    problems = schema_problems(root, "project", label)
    importer.warnings.extend(f"{p} (schema)" for p in problems[:10])
    if len(problems) > 10:
        importer.warnings.append(
            str(Problem(label, None, f"... and {len(problems) - 10} more schema errors"))
        )
    importer.read_users()
    importer.read_notes()
    importer.read_codebook()
    importer.read_variables_and_cases()
    importer.read_sources()
    return importer


def validate_qdpx(path: str | Path) -> list[Problem]:
    """Check the ``project.qde`` of a ``.qdpx`` against the official Project XSD.

    Returns
    -------
    list of Problem
        Every schema error with its line; empty when valid. (For the full
        check of references, positions and sources, run the REFI-QDA
        validator.)

    Raises
    ------
    QualbstError
        If the archive is unsafe or unreadable, has no ``.qde`` at its root, or
        its XML is not well-formed or declares a DOCTYPE.
    """
    archive = _Archive(Path(path), MAX_ENTRIES, MAX_BYTES)
    try:
        info, _ = _find_qde(archive)
        label = f"{Path(path).name}/{info.filename}"
        return schema_problems(parse_xml(archive.read(info), label), "project", label)
    finally:
        archive.close()
