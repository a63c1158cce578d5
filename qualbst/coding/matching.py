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
  on the lowercase form, matched by :meth:`Annotator._prefix_matches` (a
  lookup per distinct word form, cached: a spaCy ``Matcher`` with ``REGEX``
  predicates re-tests every pattern on every token and took 80% of the rule
  coder's time).

Agency recognition and the rule coder read a document's segments as one
Doc (:meth:`Annotator.mentions_in`, :meth:`Annotator.cues_in`: the texts
joined by a blank line, which the tokenizer makes a whitespace token no
pattern holds) and hand each segment its own matches, with its own offsets;
a match never spans two texts and negation never looks back into the text
before. The tokens are those of each text alone. On ten-word segments the
per-call cost of the tokenizer and of each matcher was most of the rule
coder's time; one Doc per document made it about twice as fast
(``bench/``). Distinct words are looked up once per Doc (stems, pronouns,
misspellings, prefix cues) and a Token object is made only where something
matched.

Matching is kept apart from deciding: callers get every match with its
position and decide what it means (negation, agency requirements).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy
from rapidfuzz.distance import Levenshtein

from ..codebook import CUE_GAP, normalize_alias
from ..lang import load_words, negates, negator_words, stem
from ..nlp import build_nlp

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..codebook import Codebook

__all__ = ["Annotator", "CueMatch", "Mention", "annotator", "reduplicated"]

FUZZY_MIN_LENGTH = 6  # shorter words are too easily one letter from another
#: How many segments' Docs an annotator keeps (see :meth:`Annotator.make_doc`).
DOC_CACHE_SIZE = 4096
#: How many batches of texts read as one Doc an annotator keeps (see :meth:`Annotator.mentions_in`).
BATCH_CACHE_SIZE = 8
#: What joins the texts of a batch: a whitespace token, which no pattern holds.
SEPARATOR = "\n\n"


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
        self.negators = negator_words(lang)
        self.pronouns = frozenset(load_words(lang, "pronouns"))
        self.agency_matcher = PhraseMatcher(vocab, attr="LOWER")
        self.noun_matcher = PhraseMatcher(vocab, attr="LOWER")
        for agency in codebook.agencies:
            if agency.nouns:
                self.noun_matcher.add(agency.id, [self.nlp.make_doc(n.lower()) for n in agency.nouns])
        # generic forms ("lurah"): an informant of another agency of the same level means their own office
        self._generic: dict[str, frozenset[str]] = {
            a.id: frozenset(normalize_alias(f) for f in a.generic) for a in codebook.agencies if a.generic
        }
        self._level: dict[str, str] = {a.id: a.level for a in codebook.agencies}
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
        self._word_of: dict[int, tuple[bool, str | None, str]] = {}
        self._punct: dict[int, bool] = {}
        self._fuzzy_cache: dict[str, str | None] = {}
        self._negator_hashes = frozenset(vocab.strings.add(w.lower()) for w in self.negators)
        self._docs: OrderedDict[str, Doc] = OrderedDict()
        self._batches: OrderedDict[tuple[str, ...], _View] = OrderedDict()
        self._singles: OrderedDict[int, tuple[Doc, _View]] = OrderedDict()
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
        from spacy.attrs import LOWER

        doc = self._docs.get(text)
        if doc is not None:
            self._docs.move_to_end(text)
            return doc
        doc = self.nlp.make_doc(text)
        if len(doc):
            self._write_stems(doc, *numpy.unique(doc.to_array(LOWER), return_inverse=True))
        self._docs[text] = doc
        if len(self._docs) > DOC_CACHE_SIZE:
            self._docs.popitem(last=False)
        return doc

    def _write_stems(self, doc: Doc, forms: numpy.ndarray, inverse: numpy.ndarray) -> None:
        """Each token's stem to ``lemma_``, given the Doc's distinct lowercase
        forms and each token's index into them: one stem per distinct word (a
        stem is of the lowercase form), written in one call."""
        from spacy.attrs import LEMMA

        lemma_of, strings = self._lemma_of, self.nlp.vocab.strings
        lemmas = []
        for lower in forms.tolist():
            lemma = lemma_of.get(lower)
            if lemma is None:
                lemma = lemma_of[lower] = strings.add(stem(strings[lower], self.lang))
            lemmas.append(lemma)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64")[inverse].reshape(-1, 1))

    def _view(self, texts: Sequence[str]) -> _View:
        """``texts`` read as one Doc (joined by :data:`SEPARATOR`), cached.

        Tokens are the same as each text's own (the tokenizer splits at
        whitespace first); one Doc per document rather than one per segment
        saves the per-call cost of the tokenizer and every matcher, which on
        ten-word segments was most of the rule coder's time.
        """
        key = tuple(texts)  # not the joined text: ["a", "b"] and ["a\n\nb"] join the same
        view = self._batches.get(key)
        if view is not None:
            self._batches.move_to_end(key)
            return view
        joined = SEPARATOR.join(texts)
        view = self._read(self.nlp.make_doc(joined), joined, [len(t) for t in texts])
        self._batches[key] = view
        if len(self._batches) > BATCH_CACHE_SIZE:
            self._batches.popitem(last=False)
        return view

    def _read(self, doc: Doc, text: str, lengths: Sequence[int], *, stems: bool = True) -> _View:
        """The arrays matching reads from ``doc`` (made from ``text``), whose texts
        have ``lengths`` (characters) and are joined by :data:`SEPARATOR`; stems
        written unless ``stems`` is false (:meth:`make_doc` wrote them)."""
        from spacy.attrs import IDX, LOWER

        columns = doc.to_array([LOWER, IDX])
        lowers = columns[:, 0]
        forms, inverse = numpy.unique(lowers, return_inverse=True)
        if stems and len(doc):
            self._write_stems(doc, forms, inverse)
        sizes = numpy.asarray(lengths, dtype="int64")
        chars = numpy.concatenate(([0], numpy.cumsum(sizes + len(SEPARATOR))[:-1])) if len(sizes) else sizes
        offsets = columns[:, 1].astype("int64")
        token_starts = numpy.searchsorted(offsets, chars)
        token_ends = numpy.searchsorted(offsets, chars + sizes)
        tokens = numpy.arange(len(doc))
        text_of = numpy.searchsorted(token_starts, tokens, side="right") - 1
        text_of[(text_of < 0) | (tokens >= token_ends[text_of])] = -1
        return _View(
            doc,
            text,
            lowers.tolist(),
            offsets.tolist(),
            forms.tolist(),
            inverse,
            chars.tolist(),
            token_starts.tolist(),
            token_ends.tolist(),
            text_of,
        )

    def _single(self, doc: Doc) -> _View:
        """A Doc of one text (from :meth:`make_doc`) as a view, cached like the Doc."""
        found = self._singles.get(id(doc))
        if found is not None and found[0] is doc:
            return found[1]
        text = doc.text
        view = self._read(doc, text, [len(text)], stems=False)
        self._singles[id(doc)] = (doc, view)  # the Doc is kept, so its id is not reused
        if len(self._singles) > DOC_CACHE_SIZE:
            self._singles.popitem(last=False)
        return view

    def mentions(self, doc: Doc, *, own_agency: str | None = None) -> list[Mention]:
        """Agency mentions in ``doc``: aliases (and their plurals by reduplication,
        "kelurahan-kelurahan"), one-letter misspellings, pronouns.

        ``own_agency`` is the informant's agency, which ``kami``/``kita``/``we``
        stand for, and an agency's ``generic`` forms ("lurah") when it is
        another agency of the same level; without it neither is resolved.
        Overlapping alias matches keep the longest.
        """
        return self._mentions(self._single(doc), [own_agency])[0]

    def mentions_in(self, texts: Sequence[str], own_agencies: Sequence[str | None]) -> list[list[Mention]]:
        """:meth:`mentions` of each of ``texts`` (with its own agency), read as one Doc.

        Offsets are each text's own.

        Examples
        --------
        >>> import qualbst as qb
        >>> ann = annotator(qb.load_codebook("codebook"), "id")
        >>> found = ann.mentions_in(["Kami kirim ke Dinsos.", "Kami tunggu."], ["kecamatan", None])
        >>> [[(m.agency, m.start, m.method) for m in one] for one in found]
        [[('kecamatan', 0, 'pronoun'), ('dinsos', 14, 'alias')], []]
        """
        if len(texts) != len(own_agencies):
            raise ValueError("one own agency per text")
        return self._mentions(self._view(texts), list(own_agencies))

    def _mentions(self, view: _View, owns: list[str | None]) -> list[list[Mention]]:
        strings = self.nlp.vocab.strings
        found: list[list[Mention]] = [[] for _ in owns]
        matches = self.agency_matcher(view.doc)
        labels = {(s, e): strings[m] for m, s, e in matches}
        covered: set[int] = set()
        for start, end in _longest([(s, e) for _, s, e in matches]):
            text, first, chars = view.locate(start)
            start_char, end_char = view.chars_of(start, end)
            found[text].append(
                Mention(
                    self._resolve(labels[(start, end)], view.text[start_char:end_char], owns[text]),
                    start_char - chars,
                    end_char - chars,
                    view.text[start_char:end_char],
                    "alias",
                    start - first,
                    end - first,
                )
            )
            covered.update(range(start, end))
        # what each distinct word is (pronoun; agency by misspelling or reduplication), then only
        # the words that are one get a Token
        words = [self._word(form) for form in view.forms]
        resolve = any(owns)
        wanted = numpy.array([(resolve and w[0]) or w[1] is not None for w in words], dtype=bool)
        for i in numpy.flatnonzero(wanted[view.inverse]).tolist():
            if i in covered:
                continue
            text, first, chars = view.locate(i)
            if text < 0:
                continue
            is_pronoun, who, method = words[view.inverse[i]]
            if is_pronoun and owns[text]:
                who, method = owns[text], "pronoun"
            if who is None:
                continue
            start, end = view.chars_of(i, i + 1)
            found[text].append(
                Mention(
                    who, start - chars, end - chars, view.text[start:end], method, i - first, i - first + 1
                )
            )
        for one in found:
            one.sort(key=lambda m: (m.start, m.end))
        return found

    def _resolve(self, agency: str, surface: str, own: str | None) -> str:
        """The agency an alias names in the words of an informant of ``own``: their
        own office for a generic form of another agency of their level."""
        generic = self._generic.get(agency)
        if (
            generic
            and own
            and own != agency
            and self._level.get(own) == self._level[agency]
            and normalize_alias(surface) in generic
        ):
            return own
        return agency

    def _word(self, lower: int) -> tuple[bool, str | None, str]:
        """What one distinct lowercase word is to agency recognition: a pronoun,
        and the agency it names when not matched as an alias (cached)."""
        known = self._word_of.get(lower)
        if known is None:
            form = self.nlp.vocab.strings[lower]
            known = self._word_of[lower] = (form in self.pronouns, *self._word_agency(form, form.isalpha()))
        return known

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

    def _prefix_matches(self, view: _View) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        strings = self.nlp.vocab.strings
        first_word = self._first_word
        starts = []
        for form in view.forms:
            labels = first_word.get(form)
            if labels is None:
                text = strings[form]
                labels = first_word[form] = tuple(
                    label for label, specs in self.prefix_patterns.items() if _fits(specs[0], text)
                )
            starts.append(bool(labels))
        lowers = view.lowers
        for start in numpy.flatnonzero(numpy.array(starts, dtype=bool)[view.inverse]).tolist():
            for label in first_word[lowers[start]]:
                specs = self.prefix_patterns[label]
                end = start + len(specs)
                if end <= len(lowers) and all(
                    _fits(spec, strings[lowers[start + k]]) for k, spec in enumerate(specs[1:], start=1)
                ):
                    found.append((label, start, end))
        return found

    def cues_in(self, texts: Sequence[str]) -> list[list[CueMatch]]:
        """Every cue match in each of ``texts`` (one per code, cue and position),
        read as one Doc; offsets are each text's own.

        A cue never spans two texts, and negation looks back only within a text.
        Cues ending in ``*`` match a prefix of the lowercase form.

        Examples
        --------
        >>> import qualbst as qb
        >>> book = qb.load_codebook("codebook")
        >>> [(m.cue, m.surface) for m in annotator(book, "id").cues_in(["Kami sinkronisasi data."])[0]
        ...  if m.cue.endswith("*")]
        [('sinkron*', 'sinkronisasi')]
        >>> ann = annotator(book, "en")
        >>> found = ann.cues_in(["We did not hand over the data.", "Then we hand over the data."])
        >>> [[(m.cue, m.start, m.negated) for m in one if m.cue == "hand over"] for one in found]
        [[('hand over', 11, True)], [('hand over', 8, False)]]
        """
        view = self._view(texts)
        if view.cues is None:
            view.cues = self._cues(view)
        return view.cues

    def _cues(self, view: _View) -> list[list[CueMatch]]:
        doc, strings = view.doc, self.nlp.vocab.strings
        matches = [
            (strings[match_id], start, end)
            for matcher in (self.stem_matcher, self.lower_matcher)
            if len(matcher)
            for match_id, start, end in matcher(doc)
        ]
        matches += self._gap_matches(view) + self._prefix_matches(view)
        seen: set[tuple[str, int, int]] = set()
        found: list[list[CueMatch]] = [[] for _ in view.chars]
        for label, start, end in matches:
            key = (label, start, end)
            if key in seen:
                continue
            seen.add(key)
            text, first, chars = view.locate(start)
            if text < 0 or end > view.token_ends[text]:
                continue  # on the separator, or across two texts
            code, cue = self.cue_labels[label]
            start_char, end_char = view.chars_of(start, end)
            found[text].append(
                CueMatch(
                    code,
                    cue,
                    start_char - chars,
                    end_char - chars,
                    view.text[start_char:end_char],
                    self._negated(view, start, first),
                    start - first,
                    end - first,
                )
            )
        for one in found:
            one.sort(key=lambda m: (m.start, m.code, m.cue))
        return found

    def _is_punct(self, lower: int) -> bool:
        known = self._punct.get(lower)
        if known is None:
            known = self._punct[lower] = self.nlp.vocab[lower].is_punct
        return known

    def _gap_matches(self, view: _View) -> list[tuple[str, int, int]]:
        """Matches of the cues with gaps, sought only in the texts that hold all
        of one such cue's roots: a token Matcher call costs as much as all the
        other matching together."""
        from spacy.attrs import LEMMA

        if not len(self.gap_matcher):
            return []
        if self._gap_always:
            texts = set(range(len(view.chars)))
        else:
            lemmas = view.doc.to_array(LEMMA)
            texts = set()
            for needs in self._gap_needs:
                holding: set[int] | None = None
                for root in needs:
                    where = set(view.text_of[lemmas == root].tolist())
                    holding = where if holding is None else holding & where
                    if not holding:
                        break
                texts |= holding or set()
        texts.discard(-1)
        strings = self.nlp.vocab.strings
        found = []
        for text in sorted(texts):
            first = view.token_starts[text]
            for match_id, start, end in self.gap_matcher(view.doc[first : view.token_ends[text]]):
                found.append((strings[match_id], start + first, end + first))
        return found

    def _negated(self, view: _View, start: int, first: int, scope: int = 3) -> bool:
        """Whether a negator stands within ``scope`` words before token ``start``
        (``first`` is its text's first token).

        The scope stops at punctuation, so "tidak, kami kirim" is not negated.
        Whether a word negates is :func:`qualbst.lang.negates` (Surabaya's
        "tak kirim" is "I send it").
        """
        strings = self.nlp.vocab.strings
        for index in range(start - 1, max(start - 1 - scope, first - 1), -1):
            if self._is_punct(view.lowers[index]):
                return False
            if view.lowers[index] in self._negator_hashes and negates(
                strings[view.lowers[index]], strings[view.lowers[index + 1]], self.lang
            ):
                return True
        return False


@dataclass(eq=False)
class _View:
    """A Doc of one or more texts with the arrays matching reads from it."""

    doc: Doc
    text: str  # the Doc's text
    lowers: list[int]  # LOWER per token
    offsets: list[int]  # per token, its first character
    forms: list[int]  # distinct LOWER values, sorted
    inverse: numpy.ndarray  # per token, its index in ``forms``
    chars: list[int]  # per text, its first character in the Doc
    token_starts: list[int]  # per text, its first token
    token_ends: list[int]  # per text, one past its last token
    text_of: numpy.ndarray  # per token, its text (-1: a separator)
    cues: list[list[CueMatch]] | None = field(default=None)

    def chars_of(self, start: int, end: int) -> tuple[int, int]:
        """The character offsets of tokens ``start`` to ``end`` in the Doc."""
        last = self.doc[end - 1]
        return self.offsets[start], self.offsets[end - 1] + len(last)

    def locate(self, token: int) -> tuple[int, int, int]:
        """(text, its first token, its first character) of a token; text -1 for a separator."""
        text = int(self.text_of[token])
        if text < 0:
            return -1, 0, 0
        return text, self.token_starts[text], self.chars[text]


def _longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token spans (start, end) without overlaps, the longest (then the earliest)
    kept: ``spacy.util.filter_spans`` on plain pairs, which need no Span object."""
    kept: list[tuple[int, int]] = []
    taken: set[int] = set()
    for start, end in sorted(spans, key=lambda span: (span[1] - span[0], -span[0]), reverse=True):
        if start not in taken and end - 1 not in taken:
            kept.append((start, end))
            taken.update(range(start, end))
    return sorted(kept)


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
