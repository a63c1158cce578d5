"""Build large synthetic corpora from the shipped transcripts, for benchmarks.

The shipped transcripts (``interviews/``) are read with qualbst's own reader
and cut into *exchanges*: an interviewer turn and the informant turns that
answer it. A generated document takes its front matter (role, agency, level,
date, language, speaker labels) from one shipped document, chosen at random,
and its body from exchanges of shipped documents *of the same language*,
drawn at random and relabelled with that document's speaker labels, until it
is about as long as a shipped document. Every document gets a fresh id
(``syn-<lang>-<n>``), a pseudonym and ``synthetic: true``. Both languages
appear in the shipped proportion.

Recombined turns alone would repeat the shipped sentences word for word, and
qualbst keeps the last few thousand segments' spaCy Docs by text (agency
recognition, the rule coder and the interaction reader read the same
segment), so a repeated sentence costs almost nothing the second time: a
benchmark of repeated text measures that cache, not the coder, and favours one
process over several (each worker would tokenize every distinct sentence
again). So every turn copied into a generated document gets spoken fillers
(``ya``, ``sih``, ``gitu``...; ``well``, ``actually``...) inserted between its
words, about one per :data:`FILLER_EVERY` words at random places: the
vocabulary stays the shipped one, but nearly every segment is a text not seen
before, as in a real corpus.

Words are whitespace-separated words of the turn texts (speaker labels not
counted): the same count the stage benchmarks divide by. The output is
deterministic given the seed and the target, and is written to a folder
outside ``interviews/`` (by default under the system temp folder) with a
``manifest.json``; an existing folder with the same manifest is reused.

Usage::

    .venv/bin/python bench/generate.py --words 1000000 --seed 7 [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "interviews"
FORMAT = "qualbst-bench-corpus/2"  # 2: fillers make each copied turn a new text

#: Spoken fillers inserted into copied turns, per language (see the module docstring).
FILLERS = {
    "id": ("ya", "sih", "lho", "kok", "nah", "gitu", "tuh", "deh", "kan", "memang", "pokoknya", "jadi"),
    "en": ("well", "actually", "really", "basically", "so", "you know", "I mean", "just", "like", "right"),
}
#: About one filler per this many words of a turn.
FILLER_EVERY = 6

__all__ = ["Corpus", "default_folder", "generate_corpus", "vary"]


@dataclass(frozen=True)
class Corpus:
    """A generated corpus on disk."""

    folder: Path
    words: int
    documents: int
    by_language: dict[str, int]


@dataclass(frozen=True)
class _Exchange:
    turns: tuple[tuple[str, str], ...]  # (role, text)
    words: int


@dataclass(frozen=True)
class _Template:
    meta: dict[str, object]
    interviewer: str
    informants: tuple[str, ...]
    words: int


def _source_fingerprint(source: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(source.glob("*.md")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_folder(words: int, seed: int) -> Path:
    """Where a corpus of ``words`` words and ``seed`` goes by default."""
    return Path(tempfile.gettempdir()) / "qualbst-bench" / f"corpus-{words}-s{seed}"


_Pools = tuple[dict[str, list["_Template"]], dict[str, list["_Exchange"]], dict[str, list["_Exchange"]]]


def _load(source: Path) -> _Pools:
    """Templates, opening exchanges and other exchanges, per language."""
    sys.path.insert(0, str(REPO))
    from qualbst.corpus.readers import read_corpus

    templates: dict[str, list[_Template]] = {}
    openings: dict[str, list[_Exchange]] = {}
    others: dict[str, list[_Exchange]] = {}
    for document in read_corpus(source):
        roles = dict(document.speakers)
        interviewer = next((k for k, v in roles.items() if v.strip().lower() == "interviewer"), None)
        informants = tuple(k for k, v in roles.items() if v.strip().lower() != "interviewer")
        if interviewer is None or not informants:
            continue
        exchanges: list[list[tuple[str, str]]] = []
        for turn in document.turns:
            text = document.turn_text(turn).strip()
            if not text:
                continue
            role = "interviewer" if turn.is_interviewer else "informant"
            if role == "interviewer" or not exchanges:
                exchanges.append([])
            exchanges[-1].append((role, text))
        built = [_Exchange(tuple(e), sum(len(t.split()) for _, t in e)) for e in exchanges]
        lang = document.language
        openings.setdefault(lang, []).append(built[0])
        others.setdefault(lang, []).extend(built[1:])
        meta = {k: v for k, v in document.meta.items() if k not in ("note", "role_mapping")}
        templates.setdefault(lang, []).append(
            _Template(meta, interviewer, informants, sum(e.words for e in built))
        )
    return templates, openings, others


def vary(text: str, lang: str, rng: random.Random) -> str:
    """``text`` with fillers inserted between its words (never first or last).

    Examples
    --------
    >>> vary("Kami kirim ke kecamatan setiap minggu lalu selesai.", "id", random.Random(1))
    'Kami kirim memang ke kecamatan setiap minggu lalu selesai.'
    """
    words = text.split()
    if len(words) < 3:
        return text
    fillers = FILLERS.get(lang, FILLERS["en"])
    for _ in range(max(1, round(len(words) / FILLER_EVERY))):
        words.insert(rng.randrange(1, len(words)), rng.choice(fillers))
    return " ".join(words)


def _render(meta: dict[str, object], turns: list[tuple[str, str]]) -> str:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    lines = [f"{label}: {text}" for label, text in turns]
    return f"---\n{front}---\n" + "\n".join(lines) + "\n"


def _document(
    number: int,
    lang: str,
    template: _Template,
    openings: list[_Exchange],
    others: list[_Exchange],
    rng: random.Random,
    seed: int,
) -> tuple[str, str, int]:
    """Return (document id, file text, words)."""
    doc_id = f"syn-{lang}-{number:06d}"
    target = int(template.words * rng.uniform(0.8, 1.2))
    chosen = [rng.choice(openings)]
    words = chosen[0].words
    while words < target:
        exchange = rng.choice(others)
        chosen.append(exchange)
        words += exchange.words
    label = rng.choice(template.informants)
    turns = [
        (template.interviewer if role == "interviewer" else label, vary(text, lang, rng))
        for exchange in chosen
        for role, text in exchange.turns
    ]
    words = sum(len(text.split()) for _, text in turns)
    pseudonym = f"Informan S{number}" if lang == "id" else f"Informant S{number}"
    meta: dict[str, object] = {
        "id": doc_id,
        "informant": pseudonym,
        **{k: v for k, v in template.meta.items() if k not in ("id", "informant", "speakers", "synthetic")},
        "speakers": {template.interviewer: "interviewer", label: "informant"},
        "synthetic": True,
        "note": f"Generated by bench/generate.py (seed {seed}) from recombined turns of the shipped "
        "transcripts, with spoken fillers inserted; not a real interview.",
    }
    meta["language"] = lang
    return doc_id, _render(meta, turns), words


def generate_corpus(
    words: int,
    *,
    seed: int = 7,
    out: str | Path | None = None,
    source: str | Path = SHIPPED,
    force: bool = False,
) -> Corpus:
    """Write a corpus of at least ``words`` words (see module docstring).

    Parameters
    ----------
    words : int
        Target number of words (whitespace-separated, in turn texts).
    seed : int
        Random seed; the same seed, target and source give the same files.
    out : path, optional
        The folder to write (default :func:`default_folder`); it is replaced.
    source : path
        The shipped transcripts.
    force : bool
        Rewrite even when ``out`` already holds this corpus.
    """
    source = Path(source)
    folder = Path(out) if out is not None else default_folder(words, seed)
    if folder.resolve() == SHIPPED.resolve() or SHIPPED.resolve() in folder.resolve().parents:
        raise ValueError(f"refusing to write a generated corpus into {SHIPPED}")
    wanted = {
        "format": FORMAT,
        "target_words": words,
        "seed": seed,
        "source": _source_fingerprint(source),
    }
    manifest = folder / "manifest.json"
    if not force and manifest.exists():
        found = json.loads(manifest.read_text(encoding="utf-8"))
        if all(found.get(k) == v for k, v in wanted.items()):
            return Corpus(folder, found["words"], found["documents"], found["by_language"])
    templates, openings, others = _load(source)
    pool = [(lang, t) for lang in sorted(templates) for t in templates[lang]]
    rng = random.Random(seed)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    total = 0
    number = 0
    by_language: dict[str, int] = {}
    try:
        while total < words:
            number += 1
            lang, template = rng.choice(pool)
            doc_id, text, count = _document(number, lang, template, openings[lang], others[lang], rng, seed)
            (staging / f"{doc_id}.md").write_text(text, encoding="utf-8")
            total += count
            by_language[lang] = by_language.get(lang, 0) + count
        record = {**wanted, "words": total, "documents": number, "by_language": by_language}
        (staging / "manifest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.replace(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Corpus(folder, total, number, by_language)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one corpus and print where it is."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=1_000_000, help="target word count (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temp folder)")
    parser.add_argument("--force", action="store_true", help="rewrite even if the folder is up to date")
    args = parser.parse_args(argv)
    corpus = generate_corpus(args.words, seed=args.seed, out=args.out, force=args.force)
    print(f"{corpus.folder}: {corpus.documents} documents, {corpus.words:,} words {corpus.by_language}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
