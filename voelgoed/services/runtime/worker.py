"""The worker process (`python -m voelgoed worker`): the RQ worker with its scheduler, plus RQ's cron.

- the RQ ``Worker`` on the default queue, ``with_scheduler=True`` (runs ``enqueue_in`` timers such as
  hold expiry);
- a child process ``python -m voelgoed cron --parent <pid>`` running RQ's own ``CronScheduler``
  (:mod:`rq.cron`, RQ ≥ 2.5), which enqueues :func:`voelgoed.services.runtime.housekeeping.housekeeping_job`
  every ``HOUSEKEEPING_INTERVAL_SECONDS`` (first run at start). The schedule lives in this code, not in a
  job that re-enqueues itself, so a crash mid-job cannot stop it: a restarted worker brings it back.
  It also enqueues :func:`voelgoed.services.sales.reconcile.reconcile_job` (pending payments whose webhook
  never arrived) every ``RECONCILE_INTERVAL_SECONDS``. The child exits when its parent worker is gone
  (``os.getppid()`` changes), so a SIGKILLed worker leaves no orphan scheduler. Several workers mean several
  cron schedulers: the sweep, the outbox drain and the reconciliation are idempotent and use ``SKIP LOCKED``,
  so duplicates only cost a few queries.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

from rq import Worker
from rq.cron import CronScheduler

from voelgoed.config import get_settings
from voelgoed.services.marketing import marketing_job
from voelgoed.services.platform import QUEUE_NAME, get_redis
from voelgoed.services.runtime.housekeeping import housekeeping_job
from voelgoed.services.sales import reconcile_job


def cron_scheduler(client) -> CronScheduler:
    """RQ's ``CronScheduler`` with the periodic jobs registered."""
    cron = CronScheduler(connection=client, name=f"voelgoed-cron:{os.getpid()}")
    settings = get_settings()
    cron.register(housekeeping_job, QUEUE_NAME, interval=max(1, settings.housekeeping_interval_seconds),
                  job_timeout=300, result_ttl=60)
    # pending payments whose webhook never came (sales/reconcile.py): bounded per run, provider calls unlocked
    cron.register(reconcile_job, QUEUE_NAME, interval=max(1, settings.reconcile_interval_seconds),
                  job_timeout=300, result_ttl=60)
    # funnel counts Redis → PostgreSQL, promo uses of lapsed orders given back (marketing/jobs.py)
    cron.register(marketing_job, QUEUE_NAME, interval=max(1, settings.housekeeping_interval_seconds),
                  job_timeout=300, result_ttl=60)
    return cron


def run_cron(parent_pid: int | None = None) -> int:
    """Run the cron scheduler (``python -m voelgoed cron``); with ``parent_pid``, only while that process lives."""
    logging.basicConfig(level=logging.INFO)
    client = get_redis()
    if client is None:
        print("Redis is not reachable (REDIS_URL); the web process runs housekeeping instead.")
        return 1
    cron = cron_scheduler(client)
    if parent_pid is None:
        cron.start()  # RQ's own loop (signal handlers, heartbeat)
        return 0
    cron.register_birth()
    try:
        while os.getppid() == parent_pid:
            if cron.enqueue_jobs():
                cron.save()
            cron.heartbeat()
            time.sleep(min(1.0, max(0.05, cron.calculate_sleep_interval())))
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        pass
    finally:
        try:
            cron.register_death()
        except Exception:  # pragma: no cover - Redis may be gone already
            pass
    return 0


def run_worker(burst: bool = False, with_cron: bool = True) -> int:
    logging.basicConfig(level=logging.INFO)
    client = get_redis()
    if client is None:
        print("Redis is not reachable (REDIS_URL); jobs run inside the web process instead.")
        return 1
    cron = None
    if with_cron and not burst:
        cron = subprocess.Popen([sys.executable, "-m", "voelgoed", "cron", "--parent", str(os.getpid())])
    try:
        Worker([QUEUE_NAME], connection=client).work(with_scheduler=True, burst=burst)
    finally:
        if cron is not None:
            cron.terminate()
            cron.wait(timeout=10)
    return 0
