"""Background jobs on RQ (architecture decision 6).

Work that *must* happen because of a change is an outbox entry written with the change
(:mod:`voelgoed.services.platform.outbox`), not a job enqueued after the commit. :func:`enqueue` /
:func:`enqueue_in` are for nudges and timers whose loss a periodic sweep repairs (the outbox drain,
hold expiry); job functions take ids only, open their own session and are idempotent.
With no reachable Redis (the embedded default) jobs run in-process: ``enqueue`` runs the function
at once (errors logged), ``enqueue_in`` runs it on a timer thread. If Redis fails during the enqueue
it is reported down (:func:`voelgoed.services.platform.redis_conn.report_failure`) and the job runs in-process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import redis
from rq import Queue, Retry

from voelgoed.services.platform.redis_conn import get_redis, report_failure

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
    try:
        return queue.enqueue(func, args=args, kwargs=kwargs or None, retry=retry, job_id=job_id)
    except redis.RedisError:
        log.warning("Redis failed while enqueueing %s; running it in-process", getattr(func, "__name__", func))
        report_failure()
        _run_inline(func, *args, **kwargs)
        return None


def enqueue_in(seconds: float, func: Callable, *args, job_id: str | None = None, **kwargs):
    """Run ``func`` after ``seconds`` (needs `rq worker --with-scheduler`; a timer thread without Redis)."""
    queue = get_queue()
    if queue is not None:
        try:
            return queue.enqueue_in(timedelta(seconds=max(seconds, 0)), func, args=args, kwargs=kwargs or None,
                                    retry=DEFAULT_RETRY, job_id=job_id)
        except redis.RedisError:
            report_failure()
    timer = threading.Timer(max(seconds, 0), _run_inline, args=(func, *args), kwargs=kwargs)
    timer.daemon = True
    timer.start()
    return None
