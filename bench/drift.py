"""Does the per-document path slow down as one process goes through a corpus?

The scaling check of ``run_all.py`` compares 1x, 4x and 16x corpora, each in a
fresh process started minutes apart, so a change in the shared machine's speed
between them reads as growth. This script stays in one process and prints the
CPU microseconds per word of each quarter of one corpus (read and segment,
``find_mentions``, ``code_rules``, ``extract_interactions``, one document at a
time, after the same warm-up as ``stages.py stream``), with the size of spaCy's
string store and lexicon at the end: if per-word cost grew with the corpus, the
last quarter would be slower than the first. The corpus's files are in name
order, English first, so the first quarter is mostly English.

    .venv/bin/python bench/drift.py /tmp/qualbst-bench/full/corpus-16x-1000000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import stages  # the bench folder is not a package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder written by bench/generate.py")
    args = parser.parse_args()

    from qualbst.coding.rules import code_rules, find_mentions
    from qualbst.corpus.readers import read_document
    from qualbst.network.interactions import extract_interactions
    from qualbst.nlp import build_nlp
    from qualbst.segments import segment_corpus

    book = stages._warm_up()
    files = stages._files(args.corpus)
    quarter = max(1, len(files) // 4)
    cpu = [0.0] * 4
    words = [0] * 4
    for number, path in enumerate(files):
        start = time.process_time()
        document = read_document(path)
        segments = segment_corpus([document])
        mentions = find_mentions(segments, [document], book)
        codings = code_rules(segments, [document], book, mentions=mentions)
        extract_interactions(segments, codings, [document], book, mentions=mentions)
        part = min(number // quarter, 3)
        cpu[part] += time.process_time() - start
        words[part] += sum(len(text.split()) for text in segments["text"].tolist())
    print(f"{len(files):,} documents, {sum(words):,} words, one process")
    print("| quarter | words | CPU µs per word | vs the first |")
    print("|---|---:|---:|---:|")
    first = cpu[0] / words[0]
    for part in range(4):
        per_word = cpu[part] / words[part]
        print(f"| {part + 1} | {words[part]:,} | {per_word * 1e6:.2f} | {per_word / first:.2f}x |")
    strings = {lang: len(build_nlp(lang).vocab.strings) for lang in ("id", "en")}
    print(
        f"spaCy string store at the end: {strings}; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
