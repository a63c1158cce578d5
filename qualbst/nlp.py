"""The one place that builds spaCy pipelines.

``build_nlp(lang)`` returns a blank spaCy pipeline for Indonesian (``id``) or
English (``en``) built from installed packages only (nothing is downloaded),
with:

- a tokenizer that keeps abbreviations (``PT.``, ``Rp.``, ``Kel.``, ``a.n.``),
  codes (``54/HUK/2020``, ``RT/RW``, ``SIKS-NG``) and thousands-separated
  numbers (``300.000``) whole; the lists are plain files under
  ``qualbst/lang/<lang>/``;
- a rule-based ``sentencizer``, which then never splits after an abbreviation.

For Indonesian, spaCy's own list of about 16,000 tokenizer exceptions (mostly
hyphenated words) is replaced by the patterns in ``token_patterns.txt``: the
tokens are the same elsewhere, sentences come out right after ``PT.`` or
``Jl.``, and tokenizing is several times faster (ARCHITECTURE.md; measured
again in ``bench/``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from .lang import load_words, negates

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["build_nlp", "token_negates", "token_pattern"]


@cache
def token_pattern(lang: str) -> re.Pattern[str]:
    """Return the compiled pattern of words the tokenizer keeps whole.

    Examples
    --------
    >>> bool(token_pattern("id").fullmatch("54/HUK/2020")), bool(token_pattern("id").fullmatch("RT/RW,"))
    (True, False)
    """
    parts = load_words(lang, "token_patterns")
    return re.compile("|".join(f"(?:{p})" for p in parts))


def token_negates(token: Any, lang: str) -> bool:
    """Whether a spaCy token negates where it stands: :func:`qualbst.lang.negates` with the word after it.

    Examples
    --------
    >>> doc = build_nlp("id").make_doc("Datanya tak kirim, tak bisa kirim.")
    >>> [t.text for t in doc if token_negates(t, "id")]
    ['tak']
    """
    doc = token.doc
    return negates(token.lower_, doc[token.i + 1].lower_ if token.i + 1 < len(doc) else None, lang)


def build_nlp(lang: str) -> Language:
    """Build the spaCy pipeline for ``lang`` (``id`` or ``en``).

    Parameters
    ----------
    lang : {"id", "en"}
        The transcript language.

    Returns
    -------
    spacy.language.Language
        A blank pipeline with the qualbst tokenizer settings and a sentencizer.
        Calls with the same language return the same (cached) object.

    Examples
    --------
    >>> nlp = build_nlp("id")
    >>> doc = nlp("Dana Rp. 300.000 dari PT. Pos sesuai Kepmensos No. 54/HUK/2020. RT/RW bagi.")
    >>> [s.text for s in doc.sents]
    ['Dana Rp. 300.000 dari PT. Pos sesuai Kepmensos No. 54/HUK/2020.', 'RT/RW bagi.']
    """
    if lang not in ("id", "en"):
        raise ValueError(f"language must be 'id' or 'en' (got {lang!r})")
    return _build(lang)


@cache
def _build(lang: str) -> Language:
    import spacy
    from spacy.symbols import ORTH

    if lang == "id":
        # Without spaCy's ~16k Indonesian exceptions (see module docstring):
        # a language class whose defaults have none, rather than clearing them
        # after spacy.blank("id") built them (about 2 s per process).
        base = spacy.util.get_lang_class(lang)

        class _Defaults(base.Defaults):  # type: ignore[name-defined]
            tokenizer_exceptions: ClassVar[dict[str, Any]] = {}

        class _Language(base):  # type: ignore[valid-type,misc]
            Defaults = _Defaults

        nlp: Language = _Language()
    else:
        nlp = spacy.blank(lang)
    tokenizer: Any = nlp.tokenizer
    for abbreviation in load_words(lang, "abbreviations"):
        tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    tokenizer.token_match = token_pattern(lang).fullmatch
    nlp.add_pipe("sentencizer")
    return nlp
