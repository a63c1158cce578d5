"""Keyword in context over a corpus, with nltk's ``ConcordanceIndex``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .lang import stem
from .nlp import build_nlp

if TYPE_CHECKING:
    import pandas as pd

    from .corpus.model import Document

__all__ = ["KWIC_COLUMNS", "kwic"]

KWIC_COLUMNS = (
    "document",
    "turn",
    "speaker",
    "role",
    "line",
    "start",
    "end",
    "left",
    "match",
    "right",
)


def _stem_key(word: str, lang: str) -> str:
    return stem(word, lang)


def kwic(documents: Iterable[Document], term: str, *, window: int = 6, lemma: bool = False) -> pd.DataFrame:
    """Find ``term`` (a word or phrase) in every turn, with ``window`` words of context.

    Parameters
    ----------
    documents : iterable of Document
    term : str
        One or more words; case is ignored.
    window : int, default 6
        Words of context on each side (within the turn).
    lemma : bool, default False
        Match inflected forms: words are compared by stem (Sastrawi for
        Indonesian, Snowball for English), so ``kirim`` finds ``dikirimkan``.

    Returns
    -------
    DataFrame
        One row per hit: document, turn, speaker, role, line, start, end
        (offsets of the match in the body), left, match, right.

    Examples
    --------
    >>> from qualbst.corpus.model import Document, Turn
    >>> d = Document("x", "id", {"I1": "informant"}, "I1: Data dikirimkan ke RT.",
    ...              (Turn(1, "I1", "informant", 4, 26, 1),))
    >>> kwic([d], "kirim", lemma=True)[["turn", "match", "right"]].values.tolist()
    [[1, 'dikirimkan', 'ke RT .']]
    """
    import pandas as pd
    from nltk.text import ConcordanceIndex

    words = term.split()
    rows = []
    for document in documents:
        lang = document.language
        key: Callable[[str], str] = functools.partial(_stem_key, lang=lang) if lemma else str.lower
        wanted = [key(w) for w in words]
        tokenizer = build_nlp(lang).tokenizer
        for turn in document.turns:
            text = document.turn_text(turn)
            tokens = [t for t in tokenizer(text) if not t.is_space]
            if not tokens or not wanted:
                continue
            texts = [t.text for t in tokens]
            index = ConcordanceIndex(texts, key=key)
            for i in index.offsets(words[0]):
                if i + len(words) > len(tokens):
                    continue
                if any(key(texts[i + j]) != wanted[j] for j in range(1, len(words))):
                    continue
                last = tokens[i + len(words) - 1]
                start = turn.start + tokens[i].idx
                end = turn.start + last.idx + len(last.text)
                rows.append(
                    {
                        "document": document.id,
                        "turn": turn.index,
                        "speaker": turn.speaker,
                        "role": turn.role,
                        "line": document.line_of(start),
                        "start": start,
                        "end": end,
                        "left": " ".join(texts[max(0, i - window) : i]),
                        "match": document.body[start:end],
                        "right": " ".join(texts[i + len(words) : i + len(words) + window]),
                    }
                )
    return pd.DataFrame(rows, columns=list(KWIC_COLUMNS))
