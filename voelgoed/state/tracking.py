"""First-party funnel tracking from Reflex handlers (issue 15): the buyer's ``vg_touch`` cookie and one Redis
count per step (not under Do Not Track / GPC, not for bots; never raises)."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from voelgoed.services.marketing import TOUCH_COOKIE, funnel, last_code, should_track


def touch_of(router) -> str | None:
    """The raw ``vg_touch`` cookie of the browser's connection, or None."""
    try:
        jar = SimpleCookie(str(router.headers.cookie or ""))
    except CookieError:
        return None
    morsel = jar.get(TOUCH_COOKIE)
    return morsel.value if morsel else None


def track(router, event_id: str, step: str) -> None:
    headers = {str(k).lower(): str(v) for k, v in dict(router.headers.raw_headers or {}).items()}
    if event_id and should_track(headers):
        funnel.record(event_id=event_id, step=step, link_code=last_code(touch_of(router)),
                      client_key=router.session.client_ip or None)
