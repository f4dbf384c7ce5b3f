"""Background jobs on RQ (architecture decision 6).

Call :func:`enqueue` / :func:`enqueue_in` only *after* the transaction that made the job necessary
has committed; job functions take ids only, open their own session and are idempotent.
With no reachable Redis (the embedded default) jobs run in-process: ``enqueue`` runs the function
at once (errors logged), ``enqueue_in`` runs it on a timer thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from rq import Queue, Retry

from voelgoed.services.platform.redis_conn import get_redis

log = logging.getLogger(__name__)
QUEUE_NAME = "voelgoed"
DEFAULT_RETRY = Retry(max=5, interval=[2, 10, 30, 120, 300])


def get_queue() -> Queue | None:
    client = get_redis()
    if client is None:
        return None
    return Queue(QUEUE_NAME, connection=client, default_timeout=300)


def _run_inline(func: Callable, *args, **kwargs) -> None:
    try:
        func(*args, **kwargs)
    except Exception:  # pragma: no cover - logged, the job is idempotent and can be re-run
        log.exception("in-process job %s failed", getattr(func, "__name__", func))


def enqueue(func: Callable, *args, retry: Retry | None = DEFAULT_RETRY, job_id: str | None = None, **kwargs):
    """Run ``func(*args, **kwargs)`` on the worker (or inline without Redis). Returns the RQ job or None."""
    queue = get_queue()
    if queue is None:
        _run_inline(func, *args, **kwargs)
        return None
    # explicit args=/kwargs= (RQ refuses positional args together with kwargs=)
    return queue.enqueue(func, args=args, kwargs=kwargs or None, retry=retry, job_id=job_id)


def enqueue_in(seconds: float, func: Callable, *args, job_id: str | None = None, **kwargs):
    """Run ``func`` after ``seconds`` (needs `rq worker --with-scheduler`; a timer thread without Redis)."""
    queue = get_queue()
    if queue is None:
        timer = threading.Timer(max(seconds, 0), _run_inline, args=(func, *args), kwargs=kwargs)
        timer.daemon = True
        timer.start()
        return None
    return queue.enqueue_in(timedelta(seconds=max(seconds, 0)), func, args=args, kwargs=kwargs or None,
                            retry=DEFAULT_RETRY, job_id=job_id)
