"""`/settings/audit` — who did what, when, to which object (owners and admins), each entry linking to its object."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.audit_ui import entries_table
from voelgoed.pages.components.catalog_ui import loading_block
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.audit import AuditState as A
from voelgoed.state.session import SessionState


def _filters() -> rx.Component:
    return rx.form(rx.flex(
        rx.input(name="who", placeholder="Who (e-mail, name, key, scanner, or system)", default_value=A.who,
                 id="audit-who", min_width="220px"),
        rx.input(name="what", placeholder="What (order, refund.processed …)", default_value=A.what, id="audit-what",
                 min_width="200px"),
        rx.input(name="target", placeholder="Object (order or ticket code, id, type)", default_value=A.target,
                 id="audit-target", min_width="220px"),
        rx.input(name="since", type="date", default_value=A.since, id="audit-since"),
        rx.input(name="until", type="date", default_value=A.until, id="audit-until"),
        rx.button(rx.icon("search", size=14), "Filter", type="submit", id="audit-apply"),
        rx.button("Clear", type="button", variant="soft", color_scheme="gray", on_click=A.clear),
        spacing="2", wrap="wrap", align="center"), on_submit=A.apply, width="100%")


def audit_page() -> rx.Component:
    return organiser_page(
        "Audit log", "settings",
        rx.cond(A.loading, loading_block(), rx.cond(
            A.forbidden, empty_state("lock", "Owners and admins only", "Ask an owner of the organisation."),
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Settings", size="2")), href="/settings"),
                _filters(),
                rx.cond(A.entries.length() > 0, entries_table(A.entries, "audit-entries"),
                        rx.text("Nothing matches these filters.", size="2", color_scheme="gray", id="audit-empty")),
                rx.cond(A.next_before != "", rx.button("Older entries", variant="soft", on_click=A.older,
                                                       id="audit-older")),
                spacing="4", width="100%", align="stretch"),
        )),
    )


def register(app: rx.App) -> None:
    app.add_page(audit_page, route="/settings/audit", title="Audit log · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, A.load])
