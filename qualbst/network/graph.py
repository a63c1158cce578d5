"""The coordination graph: agencies as nodes, typed interactions as edges.

:func:`build_graph` turns the interactions table (CONTRACT.md columns
``document, segment, source, target, type, directed, quote``) into a
:class:`networkx.MultiDiGraph` whose every edge carries the evidence that
supports it: the segment ids, the quotes, the documents and the informants.
Nothing is read back from disk; the analyses, exports and pictures all take
the graph this function returns.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import networkx as nx

from ..codebook import AGENCY_LEVELS
from ..errors import QualbstError

if TYPE_CHECKING:
    import pandas as pd

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = [
    "DIRECTED_TYPES",
    "INTERACTION_TYPES",
    "EmptyGraphWarning",
    "build_graph",
    "level_rank",
    "segment_positions",
]

#: The interdependence types of Thompson (1967), in the order tables list them.
INTERACTION_TYPES: tuple[str, ...] = ("pooled", "sequential", "reciprocal")
#: The types whose links have a direction (source hands to target).
DIRECTED_TYPES: frozenset[str] = frozenset({"sequential"})

_REQUIRED = ("document", "segment", "source", "target", "type")
_MENTION_REQUIRED = ("document", "agency")
_SEGMENT_ID = re.compile(r"^(?P<document>[^:]+):(?P<turn>\d+):(?P<n>\d+)$")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


class EmptyGraphWarning(UserWarning):
    """The graph has no edges: there were no interactions to build it from."""


def level_rank(level: str) -> int:
    """Position of an agency level from the top (national 0 to recipients 6).

    Unknown levels sort after every known one.

    Examples
    --------
    >>> level_rank("national"), level_rank("ward"), level_rank("recipients")
    (0, 4, 6)
    """
    try:
        return AGENCY_LEVELS.index(level)
    except ValueError:
        return len(AGENCY_LEVELS)


def segment_positions(
    segment_ids: Iterable[str], segments: pd.DataFrame | None = None
) -> dict[str, tuple[str, int, int] | None]:
    """Where each segment sits: ``(document, turn, n)``, or None when unknown.

    ``n`` is the 1-based position of the segment in its turn. With the
    segments table they come from its ``document`` and ``turn`` columns (``n``
    by order of ``start`` in the turn); without it, or for a segment the table
    does not list, they are read from the id ``<document>:<turn>:<n>`` that
    :func:`qualbst.segment_document` gives. Any other id has no position.

    Examples
    --------
    >>> segment_positions(["doc-a:2:1", "free-text"])
    {'doc-a:2:1': ('doc-a', 2, 1), 'free-text': None}
    """
    table: dict[str, tuple[str, int, int]] = {}
    if segments is not None and len(segments):
        ordered = segments.sort_values(["document", "turn", "start"], kind="stable")
        counter: dict[tuple[str, int], int] = {}
        for document, turn, segment in zip(
            ordered["document"].tolist(), ordered["turn"].tolist(), ordered["segment"].tolist(), strict=True
        ):
            key = (str(document), int(turn))
            counter[key] = counter.get(key, 0) + 1
            table[str(segment)] = (key[0], key[1], counter[key])
    out: dict[str, tuple[str, int, int] | None] = {}
    for segment in segment_ids:
        if segment in table:
            out[segment] = table[segment]
            continue
        match = _SEGMENT_ID.match(segment)
        out[segment] = (match["document"], int(match["turn"]), int(match["n"])) if match is not None else None
    return out


def _text(value: Any) -> str:
    """A cell as a stripped string ('' for missing values: None, NaN, pd.NA)."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except TypeError:  # pd.NA has no truth value
        return ""
    return str(value).strip()


def _flag(value: Any) -> bool | None:
    """A cell as a boolean (None when empty or unreadable)."""
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _where(position: int, document: str, segment: str) -> str:
    return f"interactions row {position} (document {document!r}, segment {segment!r})"


def _check_columns(frame: pd.DataFrame, required: tuple[str, ...], name: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise QualbstError(
            f"{name} table: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(got {list(frame.columns)}); see CONTRACT.md"
        )


def _bad_interaction(
    position: int,
    document: str,
    segment: str,
    source: str,
    target: str,
    kind: str,
    flag: Any,
    codebook: Codebook,
) -> NoReturn:
    """Raise the error that says what is wrong with one interactions row."""
    where = _where(position, document, segment)
    if not document or not segment:
        raise QualbstError(f"{where}: 'document' and 'segment' must not be empty")
    if kind not in INTERACTION_TYPES:
        raise QualbstError(f"{where}: unknown type {kind!r}; use one of {', '.join(INTERACTION_TYPES)}")
    for role, agency in (("source", source), ("target", target)):
        if not codebook.has_agency(agency):
            raise QualbstError(
                f"{where}: unknown agency {agency!r} in '{role}'; "
                "use an id from codebook/agencies.yaml or add the agency there"
            )
    if source == target:
        raise QualbstError(
            f"{where}: source and target are both {source!r}; an interaction needs two agencies"
        )
    expected = kind in DIRECTED_TYPES
    raise QualbstError(
        f"{where}: 'directed' is {flag!r} but {kind} links are {'directed' if expected else 'undirected'}"
    )


def _interaction_rows(
    interactions: pd.DataFrame, codebook: Codebook
) -> list[tuple[str, str, str, str, str, str]]:
    """Check every row; return (document, segment, source, target, type, quote) tuples."""
    _check_columns(interactions, _REQUIRED, "interactions")
    n = len(interactions)
    directed = interactions["directed"].tolist() if "directed" in interactions.columns else [None] * n
    quotes = interactions["quote"].tolist() if "quote" in interactions.columns else [""] * n
    columns = [interactions[c].tolist() for c in _REQUIRED]
    rows: list[tuple[str, str, str, str, str, str]] = []
    for position, (document, segment, source, target, kind, flag, quote) in enumerate(
        zip(*columns, directed, quotes, strict=True), start=1
    ):
        document, segment = _text(document), _text(segment)
        source, target, kind = _text(source), _text(target), _text(kind)
        given = _flag(flag)
        expected = kind in DIRECTED_TYPES
        if (
            not document
            or not segment
            or kind not in INTERACTION_TYPES
            or not codebook.has_agency(source)
            or not codebook.has_agency(target)
            or source == target
            or (given is not None and given != expected)
        ):
            _bad_interaction(position, document, segment, source, target, kind, flag, codebook)
        if not expected and target < source:
            source, target = target, source
        rows.append((document, segment, source, target, kind, " ".join(_text(quote).split())))
    return rows


def _mention_rows(mentions: pd.DataFrame, codebook: Codebook) -> list[tuple[str, str]]:
    """Check the mentions table; return (document, agency) pairs."""
    _check_columns(mentions, _MENTION_REQUIRED, "mentions")
    segments = mentions["segment"].tolist() if "segment" in mentions.columns else [""] * len(mentions)
    rows: list[tuple[str, str]] = []
    for position, (document, segment, agency) in enumerate(
        zip(mentions["document"].tolist(), segments, mentions["agency"].tolist(), strict=True), start=1
    ):
        agency_id = _text(agency)
        if not codebook.has_agency(agency_id):
            raise QualbstError(
                f"mentions row {position} (document {_text(document)!r}, segment {_text(segment)!r}): "
                f"unknown agency {agency_id!r}; use an id from codebook/agencies.yaml"
            )
        rows.append((_text(document), agency_id))
    return rows


def _segment_order(
    segment: str, positions: Mapping[str, tuple[str, int, int] | None]
) -> tuple[int, str, int, int, str]:
    place = positions.get(segment)
    if place is None:
        return (1, "", 0, 0, segment)
    return (0, place[0], place[1], place[2], segment)


def build_graph(
    interactions: pd.DataFrame,
    codebook: Codebook,
    *,
    documents: Iterable[Document] | None = None,
    mentions: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
) -> nx.MultiDiGraph:
    """Build the coordination graph of agencies from the interactions table.

    Parameters
    ----------
    interactions : DataFrame
        CONTRACT.md columns ``document, segment, source, target, type,
        directed, quote`` (``directed`` and ``quote`` may be missing; extra
        columns are ignored). Source and target are agency ids; type is
        ``pooled``, ``sequential`` or ``reciprocal``.
    codebook : Codebook
        Gives each agency's names, level and parent.
    documents : iterable of Document, optional
        For informant pseudonyms (:attr:`Document.informant`); without them, or
        for a document not among them, the document id stands in.
    mentions : DataFrame, optional
        Agency mentions (``document, segment, start, end, agency, surface,
        method``; ``document`` and ``agency`` are required). May be empty.
    segments : DataFrame, optional
        The segments table, for the turn of each segment; without it the turn
        is read from the segment id ``<document>:<turn>:<n>``.

    Returns
    -------
    networkx.MultiDiGraph
        **Nodes** are agency ids: every agency that has an edge or a mention,
        in codebook order, with attributes

        - ``name`` (str), ``name_en`` (str), ``level`` (str),
          ``parent`` (str, ``""`` when none): from the codebook;
        - ``mentions`` (int): rows of ``mentions`` naming the agency; when
          ``mentions`` is None, the number of distinct interaction segments
          naming it;
        - ``informants`` (list of str, sorted): pseudonyms of the informants
          whose documents name the agency in a mention or an interaction.

        **Edges**: one per agency pair and type, with key = the type, sorted
        by source, target and type. Sequential edges run source -> target;
        pooled and reciprocal edges are undirected and stored once, from the
        smaller id to the larger. Attributes

        - ``type`` (str): ``pooled``, ``sequential`` or ``reciprocal``;
        - ``directed`` (bool): True for sequential only;
        - ``weight`` (int): number of distinct supporting segments;
        - ``segments`` (list of str): those segment ids, in document, turn
          and sentence order;
        - ``quotes`` (list of str): one quote per segment, aligned with
          ``segments`` (the longest when a segment has several; whitespace
          collapsed; ``""`` when the table has none);
        - ``turns`` (list of int or None): the turn of each segment, aligned
          with ``segments`` (None when unknown);
        - ``documents`` (list of str, sorted): distinct documents;
        - ``informants`` (list of str, sorted): distinct informants.

    Raises
    ------
    QualbstError
        A column is missing, or a row names an unknown agency or type, the
        same agency twice, or a ``directed`` flag that contradicts its type;
        the message names the row, its document and segment.

    Warns
    -----
    EmptyGraphWarning
        When there are no interactions (the graph has no edges).

    Notes
    -----
    The weight counts segments, not rows: a passage coded twice, or two rows
    for the same segment, support a link once.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualbst.codebook import Agency, Codebook
    >>> cb = Codebook((), (Agency("pos", "PT Pos", level="paying agent"),
    ...                    Agency("kpm", "KPM", level="recipients")))
    >>> rows = pd.DataFrame([["d", "d:2:1", "pos", "kpm", "sequential", True, "Pos bayar ke KPM."]],
    ...                     columns=["document", "segment", "source", "target", "type", "directed", "quote"])
    >>> G = build_graph(rows, cb)
    >>> [(u, v, k, d["weight"], d["turns"]) for u, v, k, d in G.edges(keys=True, data=True)]
    [('pos', 'kpm', 'sequential', 1, [2])]
    """
    rows = _interaction_rows(interactions, codebook)
    informant_of = {d.id: d.informant for d in documents or ()}
    positions = segment_positions(sorted({row[1] for row in rows}), segments)

    evidence: dict[tuple[str, str, str], dict[str, tuple[str, str]]] = {}
    node_segments: dict[str, set[str]] = {}
    node_informants: dict[str, set[str]] = {}
    for document, segment, source, target, kind, quote in rows:
        per_segment = evidence.setdefault((source, target, kind), {})
        old = per_segment.get(segment)
        if old is None or (len(quote), old[1]) > (len(old[1]), quote):
            per_segment[segment] = (document, quote)
        informant = informant_of.get(document, document)
        for agency in (source, target):
            node_segments.setdefault(agency, set()).add(segment)
            node_informants.setdefault(agency, set()).add(informant)

    mention_counts: dict[str, int] = {}
    if mentions is not None:
        for document, agency in _mention_rows(mentions, codebook):
            mention_counts[agency] = mention_counts.get(agency, 0) + 1
            node_informants.setdefault(agency, set()).add(informant_of.get(document, document))
    else:
        mention_counts = {agency: len(found) for agency, found in node_segments.items()}

    graph = nx.MultiDiGraph()
    for record in codebook.agencies:
        if record.id not in node_informants:
            continue
        graph.add_node(
            record.id,
            name=record.name,
            name_en=record.name_en,
            level=record.level,
            parent=record.parent or "",
            mentions=mention_counts.get(record.id, 0),
            informants=sorted(node_informants[record.id]),
        )
    type_order = {kind: i for i, kind in enumerate(INTERACTION_TYPES)}
    for source, target, kind in sorted(evidence, key=lambda e: (e[0], e[1], type_order[e[2]])):
        per_segment = evidence[(source, target, kind)]
        ordered = sorted(per_segment, key=lambda s: _segment_order(s, positions))
        turns: list[int | None] = []
        for segment in ordered:
            place = positions.get(segment)
            turns.append(None if place is None else place[1])
        docs = sorted({per_segment[s][0] for s in ordered})
        graph.add_edge(
            source,
            target,
            key=kind,
            type=kind,
            directed=kind in DIRECTED_TYPES,
            weight=len(ordered),
            segments=ordered,
            quotes=[per_segment[s][1] for s in ordered],
            turns=turns,
            documents=docs,
            informants=sorted({informant_of.get(d, d) for d in docs}),
        )
    if graph.number_of_edges() == 0:
        warnings.warn("no interactions: the coordination graph has no edges", EmptyGraphWarning, stacklevel=2)
    return graph
