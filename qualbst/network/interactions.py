"""Interactions: who coordinates with whom, of which kind, from coded segments.

For every segment coded with an interdependence code (``interdependence.<type>``,
by the chosen coders), the agencies it names become typed pairs:

- **sequential** pairs are directed, from the party that hands over to the
  one that receives. Consecutive agency mentions ``a ... b`` give ``a -> b``,
  except where ``b`` is marked as a source (``dari``, ``oleh``, ``from``,
  ``by``: "kami terima dari kecamatan") or a receiving verb stands between
  them (``terima``, ``dapat``, ``receive``, ``get``: "kami terima undangan
  lewat kecamatan"), which reverse it -- except that the agent of a passive
  receiving verb is the receiver ("nanti diterima Pusdatin", "diterima oleh
  kelurahan", "received by the ward": ``agent_markers``, ``passive_prefixes``).
  Order of mention is only the fallback.
  An agency after ``lewat``/``melalui``/``via`` is an intermediary: it
  receives from the party before it and hands on to the party after it.
- **reciprocal** pairs are the consecutive distinct agencies, undirected.
- **pooled** pairs are every pair of distinct agencies, undirected, but for
  the source the pool draws from ("dari Kemensos") and for ``kami``/``we``
  unless a peer of the informant's agency (same level) is named ("kami ngurus
  wilayah kami, Pegirian ngurus wilayahnya"; not "we had thirty-one
  districts ...", where the informant oversees the pool).
- Parties of a list that shares one marker ("dari kecamatan atau Dinsos",
  "ke kecamatan, kelurahan", "dari pusat, dari kelurahan", "ke Dinsos atau ke
  kelurahan") are parallel: each is linked to the parties either side of the
  list, not to one another ("ke kecamatan, ke kelurahan, ke RT" is a chain).
  A denial before a list of receivers covers all of them.
- The programme's recipients (agency level ``recipients``) end sequential
  chains: named between a party and one the chain goes on to ("ke Pusdatin")
  they are not a step of it ("Dinsos survei ke rumah, terus diunggah ke
  Pusdatin"); they are never a reciprocal or pooled party.
- A plural mention of a level ("tiap kelurahan", "lima kelurahan",
  "kelurahan-kelurahan", "each ward": ``plural_markers``) stands for every
  agency of that level the transcript names, as parallel parties; they are
  not linked to each other or to another mention of their own level in the
  chain ("bagi ke kelurahan-kelurahan, kelurahan ke RW").

Not interactions: agencies joined only by list words and punctuation
(``dan``, ``atau``, ``and``, ``,``) with no handoff between them; a pair with
a negator between its two mentions ("kami ndak pernah cek silang sama
Pegirian"); an agency right after an object noun ("data KPM", "daftar
penerima": it is what is handed over). ``kami``/``kita``/``we`` stand for the
informant's agency, and so does ``saya``/``aku``/``I`` after a marker ("kirim
datanya ke saya"). When a segment names only one agency (or one list of
parallel ones), the one named in the segment before it in the same turn
(unless it is a sibling of the one named, same level and parent like two
wards: that link is stated nowhere), or else the informant's own agency, is
the other party of a sequential or reciprocal link (a pool needs two agencies
named); what comes ``dari`` the one agency, with no receiver named, comes to
the informant. A sequential link
then needs a marker (``dari``, ``ke``, ``lewat``...) to give its direction:
"KPM sudah menerima" names who receives, not from whom.

All words are plain data in ``qualbst/lang/<lang>/`` (``source_markers``,
``via_markers``, ``receive_words``, ``agent_markers``, ``passive_prefixes``,
``object_nouns``, ``list_words``, ``negators`` with ``negator_heads``, ``plural_markers``). No rule
names a particular agency.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..coding.matching import Mention, annotator, reduplicated
from ..lang import load_words
from ..nlp import token_negates
from ..tables import INTERACTIONS_COLUMNS, records

if TYPE_CHECKING:
    import pandas as pd
    from spacy.tokens import Doc

    from ..codebook import Codebook
    from ..corpus.model import Document

__all__ = [
    "INTERACTION_TYPES",
    "evaluate_extraction",
    "evaluate_interactions",
    "extract_interactions",
    "read_interactions_annotation",
    "segment_pairs",
    "statement_features",
]

INTERACTION_TYPES = ("pooled", "sequential", "reciprocal")
CODE_PREFIX = "interdependence."
RECIPIENTS = "recipients"  # the agency level of the programme's beneficiaries


@dataclass(frozen=True)
class _Words:
    source: frozenset[str]
    target: frozenset[str]
    via: frozenset[str]
    receive: frozenset[str]
    objects: frozenset[str]
    locations: frozenset[str]
    lists: frozenset[str]
    lang: str
    self_words: frozenset[str]
    agents: frozenset[str]
    passive: tuple[str, ...]
    plural: frozenset[str]


@cache
def _words(lang: str) -> _Words:
    def words(name: str) -> frozenset[str]:
        return frozenset(w.lower() for w in load_words(lang, name))

    return _Words(
        words("source_markers"),
        words("target_markers"),
        words("via_markers"),
        words("receive_words"),
        words("object_nouns"),
        words("location_markers"),
        words("list_words"),
        lang,
        words("self_words"),
        words("agent_markers"),
        tuple(sorted(words("passive_prefixes"))),
        words("plural_markers"),
    )


@dataclass(frozen=True)
class _Party:
    agency: str
    token_start: int
    token_end: int
    role: str  # "", "source", "via", "object"
    pronoun: bool = False
    plural: bool = False  # one of the agencies a plural mention stands for


def _parties(
    doc: Doc, mentions: Sequence[Mention], nouns: Sequence[tuple[str, int, int]], words: _Words
) -> list[_Party]:
    parties: list[_Party] = []
    taken: set[int] = set()
    named = {i for m in mentions for i in range(m.token_start, m.token_end)}
    for mention in mentions:
        role = _marker(doc, mention.token_start, words, named)
        taken.update(range(mention.token_start, mention.token_end))
        if role not in ("object", "location"):
            pronoun = mention.method == "pronoun"
            parties.append(_Party(mention.agency, mention.token_start, mention.token_end, role, pronoun))
    for agency, start, end in nouns:
        if taken.intersection(range(start, end)):
            continue
        if _marker(doc, start, words, named) == "target":
            parties.append(_Party(agency, start, end, "target"))
            taken.update(range(start, end))
    return sorted(parties, key=lambda p: p.token_start)


def _marker(doc: Doc, start: int, words: _Words, named: set[int]) -> str:
    """The role the one or two words before token ``start`` give an agency
    (looking back no further than punctuation or another agency's name)."""
    for back in (1, 2):
        i = start - back
        if i < 0 or doc[i].is_punct or i in named:
            return ""
        lower = doc[i].lower_
        if lower in words.source:
            return "source"
        if lower in words.via:
            return "via"
        if lower in words.target:
            return "target"
        if back == 1 and lower in words.objects:
            return "object"
        if back == 1 and lower in words.locations:
            return "location"
    return ""


def _between(doc: Doc, a: _Party, b: _Party) -> list[Any]:
    return [doc[i] for i in range(a.token_end, b.token_start)]


def _is_list(tokens: Sequence[Any], words: _Words) -> bool:
    return all(t.is_punct or t.is_space or t.lower_ in words.lists for t in tokens)


def _directed(a: _Party, b: _Party, tokens: Sequence[Any], words: _Words) -> tuple[str, str]:
    receiving = [i for i, t in enumerate(tokens) if t.lemma_ in words.receive]
    last = receiving[-1] if receiving else -1
    if b.role == "source":
        # "diterima oleh Pusdatin", "received by the ward": the agent of a receiving verb receives
        if last >= 0 and last == len(tokens) - 2 and tokens[-1].lower_ in words.agents:
            return a.agency, b.agency
        return b.agency, a.agency
    if b.role != "target" and receiving:
        # "nanti diterima Pusdatin": a passive receiving verb right before b names b as the receiver
        verb = tokens[last]
        if last == len(tokens) - 1 and verb.lower_ != verb.lemma_ and verb.lower_.startswith(words.passive):
            return a.agency, b.agency
        return b.agency, a.agency
    return a.agency, b.agency


def segment_pairs(
    text: str,
    kind: str,
    *,
    lang: str,
    codebook: Codebook,
    own_agency: str | None = None,
    context_agency: str | None = None,
    named: Mapping[str, Collection[str]] | None = None,
) -> list[tuple[str, str]]:
    """The agency pairs of one kind that a segment states.

    Parameters
    ----------
    text : str
        The segment.
    kind : {"pooled", "sequential", "reciprocal"}
    lang : {"id", "en"}
    codebook : Codebook
    own_agency : str, optional
        The informant's agency (``kami``, and the fallback second party).
    context_agency : str, optional
        The last agency named in the segment before, in the same turn.
    named : mapping of level to agency ids, optional
        The agencies the whole transcript names, by level: a plural mention
        ("tiap kelurahan", "kelurahan-kelurahan", "lima kelurahan", "each
        ward") stands for each of them.

    Returns
    -------
    list of (source, target)
        Directed for sequential; sorted pairs for the undirected kinds.

    Examples
    --------
    >>> import qualbst as qb
    >>> book = qb.load_codebook("codebook")
    >>> segment_pairs("Datanya dari kecamatan turun ke kelurahan, terus kelurahan lewat RT dibagi ke KPM.",
    ...               "sequential", lang="id", codebook=book)
    [('kecamatan', 'kelurahan'), ('kelurahan', 'rtrw'), ('rtrw', 'kpm')]
    >>> segment_pairs("Kami terima undangan lewat kecamatan.", "sequential", lang="id",
    ...               codebook=book, own_agency="kelurahan")
    [('kecamatan', 'kelurahan')]
    >>> segment_pairs("Kami ndak pernah cek silang sama Pegirian.", "reciprocal", lang="id",
    ...               codebook=book, own_agency="kelurahan")
    []
    """
    pairs = _stated_pairs(text, kind, lang, codebook, own_agency, context_agency, named or {})
    if kind == "sequential":
        return pairs
    # the programme's recipients are at the end of the chain, not units that pool or adjust
    return [pair for pair in pairs if RECIPIENTS not in {codebook.level_of(a) for a in pair}]


def _stated_pairs(
    text: str,
    kind: str,
    lang: str,
    codebook: Codebook,
    own_agency: str | None,
    context_agency: str | None,
    named: Mapping[str, Collection[str]],
) -> list[tuple[str, str]]:
    ann = annotator(codebook, lang)
    words = _words(lang)
    doc = ann.make_doc(text)
    parties = _parties(doc, ann.mentions(doc, own_agency=own_agency), ann.nouns(doc), words)
    if own_agency is not None:
        parties = _with_speaker(doc, parties, own_agency, words)
    if named:
        parties = _plurals(doc, parties, named, codebook, words)
    if kind == "sequential":
        parties = _recipients_at_the_end(parties, codebook)
    distinct = {p.agency for p in parties}
    if not distinct:
        return []

    def implied(party: _Party) -> str | None:
        # a partner from the segment before is not a sibling of the named party (same level,
        # same parent: two wards): no segment states that ward-to-ward link
        if context_agency is not None and _siblings(codebook, context_agency, party.agency):
            return None
        return context_agency

    if len(distinct) == 1:
        return _one_party(doc, parties[0], kind, words, own_agency, implied(parties[0]))
    pairs: list[tuple[str, str]] = []
    if kind == "pooled":
        members = {p.agency for p in parties if p.role != "source" and not p.pronoun}
        # "kami" pools with its peers ("kami ngurus wilayah kami, Pegirian ngurus wilayahnya"),
        # not with the units it oversees or draws from ("we had thirty-one districts ...")
        peers = {codebook.level_of(a) for a in members}
        members |= {p.agency for p in parties if p.pronoun and codebook.level_of(p.agency) in peers}
        ordered = sorted(members)
        return [(x, y) for i, x in enumerate(ordered) for y in ordered[i + 1 :]]
    slots = _slots(doc, parties, words)
    if len(slots) == 1:
        # parallel parties only ("data datang dari kelurahan, dari pusat"): each with the implied other
        pairs = [
            pair
            for party in slots[0]
            for pair in _one_party(doc, party, kind, words, own_agency, implied(party))
        ]
        return _finish(pairs, kind)
    denied = False
    for left, right in itertools.pairwise(slots):
        tokens = _between(doc, left[-1], right[0])
        # "kami nggak pernah kirim ke Wonokusumo, ke Sidotopo": the denial runs on along the chain
        onward = denied and right[0].role == "target" and len(tokens) > 1 and _is_list(tokens[:-1], words)
        denied = onward or any(token_negates(t, lang) for t in tokens)
        if denied:
            continue
        for a, b in itertools.product(left, right):
            if a.agency == b.agency:
                continue
            if (a.plural or b.plural) and codebook.level_of(a.agency) == codebook.level_of(b.agency):
                continue  # "bagi ke kelurahan-kelurahan, kelurahan ke RW": the same wards, not a handoff
            if _is_list(tokens, words) and b.role == "" and a.role == "":
                continue
            pairs.append(_directed(a, b, tokens, words) if kind == "sequential" else (a.agency, b.agency))
    return _finish(pairs, kind)


def _recipients_at_the_end(parties: list[_Party], codebook: Codebook) -> list[_Party]:
    """A chain's parties without recipients named between another party and one the
    chain goes on *to* ("ke Pusdatin"): in "Dinsos survei ke rumah, terus diunggah
    ke Pusdatin" the data goes from Dinsos to Pusdatin; the houses are where the
    survey went, not a step of the chain. ("Kami antar ke rumah, ditemani RT" keeps
    them: the RT goes along, the chain does not go on to it.)"""
    office = [codebook.level_of(p.agency) != RECIPIENTS for p in parties]  # not the recipients

    def passed_over(i: int) -> bool:
        after = i + 1 < len(parties) and office[i + 1] and parties[i + 1].role == "target"
        return not office[i] and any(office[:i]) and after

    return [p for i, p in enumerate(parties) if not passed_over(i)]


def _siblings(codebook: Codebook, a: str, b: str) -> bool:
    """Whether two agencies are units side by side: same level and the same parent."""
    first, second = codebook.agency(a), codebook.agency(b)
    return first.parent is not None and first.parent == second.parent and first.level == second.level


def _plurals(
    doc: Doc, parties: list[_Party], named: Mapping[str, Collection[str]], codebook: Codebook, words: _Words
) -> list[_Party]:
    """Each plural mention of a level replaced by every agency of that level the transcript names."""
    out: list[_Party] = []
    for party in parties:
        members = sorted(named.get(codebook.level_of(party.agency), ()))
        if not party.pronoun and len(members) > 1 and _is_plural(doc, party.token_start, words):
            out += [_Party(a, party.token_start, party.token_end, party.role, plural=True) for a in members]
        else:
            out.append(party)
    return out


def _is_plural(doc: Doc, start: int, words: _Words) -> bool:
    """Whether the agency named at token ``start`` is plural: reduplicated, or after a
    plural marker one or two words before ("lima kelurahan", "all the wards")."""
    if reduplicated(doc[start].text):
        return True
    for back in (1, 2):
        i = start - back
        if i < 0 or doc[i].is_punct:
            return False
        if doc[i].lower_ in words.plural:
            return True
    return False


def _with_speaker(doc: Doc, parties: list[_Party], own_agency: str, words: _Words) -> list[_Party]:
    """The parties and the informant speaking for their office after a marker
    ("Tiap kelurahan kirim datanya ke saya": the informant's agency receives)."""
    named = {i for p in parties for i in range(p.token_start, p.token_end)}
    added = []
    for i in range(1, len(doc)):
        if i in named or doc[i].lower_ not in words.self_words:
            continue
        role = _marker(doc, i, words, named)
        if role in ("source", "target"):
            added.append(_Party(own_agency, i, i + 1, role, pronoun=True))
    return sorted([*parties, *added], key=lambda p: p.token_start) if added else parties


def _slots(doc: Doc, parties: Sequence[_Party], words: _Words) -> list[list[_Party]]:
    """Parties grouped where a list shares one marker ("dari kecamatan atau Dinsos",
    "ke kecamatan, kelurahan"): the parties of a group are parallel, each linked
    to the groups either side of it and not to each other."""
    slots: list[list[_Party]] = []
    for party in parties:
        if slots and slots[-1][-1].token_start == party.token_start:
            slots[-1].append(party)  # the agencies a plural mention stands for
            continue
        if slots:
            last = slots[-1][-1]
            between = _between(doc, last, party)
            marked = last.role in ("source", "target") and party.role == "" and not party.pronoun
            joined = any(t.lower_ in words.lists for t in between) or (
                party.token_end == len(doc) or doc[party.token_end].is_punct
            )
            if marked and joined and _is_list(between, words):
                slots[-1].append(_Party(party.agency, party.token_start, party.token_end, last.role))
                continue
            # "dari pusat, dari kelurahan": two sources of one flow, not a handoff between them
            # ("ke kecamatan, ke kelurahan, ke RT" is a chain; "ke kecamatan atau ke Dinsos" is not)
            repeated = last.role == party.role and party.role in ("source", "target")
            marker = words.source if party.role == "source" else words.target
            conjoined = party.role == "source" or any(t.lower_ in words.lists for t in between)
            if (
                repeated
                and conjoined
                and len(between) > 1
                and _is_list(between[:-1], words)
                and between[-1].lower_ in marker
            ):
                slots[-1].append(party)
                continue
        slots.append([party])
    return slots


def statement_features(
    text: str, *, lang: str, codebook: Codebook, own_agency: str | None = None
) -> list[str]:
    """The shape of a statement about agencies, as features for the trained coder.

    ``ROLE:<role>`` for each role an agency takes (``source`` after ``dari``,
    ``target`` after ``ke``, ``via`` after ``lewat``...), ``HANDOFF`` when two
    or more agencies are named and one of them is marked as a source, target
    or intermediary, ``RECEIVE`` when an agency is named with a receiving
    verb. Words, not agency names: the features carry over to other corpora.

    Examples
    --------
    >>> import qualbst as qb
    >>> book = qb.load_codebook("codebook")
    >>> statement_features("Datanya dari kecamatan dikirim ke kelurahan.", lang="id", codebook=book)
    ['ROLE:source', 'ROLE:target', 'HANDOFF']
    """
    ann = annotator(codebook, lang)
    words = _words(lang)
    doc = ann.make_doc(text)
    parties = _parties(doc, ann.mentions(doc, own_agency=own_agency), ann.nouns(doc), words)
    roles = sorted({p.role for p in parties} - {""})
    out = [f"ROLE:{role}" for role in roles]
    if len({p.agency for p in parties}) >= 2 and set(roles) & {"source", "target", "via"}:
        out.append("HANDOFF")
    if parties and any(t.lemma_ in words.receive for t in doc):
        out.append("RECEIVE")
    return out


def _one_party(
    doc: Doc,
    only: _Party,
    kind: str,
    words: _Words,
    own_agency: str | None,
    context_agency: str | None,
) -> list[tuple[str, str]]:
    """Pairs of a segment that names one agency: the other is implied (never a pool's)."""
    if kind == "pooled" or any(token_negates(t, words.lang) for t in doc):
        return []
    # "surat-surat dari Dinsos": what comes from an agency, with no receiver named, comes to the speaker
    speaks_for_self = only.role == "source" or any(t.lower_ in words.self_words for t in doc)
    other = own_agency if speaks_for_self or context_agency is None else context_agency
    if other is None or other == only.agency:
        other = own_agency if other != own_agency else None
    if other is None or other == only.agency:
        return []
    if kind != "sequential":
        return _finish([(other, only.agency)], kind)
    if only.role == "source":
        return _finish([(only.agency, other)], kind)
    if only.role in ("target", "via"):
        return _finish([(other, only.agency)], kind)
    return []


def _finish(pairs: list[tuple[str, str]], kind: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for source, target in pairs:
        if source == target:
            continue
        pair = (source, target) if kind == "sequential" else tuple(sorted((source, target)))
        if pair not in out:
            out.append(pair)  # type: ignore[arg-type]
    return out


def extract_interactions(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    *,
    coders: Sequence[str] | None = None,
    mentions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Typed agency interactions stated by coded segments (see module docstring).

    Parameters
    ----------
    segments : DataFrame
        The segments table.
    codings : DataFrame
        The codings table; segments coded ``interdependence.<type>`` by any of
        ``coders`` (default: every coder in the table) are read.
    documents : iterable of Document
    codebook : Codebook
    coders : sequence of str, optional
    mentions : DataFrame, optional
        The agency mentions (:func:`qualbst.coding.rules.find_mentions`) of
        these segments, for the agency last named before each segment;
        recognised again here when omitted.

    Returns
    -------
    DataFrame
        CONTRACT.md's interactions table: ``document, segment, source, target,
        type, directed, quote`` (the quote is the segment text), one row per
        segment, pair and type, in document and segment order.
    """
    import pandas as pd

    by_id = {d.id: d for d in documents}
    chosen = codings if coders is None else codings[codings["coder"].isin(list(coders))]
    kinds = chosen[chosen["code"].str.startswith(CODE_PREFIX)]
    wanted: dict[str, set[str]] = {}
    for seg_id, code in zip(kinds["segment"], kinds["code"], strict=True):
        kind = code[len(CODE_PREFIX) :]
        if kind in INTERACTION_TYPES:
            wanted.setdefault(seg_id, set()).add(kind)
    rows: list[dict[str, Any]] = []
    # the agencies each segment names, in text order (mention rows are in text order)
    in_segment: dict[str, list[str]] = {}
    if mentions is None:
        from ..coding.rules import find_mentions

        mentions = find_mentions(segments, by_id.values(), codebook)
    for seg_id, agency in zip(mentions["segment"].tolist(), mentions["agency"].tolist(), strict=True):
        in_segment.setdefault(seg_id, []).append(agency)
    # the agencies each transcript names, by level (what its plural mentions stand for)
    named: dict[str, dict[str, set[str]]] = {}
    for seg_id, document_id in zip(segments["segment"].tolist(), segments["document"].tolist(), strict=True):
        for agency in in_segment.get(seg_id, ()):
            named.setdefault(document_id, {}).setdefault(codebook.level_of(agency), set()).add(agency)
    last_agency: dict[tuple[str, int], str] = {}
    for seg in records(segments):
        document = by_id[seg.document]
        own = document.agency_for(seg.role)
        key = (seg.document, int(seg.turn))
        context = last_agency.get(key)
        found_here = in_segment.get(seg.segment)
        if found_here:
            last_agency[key] = found_here[-1]
        for kind in sorted(wanted.get(seg.segment, ()), key=INTERACTION_TYPES.index):
            pairs = segment_pairs(
                seg.text,
                kind,
                lang=document.language,
                codebook=codebook,
                own_agency=own,
                context_agency=context,
                named=named.get(seg.document),
            )
            for source, target in pairs:
                rows.append(
                    {
                        "document": seg.document,
                        "segment": seg.segment,
                        "source": source,
                        "target": target,
                        "type": kind,
                        "directed": kind == "sequential",
                        "quote": seg.text,
                    }
                )
    return pd.DataFrame(rows, columns=list(INTERACTIONS_COLUMNS))


def read_interactions_annotation(
    path: str | Path, documents: Iterable[Document], codebook: Codebook
) -> pd.DataFrame:
    """Read annotated interactions (``codings/interactions.csv``).

    Columns ``document, turn, source, target, type, directed`` (and optional
    others, kept). Undirected rows are normalised to ``source < target``.

    Raises
    ------
    ValidationError
        Naming the file and line of every row with an unknown document, turn,
        agency or type.
    """
    import pandas as pd

    from ..errors import Problem, ValidationError

    source_file = Path(path)
    frame = pd.read_csv(source_file, dtype=str, keep_default_na=False)
    needed = ["document", "turn", "source", "target", "type", "directed"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(source_file, 1, f"missing column(s) {', '.join(missing)}")])
    turns = {d.id: len(d.turns) for d in documents}
    problems: list[Problem] = []
    rows = []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        kind = row["type"].strip()
        if row["document"] not in turns:
            problems.append(Problem(source_file, number, f"unknown document {row['document']!r}"))
            continue
        if not row["turn"].strip().isdigit() or not 1 <= int(row["turn"]) <= turns[row["document"]]:
            problems.append(
                Problem(source_file, number, f"turn {row['turn']!r} is not a turn of {row['document']!r}")
            )
            continue
        bad = [a for a in (row["source"], row["target"]) if not codebook.has_agency(a)]
        if bad:
            problems.append(Problem(source_file, number, f"unknown agency {bad[0]!r} (not in agencies.yaml)"))
            continue
        if kind not in INTERACTION_TYPES:
            problems.append(
                Problem(
                    source_file, number, f"type must be one of {', '.join(INTERACTION_TYPES)} (got {kind!r})"
                )
            )
            continue
        source, target = row["source"], row["target"]
        if kind != "sequential":
            source, target = sorted((source, target))
        rows.append(
            {
                **row,
                "turn": int(row["turn"]),
                "source": source,
                "target": target,
                "type": kind,
                "directed": kind == "sequential",
            }
        )
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(rows)


def evaluate_interactions(
    extracted: pd.DataFrame, annotated: pd.DataFrame, segments: pd.DataFrame
) -> pd.DataFrame:
    """Precision, recall and F1 of extracted typed edges against annotated ones.

    Two levels: ``turn`` compares (document, turn, source, target, type) --
    every statement of a link where it is made; ``graph`` compares the
    distinct typed edges (source, target, type) of the whole corpus. Direction
    counts for sequential edges; pooled and reciprocal are undirected. Only
    documents present in the annotation are scored.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"segment": ["d:2:1"], "document": ["d"], "turn": [2]})
    >>> ext = pd.DataFrame({"document": ["d", "d"], "segment": ["d:2:1"] * 2, "source": ["a", "b"],
    ...                     "target": ["b", "c"], "type": ["sequential"] * 2})
    >>> gold = pd.DataFrame({"document": ["d"], "turn": [2], "source": ["a"], "target": ["b"],
    ...                      "type": ["sequential"]})
    >>> row = evaluate_interactions(ext, gold, seg).iloc[1]
    >>> row["level"], row["type"], float(row["precision"]), float(row["recall"]), float(row["f1"])
    ('turn', 'sequential', 0.5, 1.0, 0.6667)
    """
    import pandas as pd

    turn_of = dict(zip(segments["segment"], segments["turn"], strict=True))
    docs = set(annotated["document"])
    ext = extracted[extracted["document"].isin(docs)]
    found = {
        (d, int(turn_of[s]), a, b, t)
        for d, s, a, b, t in zip(
            ext["document"], ext["segment"], ext["source"], ext["target"], ext["type"], strict=True
        )
    }
    truth = {
        (d, int(n), a, b, t)
        for d, n, a, b, t in zip(
            annotated["document"],
            annotated["turn"],
            annotated["source"],
            annotated["target"],
            annotated["type"],
            strict=True,
        )
    }
    rows = []
    for level, keep in (("turn", lambda k: k), ("graph", lambda k: k[2:])):
        f_all = {keep(k) for k in found}
        t_all = {keep(k) for k in truth}
        for kind in (*INTERACTION_TYPES, "all"):
            f = {k for k in f_all if kind == "all" or k[-1] == kind}
            t = {k for k in t_all if kind == "all" or k[-1] == kind}
            tp = len(f & t)
            precision = tp / len(f) if f else 0.0
            recall = tp / len(t) if t else 0.0
            f1 = 2 * tp / (len(f) + len(t)) if f or t else 0.0
            rows.append(
                {
                    "level": level,
                    "type": kind,
                    "annotated": len(t),
                    "extracted": len(f),
                    "tp": tp,
                    "precision": round(precision, 4),
                    "recall": round(recall, 4),
                    "f1": round(f1, 4),
                }
            )
    return pd.DataFrame(rows)


def evaluate_extraction(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Iterable[Document],
    codebook: Codebook,
    annotated: pd.DataFrame,
    *,
    against: str,
    machine: str = "both",
    model: str | Path | None = None,
) -> pd.DataFrame:
    """Score interactions extracted from each coder's codes against the annotation.

    The codes read are, in turn: the reference coder's (``against``, whose
    interactions were annotated), every other human coder's, and the machine
    coders' (``machine``: ``rules``, ``model``, ``both`` or ``none``; the model
    learns from ``against`` and codes each of that coder's documents leave-one-
    document-out, so no document's links come from a model that saw it; with
    ``model``, that saved model codes every document instead).

    Returns
    -------
    DataFrame
        :func:`evaluate_interactions`' table with a first column ``codes``
        naming whose codes the interactions were extracted from.
    """
    import warnings

    import pandas as pd

    from ..coding.machine import human_coders, machine_codings
    from ..coding.model import QualbstWarning
    from ..coding.rules import find_mentions

    documents = list(documents)
    mentions = find_mentions(segments, documents, codebook)
    sources = {against: codings[codings["coder"] == against]}
    for person in human_coders(codings):
        if person != against:
            sources[person] = codings[codings["coder"] == person]
    if machine != "none":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualbstWarning)
            auto = machine_codings(
                segments, codings, documents, codebook, coder=machine, model=model, train_coder=against,
                mentions=mentions,
            )  # fmt: skip
        for coder in sorted(set(auto["coder"])):
            sources[coder] = auto[auto["coder"] == coder]
    parts = []
    for name, coded in sources.items():
        extracted = extract_interactions(segments, coded, documents, codebook, mentions=mentions)
        parts.append(evaluate_interactions(extracted, annotated, segments).assign(codes=name))
    table = pd.concat(parts, ignore_index=True)
    return table[["codes", *[c for c in table.columns if c != "codes"]]]
