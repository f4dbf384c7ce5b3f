"""Exports (issue 13, item 5): every kind checked row by row against the rows we made, CSV and XLSX,
formula-injection escaping, who may export, and the background job (outbox → real RQ worker → file, progress)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from rq import SimpleWorker

from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import make_device, make_order_with_tickets
from voelgoed.config import get_settings
from voelgoed.models import ExportJob, OutboxEntry, Payment, Refund, Scan
from voelgoed.services.insights import COLUMNS, export_jobs, exports
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError, drain_outbox, queue

T0 = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def ctx(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def world(session):
    """One event with two orders (3 tickets), one check-in plus a rejected scan, one refund; and a
    second event of the same organisation that must never leak in."""
    org = make_org(session)
    event = make_event(session, org, starts_in=timedelta(hours=-1))
    ga = make_ticket_type(session, event, name="General", price_cents=15000)
    vip = make_ticket_type(session, event, name="VIP", price_cents=50000)
    o1, t1 = make_order_with_tickets(session, ga, quantity=2, holder_name="Thandi Mokoena")
    o2, t2 = make_order_with_tickets(session, vip, quantity=1, holder_name="=HYPERLINK(\"http://x\")")
    o1.created_at, o2.created_at = T0, T0 + timedelta(minutes=5)
    o1.buyer_email, o2.buyer_email = "thandi@example.co.za", "mal@example.com"
    for t in t1 + t2:
        t.issued_at = T0
    t1[0].holder_email = "sipho@example.co.za"
    t1[0].holder_name = "Sipho Dlamini"
    t1[0].status, t1[0].checked_in_at, t1[0].checked_in_gate_code = "checked_in", T0 + timedelta(hours=2), "MAIN"
    device, _ = make_device(session, event, name="North phone")
    session.add(Scan(organization_id=org.id, event_id=event.id, device_id=device.id, ticket_id=t1[0].id,
                     client_scan_id="s1", gate_code="MAIN", result="accepted", scanned_at=T0 + timedelta(hours=2)))
    session.add(Scan(organization_id=org.id, event_id=event.id, device_id=device.id, ticket_id=None,
                     client_scan_id="s2", gate_code="MAIN", result="invalid", offline=True,
                     scanned_at=T0 + timedelta(hours=2, minutes=1)))
    pay = Payment(organization_id=org.id, order_id=o2.id, provider="sandbox", reference=f"ref-{uuid.uuid4().hex[:8]}",
                  status="succeeded", amount_cents=50000)
    session.add(pay)
    session.flush()
    session.add(Refund(organization_id=org.id, order_id=o2.id, event_id=event.id, payment_id=pay.id, provider="sandbox",
                       status="processed", amount_cents=20000, reason="Double booking", request_key="k",
                       requested_by="owner@example.co.za", provider_reference="RF-1", created_at=T0 + timedelta(days=1),
                       processed_at=T0 + timedelta(days=1, minutes=1)))
    other = make_event(session, org)
    make_order_with_tickets(session, make_ticket_type(session, other), quantity=4, holder_name="Elsewhere")
    session.flush()
    return org, event, (o1, t1), (o2, t2)


def rows_of(session, kind, event):
    raw = b"".join(exports.stream_csv(exports.iter_rows(session, kind, event)))
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_every_kind_row_by_row(db):
    org, event, (o1, t1), (o2, t2) = world(db)
    orders = rows_of(db, "orders", event)
    assert orders == [list(COLUMNS["orders"]),
                      [o1.order_code, "paid", "Thandi Mokoena", "thandi@example.co.za", "2", "30000", "ZAR", "sandbox",
                       T0.isoformat(), o1.paid_at.isoformat()],
                      [o2.order_code, "paid", "'=HYPERLINK(\"http://x\")", "mal@example.com", "1", "50000", "ZAR",
                       "sandbox", (T0 + timedelta(minutes=5)).isoformat(), o2.paid_at.isoformat()]]
    tickets = rows_of(db, "tickets", event)
    assert tickets[0] == list(COLUMNS["tickets"])
    first_two = sorted(tickets[1:3], key=lambda r: r[0])
    expected = sorted([[t1[0].ticket_code, "checked_in", "General", "Sipho Dlamini", "sipho@example.co.za", o1.order_code,
                        "Thandi Mokoena", "thandi@example.co.za", (T0 + timedelta(hours=2)).isoformat(), "MAIN", "", "", ""],
                       [t1[1].ticket_code, "valid", "General", "Thandi Mokoena", "", o1.order_code, "Thandi Mokoena",
                        "thandi@example.co.za", "", "", "", "", ""]], key=lambda r: r[0])
    assert first_two == expected
    assert tickets[3] == [t2[0].ticket_code, "valid", "VIP", "'=HYPERLINK(\"http://x\")", "", o2.order_code,
                          "'=HYPERLINK(\"http://x\")", "mal@example.com", "", "", "", "", ""]
    assert len(tickets) == 4  # the other event's four tickets are not here
    assert rows_of(db, "checkins", event) == [
        list(COLUMNS["checkins"]),
        [(T0 + timedelta(hours=2)).isoformat(), "accepted", t1[0].ticket_code, "General", "Sipho Dlamini", "MAIN",
         "North phone", "no"],
        [(T0 + timedelta(hours=2, minutes=1)).isoformat(), "invalid", "", "", "", "MAIN", "North phone", "yes"]]
    assert rows_of(db, "refunds", event) == [
        list(COLUMNS["refunds"]),
        [(T0 + timedelta(days=1)).isoformat(), o2.order_code, "processed", "20000", "ZAR", "Double booking", "manual",
         "RF-1", (T0 + timedelta(days=1, minutes=1)).isoformat(), "owner@example.co.za"]]
    assert [exports.count_rows(db, k, event) for k in exports.KINDS] == [2, 3, 2, 1]


def test_xlsx_matches_csv_row_by_row(db, tmp_path):
    _org, event, _a, _b = world(db)
    for kind in exports.KINDS:
        path = tmp_path / f"{kind}.xlsx"
        written = exports.write_xlsx(exports.iter_rows(db, kind, event), path, title=kind)
        sheet = load_workbook(path, read_only=True)[kind]
        got = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        assert got == rows_of(db, kind, event), kind
        assert written == len(got) - 1


def test_csv_is_streamed_in_chunks(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=2000)
    make_order_with_tickets(db, tt, quantity=1200)
    chunks = list(exports.stream_csv(exports.iter_rows(db, "tickets", event), chunk_rows=500))
    assert len(chunks) == 1 + 3  # the BOM, then 1201 lines in chunks of at most 500
    lines = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(lines) == 1201 and len({row[0] for row in lines[1:]}) == 1200


def test_who_may_export_and_bad_input(db):
    org, event, _a, _b = world(db)
    for role in ("owner", "admin", "staff", "viewer"):
        assert exports.export_event(db, ctx(org, role), event.id).id == event.id
    with pytest.raises(VoelgoedError) as err:
        exports.export_event(db, ctx(org, "scanner_only"), event.id)
    assert err.value.code == "forbidden"
    with pytest.raises(VoelgoedError) as err:
        exports.export_event(db, ctx(make_org(db)), event.id)
    assert err.value.code == "not_found"
    for kind, fmt, field in (("payouts", "csv", "kind"), ("orders", "pdf", "format")):
        with pytest.raises(VoelgoedError) as err:
            export_jobs.request_export(db, ctx(org), event_id=event.id, kind=kind, fmt=fmt)
        assert err.value.code == "validation_failed" and field in err.value.details["fields"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_background_export_through_outbox_and_worker(committed_db, redis_client, tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(get_settings(), "media_dir", tmp_path)
    db = committed_db
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=3000)
    make_order_with_tickets(db, tt, quantity=2500, holder_name="Ayanda Zulu")
    db.commit()
    owner = ctx(org)
    job = export_jobs.request_export(db, owner, event_id=event.id, kind="tickets", fmt=fmt)
    assert job.status == "queued"
    assert db.query(OutboxEntry).filter(OutboxEntry.topic == "export.requested").count() == 1
    drain_outbox()  # the nudge may have drained already: then this finds nothing
    q = queue.get_queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    db.expire_all()
    done = db.get(ExportJob, job.id)
    assert (done.status, done.rows_total, done.rows_done, done.error) == ("done", 2500, 2500, "")
    filename, path = export_jobs.export_file(db, owner, job.id)
    assert filename.endswith(f"-tickets-{done.created_at:%Y%m%d-%H%M}.{fmt}") and path.parent.name == str(org.id)
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    else:
        lines = [list(r) for r in load_workbook(path, read_only=True)["tickets"].iter_rows(values_only=True)]
    assert lines[0] == list(COLUMNS["tickets"]) and len(lines) == 2501
    assert {r[3] for r in lines[1:]} == {"Ayanda Zulu"}
    view = export_jobs.export_view(db, done)
    assert (view["percent"], view["status"]) == (100, "done")
    # idempotent: a second run (a replayed job) changes nothing
    assert export_jobs.run_export(job.id) == "done"
    # the signed link opens the file; a tampered or expired one does not
    token = export_jobs.download_token(job.id)
    assert export_jobs.verify_download(db, job.id, token)[1] == path
    for bad, now in ((token[:-1] + ("0" if token[-1] != "0" else "1"), None),
                     (token, datetime.now(UTC) + timedelta(hours=1)), ("garbage", None)):
        with pytest.raises(VoelgoedError) as err:
            export_jobs.verify_download(db, job.id, bad, now=now)
        assert err.value.code == "not_found"
    # another organisation cannot read it
    with pytest.raises(VoelgoedError) as err:
        export_jobs.get_export(db, ctx(make_org(db)), job.id)
    assert err.value.code == "not_found"


def test_progress_is_written_while_running(committed_db, tmp_path, monkeypatch):
    """rows_done grows in its own transactions while the file is written (what the page polls)."""
    monkeypatch.setattr(get_settings(), "media_dir", tmp_path)
    monkeypatch.setattr(exports, "BATCH", 100)
    db = committed_db
    org = make_org(db)
    event = make_event(db, org)
    make_order_with_tickets(db, make_ticket_type(db, event, quantity=500), quantity=350)
    db.commit()
    job = ExportJob(organization_id=org.id, event_id=event.id, kind="tickets", format="csv")
    db.add(job)
    db.commit()
    seen = []
    real_set = export_jobs._set

    def spy(eid, **values):
        real_set(eid, **values)
        if "rows_done" in values and "status" not in values:
            db.expire_all()
            seen.append((db.get(ExportJob, eid).status, db.get(ExportJob, eid).rows_done))

    monkeypatch.setattr(export_jobs, "_set", spy)
    assert export_jobs.run_export(job.id) == "done"
    assert seen == [("running", 100), ("running", 200), ("running", 300)]


def test_failed_export_is_recorded(committed_db, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "media_dir", tmp_path / "file-not-dir")
    (tmp_path / "file-not-dir").write_text("x")  # the export folder cannot be created
    db = committed_db
    org = make_org(db)
    event = make_event(db, org)
    db.commit()
    job = ExportJob(organization_id=org.id, event_id=event.id, kind="orders", format="csv")
    db.add(job)
    db.commit()
    assert export_jobs.run_export(job.id) == "failed"
    db.expire_all()
    failed = db.get(ExportJob, job.id)
    assert failed.status == "failed" and failed.error.startswith(("FileExistsError", "NotADirectoryError"))
    with pytest.raises(VoelgoedError) as err:
        export_jobs.export_file(db, ctx(org), job.id)
    assert err.value.code == "export_not_ready"
