"""Orchestration above every package: the housekeeping job and the RQ worker.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import housekeeping, worker
from .housekeeping import (
    INTERVAL_SECONDS,
    JOB_ID,
    housekeeping_job,
    sweep,
)
from .worker import run_worker

__all__ = [
    "housekeeping",
    "worker",
    "INTERVAL_SECONDS",
    "JOB_ID",
    "sweep",
    "housekeeping_job",
    "run_worker",
]
