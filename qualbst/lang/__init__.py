"""Built-in language knowledge, one folder per language (``id``, ``en``).

Each folder holds plain word lists that researchers can read and edit:
``abbreviations.txt``, ``token_patterns.txt``, ``negators.txt`` and
``pronouns.txt``. This module loads them and stems words for a language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["LANG_DIR", "load_words", "stem"]

LANG_DIR = Path(__file__).parent


@cache
def load_words(lang: str, name: str) -> tuple[str, ...]:
    """Return the non-comment lines of ``qualbst/lang/<lang>/<name>.txt``.

    Examples
    --------
    >>> "ndak" in load_words("id", "negators")
    True
    """
    path = LANG_DIR / lang / f"{name}.txt"
    if not path.exists():
        raise FileNotFoundError(f"no language data {name!r} for language {lang!r} ({path})")
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def _stemmer(lang: str) -> Callable[[str], str]:
    if lang == "id":
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        stemmer: Callable[[str], str] = StemmerFactory().create_stemmer().stem
        return stemmer
    # The Snowball project's own Python stemmer: the same English (Porter2) stems as
    # nltk's port, without importing nltk (about a second: scipy.stats and the rest of
    # nltk come with it) in every process that stems, workers included.
    import snowballstemmer

    snowball: Callable[[str], str] = snowballstemmer.stemmer("english").stemWord
    return snowball


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Return the stem of one word: Sastrawi for ``id``, Snowball for ``en``.

    The word is lowercased first. Results are cached (stemming is slow).
    Words that are not alphabetic are returned lowercased, unchanged.

    Examples
    --------
    >>> stem("dikirimkan", "id"), stem("penyerahan", "id")
    ('kirim', 'serah')
    >>> stem("forwarded", "en")
    'forward'
    """
    lower = word.lower()
    if not lower.isalpha():
        return lower
    result = _stemmer(lang)(lower)
    return str(result) or lower
