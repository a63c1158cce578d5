"""Per-document stages and the engines that run them: in process, over processes, on Dask.

Every stage that looks at one document only is one pure function,
:func:`process_document`: a document (with the codebook, the machine coders
chosen and an optional model folder) in, that document's rows out
(segments, agency mentions, ``auto:rules`` codings and, with a given model,
``auto:model`` codings). The same function runs in the calling process
(``--jobs 1``), in worker processes (``--jobs N``) and on a Dask cluster
(``--engine dask``); workers get documents and return small tables of plain
rows, never spaCy Docs.

What stays corpus-level, and runs in the calling process once every document
is done: resolving the manual codings (a quote may span segments), training
the model on a human coder (leave-one-document-out: each fold needs the other
documents; the folds themselves are spread over the same engine), the
interactions, the graph and its analyses, reliability, factors and the
exports. Those need the whole tables in memory.

:func:`compute_documents` and :func:`trained_model_codings` consult the
incremental cache (:mod:`qualbst.cache`) first and compute only what is
missing.
"""

from __future__ import annotations

import copyreg
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .cache import Cache, code_version, fingerprint
from .errors import QualbstError
from .tables import CODINGS_COLUMNS, MENTIONS_COLUMNS, SEGMENTS_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from .codebook import Codebook
    from .coding.machine import Fold
    from .coding.model import AutoCoder
    from .corpus.model import Document

__all__ = [
    "ENGINES",
    "DocumentResult",
    "Engine",
    "cached_interactions",
    "compute_documents",
    "make_engine",
    "process_document",
    "trained_model_codings",
]


def _mappingproxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _reduce_mappingproxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _mappingproxy, (dict(proxy),)


# Documents and codes keep their mappings read-only (MappingProxyType), which the
# standard pickle cannot send to a worker process; let it, as a read-only copy.
copyreg.pickle(MappingProxyType, _reduce_mappingproxy)

ENGINES = ("local", "dask")
DASK_MISSING = (
    "--engine dask needs the optional 'dask' extra (dask[bag] and distributed): pip install 'qualbst[dask]'"
)
Row = list[Any]


@dataclass(frozen=True)
class DocumentResult:
    """One document's rows, each a list of values in the table's column order.

    ``segments`` (SEGMENTS_COLUMNS), ``mentions`` (MENTIONS_COLUMNS), ``rules``
    and ``model`` (CODINGS_COLUMNS: ``auto:rules`` codings, and ``auto:model``
    codings of a given model folder); ``views``, when asked for, the feature
    view of each informant segment that a model trained here learns from
    (:func:`qualbst.coding.model.segment_views`).
    """

    document: str
    segments: list[Row] = field(repr=False)
    mentions: list[Row] = field(repr=False)
    rules: list[Row] = field(repr=False)
    model: list[Row] = field(repr=False)
    views: dict[str, list[str]] | None = field(default=None, repr=False)

    @property
    def digest(self) -> str:
        """A hash of the segments and mentions (what a trained model sees of it)."""
        return fingerprint(self.document, self.segments, self.mentions)


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[Row]:
    """DataFrame rows as lists of native Python values in ``columns`` order."""
    return [list(r.values()) for r in frame[list(columns)].to_dict("records")] if len(frame) else []


def _segments_frame(rows: Sequence[Row]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(SEGMENTS_COLUMNS))
    return frame.astype({"turn": "int64", "start": "int64", "end": "int64"}) if len(frame) else frame


_MODELS: dict[str, AutoCoder] = {}  # per process: a model folder is read once


def _model(path: str, codebook: Codebook) -> AutoCoder:
    from .coding.model import AutoCoder

    try:
        stat = Path(path, "model.json").stat()
        key = f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}"
    except OSError:
        key = path
    if key not in _MODELS:
        _MODELS[key] = AutoCoder.load(path)
    model = _MODELS[key]
    model.check(codebook)
    return model


def process_document(
    document: Document,
    codebook: Codebook,
    *,
    coder: str = "both",
    model: str | Path | None = None,
    tables: tuple[Sequence[Row], Sequence[Row]] | None = None,
    views: bool = False,
) -> DocumentResult:
    """Segment one document, find its agency mentions and code it by machine.

    Parameters
    ----------
    document : Document
    codebook : Codebook
    coder : {"rules", "model", "both", "none"}
        Which machine coders run; ``auto:model`` only with ``model``.
    model : path, optional
        A model folder from ``qualbst train``. A model trained on the
        project's own codings is corpus-level (see :func:`trained_model_codings`).
    tables : (segments rows, mentions rows), optional
        This document's segments and mentions when already known (from the
        cache): they are not computed again.
    views : bool, default False
        Also give each informant segment's feature view, for a model trained
        on the project's own codings (:func:`trained_model_codings`).

    Returns
    -------
    DocumentResult
        The same rows the corpus-level functions (``segment_corpus``,
        ``find_mentions``, ``code_rules``, ``AutoCoder.code``) give for this
        document.

    Examples
    --------
    >>> from qualbst.codebook import Agency, Code, Codebook
    >>> from qualbst.corpus.model import Document, Turn
    >>> book = Codebook((Code("kirim", "Kirim", definition="d", cues={"id": ("kirim",)}),),
    ...                 (Agency("pos", "Pos", aliases=("PT. Pos",)),))
    >>> body = "I1: Kami kirim ke PT. Pos."
    >>> doc = Document("x", "id", {"I1": "informant"}, body, (Turn(1, "I1", "informant", 4, len(body), 1),))
    >>> result = process_document(doc, book, coder="rules")
    >>> [r[1] for r in result.segments], [r[4] for r in result.mentions], [r[4] for r in result.rules]
    (['x:1:1'], ['pos'], ['kirim'])
    """
    from .coding.rules import code_rules, find_mentions
    from .segments import segment_document

    if tables is None:
        segments = _segments_frame([[r[c] for c in SEGMENTS_COLUMNS] for r in segment_document(document)])
        mention_frame = find_mentions(segments, [document], codebook)
        mention_rows = _rows(mention_frame, MENTIONS_COLUMNS)
    else:
        import pandas as pd

        segments = _segments_frame(tables[0])
        mention_rows = [list(r) for r in tables[1]]
        mention_frame = pd.DataFrame(mention_rows, columns=list(MENTIONS_COLUMNS))
    rules: list[Row] = []
    rule_frame = None
    if coder in ("rules", "both"):
        rule_frame = code_rules(segments, [document], codebook, mentions=mention_frame)
        rules = _rows(rule_frame, CODINGS_COLUMNS)
    seen: dict[str, list[str]] | None = None
    if views:
        from .coding.model import segment_views

        seen = segment_views(segments, [document], codebook, mentions=mention_frame, rules=rule_frame)
    coded: list[Row] = []
    if model is not None and coder in ("model", "both"):
        frame = _model(str(model), codebook).code(segments, [document], codebook, mentions=mention_frame)
        coded = _rows(frame, CODINGS_COLUMNS)
    return DocumentResult(document.id, _rows(segments, SEGMENTS_COLUMNS), mention_rows, rules, coded, seen)


def _process_task(
    task: tuple[Document, tuple[Sequence[Row], Sequence[Row]] | None],
    *,
    codebook: Codebook,
    coder: str,
    model: str | None,
    views: bool = False,
) -> DocumentResult:
    document, tables = task
    return process_document(document, codebook, coder=coder, model=model, tables=tables, views=views)


# -- engines -------------------------------------------------------------------------------------


class Engine:
    """Runs a function over items and yields the results in the items' order.

    The base class runs everything in the calling process. Use as a context
    manager: worker processes or cluster connections are released on exit.
    """

    name = "local"
    jobs = 1

    def map(
        self,
        function: Callable[[Any], Any],
        items: Sequence[Any],
        *,
        warm_up: Callable[[], Any] | None = None,
    ) -> Iterator[Any]:
        """``function`` applied to each item, in order.

        ``warm_up`` loads what ``function`` needs (imports) before worker
        processes are made; engines without local workers ignore it.
        """
        return map(function, items)

    def close(self) -> None:
        """Release workers (nothing to do in process)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessEngine(Engine):
    """Worker processes on this machine: ``--jobs N``.

    The first item is done in the calling process, which loads what the
    function needs (spaCy pipelines, matchers, stemmers); then a pool of
    ``jobs`` workers does the rest. Given a ``warm_up`` instead (scikit-learn's
    imports for the model's trainings, where one item is long), the calling
    process only runs that and every item goes to the pool, so none waits for
    the first. On Linux the workers are forked
    from that warmed-up process, so they start in milliseconds instead of
    building their own pipelines (seconds each); elsewhere, or with
    ``start_method="spawn"``, they start fresh, which gives the same results
    (everything they get is pickled: documents, codebook, tables).
    With fewer than two items, or ``jobs`` 1, everything runs in process.
    """

    def __init__(self, jobs: int, *, start_method: str | None = None) -> None:
        import sys

        self.jobs = max(int(jobs), 1)
        self.start_method = start_method or ("fork" if sys.platform.startswith("linux") else "spawn")
        self._pools: list[Any] = []

    def map(
        self,
        function: Callable[[Any], Any],
        items: Sequence[Any],
        *,
        warm_up: Callable[[], Any] | None = None,
    ) -> Iterator[Any]:
        items = list(items)
        if self.jobs < 2 or len(items) < 2:
            return map(function, items)
        return self._parallel(function, items, warm_up)

    def _parallel(
        self, function: Callable[[Any], Any], items: list[Any], warm_up: Callable[[], Any] | None
    ) -> Iterator[Any]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # warm this process up before the workers are made from it
        if warm_up is not None:
            warm_up()
            first: list[Any] = []
        else:
            first, items = [function(items[0])], items[1:]
        # The function (with the codebook and whatever else it carries) goes to each worker once,
        # as the initializer's argument (inherited when forked), not pickled again with every item:
        # a worker given a fresh copy of the codebook per item spent longer finding the matchers
        # built for it than coding the document.
        pool = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=_install,
            initargs=(function,),
        )
        self._pools.append(pool)
        frozen = self.start_method == "fork"
        if frozen:  # keep the garbage collector of forked workers off the inherited objects (copy on write)
            gc.freeze()
        try:
            rest = pool.map(_call_installed, items, chunksize=1)
            yield from first
            yield from rest
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._pools.remove(pool)
            if frozen:
                gc.unfreeze()

    def close(self) -> None:
        for pool in list(self._pools):
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools.clear()


_INSTALLED: list[Callable[[Any], Any]] = []  # in a worker process: the function its pool runs


def _install(function: Callable[[Any], Any]) -> None:
    _INSTALLED[:] = [function]


def _call_installed(item: Any) -> Any:
    return _INSTALLED[0](item)


class DaskEngine(Engine):
    """A Dask cluster: ``--engine dask [--scheduler ADDRESS]``.

    With ``scheduler`` (``tcp://host:8786``) the work goes to that cluster,
    whose workers must have qualbst (the same version) installed. Without it a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes is started
    and closed again. Items become a ``dask.bag`` with one item per partition;
    results come back in order.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, jobs: int = 1) -> None:
        try:
            import dask.bag  # noqa: F401
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise QualbstError(f"{DASK_MISSING} ({exc})") from None
        self.jobs = max(int(jobs), 1)
        self._cluster: Any = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=30)
            except OSError as exc:
                raise QualbstError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            self._cluster = LocalCluster(
                n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self._cluster)

    def map(
        self,
        function: Callable[[Any], Any],
        items: Sequence[Any],
        *,
        warm_up: Callable[[], Any] | None = None,
    ) -> Iterator[Any]:
        import dask.bag

        items = list(items)
        if not items:
            return iter(())
        bag = dask.bag.from_sequence(items, npartitions=len(items))
        return iter(bag.map(function).compute(scheduler=self.client.get))

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str = "local", *, jobs: int = 1, scheduler: str | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``) with ``jobs`` workers.

    Raises
    ------
    QualbstError
        For an unknown engine, ``--scheduler`` without ``dask``, or ``dask``
        when the ``dask`` extra is not installed.

    Examples
    --------
    >>> with make_engine("local", jobs=1) as engine:
    ...     list(engine.map(abs, [-1, 2]))
    [1, 2]
    """
    if name not in ENGINES:
        raise QualbstError(f"engine must be one of {', '.join(ENGINES)} (got {name!r})")
    if int(jobs) < 1:
        raise QualbstError(f"jobs must be 1 or more (got {jobs})")
    if name == "dask":
        return DaskEngine(scheduler, jobs)
    if scheduler:
        raise QualbstError("--scheduler needs --engine dask")
    return ProcessEngine(jobs) if jobs > 1 else Engine()


# -- per-document stages with the cache ---------------------------------------------------------


def _valid(rows: Any, width: int) -> bool:
    return isinstance(rows, list) and all(isinstance(r, list) and len(r) == width for r in rows)


def _valid_views(views: Any) -> bool:
    return isinstance(views, dict) and all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(w, str) for w in v)
        for k, v in views.items()
    )


@dataclass
class CacheStats:
    """What a run took from the cache."""

    documents: int = 0
    reused: int = 0  # everything of the document
    recoded: int = 0  # segments and mentions reused, codings recomputed
    folds: int = 0
    folds_reused: int = 0

    def summary(self) -> str:
        """One line, e.g. ``cache: 17 of 18 documents reused``."""
        text = f"cache: {self.reused} of {self.documents} documents reused"
        if self.recoded:
            text += f", {self.recoded} re-coded (their segments and agency mentions reused)"
        if self.folds:
            text += f"; model: {self.folds_reused} of {self.folds} trainings reused"
        return text

    def log(self, cache: Cache) -> tuple[str, ...]:
        """What a run reports about ``cache``: this summary when the cache is on, then its notes."""
        return tuple(([self.summary()] if cache.enabled else []) + list(cache.notes))


def compute_documents(
    documents: Sequence[Document],
    codebook: Codebook,
    *,
    coder: str = "both",
    model: str | Path | None = None,
    engine: Engine | None = None,
    cache: Cache | None = None,
    stats: CacheStats | None = None,
    views: bool = False,
) -> Iterator[DocumentResult]:
    """:func:`process_document` over ``documents``, in order, through the cache.

    Cached results are yielded as they come; the others are computed by
    ``engine`` (all submitted at once, yielded in order as they finish).
    Segments and mentions are keyed by the document, the agencies and the
    code version; codings also by the codes, the coder choice and the model
    file, so editing one code re-codes every document without segmenting it
    again. With ``views`` each result also carries its segments' feature
    views (cached with the codings, also keyed by the training settings).
    """
    engine = engine or Engine()
    cache = cache or Cache(None)
    stats = stats if stats is not None else CacheStats()
    version = code_version()
    agencies = fingerprint(codebook.agencies)
    model_hash = None
    if model is not None and coder in ("model", "both"):
        model_hash = fingerprint(Path(model, "model.json").read_bytes().hex())
    settings = None
    if views:
        from .coding.model import load_config

        settings = load_config()
    coding_parts = (fingerprint(codebook.codes), coder in ("rules", "both"), model_hash, settings)
    plan: list[tuple[str, str, Any, Any]] = []
    for document in documents:
        tkey = fingerprint("tables", version, document, agencies)
        ckey = fingerprint("codings", tkey, *coding_parts)
        tables = cache.get("tables", tkey)
        if tables is not None and not (
            isinstance(tables, dict)
            and _valid(tables.get("segments"), len(SEGMENTS_COLUMNS))
            and _valid(tables.get("mentions"), len(MENTIONS_COLUMNS))
        ):
            cache.corrupt("tables", tkey, "wrong shape")
            tables = None
        coded = cache.get("codings", ckey) if tables is not None else None
        if coded is not None and not (
            isinstance(coded, dict)
            and _valid(coded.get("rules"), len(CODINGS_COLUMNS))
            and _valid(coded.get("model"), len(CODINGS_COLUMNS))
            and (not views or _valid_views(coded.get("views")))
        ):
            cache.corrupt("codings", ckey, "wrong shape")
            coded = None
        plan.append((tkey, ckey, tables, coded))
    tasks = [
        (document, (tables["segments"], tables["mentions"]) if tables is not None else None)
        for document, (_, _, tables, coded) in zip(documents, plan, strict=True)
        if coded is None
    ]
    function = functools.partial(
        _process_task,
        codebook=codebook,
        coder=coder,
        model=str(model) if model_hash else None,
        views=views,
    )
    computed = engine.map(function, tasks) if tasks else iter(())
    for document, (tkey, ckey, tables, coded) in zip(documents, plan, strict=True):
        stats.documents += 1
        if coded is not None:
            stats.reused += 1
            yield DocumentResult(
                document.id,
                tables["segments"],
                tables["mentions"],
                coded["rules"],
                coded["model"],
                coded.get("views") if views else None,
            )
            continue
        result = next(computed)
        if tables is None:
            cache.put("tables", tkey, {"segments": result.segments, "mentions": result.mentions})
        else:
            stats.recoded += 1
        entry: dict[str, Any] = {"rules": result.rules, "model": result.model}
        if views:
            entry["views"] = result.views
        cache.put("codings", ckey, entry)
        yield result


# -- the model trained on the project's own codings (corpus-level) ------------------------------


@dataclass(frozen=True)
class _FoldTask:
    """One training (:class:`qualbst.coding.machine.Fold`) with the data it needs, for a worker."""

    fold: Fold
    segments: pd.DataFrame = field(repr=False)
    mentions: pd.DataFrame = field(repr=False)
    codings: pd.DataFrame = field(repr=False)
    documents: tuple[Document, ...] = field(repr=False)
    codebook: Codebook = field(repr=False)
    trainer: str = ""
    views: dict[str, list[str]] | None = field(default=None, repr=False)


def _import_training() -> None:
    """What a training imports (scikit-learn, scipy), loaded once before workers fork."""
    import scipy.sparse  # noqa: F401
    from sklearn.feature_extraction.text import TfidfTransformer  # noqa: F401
    from sklearn.linear_model import LogisticRegression  # noqa: F401

    from .coding.model import load_config

    load_config()


def _train_fold(task: _FoldTask) -> list[Row]:
    from .coding.machine import train_fold

    frame = train_fold(
        task.fold,
        task.segments,
        task.codings,
        task.documents,
        task.codebook,
        trainer=task.trainer,
        mentions=task.mentions,
        views=task.views,
    )
    return _rows(frame, CODINGS_COLUMNS)


def trained_model_codings(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Sequence[Document],
    codebook: Codebook,
    *,
    trainer: str,
    mentions: pd.DataFrame,
    digests: dict[str, str],
    engine: Engine | None = None,
    cache: Cache | None = None,
    stats: CacheStats | None = None,
    views: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """``auto:model`` codings from models trained here on ``trainer``'s codes.

    The same codings as :func:`qualbst.coding.machine.machine_codings` without
    a model folder: every document ``trainer`` coded is coded by a model
    trained on the other documents (leave-one-document-out, sorted by id); the
    documents it did not code, by a model trained on all of them. Each
    training is a fold that ``engine`` may run in a worker, and its codings
    are cached under a key made of what the training sees and codes: the segments
    and mentions of its documents (``digests``), ``trainer``'s codes there,
    the codebook (the model's features include the rule coder's codes), the
    training settings and the code version. Editing one transcript therefore
    retrains every fold (the others train on it; the one holding it out codes
    its new text); so does editing the codebook. ``views`` (every informant
    segment's feature view, e.g. from :func:`compute_documents` with
    ``views=True``) saves computing them here.
    """
    import pandas as pd

    from .coding.machine import join_folds, model_folds
    from .coding.model import load_config, segment_views

    engine = engine or Engine()
    cache = cache or Cache(None)
    stats = stats if stats is not None else CacheStats()
    mine = codings[codings["coder"] == trainer]
    seen = set(mine["document"])
    if not seen:
        raise QualbstError(f"coder {trainer!r} has no codings to train a model on")
    present = set(segments["document"])
    order = [d.id for d in documents if d.id in present]
    folds = model_folds(seen, order)
    settings = load_config()
    # The whole codebook: the model's features include the rule coder's codes (cues) and agencies.
    common = (code_version(), settings, fingerprint(codebook), list(codebook.codable_ids), trainer)
    keys, cached, todo = [], [], []
    for fold in folds:
        used = [d for d in order if d in set(fold.train) | set(fold.target)]
        labels = sorted(
            (str(d), str(s), str(c))
            for d, s, c in zip(mine["document"], mine["segment"], mine["code"], strict=True)
            if d in set(fold.train)
        )
        key = fingerprint(
            "fold", *common, fold.held_out, fold.target, [(d, digests[d]) for d in used], labels
        )
        rows = cache.get("fold", key)
        if rows is not None and not _valid(rows, len(CODINGS_COLUMNS)):
            cache.corrupt("fold", key, "wrong shape")
            rows = None
        keys.append(key)
        cached.append(rows)
        if rows is None:
            if views is None:
                views = segment_views(segments, documents, codebook, mentions=mentions, settings=settings)
            part = segments[segments["document"].isin(set(used))]
            todo.append(
                _FoldTask(
                    fold,
                    part,
                    mentions[mentions["document"].isin(set(used))],
                    mine[mine["document"].isin(set(fold.train))],
                    tuple(documents),
                    codebook,
                    trainer,
                    {s: views[s] for s in part["segment"] if s in views},
                )
            )
    computed = engine.map(_train_fold, todo, warm_up=_import_training) if todo else iter(())
    frames: list[pd.DataFrame] = []
    for key, rows in zip(keys, cached, strict=True):
        stats.folds += 1
        if rows is None:
            rows = next(computed)
            cache.put("fold", key, rows)
        else:
            stats.folds_reused += 1
        frames.append(pd.DataFrame(rows, columns=list(CODINGS_COLUMNS)))
    return join_folds(folds, frames)


def frames_of(results: Iterable[DocumentResult], codebook: Codebook) -> dict[str, pd.DataFrame]:
    """The corpus tables from per-document results, exactly as the corpus-level
    functions build them: ``segments``, ``mentions``, ``rules``, ``model``."""
    import pandas as pd

    seg: list[Row] = []
    men: list[Row] = []
    rul: list[Row] = []
    mod: list[Row] = []
    for result in results:
        seg += result.segments
        men += result.mentions
        rul += result.rules
        mod += result.model
    rules = pd.DataFrame(rul, columns=list(CODINGS_COLUMNS))
    if not rules.empty:  # the order of code_rules: document, start, codebook order
        position = {code.id: i for i, code in enumerate(codebook.codes)}
        rules = rules.assign(_o=rules["code"].map(position)).sort_values(
            ["document", "start", "_o"], kind="stable"
        )
        rules = rules.drop(columns="_o").reset_index(drop=True)
    return {
        "segments": _segments_frame(seg),
        "mentions": pd.DataFrame(men, columns=list(MENTIONS_COLUMNS)),
        "rules": rules,
        "model": pd.DataFrame(mod, columns=list(CODINGS_COLUMNS)),
    }


def cached_interactions(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: Sequence[Document],
    codebook: Codebook,
    *,
    coders: Sequence[str],
    cache: Cache | None = None,
) -> pd.DataFrame:
    """:func:`qualbst.network.interactions.extract_interactions`, one document at a time,
    through the cache.

    A document's interactions depend only on it, its segments, the codebook
    and the ``interdependence.*`` codings ``coders`` gave its segments, which
    make the key. (The graph built from them is whole-corpus, and is rebuilt.)
    """
    import pandas as pd

    from .network.interactions import extract_interactions
    from .tables import INTERACTIONS_COLUMNS

    cache = cache or Cache(None)
    chosen = codings[codings["coder"].isin(list(coders))]
    chosen = chosen[chosen["code"].str.startswith("interdependence.")]
    book = fingerprint(codebook)
    by_document = dict(iter(segments.groupby("document", sort=False)))
    rows: list[Row] = []
    for document in documents:
        if document.id not in by_document:
            continue
        mine = chosen[chosen["document"] == document.id]
        wanted = sorted(zip(mine["segment"], mine["code"], strict=True))
        key = fingerprint("interactions", code_version(), document, book, list(coders), wanted)
        found = cache.get("interactions", key)
        if found is not None and not _valid(found, len(INTERACTIONS_COLUMNS)):
            cache.corrupt("interactions", key, "wrong shape")
            found = None
        if found is None:
            frame = extract_interactions(by_document[document.id], mine, [document], codebook, coders=coders)
            found = _rows(frame, INTERACTIONS_COLUMNS)
            cache.put("interactions", key, found)
        rows += found
    return pd.DataFrame(rows, columns=list(INTERACTIONS_COLUMNS))
