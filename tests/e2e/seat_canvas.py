"""Clicking a point of a seating plan on a seat map's canvas in Chromium (the customer map ``#seat-map`` with its
``window.__seatMap`` hook, the organiser's ``.vg-seatoffice`` with ``window.__seatOffice``)."""

from __future__ import annotations

CUSTOMER = ("#seat-map canvas", "__seatMap")
ORGANISER = (".vg-seatoffice canvas", "__seatOffice")


def click_plan(page, x: float, y: float, *, seat_map=CUSTOMER, scroll: bool = False) -> None:
    """Click layout coordinates (x, y) through the map's current view (``scroll``: bring the canvas fully into
    view first, e.g. after filling a field scrolled the page)."""
    canvas, hook = seat_map
    if scroll:
        page.locator(canvas).first.evaluate("(c) => c.scrollIntoView({block: 'center'})")
    box = page.locator(canvas).first.bounding_box()
    v = page.evaluate(f"() => window.{hook}.view()")
    page.mouse.click(box["x"] + v["x"] + x * v["scale"], box["y"] + v["y"] + y * v["scale"])


def office_act(page, keys: list[str], button: str, notice: str, *, label: str | None = None) -> None:
    """On the organiser's map: select ``keys``, fill the allocation ``label`` when given, press ``button``
    (``#seats-block``, ``#seats-allocate``, …) and wait for its ``notice``."""
    from playwright.sync_api import expect

    page.evaluate("(keys) => window.__seatOffice.select(keys)", keys)
    if label is not None:
        page.fill("#allocation-label", label)
    page.click(button)
    expect(page.locator("#seat-office-notice")).to_have_text(notice)
