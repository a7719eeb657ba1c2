"""Reused threads for blocking data-channel work (one job per data connection).

`Thread.start()` blocks its caller until the new thread runs, which on the
event loop costs a GIL hand-off per PASV (measured ~0.3-1 ms per transfer on
2 busy cores). Idle workers wait here instead; a thread is only started when
none is idle, and an idle worker exits after IDLE_SECONDS. There is no upper
bound: a transfer must never wait for another one to finish.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

__all__ = ["submit"]

log = logging.getLogger("iisftp.server.data")
IDLE_SECONDS = 30.0

_lock = threading.Lock()
_jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
_idle = 0  # workers waiting for a job; under _lock, _idle + queued jobs = waiting workers


def submit(job: Callable[[], None]) -> None:
    """Run `job` on an idle worker, or on a new one when none is idle."""
    global _idle
    with _lock:
        if _idle:
            _idle -= 1
            _jobs.put(job)
            return
    threading.Thread(target=_work, args=(job,), name="iisftp-data", daemon=True).start()


def _work(job: Callable[[], None] | None) -> None:
    global _idle
    while job is not None:
        try:
            job()
        except Exception:  # jobs report their own errors; this keeps the worker alive
            log.exception("data worker job failed")
        job = None
        with _lock:
            _idle += 1
        try:
            job = _jobs.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            with _lock:  # a job queued for us meanwhile is still ours
                try:
                    job = _jobs.get_nowait()
                except queue.Empty:
                    _idle -= 1
