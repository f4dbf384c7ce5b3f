"""Paid orders end to end: hold → checkout → sandbox payment (real webhook handler) → tickets → PDFs + e-mail.

A closed loop of ORDERS_CLIENTS (16) httpx clients against the production-mode app (``bench/common.py``:
2 granian workers + one RQ worker, own database and Redis). Each client repeats, until ORDERS_N orders
are paid:

1. ``POST /api/v1/public/events/{slug}/holds`` (ORDERS_TICKETS tickets, default 1)
2. ``POST /api/v1/public/holds/{hold_id}/checkout`` (the server chooses the sandbox provider)
3. ``POST /api/v1/sandbox/payments/{reference}/complete`` ``{"outcome": "success"}`` — a signed webhook
   delivered to the platform's own webhook processing (``payments.process_webhook``), which marks the
   order paid, issues the signed tickets and writes the ``order.paid`` outbox entry in one transaction
4. ``GET /api/v1/public/orders/{code}?access_token=…`` until ``status == "paid"`` with its tickets
   ("paid with tickets"; latency measured from step 1).

The worker drains the outbox meanwhile (ticket PDFs to MEDIA_DIR, confirmation e-mail with the PDFs
over real SMTP to an aiosmtpd server in this process). Figures: paid orders/s over the loop, p50/p99
to "paid with tickets", the drain (last ``order.paid`` entry done, counted from the start of the loop;
per-entry queue time created → processed), orders/s including the drain, CPU seconds of the web and
worker process trees (``psutil``, children included) per paid order, and the buyer order page's cost
per view (``ticket_views.buyer_order_page``, first and repeated view, in this process against the same
database). At the end every ticket's stored PDF is rasterised (pypdfium2) and its QR decoded (zxing-cpp)
and compared with the ticket's ``qr_payload``, and every order must have exactly one e-mail whose PDF
attachments are the stored files.

A failed attempt (any non-2xx answer or a client timeout of 30 s) is counted under ``errors`` and the
client starts a new order (at most 2 × ORDERS_N attempts).

Env: ORDERS_N (200), ORDERS_CLIENTS (16), ORDERS_TICKETS (1), ORDERS_DRAIN_TIMEOUT_S (600),
ORDERS_PAGE_VIEWS (50 orders viewed). Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import resource
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "var" / "bench" / "media"
os.environ["MEDIA_DIR"] = str(MEDIA)  # the server writes the PDFs here; this process reads them back

from bench import common  # noqa: E402


class _Inbox:
    """aiosmtpd handler keeping every message (bytes) with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        with self.lock:
            self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _loop(base: str, slug: str, tt_id: str, *, orders: int, clients: int, tickets: int) -> dict:
    import httpx

    lat: list[float] = []
    done: list[dict] = []
    errors: dict[str, int] = {}
    polls = 0
    started = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    def error(key: str) -> None:
        errors[key] = errors.get(key, 0) + 1

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal polls
        t0 = time.perf_counter()
        r = await client.post(f"/api/v1/public/events/{slug}/holds",
                              json={"items": [{"ticket_type_id": tt_id, "quantity": tickets}]})
        if r.status_code != 201:
            return error(f"hold:{r.status_code}")
        r = await client.post(f"/api/v1/public/holds/{r.json()['hold_id']}/checkout",
                              json={"buyer_name": "Bench Buyer", "buyer_email": "buyer@example.co.za"})
        if r.status_code != 201:
            return error(f"checkout:{r.status_code}")
        order = r.json()
        r = await client.post(f"/api/v1/sandbox/payments/{order['payment']['reference']}/complete",
                              json={"outcome": "success"})
        if r.status_code != 200:
            return error(f"complete:{r.status_code}")
        for _ in range(200):
            polls += 1
            r = await client.get(f"/api/v1/public/orders/{order['order_code']}",
                                 params={"access_token": order["access_token"]})
            body = r.json() if r.status_code == 200 else {}
            if body.get("status") == "paid" and len(body.get("tickets") or []) == tickets:
                lat.append(time.perf_counter() - t0)
                done.append({"order_code": order["order_code"], "access_token": order["access_token"]})
                return None
            await asyncio.sleep(0.05)
        return error("never_paid_with_tickets")

    in_flight = 0

    async def worker(client: httpx.AsyncClient) -> None:
        # closed loop until ``orders`` are paid with their tickets; a failed attempt is counted and retried
        # (at most 2 × orders attempts in all)
        nonlocal started, in_flight
        while len(done) + in_flight < orders and started < 2 * orders:
            started += 1
            in_flight += 1
            try:
                await one(client)
            except httpx.HTTPError as exc:
                error("exception:" + type(exc).__name__)
            finally:
                in_flight -= 1

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        t_start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.perf_counter() - t_start
    return {"lat": lat, "done": done, "errors": errors, "elapsed": elapsed, "polls": polls, "attempts": started}


def _trees():
    """``{"web": [psutil.Process], "worker": [...]}``: this process's descendants, by what they run."""
    import psutil

    me = psutil.Process()
    out: dict[str, list] = {"web": [], "worker": []}
    workers = [p for p in me.children() if "worker" in " ".join(p.cmdline())]
    worker_pids = {p.pid for w in workers for p in [w, *w.children(recursive=True)]}
    for p in me.children(recursive=True):
        out["worker" if p.pid in worker_pids else "web"].append(p)
    return out


def _cpu(procs) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except Exception:  # a process that ended (its time is then in its parent's children_* figures)
            pass
    return total


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _wait_for_drain(engine, *, expected: int, timeout_s: float) -> dict:
    """Poll until ``expected`` ``order.paid`` entries are done; returns their timing (UTC datetimes)."""
    from sqlalchemy import text

    deadline = time.monotonic() + timeout_s
    while True:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'dead'), "
                "min(created_at), max(processed_at) FROM outboxentry WHERE topic = 'order.paid'")).one()
        done, dead, first_created, last_processed = row
        if done + dead >= expected or time.monotonic() > deadline:
            with engine.connect() as conn:
                waits = [r[0] for r in conn.execute(text(
                    "SELECT EXTRACT(EPOCH FROM processed_at - created_at) FROM outboxentry "
                    "WHERE topic = 'order.paid' AND status = 'done'"))]
            return {"done": done, "dead": dead, "first_created": first_created, "last_processed": last_processed,
                    "queue_s": [float(w) for w in waits]}
        time.sleep(0.5)


def _check(engine, done: list[dict], inbox: _Inbox, tickets_per_order: int) -> dict:
    """Every ticket's stored PDF decodes to its QR; every order has exactly one e-mail carrying those PDFs."""
    import pypdfium2 as pdfium
    import zxingcpp
    from sqlmodel import Session, select

    from voelgoed.models import Order, Ticket
    from voelgoed.services.tickets import is_current, media_path

    mails: dict[str, list] = {}
    for raw in inbox.messages:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        code = str(msg["Subject"]).rsplit("·", 1)[-1].strip()
        mails.setdefault(code, []).append(msg)
    problems: dict[str, int] = {}

    def bad(key: str) -> None:
        problems[key] = problems.get(key, 0) + 1

    checked_pdfs = 0
    with Session(engine) as session:
        for d in done:
            order = session.exec(select(Order).where(Order.order_code == d["order_code"])).one()
            tix = session.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
            if order.status != "paid" or len(tix) != tickets_per_order:
                bad("order_not_paid_with_tickets")
            stored = {}
            for t in tix:
                if not is_current(t):
                    bad("pdf_missing")
                    continue
                data = media_path(t.pdf_path).read_bytes()
                stored[t.ticket_code] = data
                page = pdfium.PdfDocument(data)[0]
                texts = [r.text for r in zxingcpp.read_barcodes(page.render(scale=1).to_pil())]
                checked_pdfs += 1
                if texts != [t.qr_payload]:
                    bad("pdf_qr_mismatch")
            got = mails.get(order.order_code, [])
            if len(got) != 1:
                bad(f"emails_{len(got)}")
                continue
            attached = {a.get_filename(): a.get_content() for a in got[0].iter_attachments()}
            for code, data in stored.items():
                if attached.get(f"ticket-{order.order_code}-{code}.pdf") != data:
                    bad("email_attachment_mismatch")
    return {"orders_checked": len(done), "pdfs_decoded": checked_pdfs, "emails": len(inbox.messages),
            "problems": problems, "ok": not problems}


def _order_page_cost(done: list[dict], views: int) -> dict:
    """CPU and wall ms per buyer order page read (the Reflex state's ``_read``): first view and repeat views."""
    from voelgoed.services.platform import session_scope
    from voelgoed.services.tickets import ticket_views

    def view(d) -> tuple[float, float]:
        c0, w0 = time.process_time(), time.perf_counter()
        with session_scope() as session:
            page = ticket_views.buyer_order_page(session, order_code=d["order_code"], access_token=d["access_token"])
        assert page["tickets"] and page["tickets"][0]["qr_svg"].startswith("data:image/svg+xml")
        return 1000 * (time.process_time() - c0), 1000 * (time.perf_counter() - w0)

    sample = done[:views]
    first = [view(d) for d in sample]
    repeat = [view(d) for d in sample for _ in range(3)]

    def summary(xs):
        if not xs:
            return {}
        return {"cpu_ms": round(sum(c for c, _ in xs) / len(xs), 2), "wall_ms": round(sum(w for _, w in xs) / len(xs), 2)}

    return {"orders": len(sample), "first_view": summary(first), "repeat_view": summary(repeat)}


def main() -> int:
    n = common.env_int("ORDERS_N", 200)
    clients = common.env_int("ORDERS_CLIENTS", 16)
    per_order = common.env_int("ORDERS_TICKETS", 1)
    from aiosmtpd.controller import Controller

    shutil.rmtree(MEDIA, ignore_errors=True)
    inbox = _Inbox()
    smtp_port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))  # the server's processes inherit these
    common.get_settings.cache_clear()
    engine = common.prepare_database()
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        # enough for every attempt: a failed attempt may leave its hold (BENCH_HOLD_TTL_SECONDS: an hour) in place
        seeded = common.seed_sale(session, quantity=2 * n * per_order + 10, max_per_order=max(per_order, 10))
    try:
        with common.app_server() as base:
            trees = _trees()
            cpu0 = {k: _cpu(v) for k, v in trees.items()}
            self0 = _self_cpu()
            t0_wall = time.time()
            common.log(f"orders: {n} paid orders, {clients} clients, {per_order} ticket(s) each")
            loop = asyncio.run(_loop(base, seeded["slug"], seeded["ticket_type_id"], orders=n, clients=clients,
                                     tickets=per_order))
            loop_cpu = {k: round(_cpu(v) - cpu0[k], 2) for k, v in trees.items()}
            common.log(f"loop done in {loop['elapsed']:.1f}s; waiting for the outbox drain")
            drain = _wait_for_drain(engine, expected=len(loop["done"]),
                                    timeout_s=common.env_int("ORDERS_DRAIN_TIMEOUT_S", 600))
            total_cpu = {k: round(_cpu(v) - cpu0[k], 2) for k, v in trees.items()}
            self_cpu = round(_self_cpu() - self0, 2)
    finally:
        time.sleep(0.5)
        smtp.stop()
    paid = len(loop["done"])
    drain_end_s = (drain["last_processed"].timestamp() - t0_wall) if drain["last_processed"] else None
    common.log("checking every ticket's PDF and e-mail")
    check = _check(engine, loop["done"], inbox, per_order)
    page = _order_page_cost(loop["done"], common.env_int("ORDERS_PAGE_VIEWS", 50))
    figures = {
        "bench": "orders", "orders": n, "clients": clients, "tickets_per_order": per_order,
        "attempts": loop["attempts"], "paid_with_tickets": paid, "errors": loop["errors"],
        "loop_seconds": round(loop["elapsed"], 2), "paid_orders_per_s": round(paid / loop["elapsed"], 1),
        **common.percentiles(loop["lat"]), "order_polls": loop["polls"],
        "drain": {"entries_done": drain["done"], "dead": drain["dead"],
                  "done_after_s": round(drain_end_s, 2) if drain_end_s is not None else None,
                  "after_loop_s": round(drain_end_s - loop["elapsed"], 2) if drain_end_s is not None else None,
                  "queue_time": common.percentiles(drain["queue_s"])},
        "orders_per_s_including_drain": round(paid / max(drain_end_s or 0, loop["elapsed"]), 1),
        "cpu_s": {"during_loop": loop_cpu, "loop_and_drain": total_cpu, "load_generator_and_smtp": self_cpu},
        "cpu_ms_per_paid_order": {k: round(1000 * v / max(paid, 1), 1) for k, v in total_cpu.items()},
        "order_page": page, "check": check,
    }
    common.emit(figures)
    return 0 if check["ok"] and paid == n else 1


if __name__ == "__main__":
    sys.exit(main())
