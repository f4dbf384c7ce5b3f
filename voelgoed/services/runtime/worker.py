"""The RQ worker process (`python -m voelgoed worker`): the default queue, with the scheduler."""

from __future__ import annotations

import logging

from rq import Worker

from voelgoed.services.platform import QUEUE_NAME, get_queue, get_redis
from voelgoed.services.runtime.housekeeping import JOB_ID, housekeeping_job


def run_worker(burst: bool = False) -> int:
    logging.basicConfig(level=logging.INFO)
    client = get_redis()
    if client is None:
        print("Redis is not reachable (REDIS_URL); jobs run inside the web process instead.")
        return 1
    get_queue().enqueue(housekeeping_job, job_id=JOB_ID)  # a fixed id: several workers schedule it once
    worker = Worker([QUEUE_NAME], connection=client)
    worker.work(with_scheduler=True, burst=burst)
    return 0
