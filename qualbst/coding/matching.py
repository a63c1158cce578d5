"""Shared matching machinery for agency recognition and the rule coder.

One :class:`Annotator` per (codebook, language) holds spaCy matchers built
from the codebook's data:

- agency surface forms (names and aliases) in a ``PhraseMatcher`` on the
  lowercase form (agency names are never stemmed: Sastrawi turns
  ``kelurahan`` into ``lurah``);
- cues of every code in a ``PhraseMatcher`` that compares each cue word, as
  written, with the stem of a transcript word, which the annotator writes to
  ``token.lemma_`` (Sastrawi for Indonesian, Snowball for English), and a
  second one on the lowercase form, so that colloquial forms the stemmer does
  not know (``nerusin``) still match; cues ending in ``*`` are prefix patterns
  on the lowercase form, matched by :meth:`Annotator.prefix_matches` (a
  lookup per distinct word form, cached: a spaCy ``Matcher`` with ``REGEX``
  predicates re-tests every pattern on every token and took 80% of the rule
  coder's time).

Matching is kept apart from deciding: callers get every match with its
position and decide what it means (negation, agency requirements).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy
from rapidfuzz.distance import Levenshtein
from spacy.attrs import IS_ALPHA, LEMMA, LOWER, ORTH

from ..codebook import CUE_GAP
from ..lang import load_words, stem
from ..nlp import build_nlp

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from ..codebook import Codebook

__all__ = ["Annotator", "CueMatch", "Mention", "annotator", "reduplicated"]

FUZZY_MIN_LENGTH = 6  # shorter words are too easily one letter from another
#: How many segments' Docs an annotator keeps (see :meth:`Annotator.make_doc`).
DOC_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Mention:
    """An agency mentioned in a text: token span, offsets, surface, method."""

    agency: str
    start: int  # character offsets in the annotated text
    end: int
    surface: str
    method: str  # alias, fuzzy or pronoun
    token_start: int
    token_end: int


@dataclass(frozen=True)
class CueMatch:
    """A cue of a code matched in a text; ``negated`` if a negator governs it."""

    code: str
    cue: str
    start: int
    end: int
    surface: str
    negated: bool
    token_start: int
    token_end: int


class Annotator:
    """Matchers for one codebook and one language (see module docstring).

    Parameters
    ----------
    codebook : Codebook
    lang : {"id", "en"}
    """

    def __init__(self, codebook: Codebook, lang: str) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.lang = lang
        self.nlp = build_nlp(lang)
        vocab = self.nlp.vocab
        self.negators = frozenset(load_words(lang, "negators"))
        self.pronouns = frozenset(load_words(lang, "pronouns"))
        self.agency_matcher = PhraseMatcher(vocab, attr="LOWER")
        self.noun_matcher = PhraseMatcher(vocab, attr="LOWER")
        for agency in codebook.agencies:
            if agency.nouns:
                self.noun_matcher.add(agency.id, [self.nlp.make_doc(n.lower()) for n in agency.nouns])
        self.single_aliases: dict[str, str] = {}
        # every one-word surface form, for plurals by reduplication ("kelurahan-kelurahan", "RT-RT")
        self._one_word: dict[str, str] = {}
        self.not_fuzzy: frozenset[str] = frozenset(
            word.lower() for agency in codebook.agencies for word in agency.exclude
        )
        for agency in codebook.agencies:
            forms = agency.surface_forms()
            self.agency_matcher.add(agency.id, [self.nlp.make_doc(f) for f in forms])
            for form in forms:
                words = form.split()
                if len(words) == 1:
                    self._one_word.setdefault(form.lower(), agency.id)
                if len(words) == 1 and len(form) >= FUZZY_MIN_LENGTH and form.isalpha():
                    self.single_aliases.setdefault(form.lower(), agency.id)
        self.stem_matcher = PhraseMatcher(vocab, attr="LEMMA")
        # cues with a gap ("personel ~ kurang"): a token Matcher, on roots like the stem matcher
        self.gap_matcher = Matcher(vocab)
        # each gap cue's roots (its words but prefixes): the matcher runs only on a segment holding all
        # of one cue's roots; a cue of prefixes only needs it always
        self._gap_needs: list[frozenset[int]] = []
        self._gap_always = False
        self.lower_matcher = PhraseMatcher(vocab, attr="LOWER")
        # prefix cues: label -> one spec per word, ("prefix", "verifik") or ("word", "data")
        self.prefix_patterns: dict[str, tuple[tuple[str, str], ...]] = {}
        # Per distinct word (by its string hash), computed once: the labels
        # whose first prefix spec fits the lowercase form, the stem's hash,
        # and what the word is to agency recognition (pronoun, fuzzy agency).
        self._first_word: dict[int, tuple[str, ...]] = {}
        self._lemma_of: dict[int, int] = {}
        self._pronoun: dict[int, bool] = {}
        self._fuzzy_of: dict[tuple[int, bool], tuple[str | None, str]] = {}
        self._fuzzy_cache: dict[str, str | None] = {}
        self._docs: OrderedDict[str, Doc] = OrderedDict()
        self.cue_labels: dict[str, tuple[str, str]] = {}
        for code in codebook.codes:
            if not code.codable:
                continue
            for number, cue in enumerate(code.cues.get(lang, ())):
                label = f"{code.id}#{number}"
                self.cue_labels[label] = (code.id, cue)
                words = cue.lower().split()
                if CUE_GAP in words:
                    self.gap_matcher.add(label, [_gap_pattern(words)])
                    roots = frozenset(
                        vocab.strings.add(w) for w in words if w != CUE_GAP and not w.endswith("*")
                    )
                    if roots:
                        self._gap_needs.append(roots)
                    else:
                        self._gap_always = True
                    continue
                if any(w.endswith("*") for w in words):
                    self.prefix_patterns[label] = tuple(
                        ("prefix", w[:-1]) if w.endswith("*") else ("word", w) for w in words
                    )
                    continue
                self.lower_matcher.add(label, [self.nlp.make_doc(cue.lower())])
                # Cue words are roots as the codebook's author wrote them: they
                # are compared with each word's stem, and are not stemmed again
                # (Sastrawi would turn a root like "meninggal*" into "tinggal").
                pattern_doc = self.nlp.make_doc(cue.lower())
                for token in pattern_doc:
                    token.lemma_ = token.lower_
                self.stem_matcher.add(label, [pattern_doc])

    def make_doc(self, text: str) -> Doc:
        """Tokenize ``text`` and write each token's stem to ``lemma_``.

        The last :data:`DOC_CACHE_SIZE` texts' Docs are kept: agency
        recognition, the rule coder and the interaction reader all read the
        same segments, usually one document after another. Callers must not
        change the Doc they get.
        """
        doc = self._docs.get(text)
        if doc is not None:
            self._docs.move_to_end(text)
            return doc
        doc = self.nlp.make_doc(text)
        if len(doc):
            # stems by word hash, written in one call: no Python Token per word
            lemma_of, strings = self._lemma_of, self.nlp.vocab.strings
            lemmas = []
            for orth in doc.to_array(ORTH).tolist():
                lemma = lemma_of.get(orth)
                if lemma is None:
                    lemma = lemma_of[orth] = strings.add(stem(strings[orth], self.lang))
                lemmas.append(lemma)
            doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))  # type: ignore[arg-type]
        self._docs[text] = doc
        if len(self._docs) > DOC_CACHE_SIZE:
            self._docs.popitem(last=False)
        return doc

    def mentions(self, doc: Doc, *, own_agency: str | None = None) -> list[Mention]:
        """Agency mentions in ``doc``: aliases (and their plurals by reduplication,
        "kelurahan-kelurahan"), one-letter misspellings, pronouns.

        ``own_agency`` is the informant's agency, which ``kami``/``kita``/``we``
        stand for; without it pronouns are not resolved. Overlapping alias
        matches keep the longest.
        """
        from spacy.util import filter_spans

        strings = self.nlp.vocab.strings
        matches = self.agency_matcher(doc)
        spans = [doc[s:e] for _, s, e in matches]
        labels = {(s, e): strings[m] for m, s, e in matches}
        found: list[Mention] = []
        covered: set[int] = set()
        for span in filter_spans(spans):
            agency = labels[(span.start, span.end)]
            found.append(
                Mention(agency, span.start_char, span.end_char, span.text, "alias", span.start, span.end)
            )
            covered.update(range(span.start, span.end))
        pronoun, fuzzy_of = self._pronoun, self._fuzzy_of
        # word by word on string hashes; a Token is made only for a word that is a mention
        for i, (lower, alpha) in enumerate(doc.to_array([LOWER, IS_ALPHA]).tolist()):
            is_pronoun = pronoun.get(lower)
            if is_pronoun is None:
                is_pronoun = pronoun[lower] = strings[lower] in self.pronouns
            who: str | None
            if own_agency and is_pronoun:
                who, method = own_agency, "pronoun"
            else:
                key = (lower, bool(alpha))
                if key not in fuzzy_of:
                    fuzzy_of[key] = self._word_agency(strings[lower], bool(alpha))
                who, method = fuzzy_of[key]
            if who is None or i in covered:
                continue
            token = doc[i]
            found.append(Mention(who, token.idx, token.idx + len(token), token.text, method, i, i + 1))
        return sorted(found, key=lambda m: (m.start, m.end))

    def _word_agency(self, form: str, alpha: bool) -> tuple[str | None, str]:
        """The agency one word not matched as an alias names, and how: a plural
        by reduplication of a one-word alias ("kelurahan-kelurahan"), or a
        one-letter misspelling of one."""
        if alpha:
            return (self._fuzzy(form) if len(form) >= FUZZY_MIN_LENGTH else None), "fuzzy"
        base = reduplicated(form)
        return (self._one_word.get(base), "alias") if base else (None, "fuzzy")

    def nouns(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Handoff nouns of agencies in ``doc``: (agency, token start, token end)."""
        if len(self.noun_matcher) == 0:
            return []
        return sorted((self.nlp.vocab.strings[m], s, e) for m, s, e in self.noun_matcher(doc))

    def _fuzzy(self, word: str) -> str | None:
        if word not in self._fuzzy_cache:
            self._fuzzy_cache[word] = _fuzzy_lookup(self, word)
        return self._fuzzy_cache[word]

    def prefix_matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Matches of the prefix cues in ``doc``: (label, token start, token end).

        Examples
        --------
        >>> import qualbst as qb
        >>> ann = annotator(qb.load_codebook("codebook"), "id")
        >>> doc = ann.make_doc("Kami sinkronisasi data, terus meninggal dunia.")
        >>> [(ann.cue_labels[label][1], s, e) for label, s, e in ann.prefix_matches(doc)]
        [('sinkron*', 1, 2), ('meninggal*', 5, 6)]
        """
        found: list[tuple[str, int, int]] = []
        strings = self.nlp.vocab.strings
        first_word = self._first_word
        hashes = doc.to_array(LOWER).tolist()
        for start, lower in enumerate(hashes):
            labels = first_word.get(lower)
            if labels is None:
                form = strings[lower]
                labels = tuple(
                    label for label, specs in self.prefix_patterns.items() if _fits(specs[0], form)
                )
                first_word[lower] = labels
            for label in labels:
                specs = self.prefix_patterns[label]
                end = start + len(specs)
                if end <= len(hashes) and all(
                    _fits(spec, strings[hashes[start + k]]) for k, spec in enumerate(specs[1:], start=1)
                ):
                    found.append((label, start, end))
        return found

    def cues(self, doc: Doc) -> list[CueMatch]:
        """Every cue match in ``doc`` (one per code, cue and position)."""
        seen: set[tuple[str, int, int]] = set()
        found: list[CueMatch] = []
        strings = self.nlp.vocab.strings
        matchers: list[Any] = [self.stem_matcher, self.lower_matcher]
        if self._gap_needs and not self._gap_always:
            roots = set(doc.to_array(LEMMA).tolist())
            gaps = any(needs <= roots for needs in self._gap_needs)
        else:
            gaps = self._gap_always
        if gaps:  # a token Matcher call costs as much as the rest of this method: only where one can match
            matchers.append(self.gap_matcher)
        matches = [
            (strings[match_id], start, end)
            for matcher in matchers
            if len(matcher)
            for match_id, start, end in matcher(doc)
        ]
        for label, start, end in matches + self.prefix_matches(doc):
            code, cue = self.cue_labels[label]
            key = (label, start, end)
            if key in seen:
                continue
            seen.add(key)
            span = doc[start:end]
            found.append(
                CueMatch(
                    code,
                    cue,
                    span.start_char,
                    span.end_char,
                    span.text,
                    self.negated(doc, start),
                    start,
                    end,
                )
            )
        return sorted(found, key=lambda m: (m.start, m.code, m.cue))

    def negated(self, doc: Doc, start: int, scope: int = 3) -> bool:
        """Whether a negator stands within ``scope`` words before token ``start``.

        The scope stops at punctuation, so "tidak, kami kirim" is not negated.
        """
        for token in _before(doc, start, scope):
            if token.is_punct:
                return False
            if token.lower_ in self.negators:
                return True
        return False


def reduplicated(word: str) -> str | None:
    """The base of an Indonesian plural by reduplication ("kelurahan-kelurahan",
    "RT-RT"), lowercased; None for any other word.

    Examples
    --------
    >>> reduplicated("Kelurahan-kelurahan"), reduplicated("sama-sama"), reduplicated("bolak-balik")
    ('kelurahan', 'sama', None)
    """
    first, dash, second = word.lower().partition("-")
    return first if dash and first == second else None


def _before(doc: Doc, start: int, scope: int) -> Iterator[Token]:
    for index in range(start - 1, max(start - 1 - scope, -1), -1):
        yield doc[index]


def _gap_pattern(words: list[str]) -> list[dict[str, Any]]:
    """A token Matcher pattern for a cue with gaps: each word on its root (a
    trailing ``*``: a prefix of the lowercase form), each gap up to two tokens.

    Examples
    --------
    >>> _gap_pattern(["staf", "~", "kurang*"])  # doctest: +NORMALIZE_WHITESPACE
    [{'LEMMA': 'staf'}, {'OP': '?'}, {'OP': '?'}, {'LOWER': {'REGEX': '^kurang'}}]
    """
    import re

    pattern: list[dict[str, Any]] = []
    for word in words:
        if word == CUE_GAP:
            pattern += [{"OP": "?"}, {"OP": "?"}]
        elif word.endswith("*"):
            pattern.append({"LOWER": {"REGEX": "^" + re.escape(word[:-1])}})
        else:
            pattern.append({"LEMMA": word})
    return pattern


def _fits(spec: tuple[str, str], form: str) -> bool:
    kind, value = spec
    return form.startswith(value) if kind == "prefix" else form == value


def _fuzzy_lookup(annotator: Annotator, word: str) -> str | None:
    """The agency of the single-word alias exactly one edit away, if unique."""
    if word in annotator.single_aliases:
        return annotator.single_aliases[word]
    if word in annotator.not_fuzzy:
        return None
    hits = {
        agency
        for alias, agency in annotator.single_aliases.items()
        if alias[0] == word[0]
        and abs(len(alias) - len(word)) <= 1
        and Levenshtein.distance(alias, word, score_cutoff=1) <= 1
    }
    return hits.pop() if len(hits) == 1 else None


@cache
def _annotator(codebook: Codebook, lang: str) -> Annotator:
    return Annotator(codebook, lang)


# The last codebook objects seen, for a lookup without hashing the codebook's content.
_RECENT: dict[tuple[int, str], tuple[Codebook, Annotator]] = {}


def annotator(codebook: Codebook, lang: str) -> Annotator:
    """The (cached) annotator for ``codebook`` and ``lang``.

    Cached by the codebook's content, so an equal copy (a worker process
    receives one per task, unpickled) reuses the matchers already built.

    Examples
    --------
    >>> import qualbst as qb
    >>> one, two = qb.load_codebook("codebook"), qb.load_codebook("codebook")
    >>> one is not two and annotator(one, "id") is annotator(two, "id")
    True
    """
    recent = _RECENT.get((id(codebook), lang))
    if recent is not None and recent[0] is codebook:
        return recent[1]
    found = _annotator(codebook, lang)
    if len(_RECENT) >= 8:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[(id(codebook), lang)] = (codebook, found)
    return found
