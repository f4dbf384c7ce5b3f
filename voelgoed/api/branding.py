"""The organisation's logo, public (it is shown on public event pages, order pages and e-mails) — docs/branding.md.

``GET /brand/{organization_id}/logo.png?v=<sha prefix>`` → the stored PNG (``image/png``, re-encoded at upload,
``branding.served_logo``). With a ``v`` matching the current logo: ``Cache-Control: public, max-age=31536000,
immutable`` (a new upload has a new ``v``, so the URL changes); without or with an old ``v``: ``public,
max-age=300``. ``ETag`` is the logo's sha; a matching ``If-None-Match`` → ``304``. Unknown organisation, garbage id or
no logo → 404 ``not_found``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response

from voelgoed.services.accounts import served_logo
from voelgoed.services.platform import session_scope

router = APIRouter(tags=["branding"])
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@router.get("/brand/{organization_id}/logo.png", response_class=Response, summary="The organisation's logo (PNG)",
            responses={200: {"content": {"image/png": {}}, "description": "the logo"},
                       304: {"description": "not modified (If-None-Match matched the ETag)"}})
def organisation_logo(organization_id: Annotated[str, Path(max_length=64)],
                      v: Annotated[str | None, Query(max_length=64)] = None,
                      if_none_match: Annotated[str | None, Header(max_length=200)] = None) -> Response:
    with session_scope() as session:
        png, sha = served_logo(session, organization_id)
    etag = f'"{sha[:32]}"'
    cache = IMMUTABLE if v and len(v) >= 8 and sha.startswith(v.lower()) else SHORT
    headers = {"ETag": etag, "Cache-Control": cache}
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(png, media_type="image/png", headers=headers)
