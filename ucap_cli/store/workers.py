"""Working through many files on every core.

Parsing TOML dominates large runs and is CPU-bound; worker processes take chunks of files.
Small runs stay in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

MIN_FILES = 200  # below this, one process is faster
CHUNK = 50  # files a worker takes at a time, at least: more when there are many files
MAX_CHUNK = 500


def workers() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def map_files(
    work: Callable[[Path], T],
    paths: Sequence[Path],
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[T]:
    """`work(path)` for each path, in order; in worker processes when that pays.

    `work` must be picklable (a module-level function or a functools.partial of one).
    """
    total = len(paths)
    count = workers()
    if total < MIN_FILES or count < 2:
        results: Iterator[T] = map(work, paths)
    else:
        executor = _executor(count)
        chunk = _batch_size(total, count)
        results = _drain(executor, executor.map(work, paths, chunksize=chunk))
    for done, result in enumerate(_collector_paused(results), 1):
        if progress is not None:
            progress(done, total)
        yield result


def map_batches(
    work: Callable[[Sequence[Path]], T],
    paths: Sequence[Path],
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[T]:
    """`work(batch)` for consecutive batches of `paths`, in order: one batch in this process
    when there are few, else batches in worker processes. `progress` counts files.

    For work whose results merge: a worker sends back one result for many files.
    """
    total = len(paths)
    count = workers()
    if total < MIN_FILES or count < 2:
        batches = [paths]
        results: Iterator[T] = map(work, batches)
    else:
        size = _batch_size(total, count)
        batches = [paths[i : i + size] for i in range(0, total, size)]
        executor = _executor(count)
        results = _drain(executor, executor.map(work, batches))
    done = 0
    for batch, result in zip(batches, _collector_paused(results), strict=True):
        done += len(batch)
        if progress is not None:
            progress(done, total)
        yield result


def _executor(count: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers start with what this process has imported (callers import the model
    # first when workers will need it). Elsewhere, the platform's default.
    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(
        count, mp_context=multiprocessing.get_context(method), initializer=_start_worker
    )


def _batch_size(total: int, count: int) -> int:
    # About 16 batches a worker: few enough that sending results back costs little, enough
    # that the workers finish together and the progress bar moves.
    return min(max(CHUNK, total // (count * 16)), MAX_CHUNK)


def _collector_paused(results: Iterator[T]) -> Iterator[T]:
    # Loading builds many long-lived, acyclic objects; the cyclic collector would traverse all
    # of them again and again (10,000 records: 10.9 s with it, 7.1 s without). It is paused
    # while loading; then what was loaded is frozen, so later collections skip it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield from results
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _start_worker() -> None:
    """In a worker: Ctrl-C reaches the whole process group, but only ucap itself answers it
    (one line, exit 130); a worker would print a traceback. Workers end with the pool.

    Workers build and drop a record at a time, without reference cycles: the cyclic garbage
    collector would only stop them, again and again, to look through everything alive.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()


def _drain(executor: ProcessPoolExecutor, results: Iterator[T]) -> Iterator[T]:
    try:
        yield from results
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
