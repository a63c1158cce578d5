"""Built-in language knowledge, one folder per language (``id``, ``en``).

Each folder holds plain word lists that researchers can read and edit:
``abbreviations.txt``, ``token_patterns.txt``, ``negators.txt`` (with
``negator_heads.txt``), ``pronouns.txt`` and the link extractor's markers. This
module loads them, says whether a word negates, and stems words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["LANG_DIR", "load_words", "negates", "negator_words", "stem"]

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
def _negator_heads(lang: str) -> dict[str, frozenset[str]]:
    heads: dict[str, frozenset[str]] = {}
    for line in load_words(lang, "negator_heads"):
        word, sep, after = line.partition(":")
        if not sep or not word.strip() or not after.split():
            from ..errors import QualbstError

            path = LANG_DIR / lang / "negator_heads.txt"
            number = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                          if text.strip() == line)  # fmt: skip
            raise QualbstError(
                f"{line!r} is not 'negator: word word ...' (a negator, a colon, the words it negates before)",
                file=path,
                line=number,
            )
        heads[word.strip().lower()] = frozenset(w.lower() for w in after.split())
    return heads


@cache
def negator_words(lang: str) -> frozenset[str]:
    """Every word that may negate (lowercase): ``negators.txt`` and ``negator_heads.txt``.

    Whether one does where it stands is :func:`negates`.
    """
    return frozenset(w.lower() for w in load_words(lang, "negators")) | frozenset(_negator_heads(lang))


def negates(word: str, following: str | None, lang: str) -> bool:
    """Whether ``word``, followed by ``following`` (None at the end), negates what comes after.

    A word of ``negators.txt`` always does; a word of ``negator_heads.txt``
    only before one of the words listed for it (``di*``: any word starting
    with ``di``). Surabaya's ``tak`` before a transitive verb is the Javanese
    first person ("tak kirim", I send it); it negates "tak bisa", "tak
    diterima", "tak sampai". Case is
    ignored. The rule coder's negation scope, the link extractor's denials and
    the trained coder's negation feature all ask this.

    Examples
    --------
    >>> negates("nggak", "kirim", "id"), negates("tak", "bisa", "id"), negates("tak", "kirim", "id")
    (True, True, False)
    >>> negates("tak", "diterima", "id"), negates("Tak", "sampai", "id"), negates("tak", "laporno", "id")
    (True, True, False)
    >>> negates("never", None, "en"), negates("kirim", None, "id")
    (True, False)
    """
    lower = word.lower()
    if lower not in negator_words(lang):
        return False
    only = _negator_heads(lang).get(lower)
    if only is None:
        return True
    if following is None:
        return False
    after = following.lower()
    return after in only or any(h.endswith("*") and after.startswith(h[:-1]) for h in only)


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
