"""Work done beside this process, in a forked child, while this process computes on (Linux only).

A report job is one process on a machine of two cores or more: its figures and its uncertainty
sweep can be drawn and computed beside the rest. A forked child starts as this process's exact
image (its figures, its scenario, its imported libraries), so it needs no pickling and no start-up,
and what it makes is the bytes this process would have made. A child that raises or warns reports
failure: the caller then does the work itself, where the error or warning can be seen. A child
dies with its parent (``PR_SET_PDEATHSIG``), so a stopped kernel strands none. Elsewhere ``fork``
is missing (Windows) or unsafe with the system's libraries (macOS), and the work is done in turn.
Work aside keeps the BLAS library to one thread (``threadpoolctl``) in this process and its
children: two processes each running BLAS on every core made the key designer twice as slow while a
sweep ran beside it (growth path of 12 organisations), and one process alone was no faster with more.
No library does this: ``multiprocessing``'s fork context pickles work and results and keeps a
pool; ``concurrent.futures`` likewise.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import warnings
from collections.abc import Callable
from functools import lru_cache

__all__ = ["available", "start", "stop", "succeeded"]

PR_SET_PDEATHSIG = 1


def available() -> bool:
    """Whether work can be done aside here (Linux)."""
    return sys.platform.startswith("linux")


def start(work: Callable[[], None]) -> int:
    """A forked child that runs ``work`` and exits: 0 when it returned without a warning, else 1."""
    _one_blas_thread()
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


def succeeded(child: int) -> bool:
    """Wait for ``child`` and reap it: whether its work was done."""
    _, status = os.waitpid(child, 0)
    return status == 0


def stop(child: int) -> None:
    """Stop ``child`` and reap it (work no longer wanted: a section that failed, an interrupt)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)
