"""Scanner API (device token) and the organiser's device/stats endpoints (API key). See api-v1.md.

- ``POST /api/v1/events/{event_id}/devices`` {name, gate_code?} → 201 {id, token, pairing_code, pairing_expires_at}
- ``GET  /api/v1/events/{event_id}/stats`` → the :mod:`voelgoed.services.insights.stats` shape
- ``POST /api/v1/scanner/pair`` {pairing_code} → {token, event, gate_code} (rate-limited per address)
- ``POST /api/v1/scanner/sign-in`` {email, password, event_id?, gate_code?} → 200 {events} or 201 {token, event, …}
  (door staff on their own phone; :mod:`voelgoed.services.gate.door_signin`)
- ``GET  /api/v1/scanner/manifest`` → :func:`voelgoed.services.gate.scanning.manifest`
- ``POST /api/v1/scanner/scans`` {qr, gate_code?, scanned_at?, client_scan_id} → {result, ticket?, …}
- ``POST /api/v1/scanner/sync`` {scans: [...]} → {results: [...]}
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from voelgoed.api.deps import bearer_token, client_address, require_scope
from voelgoed.services.gate import devices, door_signin, scan_sync, scanning
from voelgoed.services.insights import stats
from voelgoed.services.platform import TenantContext, hit, session_scope

router = APIRouter(prefix="/api/v1")


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=120)
    gate_code: str | None = Field(default=None, max_length=32)


class PairIn(BaseModel):
    pairing_code: str = Field(min_length=1, max_length=64)


class DoorSignInIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(max_length=400)
    password: str = Field(max_length=1000)
    event_id: str | None = Field(default=None, max_length=64)
    gate_code: str | None = Field(default=None, max_length=64)


# a real ticket QR is ~200 characters (docs/ticket-identity.md); longer is 422, never parsed
MAX_QR_LENGTH = 1024


class ScanIn(BaseModel):
    # qr is free text on purpose: anything unreadable (up to MAX_QR_LENGTH) is answered {"result": "invalid"}
    qr: str = Field(max_length=MAX_QR_LENGTH)
    gate_code: str | None = Field(default=None, max_length=32)
    scanned_at: datetime | None = None
    client_scan_id: str = Field(min_length=1, max_length=64)


class SyncScanIn(BaseModel):
    client_scan_id: str = Field(min_length=1, max_length=64)
    qr: str | None = Field(default=None, max_length=MAX_QR_LENGTH)
    gate_code: str | None = Field(default=None, max_length=32)
    scanned_at: datetime
    local_result: str | None = Field(default=None, max_length=40)


class SyncIn(BaseModel):
    scans: list[SyncScanIn] = Field(max_length=scan_sync.MAX_BATCH)


@router.post("/events/{event_id}/devices", status_code=201)
def create_device(event_id: str, body: DeviceIn, ctx: TenantContext = Depends(require_scope("devices:write"))):
    with session_scope() as session:
        device, token, code = devices.create_device(session, ctx, event_id=event_id, name=body.name, gate_code=body.gate_code)
        return {"id": str(device.id), "name": device.name, "token": token, "pairing_code": code,
                "pairing_expires_at": device.pairing_expires_at.isoformat()}


@router.get("/events/{event_id}/stats")
def event_stats(event_id: str, ctx: TenantContext = Depends(require_scope("events:read"))):
    with session_scope() as session:
        return stats.event_stats(session, ctx, event_id)


@router.post("/scanner/pair")
def pair(body: PairIn, request: Request):
    hit("scanner-pair", client_address(request), "20/minute")
    with session_scope() as session:
        device, token = devices.pair_device(session, pairing_code=body.pairing_code)
        m = scanning.manifest(session, device)
        return {"token": token, "device": m["device"], "event": m["event"], "gate_code": m["device"]["gate_code"]}


@router.post("/scanner/sign-in", responses={201: {"description": "device registered: {token, device, event, gate_code}"}})
def door_sign_in(body: DoorSignInIn, request: Request):
    """Door staff sign in on their own phone (docs/scanner-contract.md).

    Without ``event_id`` → ``200 {events: [{id, name, starts_at, ends_at, organization_name, gates: [gate_code]}]}``;
    with ``event_id`` (and optional ``gate_code``) → ``201 {token, device, event, gate_code}`` like ``/scanner/pair``.
    Errors: 401 ``invalid_credentials``, 403 ``forbidden``, 404 ``not_found``, 409 ``event_not_scannable``,
    422 ``validation_failed`` (unknown gate), 429 ``rate_limited``.
    """
    with session_scope() as session:
        answer = door_signin.sign_in_scanner(session, email=body.email, password=body.password,
                                             client_address=client_address(request), event_id=body.event_id,
                                             gate_code=body.gate_code)
        return JSONResponse(answer, status_code=201 if "token" in answer else 200)


def _device(session, authorization: str | None):
    return devices.authenticate_device(session, bearer_token(authorization))


@router.get("/scanner/manifest")
def manifest(authorization: str | None = Header(default=None)):
    with session_scope() as session:
        return scanning.manifest(session, _device(session, authorization))


@router.post("/scanner/scans")
def scan(body: ScanIn, authorization: str | None = Header(default=None)):
    with session_scope() as session:
        device = _device(session, authorization)
        return JSONResponse(scanning.scan(session, device, qr=body.qr, gate_code=body.gate_code, scanned_at=body.scanned_at,
                                          client_scan_id=body.client_scan_id))


@router.post("/scanner/sync")
def sync(body: SyncIn, authorization: str | None = Header(default=None)):
    with session_scope() as session:
        device = _device(session, authorization)
        results = scan_sync.sync(session, device, scans=[s.model_dump() for s in body.scans])
        return {"results": results}
