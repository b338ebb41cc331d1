"""The cyclic garbage collector paused while a region is processed.

A job builds hundreds of thousands of short-lived, acyclic objects (cells, rows, findings):
reference counting frees them, and the collector's repeated passes over the growing heap only
cost time (about a fifth of ``check`` on a large workbook, ``bench/bench_xlsx.py``). It is
paused for the region and enabled again after it, without a collection there: a region leaves
a few hundred cyclic objects (518 after ``check`` at 4x), and a full pass would walk the whole
live heap for them (0.1 s), so they are left to the collector's next automatic pass. Regions
processed side by side share one pause.
"""
from __future__ import annotations

import contextlib
import gc
import threading

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic collector inside the block (re-entrant, thread-safe)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
