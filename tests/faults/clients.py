"""Real HTTP clients for the fault tests: buyers and door scanners that retry as a real client does.

A 503 (``busy``, ``Retry-After``) or a broken connection is retried (the same request, the same
``client_scan_id``); any other 5xx is a failure the test reports (no input may produce a 500).
Every outcome is recorded so the test can prove afterwards what the clients were told.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx

GIVE_UP_S = 60.0


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    paid: list[str] = field(default_factory=list)  # order codes the sandbox answered "paid" for
    lost_checkouts: int = 0  # checkout committed but its answer was lost; the retry is told already_checked_out
    sold_out: int = 0
    scans_ok: dict[str, dict] = field(default_factory=dict)  # (device token tail + client_scan_id) → answer
    progress: int = 0  # completed journeys / scans
    sent: set[str] = field(default_factory=set)  # every (token tail:client_scan_id) a scanner sent

    def add(self, **kw) -> None:
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)


def call(http: httpx.Client, rec: Record, method: str, url: str, **kw) -> httpx.Response:
    """One logical request, retried on 503 and transport errors until it gets another answer."""
    end = time.monotonic() + GIVE_UP_S
    while True:
        try:
            r = http.request(method, url, timeout=15, **kw)
        except httpx.TransportError as exc:
            r, why = None, repr(exc)
        else:
            if r.status_code != 503 and r.status_code < 500:
                return r
            why = f"{r.status_code} {r.text[:200]}"
            if r.status_code != 503:
                rec.errors.append(f"{method} {url}: {why}")
                return r
        rec.add(retries=1)
        if time.monotonic() > end:
            raise AssertionError(f"{method} {url} kept failing: {why}")
        time.sleep(min(float(r.headers.get("Retry-After", "0.3")) if r is not None else 0.3, 0.5))


def buyer(base: str, rec: Record, *, slug: str, tt_id: str, journeys: int, stop: threading.Event, seed: int) -> None:
    """hold → checkout → sandbox Pay, ``journeys`` times (or until sold out)."""
    rnd = random.Random(seed)
    with httpx.Client(base_url=base) as http:
        for n in range(journeys):
            if stop.is_set():
                return
            try:
                r = call(http, rec, "POST", f"/api/v1/public/events/{slug}/holds",
                         json={"items": [{"ticket_type_id": tt_id, "quantity": rnd.randint(1, 3)}]})
                if r.status_code == 409 and r.json()["error"]["code"] in ("sold_out", "insufficient_inventory"):
                    rec.add(sold_out=1)
                    continue
                assert r.status_code == 201, r.text
                hold_id = r.json()["hold_id"] if "hold_id" in r.json() else r.json()["id"]
                r = call(http, rec, "POST", f"/api/v1/public/holds/{hold_id}/checkout",
                         json={"buyer_name": "Fault Buyer", "buyer_email": f"buyer-{seed}-{n}@example.co.za"})
                if r.status_code == 409 and r.json()["error"]["code"] == "already_checked_out":
                    rec.add(lost_checkouts=1)  # the first attempt committed; its answer never arrived
                    continue
                assert r.status_code == 201, r.text
                reference = r.json()["payment"]["reference"]
                r = call(http, rec, "POST", f"/api/v1/sandbox/payments/{reference}/complete", json={"outcome": "success"})
                assert r.status_code == 200 and r.json()["status"] == "paid", r.text
                with rec.lock:
                    rec.paid.append(r.json()["order_code"])
                    rec.progress += 1
            except Exception as exc:  # recorded, the test fails on it
                rec.errors.append(f"buyer {seed}: {exc!r}")
                return


def online_scanner(base: str, rec: Record, *, token: str, qrs: list[str], stop: threading.Event) -> None:
    """``POST /scanner/scans`` for each QR; a failed attempt is retried with the same ``client_scan_id``."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth) as http:
        for qr in qrs:
            if stop.is_set():
                return
            csid = uuid.uuid4().hex
            with rec.lock:
                rec.sent.add(f"{token[-8:]}:{csid}")
            try:
                r = call(http, rec, "POST", "/api/v1/scanner/scans", json={"qr": qr, "gate_code": "MAIN", "client_scan_id": csid})
                assert r.status_code == 200, r.text
                with rec.lock:
                    rec.scans_ok[f"{token[-8:]}:{csid}"] = {**r.json(), "_online": True}
                    rec.progress += 1
            except Exception as exc:
                rec.errors.append(f"scanner: {exc!r}")
                return
            time.sleep(0.02)


def offline_scanner(base: str, rec: Record, *, token: str, qrs: list[str], batch: int, stop: threading.Event) -> None:
    """Offline scans uploaded with ``POST /scanner/sync`` in batches; a failed upload is sent again as is."""
    from datetime import UTC, datetime, timedelta

    auth = {"Authorization": f"Bearer {token}"}
    t0 = datetime.now(UTC) - timedelta(minutes=30)
    scans = [{"client_scan_id": uuid.uuid4().hex, "qr": qr, "gate_code": "MAIN",
              "scanned_at": (t0 + timedelta(seconds=i)).isoformat(), "local_result": "accepted"} for i, qr in enumerate(qrs)]
    with httpx.Client(base_url=base, headers=auth) as http:
        for i in range(0, len(scans), batch):
            if stop.is_set():
                return
            chunk = scans[i:i + batch]
            with rec.lock:
                rec.sent.update(f"{token[-8:]}:{x['client_scan_id']}" for x in chunk)
            try:
                r = call(http, rec, "POST", "/api/v1/scanner/sync", json={"scans": chunk})
                assert r.status_code == 200, r.text
                results = r.json()["results"]
                assert [x["client_scan_id"] for x in results] == [s["client_scan_id"] for s in chunk], results
                with rec.lock:
                    for x in results:
                        rec.scans_ok[f"{token[-8:]}:{x['client_scan_id']}"] = x
                    rec.progress += len(chunk)
            except Exception as exc:
                rec.errors.append(f"sync: {exc!r}")
                return
            time.sleep(0.05)
