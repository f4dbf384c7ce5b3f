"""Run the whole app in production mode from a staged directory — for browser tests and benchmarks.

``running_app(app_dir=..., port=..., env_overrides=..., log_dir=..., fresh=..., loglevel=...,
with_worker=True, timeout_s=600)`` is a context manager that:

1. stages ``app_dir`` (a symlink to ``voelgoed/``, copies of ``rxconfig.py``, ``assets/`` and, when it has
   none yet, of the pinned ``reflex.lock/``), so several runs on one machine never share a ``.web`` build
   (``fresh=True`` starts from an empty directory; ``fresh=False`` keeps the build cache between runs);
2. starts ``reflex run --env prod`` there and ``python -m voelgoed worker`` (each in its own process
   group), with the project's bun on ``PATH`` and ``env_overrides`` (database, Redis, secret…);
3. waits until ``/api/health`` and ``/`` answer 200, yields the base URL, and stops both process
   groups afterwards (SIGTERM, then SIGKILL after 20 s).

Raises ``RuntimeError`` with the end of the web log when the app does not start in ``timeout_s``.
Imports nothing from ``voelgoed`` or ``tests`` (importing ``tests`` re-points the stores).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stage_app_dir(app_dir: Path, *, fresh: bool) -> Path:
    if fresh and app_dir.exists():
        shutil.rmtree(app_dir)
    app_dir.mkdir(parents=True, exist_ok=True)
    link = app_dir / "voelgoed"
    if not link.is_symlink():
        if link.exists():
            shutil.rmtree(link)
        link.symlink_to(ROOT / "voelgoed")
    shutil.copy(ROOT / "rxconfig.py", app_dir / "rxconfig.py")
    if (ROOT / "reflex.lock").is_dir() and not (app_dir / "reflex.lock").exists():
        # the project's pinned frontend packages (Reflex installs from reflex.lock/ when the app root has one);
        # without it a fresh build resolves the registry's newest versions, which may not resolve at all
        shutil.copytree(ROOT / "reflex.lock", app_dir / "reflex.lock")
    if (app_dir / "assets").exists():
        shutil.rmtree(app_dir / "assets")
    shutil.copytree(ROOT / "assets", app_dir / "assets")
    return app_dir


def app_env(port: int, overrides: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PORT=str(port), BASE_URL=f"http://localhost:{port}",
        REFLEX_CHECK_LATEST_VERSION="0", REFLEX_TELEMETRY_ENABLED="0",
        NPM_CONFIG_REGISTRY=os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/"),
        PATH=f"{ROOT / '.tools/bun/node_modules/.bin'}:{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
    )
    env.update(overrides)
    return env


def stop(proc: subprocess.Popen) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except Exception:
            with contextlib.suppress(Exception):
                os.killpg(proc.pid, signal.SIGKILL)


def _answers(base: str) -> bool:
    import httpx

    try:
        return httpx.get(base + "/api/health", timeout=2).status_code == 200 and \
            httpx.get(base + "/", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def running_app(*, app_dir: Path, port: int, env_overrides: dict[str, str], log_dir: Path, fresh: bool,
                loglevel: str = "warning", with_worker: bool = True, timeout_s: float = 600) -> Iterator[str]:
    env = app_env(port, env_overrides)
    stage_app_dir(app_dir, fresh=fresh)
    log_dir.mkdir(parents=True, exist_ok=True)
    web_log_path = log_dir / f"web-{port}.log"
    procs = [subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", "--loglevel", loglevel],
        cwd=app_dir, env=env, stdout=open(web_log_path, "w"), stderr=subprocess.STDOUT, start_new_session=True,
    )]
    if with_worker:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "voelgoed", "worker"], cwd=ROOT, env=env,
            stdout=open(log_dir / f"worker-{port}.log", "w"), stderr=subprocess.STDOUT, start_new_session=True,
        ))
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not _answers(base):
            if procs[0].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start; see {web_log_path}\n" + web_log_path.read_text()[-3000:])
            time.sleep(1)
        yield base
    finally:
        for proc in procs:
            stop(proc)
