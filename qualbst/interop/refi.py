"""REFI-QDA codebooks (``.qdc``) and the pieces shared with project files.

REFI-QDA (QDA-XML 1.0, www.qdasoftware.org) is the exchange format that NVivo,
ATLAS.ti, MAXQDA, QualCoder and Taguette read and write. This module writes and
reads the codebook file (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``) and
holds what :mod:`qualbst.interop.qdpx` shares with it: stable GUIDs, the safe
XML parser, schema validation against the official XSDs shipped in
``qualbst/data/``, and the mapping between a :class:`~qualbst.codebook.Code`
and a REFI ``<Code>`` element.

Where qualbst's own fields go
-----------------------------
A REFI ``<Code>`` has a ``guid``, a ``name``, ``isCodable``, an optional
``color``, an optional ``<Description>`` (``xsd:string``) and nested child
``<Code>`` elements; neither schema allows extra attributes or elements (there
is no ``xsd:any`` or ``xsd:anyAttribute``), and a ``.qdc`` has no notes. So the
only schema-valid place for ``name_en``, ``include``, ``exclude``,
``examples``, ``cues``, ``requires`` and any extra field is the Description:
the definition comes first, as a researcher reads it in their QDA tool, then
a marker line :data:`FIELDS_MARKER` and a small YAML block (YAML because the
codebook itself is YAML). The id travels in that block too, since a GUID
cannot be turned back into an id. ``parent`` is the nesting, ``codable`` is
``isCodable`` and ``color`` the attribute. Editing the definition in a QDA
tool carries over; text after the marker should be left alone. The agency
dictionary rides along the same way, in the Description of a ``<Set>`` named
:data:`AGENCIES_SET` with no members (a Set is the only other element of a
codebook). A codebook from another tool, with names and descriptions only,
reads too: its codes get ids made from their names along the hierarchy.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from lxml import etree

from .. import __version__
from .._io import write_bytes_atomic, write_text_atomic
from ..codebook import COLOR, Agency, Code, Codebook, _agency, _code
from ..errors import CodebookError, Problem, QualbstError

__all__ = [
    "AGENCIES_SET",
    "FIELDS_MARKER",
    "NS_CODEBOOK",
    "NS_PROJECT",
    "ORIGIN",
    "QUALBST_NAMESPACE",
    "code_guid",
    "read_qdc",
    "refi_guid",
    "validate_qdc",
    "write_codebook",
    "write_qdc",
]

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = {
    NS_PROJECT: f"{NS_PROJECT} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    NS_CODEBOOK: f"{NS_CODEBOOK} http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd",
}
SCHEMA_FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}
#: uuid5 namespace of every GUID qualbst writes (``uuid5(NAMESPACE_URL,
#: "https://qualbst.invalid/refi-qda")``, fixed here so it never changes).
QUALBST_NAMESPACE = uuid.UUID("789bcdbf-b60e-5bc4-b995-d214aaf6b629")
#: The line that separates a code's definition from qualbst's own fields.
FIELDS_MARKER = "---- qualbst fields v1 (YAML) ----"
#: Name of the member-less Set that carries the agency dictionary.
AGENCIES_SET = "qualbst: agencies"
#: The ``origin`` attribute of every file qualbst writes.
ORIGIN = f"qualbst {__version__}"
#: Definition written to ``codebook.yaml`` for an imported code that has none
#: (the codebook loader requires one).
NO_DEFINITION = "(no description in the imported codebook)"

_MARKER_LINE = re.compile(r"^-{4} qualbst fields v(\d+) \(YAML\) -{4}[ \t]*$", re.MULTILINE)
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SHORT_COLOR = re.compile(r"^#([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")
# Fields carried by the XML itself (attributes, nesting, the free text of the Description).
_CODE_FIELDS = ("id", "name", "parent", "codable", "color", "definition")
_AGENCY_FIELDS = ("id", "name", "level", "parent", "aliases")


def refi_guid(kind: str, key: str) -> str:
    """A stable GUID: uuid5 of ``"kind:key"`` in :data:`QUALBST_NAMESPACE`.

    The same object gets the same GUID in every export.

    Examples
    --------
    >>> refi_guid("code", "obstacle.moved") == refi_guid("code", "obstacle.moved")
    True
    >>> len(refi_guid("source", "doc-a"))
    36
    """
    return str(uuid.uuid5(QUALBST_NAMESPACE, f"{kind}:{key}"))


def code_guid(code_id: str) -> str:
    """The GUID of a code: uuid5 over its id (``refi_guid("code", code_id)``).

    Examples
    --------
    >>> code_guid("aspect.parties")
    '38852e39-92ee-5cda-af64-db7e2b3af1ed'
    """
    return refi_guid("code", code_id)


def norm_guid(value: str | None) -> str:
    """A GUID compared as REFI readers do: braces and case ignored.

    Examples
    --------
    >>> norm_guid("{AB12CD34-0000-4000-8000-000000000001}")
    'ab12cd34-0000-4000-8000-000000000001'
    """
    return (value or "").strip().strip("{}").lower()


def xml_text(text: str) -> str:
    """Replace the characters XML 1.0 cannot hold (control characters) by U+FFFD.

    Examples
    --------
    >>> xml_text("a\\x00b\\tc")
    'a\\ufffdb\\tc'
    """
    return _XML_INVALID.sub("\ufffd", text)


def local_name(element: Any) -> str:
    """The tag of an element without its namespace ('' for comments)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def source_line(element: etree._Element) -> int | None:
    """The line an element starts on in the parsed file, if known."""
    line = cast(Any, element).sourceline
    return line if isinstance(line, int) else None


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Child elements with this local name, in any namespace."""
    return [c for c in element if local_name(c) == name]


def child_text(element: etree._Element, name: str) -> str | None:
    """Text of the first child with this local name, or None."""
    for child in element:
        if local_name(child) == name:
            return child.text or ""
    return None


# ---------------------------------------------------------------- XML in and out


def safe_parser() -> etree.XMLParser:
    """An lxml parser with entity expansion, DTDs and network access disabled."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse untrusted XML: no DOCTYPE, no entities, no network.

    Raises
    ------
    QualbstError
        If the XML declares a DOCTYPE or an entity (refused outright: REFI-QDA
        files have none, and they are how entity-expansion bombs and external
        entities get in) or is not well-formed.

    Examples
    --------
    >>> parse_xml(b"<a><b/></a>", "x.qde").tag
    'a'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "x.qde")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qualbst.errors.QualbstError: x.qde: DOCTYPE and ENTITY declarations are refused ...
    """
    refusal = (
        "DOCTYPE and ENTITY declarations are refused (entity expansion and external "
        "entities are disabled); a REFI-QDA file has none"
    )
    if _DECLARATION.search(data):
        raise QualbstError(refusal, file=name)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise QualbstError(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno) from None
    docinfo = cast(Any, root.getroottree().docinfo)
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a UTF-16 file the byte scan missed
        raise QualbstError(refusal, file=name)
    return root


def to_bytes(root: etree._Element) -> bytes:
    """Serialise an element tree as UTF-8 XML with a declaration, LF line ends."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def new_root(namespace: str, tag: str, **attributes: str) -> etree._Element:
    """A root element in ``namespace`` with an ``xsi:schemaLocation``."""
    nsmap = cast(Any, {None: namespace, "xsi": NS_XSI})
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap=nsmap)
    for key, value in attributes.items():
        root.set(key, value)
    root.set(f"{{{NS_XSI}}}schemaLocation", SCHEMA_LOCATION[namespace])
    return root


@functools.cache
def _schema(kind: str) -> etree.XMLSchema:
    resource = importlib.resources.files("qualbst").joinpath("data").joinpath(SCHEMA_FILES[kind])
    return etree.XMLSchema(etree.fromstring(resource.read_bytes(), safe_parser()))


def schema_problems(root: etree._Element, kind: str, name: str) -> list[Problem]:
    """Check an element tree against the official XSD (``project`` or ``codebook``).

    Returns
    -------
    list of Problem
        One per schema error, with file and line; empty when valid.
    """
    schema = _schema(kind)
    if schema.validate(root):
        return []
    errors = cast(Iterable[Any], schema.error_log)
    return [Problem(name, error.line or None, error.message) for error in errors]


def check_own_output(root: etree._Element, kind: str) -> None:
    """Validate XML that qualbst built; a failure is a bug in qualbst, not bad input."""
    tree = etree.fromstring(to_bytes(root), safe_parser())  # line numbers of the text written
    problems = schema_problems(tree, kind, f"<{kind} written by qualbst>")
    if problems:
        listed = "; ".join(str(p) for p in problems[:5])
        raise RuntimeError(f"qualbst wrote REFI-QDA XML that fails the official schema: {listed}")


# ---------------------------------------------------------------- codes as XML


def _plain(value: Any) -> Any:
    """Mappings to dicts and tuples to lists, recursively (for YAML)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _is_default(spec: dataclasses.Field[Any], value: Any) -> bool:
    """Whether a dataclass field holds its default (an empty mapping counts as ``{}``)."""
    if spec.default is not dataclasses.MISSING:
        return bool(value == spec.default)
    if spec.default_factory is not dataclasses.MISSING:
        return bool(value == spec.default_factory())
    return False


def _dump_yaml(data: Any) -> str:
    return yaml.safe_dump(
        _plain(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )


def code_fields(code: Code, shown_name: str | None = None) -> dict[str, Any]:
    """qualbst's own fields of a code, as stored after :data:`FIELDS_MARKER`.

    Fields at their default (empty) value are left out; ``name`` is kept only
    when the name shown in the file differs (made unique).

    Examples
    --------
    >>> code_fields(Code("a.b", "B", name_en="Bee", definition="x", include=("y",)))
    {'id': 'a.b', 'name_en': 'Bee', 'include': ['y']}
    """
    fields: dict[str, Any] = {"id": code.id}
    if shown_name is not None and shown_name != code.name:
        fields["name"] = code.name
    for spec in dataclasses.fields(code):
        value = getattr(code, spec.name)
        if spec.name not in _CODE_FIELDS and spec.name != "extra" and not _is_default(spec, value):
            fields[spec.name] = _plain(value)
    for key, value in code.extra.items():
        fields[str(key)] = _plain(value)
    return fields


def code_description(code: Code, shown_name: str | None = None) -> str:
    """The ``<Description>`` of a code: its definition, the marker, its fields.

    Examples
    --------
    >>> print(code_description(Code("a", "A", definition="Parties named.", name_en="Aye")))
    Parties named.
    <BLANKLINE>
    ---- qualbst fields v1 (YAML) ----
    id: a
    name_en: Aye
    <BLANKLINE>
    """
    block = f"{FIELDS_MARKER}\n{_dump_yaml(code_fields(code, shown_name))}"
    definition = code.definition.strip()
    return f"{definition}\n\n{block}" if definition else block


def split_description(text: str) -> tuple[str, str | None]:
    """Split a Description into (free text, qualbst YAML block or None).

    Examples
    --------
    >>> split_description("Parties.\\n\\n---- qualbst fields v1 (YAML) ----\\nid: a\\n")
    ('Parties.', 'id: a\\n')
    >>> split_description("Just prose.")
    ('Just prose.', None)
    """
    matches = list(_MARKER_LINE.finditer(text))
    if not matches:
        return text.strip(), None
    last = matches[-1]
    return text[: last.start()].strip(), text[last.end() :].lstrip("\n")


def unique_code_names(codebook: Codebook) -> dict[str, str]:
    """Code id to the name shown in REFI files; a repeated name gets its id appended.

    QualCoder merges codes that share a name, so names must be unique.

    Examples
    --------
    >>> cb = Codebook((Code("a", "X", definition="d"), Code("b", "X", definition="d")), ())
    >>> unique_code_names(cb)
    {'a': 'X (a)', 'b': 'X (b)'}
    """
    base = {c.id: (c.name.strip() or c.id) for c in codebook.codes}
    counts = Counter(base.values())
    return {cid: name if counts[name] == 1 else f"{name} ({cid})" for cid, name in base.items()}


def append_codes(parent: etree._Element, codebook: Codebook, namespace: str) -> None:
    """Append the codebook's codes as nested ``<Code>`` elements under ``parent``.

    Raises
    ------
    CodebookError
        If a code's parent is not in the codebook (or parents form a cycle),
        or a colour is not ``#RRGGBB``.
    """
    names = unique_code_names(codebook)
    placed: set[str] = set()

    def add(element: etree._Element, parent_id: str | None) -> None:
        for code in codebook.children(parent_id):
            if code.id in placed:
                continue
            placed.add(code.id)
            node = etree.SubElement(element, f"{{{namespace}}}Code")
            node.set("guid", code_guid(code.id))
            node.set("name", xml_text(names[code.id]))
            node.set("isCodable", "true" if code.codable else "false")
            if code.color:
                if not COLOR.match(code.color):
                    raise CodebookError(
                        f"code {code.id!r}: 'color' must be six-digit #RRGGBB (got {code.color!r})"
                    )
                node.set("color", code.color.upper())
            description = etree.SubElement(node, f"{{{namespace}}}Description")
            description.text = xml_text(code_description(code, names[code.id]))
            add(node, code.id)

    add(parent, None)
    for code in codebook.codes:
        if code.id not in placed:
            raise CodebookError(
                f"code {code.id!r}: its parent {code.parent!r} is not in the codebook (or the parents "
                "form a cycle); REFI-QDA nests every code under its parent"
            )


def agency_entry(agency: Agency) -> dict[str, Any]:
    """An agency as its ``agencies.yaml`` mapping.

    Examples
    --------
    >>> agency_entry(Agency("pos", "PT Pos", level="paying agent", aliases=("Kantor Pos",)))
    {'id': 'pos', 'name': 'PT Pos', 'level': 'paying agent', 'parent': None, 'aliases': ['Kantor Pos']}
    """
    entry: dict[str, Any] = {}
    for spec in dataclasses.fields(agency):
        value = getattr(agency, spec.name)
        if spec.name in _AGENCY_FIELDS or not _is_default(spec, value):
            entry[spec.name] = _plain(value)
    return entry


def agencies_description(agencies: Iterable[Agency]) -> str:
    """Description of the :data:`AGENCIES_SET`: a note, the marker, the agencies."""
    note = (
        "The agency dictionary of qualbst (codebook/agencies.yaml), kept here so that a "
        "round trip through qualbst loses nothing. This set has no member codes."
    )
    block = _dump_yaml({"agencies": [agency_entry(a) for a in agencies]})
    return f"{note}\n\n{FIELDS_MARKER}\n{block}"


def append_agencies_set(parent: etree._Element, codebook: Codebook, namespace: str) -> None:
    """Append the member-less ``<Set>`` holding the agencies (nothing if none)."""
    if not codebook.agencies:
        return
    node = etree.SubElement(parent, f"{{{namespace}}}Set")
    node.set("guid", refi_guid("set", AGENCIES_SET))
    node.set("name", AGENCIES_SET)
    description = etree.SubElement(node, f"{{{namespace}}}Description")
    description.text = xml_text(agencies_description(codebook.agencies))


# ---------------------------------------------------------------- reading codes


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by ``-`` (accents dropped), for ids and file names.

    Examples
    --------
    >>> slugify("Mabêl 2ième: Coke::diet")
    'mabel-2ieme-coke-diet'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _color(value: str | None) -> str | None:
    """A REFI colour as ``#RRGGBB`` (``#RGB`` expanded), '' if none, None if invalid."""
    if not value:
        return ""
    value = value.strip()
    short = _SHORT_COLOR.match(value)
    if short:
        return "#" + "".join(2 * c for c in short.groups()).upper()
    return value.upper() if COLOR.match(value) else None


@dataclass
class _RawCode:
    guid: str
    name: str
    codable: bool
    color: str
    definition: str
    block: str | None
    line: int | None
    children: list[_RawCode]


def _raw_codes(element: etree._Element, file: str, problems: list[Problem]) -> list[_RawCode]:
    found: list[_RawCode] = []
    for node in children(element, "Code"):
        name = (node.get("name") or "").strip()
        color = _color(node.get("color"))
        if color is None:
            problems.append(
                Problem(file, source_line(node), f"code {name!r}: colour {node.get('color')!r} ignored")
            )
            color = ""
        definition, block = split_description(child_text(node, "Description") or "")
        found.append(
            _RawCode(
                guid=norm_guid(node.get("guid")),
                name=name,
                codable=(node.get("isCodable") or "true").strip().lower() in ("true", "1"),
                color=color,
                definition=definition,
                block=block,
                line=source_line(node),
                children=_raw_codes(node, file, problems),
            )
        )
    return found


def _block_code(raw: _RawCode, parent: str | None, file: str, problems: list[Problem]) -> Code | None:
    """The code described by a qualbst block, or None (problem recorded) if it is unusable."""
    try:
        fields = yaml.safe_load(raw.block or "")
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(file, raw.line, f"code {raw.name!r}: malformed qualbst fields: {problem}"))
        return None
    if not isinstance(fields, dict) or not isinstance(fields.get("id"), str):
        problems.append(Problem(file, raw.line, f"code {raw.name!r}: qualbst fields need an 'id'"))
        return None
    entry = {key: value for key, value in fields.items() if key not in _CODE_FIELDS}
    entry.update(
        id=fields["id"],
        name=fields.get("name") or raw.name or fields["id"],
        name_en=fields.get("name_en", ""),
        parent=parent,
        codable=raw.codable,
        color=raw.color,
        definition=raw.definition or NO_DEFINITION,
    )
    try:
        code = _code(entry)
    except ValueError as exc:
        problems.append(Problem(file, raw.line, f"code {raw.name!r}: {exc}"))
        return None
    return dataclasses.replace(code, definition=" ".join(raw.definition.split()))


def read_codes(
    element: etree._Element, file: str, problems: list[Problem]
) -> tuple[tuple[Code, ...], dict[str, str]]:
    """Read the ``<Code>`` tree under ``element`` (a ``<Codes>``).

    Codes written by qualbst come back with their ids and fields; other codes
    get ids from their names (lowercase ASCII words joined by ``-``, prefixed
    by the parent's id), made unique with ``-2``, ``-3``. Problems (a broken
    qualbst block, a duplicate id, an invalid colour) are appended to
    ``problems`` and the code falls back to an id from its name.

    Returns
    -------
    (tuple of Code, dict)
        The codes in document order (parents first) and a map from normalised
        GUID to code id.
    """
    roots = _raw_codes(element, file, problems)
    codes: list[Code] = []
    guids: dict[str, str] = {}
    used: set[str] = set()

    def reserve(raw_codes: list[_RawCode]) -> None:  # ids named in blocks win over made-up ones
        for raw in raw_codes:
            if raw.block is not None:
                match = re.search(r"^id:\s*['\"]?([a-z0-9.-]+)", raw.block, flags=re.MULTILINE)
                if match:
                    used.add(match.group(1))
            reserve(raw.children)

    reserve(roots)
    taken: set[str] = set()

    def made_up(raw: _RawCode, parent: str | None) -> str:
        slug = slugify(raw.name) or "code"
        if parent is None and not slug[0].isalpha():
            slug = f"code-{slug}"
        base = f"{parent}.{slug}" if parent else slug
        candidate, number = base, 1
        while candidate in used or candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        return candidate

    def walk(raw_codes: list[_RawCode], parent: str | None) -> None:
        for raw in raw_codes:
            code = _block_code(raw, parent, file, problems) if raw.block is not None else None
            if code is not None and code.id in taken:
                problems.append(Problem(file, raw.line, f"code {raw.name!r}: id {code.id!r} is used twice"))
                code = None
            if code is None:
                code_id = made_up(raw, parent)
                code = Code(
                    id=code_id,
                    name=raw.name or code_id,
                    definition=" ".join(raw.definition.split()),
                    parent=parent,
                    codable=raw.codable,
                    color=raw.color,
                )
            taken.add(code.id)
            codes.append(code)
            if raw.guid:
                guids[raw.guid] = code.id
            walk(raw.children, code.id)

    walk(roots, None)
    return tuple(codes), guids


def read_agencies_set(
    sets: Iterable[etree._Element], file: str, problems: list[Problem]
) -> tuple[Agency, ...]:
    """The agencies kept in the :data:`AGENCIES_SET` (empty if there is none)."""
    for node in sets:
        if (node.get("name") or "").strip() != AGENCIES_SET:
            continue
        _, block = split_description(child_text(node, "Description") or "")
        try:
            data = yaml.safe_load(block or "")
        except yaml.YAMLError:
            data = None
        entries = data.get("agencies") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            problems.append(
                Problem(file, source_line(node), f"set {AGENCIES_SET!r}: no agency list after the marker")
            )
            return ()
        agencies: list[Agency] = []
        for entry in entries:
            try:
                agencies.append(_agency(entry))
            except ValueError as exc:
                problems.append(Problem(file, source_line(node), f"set {AGENCIES_SET!r}: {exc}"))
        return tuple(agencies)
    return ()


# ---------------------------------------------------------------- the .qdc file


def codebook_xml(codebook: Codebook) -> etree._Element:
    """The REFI-QDA ``<CodeBook>`` element tree of a codebook (``.qdc`` root)."""
    root = new_root(NS_CODEBOOK, "CodeBook", origin=ORIGIN)
    codes = etree.SubElement(root, f"{{{NS_CODEBOOK}}}Codes")
    append_codes(codes, codebook, NS_CODEBOOK)
    if codebook.agencies:
        sets = etree.SubElement(root, f"{{{NS_CODEBOOK}}}Sets")
        append_agencies_set(sets, codebook, NS_CODEBOOK)
    return root


def write_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write a codebook as a REFI-QDA codebook file (``.qdc``).

    Parameters
    ----------
    codebook : Codebook
        Codes (and agencies) to write.
    path : str or Path
        The file to write (atomically); its folder is created.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    CodebookError
        If the codebook is empty, a parent is missing or a colour is invalid.

    Notes
    -----
    Codes nest under their parents; every code has a GUID made with uuid5 from
    its id (:func:`code_guid`), so the same code has the same GUID in every
    file. The Description holds the definition, then :data:`FIELDS_MARKER` and
    qualbst's own fields as YAML (see the module docstring for why). Agencies
    go into a member-less ``<Set>`` named :data:`AGENCIES_SET`. The file is
    validated against the official Codebook XSD before it is written. The bytes
    depend only on the codebook (no dates).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> cb = Codebook((Code("a", "A", definition="Category."), Code("a.b", "B", definition="Leaf.")), ())
    >>> out = write_qdc(cb, pathlib.Path(tempfile.mkdtemp()) / "codebook.qdc")
    >>> [c.id for c in read_qdc(out).codes]
    ['a', 'a.b']
    """
    if not codebook.codes:
        raise CodebookError("the codebook has no codes; a REFI-QDA codebook needs at least one", file=path)
    root = codebook_xml(codebook)
    check_own_output(root, "codebook")
    return write_bytes_atomic(path, to_bytes(root))


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook file (``.qdc``) into a :class:`Codebook`.

    Codes written by qualbst come back unchanged (ids, names, fields,
    hierarchy, colours, agencies); codes from other tools get ids made from
    their names and an empty definition when they have no description.

    Raises
    ------
    CodebookError
        If the file is missing, not well-formed, declares a DOCTYPE or
        entities, is not a ``<CodeBook>``, or a qualbst block is broken or
        gives an id twice (each named with file and line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "other.qdc"
    >>> _ = p.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid='
    ...     '"10000000-0000-4000-8000-000000000001" name="Happy Talk" isCodable="true"/>'
    ...     '</Codes></CodeBook>')
    >>> read_qdc(p).codes[0].id
    'happy-talk'
    """
    file = str(path)
    source = Path(path)
    if not source.is_file():
        raise CodebookError("file not found", file=file)
    try:
        root = parse_xml(source.read_bytes(), file)
    except QualbstError as exc:
        raise CodebookError(exc.message, file=exc.file, line=exc.line) from None
    if local_name(root) != "CodeBook":
        raise CodebookError(
            f"root element is <{local_name(root)}>, expected a REFI-QDA <CodeBook>", file=file, line=1
        )
    problems: list[Problem] = []
    codes_el = children(root, "Codes")
    codes: tuple[Code, ...] = ()
    if codes_el:
        codes, _ = read_codes(codes_el[0], file, problems)
    sets = [s for sets_el in children(root, "Sets") for s in children(sets_el, "Set")]
    agencies = read_agencies_set(sets, file, problems)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CodebookError(first.message + more, file=first.file, line=first.line)
    return Codebook(codes=codes, agencies=agencies, path=file)


def validate_qdc(path: str | Path) -> list[Problem]:
    """Check a ``.qdc`` file against the official REFI-QDA Codebook XSD.

    Returns
    -------
    list of Problem
        Every schema error with its line; empty when the file is valid.

    Raises
    ------
    QualbstError
        If the file is not well-formed XML or declares a DOCTYPE.
    """
    file = str(path)
    root = parse_xml(Path(path).read_bytes(), file)
    return schema_problems(root, "codebook", file)


# ---------------------------------------------------------------- codebook.yaml


def code_entry(code: Code) -> dict[str, Any]:
    """A code as its ``codebook.yaml`` mapping (fields in the documented order).

    An empty definition (an imported code without description) is written as
    :data:`NO_DEFINITION`, because the loader requires one.

    Examples
    --------
    >>> entry = code_entry(Code("a.b", "B", definition="Leaf.", cues={"id": ("kirim",)}))
    >>> entry["parent"], entry["codable"], entry["cues"]
    ('a', True, {'id': ['kirim']})
    """
    entry: dict[str, Any] = {"id": code.id, "name": code.name}
    if code.name_en:
        entry["name_en"] = code.name_en
    entry["parent"] = code.parent
    entry["codable"] = code.codable
    if code.color:
        entry["color"] = code.color
    entry["definition"] = code.definition or NO_DEFINITION
    for key, value in code_fields(code).items():
        if key not in entry and key != "id":
            entry[key] = value
    return entry


def write_codebook(codebook: Codebook, folder: str | Path, *, header: str = "") -> tuple[Path, Path]:
    """Write ``codebook.yaml`` and ``agencies.yaml`` (an empty list if none) into ``folder``.

    ``load_codebook(folder, require_contract_ids=False)`` reads them back into
    the same codes and agencies.

    Parameters
    ----------
    codebook : Codebook
    folder : str or Path
        Created if missing; both files are written atomically.
    header : str, optional
        A comment put at the top of both files (``# `` is added to each line).

    Returns
    -------
    (Path, Path)
        The codebook file and the agencies file.

    Examples
    --------
    >>> import tempfile
    >>> from qualbst.codebook import load_codebook
    >>> cb = Codebook((Code("a", "A", definition="Category.", codable=False),), ())
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_codebook(cb, folder)
    >>> load_codebook(folder, require_contract_ids=False).codes == cb.codes
    True
    """
    root = Path(folder)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    codes = [code_entry(c) for c in codebook.codes]
    agencies = [agency_entry(a) for a in codebook.agencies]
    codes_text = comment + (yaml_list(codes) if codes else "[]\n")
    agencies_text = comment + (yaml_list(agencies) if agencies else "[]\n")
    return (
        write_text_atomic(root / "codebook.yaml", codes_text),
        write_text_atomic(root / "agencies.yaml", agencies_text),
    )


def yaml_list(entries: list[dict[str, Any]]) -> str:
    """A YAML list of mappings, one blank line between entries."""
    return "\n".join(_dump_yaml([entry]) for entry in entries)
