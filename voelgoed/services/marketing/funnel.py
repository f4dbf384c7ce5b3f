"""First-party funnel counts (issue 15, item 2): counted in Redis on the request, rolled up into PostgreSQL.

Steps: ``visit`` (``/go/<code>``), ``page_view`` (public event page), ``ticket_selection`` (the buyer chose
tickets), ``hold``, ``checkout_started``. Payment succeeded / abandoned are read from the orders themselves in
the dashboard (paid vs expired/cancelled), the source of truth.

- :func:`should_track` ``(headers)`` → False when ``FUNNEL_TRACKING`` is off, under Do Not Track (``DNT: 1``)
  or Global Privacy Control (``Sec-GPC: 1``, https://privacycg.github.io/gpc-spec/), or for a bot
  (:func:`is_bot`: user-agent heuristics — crawler/bot/spider words, HTTP libraries, empty agents).
- :func:`record` ``(*, event_id, step, link_code="", client_key=None, now=None)``: one
  ``HINCRBY`` on the hash ``mkt:funnel`` (field ``event|link|YYYY-MM-DD|step``), pipelined with the flood
  guard (at most ``FUNNEL_FLOOD_PER_MINUTE`` (60) counted steps per client key and minute, the rest silently not counted).
  Never raises and never touches PostgreSQL: Redis down → nothing counted, the request goes on.
  No personal data: ids, a short link code, a day, a step; the client key is a keyed hash, only in an expiring
  Redis key.
- :func:`rollup` ``(session)`` (the worker's cron, every ``HOUSEKEEPING_INTERVAL_SECONDS``): ``RENAME mkt:funnel``
  to a batch key (atomic: new counts go to a fresh hash), add the batch into ``FunnelCount`` rows (one upsert per
  row, ``count = count + n``), commit, delete the batch. A batch left by a crash before its commit is rolled up on
  the next run; a crash between the commit and the delete counts that batch twice (at-least-once, noted).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, FunnelCount
from voelgoed.services.platform import clock, get_redis, hmac_sign

STEPS = ("visit", "page_view", "ticket_selection", "hold", "checkout_started")
KEY, BATCH_PREFIX = "mkt:funnel", "mkt:funnel:batch:"
# Headless Chrome is not on the list on purpose: real buyers' privacy browsers and our own journeys use it.
_BOT_RE = re.compile(r"bot|crawl|spider|slurp|facebookexternalhit|preview|curl|wget|python-|httpx|go-http|java/|"
                     r"libwww|scrapy|okhttp|axios|node-fetch|monitor|pingdom|lighthouse", re.I)


def is_bot(user_agent: str | None) -> bool:
    ua = (user_agent or "").strip()
    return len(ua) < 8 or bool(_BOT_RE.search(ua))


def should_track(headers: Mapping[str, str]) -> bool:
    if not get_settings().funnel_tracking:
        return False
    get = headers.get
    if (get("dnt") or get("DNT") or "").strip() == "1" or (get("sec-gpc") or get("Sec-GPC") or "").strip() == "1":
        return False
    return not is_bot(get("user-agent") or get("User-Agent"))


def record(*, event_id, step: str, link_code: str = "", client_key: str | None = None,
           now: datetime | None = None) -> bool:
    """Count one step (see the module docstring); True when counted."""
    if step not in STEPS or not get_settings().funnel_tracking:
        return False
    r = get_redis()
    if r is None:
        return False
    now = clock.resolve(now)
    code = link_code if isinstance(link_code, str) and link_code.isalnum() and len(link_code) <= 16 else ""
    field = f"{event_id}|{code}|{now.date().isoformat()}|{step}"
    try:
        if client_key:
            who = hmac_sign(client_key.encode(), purpose="funnel-flood")[:24]  # no raw address in Redis
            flood = f"mkt:flood:{who}:{int(now.timestamp()) // 60}"
            pipe = r.pipeline(transaction=False)
            pipe.incr(flood)
            pipe.expire(flood, 120)
            if pipe.execute()[0] > get_settings().funnel_flood_per_minute:
                return False
        r.hincrby(KEY, field, 1)
    except Exception:  # tracking never breaks or slows a sale
        return False
    return True


def rollup(session: Session, now: datetime | None = None) -> int:
    """Move the Redis counts into ``FunnelCount``; returns the number of steps added."""
    r = get_redis()
    if r is None:
        return 0
    try:
        if r.exists(KEY):
            r.rename(KEY, BATCH_PREFIX + uuid.uuid4().hex)
        batches = list(r.scan_iter(BATCH_PREFIX + "*"))
    except Exception:
        return 0
    added = 0
    for batch in batches:
        raw = r.hgetall(batch)
        rows = {}
        for field, n in raw.items():
            field = field.decode() if isinstance(field, bytes) else field
            try:
                event, code, day, step = field.split("|")
                key = (uuid.UUID(event), code, date.fromisoformat(day), step)
            except ValueError:
                continue
            rows[key] = rows.get(key, 0) + int(n)
        orgs = dict(session.exec(select(Event.id, Event.organization_id).where(Event.id.in_({k[0] for k in rows}))).all()) if rows else {}
        for (event, code, day, step), n in rows.items():
            if event in orgs and step in STEPS:
                _add(session, orgs[event], event, code, day, step, n)
                added += n
        session.commit()
        r.delete(batch)
    return added


def _add(session: Session, org, event, code, day, step, n) -> None:
    if session.get_bind().dialect.name == "postgresql":
        stmt = pg_insert(FunnelCount.__table__).values(id=uuid.uuid4(), organization_id=org, event_id=event, link_key=code,
                                                       day=day, step=step, count=n)
        session.execute(stmt.on_conflict_do_update(index_elements=["event_id", "link_key", "day", "step"],
                                                   set_={"count": FunnelCount.__table__.c.count + n}))
        return
    row = session.exec(select(FunnelCount).where(FunnelCount.event_id == event, FunnelCount.link_key == code,
                                                 FunnelCount.day == day, FunnelCount.step == step)).first()
    if row is None:
        row = FunnelCount(organization_id=org, event_id=event, link_key=code, day=day, step=step, count=0)
    row.count += n
    session.add(row)
