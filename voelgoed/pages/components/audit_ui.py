"""The audit entries table, shared by `/settings/audit` and the order page's history panel."""

from __future__ import annotations

import reflex as rx


def entries_table(rows, id: str) -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("When (UTC)", "Who", "What", "Object",
                                                                                  "Details")])),
        rx.table.body(rx.foreach(rows, lambda e: rx.table.row(
            rx.table.cell(rx.text(e["when"], size="1", white_space="nowrap")),
            rx.table.cell(e["actor"]),
            rx.table.cell(rx.code(e["action"])),
            rx.table.cell(rx.cond(e["link"] != "",
                                  rx.link(e["target_type"], " ", e["target"], href=e["link"], class_name="audit-link"),
                                  rx.text(e["target_type"], " ", e["target"]))),
            rx.table.cell(rx.text(e["data"], size="1", color_scheme="gray", font_family="monospace")),
            class_name="audit-entry"))),
        variant="ghost", width="100%", id=id), overflow_x="auto", width="100%")
