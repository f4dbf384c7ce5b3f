"""`/events/[event_id]/marketing` — campaigns, tracked links (short URL, QR to print), promo codes and the
campaign dashboard (issue 15)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import confirm_button, loading_block
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.marketing import MarketingState as M
from voelgoed.state.session import SessionState

CHANNELS = ["email", "social", "print", "partner", "ads", "radio", "other"]
COLUMNS = [("label", "Link"), ("campaign", "Campaign"), ("channel", "Channel"), ("visits", "Visits"),
           ("page_views", "Page views"), ("holds", "Holds"), ("checkouts", "Checkouts"), ("orders", "Orders"),
           ("tickets", "Tickets"), ("abandoned", "Abandoned"), ("revenue", "Revenue"), ("conversion", "Conversion")]


def _stat(label: str, value, id: str) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.heading(value, size="6", id=id), spacing="1"))


def _trend() -> rx.Component:
    """Campaigns over time: per day a bar per campaign (and "Direct / other"), for the chosen figure — bars, so a
    single day (or a gap) still reads; the campaigns stand side by side for comparison."""
    return rx.card(rx.vstack(
        rx.hstack(rx.heading("Campaigns over time", size="3"), rx.spacer(),
                  rx.segmented_control.root(
                      rx.segmented_control.item("Visits", value="visits"),
                      rx.segmented_control.item("Orders", value="orders"),
                      rx.segmented_control.item("Revenue", value="revenue_cents"),
                      value=M.trend_metric, on_change=M.set_trend_metric, size="1", id="trend-metric"),
                  width="100%", align="center"),
        rx.cond(M.trend.length() > 0,
                rx.recharts.bar_chart(
                    rx.foreach(M.trend_series, lambda sr: rx.recharts.bar(
                        data_key=sr["key"].to(str), name=sr["name"].to(str), fill=sr["color"].to(str),
                        max_bar_size=48, radius=[4, 4, 0, 0], is_animation_active=False)),
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                    rx.recharts.x_axis(data_key="day"), rx.recharts.y_axis(allow_decimals=False),
                    rx.recharts.legend(), rx.recharts.graphing_tooltip(),
                    data=M.trend, width="100%", height=260, id="campaign-trend"),
                rx.text("No visits or sales yet. Each campaign gets a bar here per day once its links are visited "
                        "(visits are rolled up every minute) or its orders are paid.", size="2", color_scheme="gray",
                        id="campaign-trend-empty")),
        rx.text("Revenue in rand, by payment day; orders by last touch. UTC days.", size="1", color_scheme="gray"),
        spacing="2", width="100%"), width="100%", id="campaign-trend-card")


def _dashboard() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading("Dashboard", size="4"), rx.spacer(),
                  rx.button("Export CSV", on_click=M.export_csv, variant="soft", id="marketing-csv"), width="100%"),
        rx.flex(_stat("Visits", M.totals["visits"], "mkt-visits"), _stat("Orders", M.totals["orders"], "mkt-orders"),
                _stat("Tickets", M.totals["tickets"], "mkt-tickets"), _stat("Revenue", M.totals["revenue"], "mkt-revenue"),
                spacing="3", wrap="wrap"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="visits", fill=rx.color("blue", 8)),
            rx.recharts.bar(data_key="orders", fill=rx.color("grass", 9)),
            rx.recharts.x_axis(data_key="name"), rx.recharts.y_axis(), rx.recharts.legend(),
            rx.recharts.graphing_tooltip(), data=M.chart, width="100%", height=260),
        _trend(),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t) for _, t in COLUMNS])),
            rx.table.body(rx.foreach(M.rows, lambda r: rx.table.row(*[rx.table.cell(r[k]) for k, _ in COLUMNS]))),
            width="100%", id="marketing-table", size="1"),
        rx.text("Orders, tickets and revenue are paid orders by last touch; funnel steps are counted first-party "
                "(no Do Not Track visitors, no bots) and rolled up every minute.", size="1", color_scheme="gray"),
        spacing="3", width="100%", align="stretch",
    )


def _campaigns() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Campaigns", size="4"),
        rx.foreach(M.campaigns, lambda c: rx.text(c["name"], " · ", c["channel"], " · budget ", c["budget"], size="2")),
        rx.form(rx.hstack(
            rx.input(name="name", placeholder="Campaign name", required=True, max_length=120, id="campaign-name"),
            rx.select(CHANNELS, name="channel", default_value="social"),
            rx.input(name="budget_cents", placeholder="Budget (cents, optional)", width="12em"),
            rx.button("Create campaign", type="submit", id="campaign-create"), wrap="wrap", spacing="2"),
            on_submit=M.add_campaign, reset_on_submit=True),
        spacing="3", width="100%"), width="100%")


def _status(active) -> rx.Component:
    return rx.cond(active != "", rx.badge("Active", color_scheme="grass"), rx.badge("Deactivated", color_scheme="red"))


def _rename_link(lk) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button("Edit", size="1", variant="soft", class_name="link-edit")),
        rx.dialog.content(
            rx.dialog.title("Edit link"),
            rx.form(rx.vstack(
                rx.input(type="hidden", name="link_id", value=lk["id"]),
                rx.text("Label", size="2"), rx.input(name="label", default_value=lk["name"], max_length=120),
                rx.text("Partner", size="2"), rx.input(name="partner_name", default_value=lk["partner"], max_length=120),
                rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                          rx.dialog.close(rx.button("Save", type="submit")), justify="end", width="100%"),
                spacing="2"), on_submit=M.rename_link),
            max_width="420px"))


def _link_row(lk) -> rx.Component:
    return rx.hstack(
        rx.image(src=lk["qr"], width="72px", height="72px", alt="QR code"),
        rx.vstack(rx.hstack(rx.text(lk["label"], weight="bold"), _status(lk["active"]), spacing="2"),
                  rx.code(lk["short_url"], class_name="short-url"),
                  rx.text("Partner: ", lk["partner"], " · visits ", lk["visits"], size="1", color_scheme="gray"),
                  rx.link("Download QR (SVG)", href=lk["qr"], download="qr-" + lk["short_code"] + ".svg", size="1"),
                  spacing="1"),
        rx.spacer(),
        _rename_link(lk),
        rx.cond(lk["active"] != "",
                confirm_button("Deactivate", title="Deactivate this link?", size="1",
                               description="The short URL and its QR code keep sending people to the event page, but "
                                           "visits are no longer counted or attributed to this link.",
                               confirm_label="Deactivate link", on_confirm=M.set_link_active(lk["id"], False)),
                rx.button("Reactivate", size="1", variant="soft", color_scheme="grass",
                          on_click=M.set_link_active(lk["id"], True))),
        spacing="3", align="center", width="100%", class_name="link-row")


def _links() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Tracked links", size="4"),
        rx.foreach(M.links, _link_row),
        rx.cond(M.campaigns.length() > 0, rx.form(rx.hstack(
            rx.select.root(rx.select.trigger(placeholder="Campaign", id="link-campaign"), rx.select.content(
                rx.foreach(M.campaigns, lambda c: rx.select.item(c["name"], value=c["id"]))), name="campaign_id", required=True),
            rx.input(name="label", placeholder="Label (e.g. Poster CBD)", max_length=120, id="link-label"),
            rx.input(name="partner_name", placeholder="Partner (optional)", max_length=120),
            rx.input(name="utm_source", placeholder="utm_source", max_length=100),
            rx.button("Create link", type="submit", id="link-create"), wrap="wrap", spacing="2"),
            on_submit=M.add_link, reset_on_submit=True), rx.text("Create a campaign first.", size="2")),
        spacing="3", width="100%"), width="100%")


def _edit_promo(p) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button("Edit", size="1", variant="soft", class_name="promo-edit")),
        rx.dialog.content(
            rx.dialog.title("Edit code ", p["code"]),
            rx.form(rx.vstack(
                rx.input(type="hidden", name="promo_id", value=p["id"]),
                rx.text("Discount", size="2"),
                rx.hstack(rx.select(["percent", "amount"], name="kind",
                                    default_value=rx.cond(p["amount"] != "", "amount", "percent")),
                          rx.input(name="value", default_value=rx.cond(p["amount"] != "", p["amount"], p["percent"]),
                                   placeholder="% or rand off", width="9em", class_name="promo-edit-value")),
                rx.text("Max uses (empty: unlimited)", size="2"),
                rx.input(name="max_uses", default_value=p["max_uses"], width="9em"),
                rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                          rx.dialog.close(rx.button("Save", type="submit", class_name="promo-edit-save")),
                          justify="end", width="100%"),
                spacing="2"), on_submit=M.edit_promo),
            max_width="420px"))


def _promo_row(p) -> rx.Component:
    return rx.hstack(
        rx.text(rx.code(p["code"]), " ", p["discount"], " · ", p["kind"], " · used ", p["uses"], size="2"),
        _status(p["active"]), rx.spacer(), _edit_promo(p),
        rx.cond(p["active"] != "",
                confirm_button("Deactivate", title="Deactivate code " + p["code"] + "?", size="1",
                               description="Buyers who type it are told it has been withdrawn; holds that already "
                                           "carry it cannot check out with it. You can reactivate it later.",
                               confirm_label="Deactivate code", on_confirm=M.set_promo_active(p["id"], False)),
                rx.button("Reactivate", size="1", variant="soft", color_scheme="grass",
                          on_click=M.set_promo_active(p["id"], True))),
        spacing="2", align="center", width="100%", class_name="promo-row")


def _promos() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Promo codes", size="4"),
        rx.foreach(M.promos, _promo_row),
        rx.form(rx.hstack(
            rx.input(name="code", placeholder="CODE", required=True, max_length=40, id="promo-new-code"),
            rx.select(["percent", "amount"], name="kind", default_value="percent"),
            rx.input(name="value", placeholder="% or rand off", width="9em", required=True, id="promo-value"),
            rx.input(name="max_uses", placeholder="Max uses (optional)", width="11em"),
            rx.button("Create code", type="submit", id="promo-create"), wrap="wrap", spacing="2"),
            on_submit=M.add_promo, reset_on_submit=True),
        spacing="3", width="100%"), width="100%")


def marketing_page() -> rx.Component:
    return organiser_page(
        "Marketing", "events",
        rx.cond(M.loading, loading_block(), rx.cond(
            M.not_found, empty_state("search-x", "Event not found", "It may belong to another organisation."),
            rx.vstack(
                rx.link("← Back to the event", href="/events/" + M.event_id, size="2"),
                rx.heading(M.event_name, size="5"),
                rx.cond(M.error != "", rx.callout(M.error, icon="triangle-alert", color_scheme="red", id="marketing-error")),
                _dashboard(), _campaigns(), _links(), _promos(),
                spacing="4", width="100%", align="stretch"),
        )),
    )


def register(app: rx.App) -> None:
    app.add_page(marketing_page, route="/events/[event_id]/marketing", title="Marketing · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, M.load])
