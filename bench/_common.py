"""Small helpers shared by the benchmark scripts (timing, memory, tables)."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident memory of this process, in MiB."""
    with Path("/proc/self/statm").open() as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


def words_of(texts: Sequence[str] | Iterator[str]) -> int:
    """Whitespace-separated words (the unit of every words/s figure)."""
    return sum(len(text.split()) for text in texts)


@dataclass
class Clock:
    """Accumulates wall and CPU seconds per stage."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    peak_growth: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, *also: str) -> Iterator[None]:
        """Time the block under ``name`` (and the ``also`` names), adding up.

        ``peak_growth`` records how much the process's peak RSS (MiB) rose
        inside the block: which stage set the peak.
        """
        w0, c0, p0 = time.perf_counter(), time.process_time(), peak_rss_mb()
        try:
            yield
        finally:
            wall, cpu, grew = time.perf_counter() - w0, time.process_time() - c0, peak_rss_mb() - p0
            for key in (name, *also):
                self.wall[key] = self.wall.get(key, 0.0) + wall
                self.cpu[key] = self.cpu.get(key, 0.0) + cpu
                self.peak_growth[key] = self.peak_growth.get(key, 0.0) + grew


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table (numbers right-aligned)."""
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if value >= 0.1 else f"{value:.3g}"
    return str(value)
