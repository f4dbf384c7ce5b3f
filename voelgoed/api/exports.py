"""Exports of one event's orders, tickets/attendees, check-ins and refunds (API key; issue 13, item 5).

Per ``kind`` in ``orders`` (scope ``orders:read``), ``tickets`` (``attendees:read``), ``checkins``
(``scans:read``), ``refunds`` (``refunds:read``); columns in ``docs/exports.md``:

- ``GET /api/v1/events/{event_id}/exports/{kind}.csv`` → ``200 text/csv`` streamed (UTF-8 with BOM, RFC 4180).
- ``GET /api/v1/events/{event_id}/exports/{kind}.xlsx`` → ``200`` an Office Open XML workbook.
- ``POST /api/v1/events/{event_id}/exports/{kind}?format=csv|xlsx`` → ``202 {export}`` a background job.
- ``GET /api/v1/events/{event_id}/exports/{kind}/{export_id}`` → ``{export}`` (progress: ``rows_done``,
  ``rows_total``, ``percent``, ``status`` queued | running | done | failed).
- ``GET /api/v1/events/{event_id}/exports/{kind}/{export_id}/file`` → the file; 409 ``export_not_ready``.
  (A job under another kind's path: 409 ``wrong_kind`` with ``details.kind``: the path's kind decides the scope.)
- ``GET /api/v1/exports/{export_id}/download?token=…`` (no key: the signed link the dashboard hands out,
  valid 15 minutes) → the file; a bad or expired token is 404.
Errors: 403 ``insufficient_scope`` / ``forbidden``, 404 ``not_found`` (another organisation's event), 422.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from voelgoed.services.insights import (
    KINDS,
    SCOPE_OF,
    export_jobs,
    export_view,
    exports,
    get_export,
    request_export,
    verify_download,
)
from voelgoed.services.platform import Conflict, NotFound, TenantContext, session_scope

from .deps import require_scope

router = APIRouter(prefix="/api/v1", tags=["exports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _media(filename: str) -> str:
    return XLSX if filename.endswith(".xlsx") else "text/csv; charset=utf-8"


def _routes(kind: str) -> None:
    Ctx = Depends(require_scope(SCOPE_OF[kind]))

    @router.get(f"/events/{{event_id}}/exports/{kind}.csv", summary=f"Export {kind} as CSV (streamed)",
                response_class=StreamingResponse, name=f"export_{kind}_csv")
    def csv_export(event_id: str, ctx: TenantContext = Ctx):
        filename, chunks = exports.open_csv_stream(ctx, event_id, kind)
        return StreamingResponse(chunks, media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @router.get(f"/events/{{event_id}}/exports/{kind}.xlsx", summary=f"Export {kind} as XLSX",
                response_class=FileResponse, name=f"export_{kind}_xlsx")
    def xlsx_export(event_id: str, ctx: TenantContext = Ctx):
        filename, path = exports.build_xlsx(ctx, event_id, kind)
        return FileResponse(path, media_type=XLSX, filename=filename, background=BackgroundTask(path.unlink))

    @router.post(f"/events/{{event_id}}/exports/{kind}", status_code=202, summary=f"Start a background {kind} export",
                 name=f"export_{kind}_start")
    def start(event_id: str, format: str = Query("csv", max_length=8), ctx: TenantContext = Ctx) -> dict:
        with session_scope() as s:
            job = request_export(s, ctx, event_id=event_id, kind=kind, fmt=format)
            return {"export": export_view(s, job)}

    @router.get(f"/events/{{event_id}}/exports/{kind}/{{export_id}}", summary=f"Progress of a {kind} export",
                name=f"export_{kind}_status")
    def status(event_id: str, export_id: str, ctx: TenantContext = Ctx) -> dict:
        with session_scope() as s:
            job = _job(s, ctx, event_id, export_id, kind)
            return {"export": export_view(s, job)}

    @router.get(f"/events/{{event_id}}/exports/{kind}/{{export_id}}/file", summary=f"Download a finished {kind} export",
                response_class=FileResponse, name=f"export_{kind}_file")
    def file(event_id: str, export_id: str, ctx: TenantContext = Ctx):
        with session_scope() as s:
            job = _job(s, ctx, event_id, export_id, kind)
            filename, path = export_jobs.file_of(s, job)
        return FileResponse(path, media_type=_media(filename), filename=filename)


def _job(s, ctx: TenantContext, event_id: str, export_id: str, kind: str):
    job = get_export(s, ctx, export_id)
    if str(job.event_id) != event_id:
        raise NotFound("not_found", "Export not found")
    if job.kind != kind:  # the path's kind decides the scope, so it must be the job's
        raise Conflict("wrong_kind", f"This is a {job.kind} export", {"kind": job.kind})
    return job


for _kind in KINDS:
    _routes(_kind)


@router.get("/exports/{export_id}/download", summary="Download an export through a signed link",
            response_class=FileResponse)
def download(export_id: str, token: str = Query("", max_length=200)):
    with session_scope() as s:
        filename, path = verify_download(s, export_id, token)
    return FileResponse(path, media_type=_media(filename), filename=filename)
