"""Branding over HTTP (issue 15): the public logo route's caching and 404s, and the public event view's colours."""

from __future__ import annotations

import io

from PIL import Image

from tests.branding_helpers import brand_org
from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Organization


def test_the_logo_route_serves_the_stored_png_with_caching_headers(client, db):
    org = make_org(db)
    brand_org(db, org)
    org = db.get(Organization, org.id)
    sha = org.logo_sha
    r = client.get(f"/brand/{org.id}/logo.png?v={sha[:12]}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["etag"] == f'"{sha[:32]}"'
    assert Image.open(io.BytesIO(r.content)).size == (300, 100)
    # an old or missing version: a short cache only, so a changed logo shows within minutes
    assert client.get(f"/brand/{org.id}/logo.png?v=0123456789ab").headers["cache-control"] == "public, max-age=300"
    assert client.get(f"/brand/{org.id}/logo.png").headers["cache-control"] == "public, max-age=300"
    again = client.get(f"/brand/{org.id}/logo.png?v={sha[:12]}", headers={"If-None-Match": f'"{sha[:32]}"'})
    assert again.status_code == 304 and again.content == b""


def test_the_logo_route_is_not_found_without_a_logo_or_for_garbage(client, db):
    org = make_org(db)
    for path in (f"/brand/{org.id}/logo.png", "/brand/not-a-uuid/logo.png",
                 "/brand/00000000-0000-0000-0000-000000000000/logo.png"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", path


def test_the_public_event_view_carries_the_organisations_colours_and_logo(client, db):
    org = make_org(db, name="Jozi Live")
    event = make_event(db, org)
    make_ticket_type(db, event)
    brand_org(db, org, primary="#FFD60A", accent="#0B6E4F")
    view = client.get(f"/api/v1/public/events/{event.slug}").json()
    org = db.get(Organization, org.id)
    assert view["branding"] == {"name": "Jozi Live", "primary": "#FFD60A", "accent": "#0B6E4F", "on_primary": "#1C2024",
                                "on_accent": "#FFFFFF", "logo_url": f"/brand/{org.id}/logo.png?v={org.logo_sha[:12]}"}
    assert client.get(view["branding"]["logo_url"]).status_code == 200
    other = make_event(db, make_org(db))
    plain = client.get(f"/api/v1/public/events/{other.slug}").json()["branding"]
    assert (plain["primary"], plain["accent"], plain["logo_url"]) == ("#1C2024", "#3E63DD", "")
