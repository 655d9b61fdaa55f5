"""Work done aside in a forked child (verkenning.aside): its result, or the work done here instead."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from verkenning import aside

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="work is done aside on Linux only"
)


def _computed_here():
    pytest.fail("the child failed: the work was done here")


@pytest.mark.parametrize(
    "value",
    [7, "kort", (b"x" * 200_000, 1), {"a": np.arange(100_000, dtype=float) / 3}],
    ids=["int", "str", "large bytes and a small tail", "array"],
)
def test_a_child_hands_back_what_it_computed_small_or_large(value):
    found = aside.Deferred(lambda: value).result(_computed_here)
    if isinstance(value, dict):
        np.testing.assert_array_equal(found["a"], value["a"])
    else:
        assert found == value


def test_the_child_sees_what_this_process_had_computed_when_it_was_made():
    state = {"n": 1}
    later = aside.Deferred(lambda: state["n"] * 10)
    state["n"] = 2  # after the fork: not the child's
    assert later.result(_computed_here) == 10


def test_work_that_fails_or_warns_aside_is_done_here_where_it_shows():
    parent = os.getpid()

    def fails_in_child():
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return "here"

    def warns():
        warnings.warn("a warning of the work", UserWarning, stacklevel=1)
        return "here"

    assert aside.Deferred(fails_in_child).result(fails_in_child) == "here"
    with pytest.warns(UserWarning, match="a warning of the work"):
        assert aside.Deferred(warns).result(warns) == "here"


def test_a_result_is_read_once_and_a_cancelled_child_is_reaped():
    done = aside.Deferred(lambda: 1)
    assert done.result(_computed_here) == 1
    with pytest.raises(RuntimeError, match="read once"):
        done.result(_computed_here)
    import time

    slow = aside.Deferred(lambda: time.sleep(60))
    child = slow._child
    slow.cancel()
    with pytest.raises(ChildProcessError):  # reaped: no longer a child, not even a zombie
        os.waitpid(child, os.WNOHANG)


def test_work_whose_fork_fails_is_done_here(monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert aside.Deferred(lambda: "there").result(lambda: "here") == "here"
    aside.Deferred(lambda: "there").cancel()  # nothing to stop


def test_result_or_computes_here_when_nothing_is_pending():
    assert aside.result_or(None, lambda: "here") == "here"
    assert aside.result_or(aside.Deferred(lambda: "there"), lambda: "here") == "there"


def test_a_process_holding_more_than_the_limit_does_its_work_in_turn(monkeypatch):
    resident = aside._resident()
    # against an independent reading of the same figure: VmRSS in /proc/self/status, in KiB
    lines = Path("/proc/self/status").read_text().splitlines()
    status = dict(line.split(":", 1) for line in lines if ":" in line)
    assert abs(resident / 1024 - int(status["VmRSS"].split()[0])) < 16 * 1024
    monkeypatch.setattr(aside, "RESIDENT_LIMIT", resident + (256 << 20))
    assert aside.available()
    monkeypatch.setattr(aside, "RESIDENT_LIMIT", resident // 2)
    assert not aside.available()
