"""Background exports with progress (issue 13, item 5): request → outbox → RQ job writes the file → download.

- ``request_export(session, ctx, *, event_id, kind, fmt="csv", now=None)`` → :class:`ExportJob` (``queued``):
  the row, the outbox entry ``export.requested`` (payload ``export_id``) and the audit entry ``export.requested``
  commit together, so a request is never lost; the outbox handler enqueues :func:`run_export_job`.
- ``run_export(export_id, *, now=None)`` (idempotent): claims a ``queued`` job (or a ``running`` one whose
  worker died, started over :data:`STALE_AFTER` ago) with one conditional UPDATE, counts the rows
  (``rows_total``), streams them into ``<media>/exports/<org id>/<export id>.<csv|xlsx>`` (a ``.part`` file
  renamed at the end), writing ``rows_done`` every :data:`exports.BATCH` rows in its own short transaction,
  then ``done`` (or ``failed`` with ``error``, the exception type and first line).
- ``export_view(job)`` → ``{id, event_id, kind, format, status, rows_total, rows_done, percent, error,
  created_at, finished_at, filename, download_url}`` (a signed link while done, else ``""``); ``get_export(session, ctx, export_id)`` (404 ``not_found`` across
  tenants); ``list_exports(session, ctx, event_id, limit=10)`` newest first.
- ``export_file(session, ctx, export_id)`` → ``(filename, Path)`` of a finished export (409 ``export_not_ready``).
- ``download_token(export_id, now=None)`` / ``verify_download(export_id, token, now=None)``: a signed link
  (HMAC-SHA256, purpose ``export-download``) valid :data:`LINK_TTL` for the page's download button.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, update
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, ExportJob, ExportStatus
from voelgoed.services.insights import exports
from voelgoed.services.platform import (
    Conflict,
    NotFound,
    TenantContext,
    audit,
    clock,
    get_engine,
    get_owned,
    hmac_sign,
    hmac_verify,
    outbox,
    parse_id,
    session_scope,
)

STALE_AFTER = timedelta(minutes=15)
LINK_TTL = timedelta(minutes=15)
TOPIC = "export.requested"


def request_export(session: Session, ctx: TenantContext, *, event_id, kind: str, fmt: str = "csv",
                   now: datetime | None = None) -> ExportJob:
    """Queue an export of ``kind`` (:data:`exports.KINDS`) as ``fmt`` (csv | xlsx). Errors: 422
    ``validation_failed``, 403 ``forbidden``, 404 ``not_found`` (see :mod:`exports`). Commits."""
    now = clock.resolve(now)
    exports.check_kind(kind, fmt)
    event = exports.export_event(session, ctx, event_id)
    job = ExportJob(organization_id=event.organization_id, event_id=event.id, kind=kind, format=fmt,
                    requested_by=str(ctx.actor.id), created_at=now)
    session.add(job)
    session.flush()
    outbox.add_entry(session, topic=TOPIC, payload={"export_id": str(job.id)}, organization_id=job.organization_id,
                     now=now)
    audit.record(session, ctx.actor, "export.requested", job, {"event_id": str(event.id), "kind": kind, "format": fmt})
    session.commit()
    outbox.nudge()
    return job


def run_export_job(export_id: str) -> None:
    """RQ entry point (ids in): :func:`run_export`."""
    run_export(export_id)


def _claim(export_id: uuid.UUID, now: datetime) -> bool:
    with Session(get_engine()) as s:
        claimed = s.execute(update(ExportJob).where(
            ExportJob.id == export_id,
            or_(ExportJob.status == ExportStatus.queued.value,
                (ExportJob.status == ExportStatus.running.value) & (ExportJob.started_at < now - STALE_AFTER)))
            .values(status=ExportStatus.running.value, started_at=now, rows_done=0)).rowcount
        s.commit()
    return bool(claimed)


def _set(export_id: uuid.UUID, **values) -> None:
    with Session(get_engine()) as s:
        s.execute(update(ExportJob).where(ExportJob.id == export_id).values(**values))
        s.commit()


def export_dir(organization_id) -> Path:
    return get_settings().effective_media_dir / "exports" / str(organization_id)


def run_export(export_id, *, now: datetime | None = None) -> str:
    """Write the file of a queued export (module docstring). Returns the job's status afterwards."""
    now = clock.resolve(now)
    eid = parse_id(export_id, "export")
    if not _claim(eid, now):
        with Session(get_engine()) as s:
            job = s.get(ExportJob, eid)
            return job.status if job else "missing"
    try:
        with session_scope() as session:
            job = session.get(ExportJob, eid)
            event = session.get(Event, job.event_id)
            total = exports.count_rows(session, job.kind, event)
            _set(eid, rows_total=total)
            folder = export_dir(job.organization_id)
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{job.id}.{job.format}"
            part = final.with_suffix(final.suffix + ".part")

            def progress(n: int) -> None:
                _set(eid, rows_done=n)

            rows = exports.iter_rows(session, job.kind, event)
            if job.format == "xlsx":
                written = exports.write_xlsx(rows, part, title=job.kind, progress=progress)
            else:
                written = exports.write_csv(rows, part, progress=progress)
            part.replace(final)
            relative = str(final.relative_to(get_settings().effective_media_dir))
        _set(eid, status=ExportStatus.done.value, rows_done=written, rows_total=max(total, written),
             file_path=relative, finished_at=clock.utcnow())
        return ExportStatus.done.value
    except Exception as exc:  # recorded on the job for the organiser; RQ sees a clean end (no retry storm)
        first = (str(exc).splitlines() or [""])[0]
        _set(eid, status=ExportStatus.failed.value, error=f"{type(exc).__name__}: {first}"[:300],
             finished_at=clock.utcnow())
        return ExportStatus.failed.value


def get_export(session: Session, ctx: TenantContext, export_id) -> ExportJob:
    """The export ``export_id`` of ``ctx``'s organisation (403 without ``can_view_financials``, else 404)."""
    job = get_owned(session, ctx, ExportJob, export_id, "export")
    exports.export_event(session, ctx, job.event_id)
    return job


def list_exports(session: Session, ctx: TenantContext, event_id, *, limit: int = 10) -> list[ExportJob]:
    """The latest exports of one event, newest first."""
    event = exports.export_event(session, ctx, event_id)
    return list(session.exec(select(ExportJob).where(ExportJob.organization_id == ctx.organization_id,
                                                     ExportJob.event_id == event.id)
                             .order_by(ExportJob.created_at.desc()).limit(limit)).all())


def filename_of(session: Session, job: ExportJob) -> str:
    event = session.get(Event, job.event_id)
    slug = event.slug if event else "event"
    return f"{slug}-{job.kind}-{clock.aware(job.created_at):%Y%m%d-%H%M}.{job.format}"


def export_view(session: Session, job: ExportJob) -> dict:
    """The job as a dict (module docstring); ``percent`` 0–100 (100 once done)."""
    total = int(job.rows_total or 0)
    done = job.status == ExportStatus.done.value
    percent = 100 if done else (int(100 * job.rows_done / total) if total else 0)
    return {"id": str(job.id), "event_id": str(job.event_id), "kind": job.kind, "format": job.format,
            "status": job.status, "rows_total": total, "rows_done": int(job.rows_done or 0),
            "percent": min(percent, 100), "error": job.error, "created_at": clock.aware(job.created_at).isoformat(),
            "finished_at": clock.aware(job.finished_at).isoformat() if job.finished_at else None,
            "filename": filename_of(session, job),
            "download_url": (f"/api/v1/exports/{job.id}/download?token={download_token(job.id)}" if done else "")}


def export_file(session: Session, ctx: TenantContext, export_id) -> tuple[str, Path]:
    """``(download filename, absolute path)`` of a finished export; 409 ``export_not_ready`` otherwise."""
    job = get_export(session, ctx, export_id)
    return file_of(session, job)


def file_of(session: Session, job: ExportJob) -> tuple[str, Path]:
    path = get_settings().effective_media_dir / job.file_path if job.file_path else None
    if job.status != ExportStatus.done.value or path is None or not path.is_file():
        raise Conflict("export_not_ready", "This export is not finished yet", {"status": job.status})
    return filename_of(session, job), path


def download_token(export_id, *, now: datetime | None = None) -> str:
    """``<unix expiry>.<hmac>`` for a download link valid :data:`LINK_TTL`."""
    expires = int((clock.resolve(now) + LINK_TTL).timestamp())
    return f"{expires}.{hmac_sign(f'{export_id}:{expires}'.encode(), purpose='export-download')}"


def verify_download(session: Session, export_id, token: str, *, now: datetime | None = None) -> tuple[str, Path]:
    """The file behind a signed link; a bad or expired token or an unknown id is 404 ``not_found``."""
    try:
        expires_s, sig = (token or "").split(".", 1)
        expires = int(expires_s)
    except ValueError:
        raise NotFound("not_found", "Export not found") from None
    eid = parse_id(export_id, "export")
    if expires < clock.resolve(now).timestamp() or not hmac_verify(f"{eid}:{expires}".encode(), sig,
                                                                    purpose="export-download"):
        raise NotFound("not_found", "Export not found")
    job = session.get(ExportJob, eid)
    if job is None:
        raise NotFound("not_found", "Export not found")
    return file_of(session, job)
