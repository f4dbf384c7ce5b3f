"""`/events/[event_id]/cancel` — the guided event cancellation (what will happen → confirm → refund
progress with failures and retry) and `/events/[event_id]/money` — sold / refunded / fees / net of the
event, summed from the money ledger."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import loading_block, status_badge
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.event_money import EventMoneyState as M
from voelgoed.state.session import SessionState


def _stat(label: str, value, id: str) -> rx.Component:
    return rx.card(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="6", id=id), min_width="160px")


def _back() -> rx.Component:
    return rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Back to the event", size="2")),
                   href="/events/" + M.event_id)


def _what_happens() -> rx.Component:
    p = M.preview
    return rx.card(
        rx.heading("Cancel ", p["event_name"], "?", size="5"),
        rx.text("This is what happens when you cancel:", size="2", margin_top="8px"),
        rx.unordered_list(
            rx.list_item("Sales stop at once and the public page says the event is cancelled."),
            rx.list_item(p["live_tickets"], " ticket(s) are voided; every scanner answers \u201cevent cancelled\u201d."),
            rx.list_item(p["paid_orders"], " paid order(s) are refunded in full (", p["amount"],
                         ") through the payment provider, in the background."),
            rx.list_item(p["pending_orders"], " unfinished checkout(s) are cancelled."),
            rx.list_item("Every buyer gets an e-mail now, and another when their money is back."),
            margin_top="6px",
        ),
        rx.text("This cannot be undone.", weight="bold", color_scheme="red", size="2"),
        rx.text_area(value=M.reason, on_change=M.set_reason, placeholder="Reason (kept in the audit log)", max_length=500,
                     id="cancel-reason", width="100%", margin_top="10px"),
        rx.hstack(rx.checkbox(checked=M.understood, on_change=M.set_understood, id="cancel-understood"),
                  rx.text("I understand: refund every buyer and cancel the event", size="2"), align="center",
                  margin_top="10px"),
        rx.hstack(rx.link(rx.button("Keep the event", variant="soft", color_scheme="gray"), href="/events/" + M.event_id),
                  rx.button(rx.icon("ban", size=15), "Cancel event and refund everyone", color_scheme="red",
                            on_click=M.confirm_cancel, disabled=~M.understood | M.busy, loading=M.busy,
                            id="confirm-cancel-event"),
                  spacing="3", justify="end", margin_top="14px"),
        width="100%", max_width="720px",
    )


def _progress() -> rx.Component:
    r = M.report
    return rx.vstack(
        rx.callout("This event is cancelled. Refunds run in the background; this page updates by itself.",
                   icon="info", color_scheme="blue", width="100%"),
        rx.progress(value=r["percent"].to(int), max=100, width="100%", id="refund-progress"),
        rx.flex(_stat("Orders refunded", r["refunded"] + " / " + r["orders"], "refunded-count"),
                _stat("In progress", r["in_progress"], "in-progress-count"),
                _stat("Waiting", r["waiting"], "waiting-count"),
                _stat("Failed", r["failed"], "failed-count"),
                _stat("Refunded", r["refunded_amount"], "refunded-amount"),
                _stat("Still to refund", r["remaining"], "remaining-amount"),
                spacing="3", wrap="wrap"),
        rx.cond(r["done"] != "", rx.callout("Every paid order has been refunded.", icon="circle-check", color_scheme="grass",
                                            id="refunds-done", width="100%")),
        rx.cond(M.failed.length() > 0, rx.card(
            rx.hstack(rx.heading("Refunds that failed", size="4"), rx.spacer(),
                      rx.button(rx.icon("rotate-ccw", size=15), "Retry failed refunds", on_click=M.retry_failed,
                                id="retry-failed-refunds"), align="center"),
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Order", "Amount", "Why")])),
                rx.table.body(rx.foreach(M.failed, lambda f: rx.table.row(
                    rx.table.cell(rx.link(rx.code(f["order_code"]), href="/dashboard/orders/" + f["order_id"])),
                    rx.table.cell(f["amount"]), rx.table.cell(f["error"]), class_name="failed-refund"))),
                variant="ghost", width="100%", id="failed-refunds"),
            width="100%")),
        rx.button(rx.icon("refresh-cw", size=15), "Refresh", variant="soft", on_click=M.refresh),
        spacing="3", width="100%", align="stretch",
    )


def cancel_event_page() -> rx.Component:
    return organiser_page(
        "Cancel event", "events",
        rx.cond(M.loading, loading_block(), rx.cond(
            M.not_found, empty_state("search-x", "Event not found", "It may belong to another organisation."),
            rx.vstack(_back(), rx.cond(M.preview["status"] == "cancelled", _progress(), rx.cond(
                (M.preview["status"] == "draft") | (M.preview["status"] == "published") | (M.preview["status"] == "live"),
                _what_happens(),
                rx.callout("This event can no longer be cancelled (" + M.preview["status"] + ").", icon="info"))),
                spacing="4", width="100%", align="stretch"),
        )),
    )


def money_page() -> rx.Component:
    c = M.recon
    return organiser_page(
        "Event money", "events",
        rx.cond(M.loading, loading_block(), rx.cond(
            M.not_found, empty_state("search-x", "Event not found", "It may belong to another organisation."),
            rx.vstack(
                _back(),
                rx.hstack(rx.heading(M.preview["event_name"], size="5"), status_badge(M.preview["status"]), align="center"),
                rx.flex(_stat("Sold", c["sold"], "recon-sold"), _stat("Refunded", c["refunded"], "recon-refunded"),
                        _stat("Provider fees", c["fees"], "recon-fees"), _stat("Net (payout)", c["net"], "recon-net"),
                        _stat("Refunds in flight", c["pending"], "recon-pending"), spacing="3", wrap="wrap"),
                rx.text("Sums of ", c["entries"], " ledger entries (every payment, refund and fee, append-only). "
                        "Net = sold − refunded − fees.", size="2", color_scheme="gray"),
                spacing="4", width="100%", align="stretch",
            ),
        )),
    )


def register(app: rx.App) -> None:
    app.add_page(cancel_event_page, route="/events/[event_id]/cancel", title="Cancel event · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, M.load])
    app.add_page(money_page, route="/events/[event_id]/money", title="Event money · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, M.load])
