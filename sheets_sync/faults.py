"""The crash tests' kill switch: a process that reaches a named point dies there (kill -9)."""
from __future__ import annotations

FAULT_ENV = "BACKOFFICE_TEST_FAULT"  # the crash tests: « point » or « point:N » (the N-th time)
_fault_counts: dict[str, int] = {}


def fault_point(name: str) -> None:
    """A place where the crash tests kill the process (``kill -9`` of itself) when
    ``BACKOFFICE_TEST_FAULT`` names it: after the write, between the acts, after an e-mail…
    Nothing happens otherwise."""
    import os

    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    point, _colon, nth = wanted.partition(":")
    if point != name:
        return
    _fault_counts[name] = _fault_counts.get(name, 0) + 1
    if _fault_counts[name] >= int(nth or 1):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
