"""A door scanner in Chromium for the seated journeys: a phone-sized page paired with a pairing code, and a
ticket code typed into it (the manual entry a door person uses when a QR will not read)."""

from __future__ import annotations

from playwright.sync_api import expect


def paired_door(browser, live_app: str, code: str):
    """A new phone-sized page on ``/scan`` paired with ``code`` and online."""
    door = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844}).new_page()
    door.set_default_timeout(30_000)
    door.goto("/scan")
    door.fill("#vg-pair-code", code)
    door.click("#vg-pair-btn")
    expect(door.locator("#vg-net")).to_have_text("Online")
    return door


def type_ticket_code(door, ticket_code: str) -> None:
    """Scan ``ticket_code`` by typing it (manual entry)."""
    door.click("#vg-manual-open")
    door.fill("#vg-manual-code", ticket_code)
    door.click("#vg-manual-submit")
