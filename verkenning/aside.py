"""Work done beside this process, in a forked child, while this process computes on (Linux only).

A report job is one process on a machine of two cores or more: its figures, its uncertainty sweep
and its entry terms can be drawn and computed beside the rest. A :class:`Deferred` forks a child
when it is made, so the child starts as this process's exact image (its figures, its scenario, its
imported libraries, all it has computed so far): the work needs no pickling and no start-up, and
makes the bytes this process would have made. Its result comes back pickled through a temporary
file (the child then exits at once, whether or not the result is ever read). A child that raises
or warns reports failure: :meth:`Deferred.result` then does the work here, where the error or
warning can be seen. A child dies with its parent (``PR_SET_PDEATHSIG``): ``verkenning run``
stops its kernel at once, with no exit handler run, and strands no child.

Work aside keeps the BLAS library to one thread (``threadpoolctl``) in this process and its
children: two processes each running BLAS on both cores made the key designer twice as slow while a
sweep ran beside it (growth path of 12 organisations), and one process alone was no faster with
more. Elsewhere ``fork`` is missing (Windows) or unsafe with the system's libraries (macOS), and the
work is done in turn.

Why not ``multiprocessing``: its fork-context ``Process`` forks at ``start`` too, but its children
are stopped by an exit handler of the parent (never run when the kernel is killed), and a child's
warnings would be written from the child into the kernel's streams; a pool forks once, before the
work exists.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import tempfile
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = ["Deferred", "available", "result_or"]

PR_SET_PDEATHSIG = 1
NOT_FORKED = 0
"""The child of a :class:`Deferred` whose fork failed (0 is no process id of a child)."""


RESIDENT_LIMIT = 2 << 30
"""The most memory (bytes resident) a process may hold and still fork a child for work aside. A
child shares its parent's pages until one of them writes or frees them; forked from a kernel that
held a 20-member study's 8 GiB of games (9 GiB resident), the kernel and its children reached
13,344 MiB (``make bench``, 2026-12-04), where the same job in turn stays at 9 GiB. At that size
the work aside saves a few seconds of seven minutes."""


def available() -> bool:
    """Whether work can be done aside here: on Linux, by a process of at most :data:`RESIDENT_LIMIT`."""
    return sys.platform.startswith("linux") and _resident() <= RESIDENT_LIMIT


def _resident() -> int:
    """Bytes this process holds in memory (``/proc/self/statm``: its resident pages)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Deferred:
    """``compute()`` under way in a forked child (see the module docstring)."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        _one_blas_thread()
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed once the result is read)
        try:
            self._child: int | None = _fork(lambda: self._write(compute()))
        except OSError:  # no process to be had (a limit, no memory): the work is done in turn
            self._child = NOT_FORKED

    def _write(self, value: Any) -> None:
        pickle.dump(value, self._file, pickle.HIGHEST_PROTOCOL)
        self._file.flush()  # the child leaves by os._exit: nothing is flushed for it

    def result(self, compute: Callable[[], Any]) -> Any:
        """The child's result, waiting for it; ``compute()`` here if the child failed or warned."""
        child, self._child = self._child, None
        if child is None:
            raise RuntimeError("a deferred result is read once")
        with self._file:
            if child == NOT_FORKED:
                return compute()
            try:
                status = os.waitpid(child, 0)[1]
            except BaseException:  # interrupted while waiting: the child goes too
                _stop(child)
                raise
            if status != 0:
                return compute()
            self._file.seek(0)
            return pickle.load(self._file)

    def cancel(self) -> None:
        """Stop the child and reap it (its work is no longer wanted: a failed section, an interrupt)."""
        child, self._child = self._child, None
        if child is not None:
            if child != NOT_FORKED:
                _stop(child)
            self._file.close()


def result_or(pending: Deferred | None, compute: Callable[[], Any]) -> Any:
    """The result of ``pending``, or ``compute()`` here when there is none (or its child failed)."""
    return compute() if pending is None else pending.result(compute)


def _stop(child: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)


def _fork(work: Callable[[], None]) -> int:
    """A child that runs ``work`` and exits: 0 when it returned without a warning, else 1."""
    parent = os.getpid()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: a fork while threads run
        child = os.fork()
    if child:
        return child
    status = 1
    try:  # the child: never returns, never runs the parent's exit handlers or flushes its streams
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == parent:  # (else the parent is gone already)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                work()
            status = 1 if caught else 0
    finally:
        os._exit(status)


@lru_cache(maxsize=1)
def _one_blas_thread() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")  # kept for the process's life (and its children's)
