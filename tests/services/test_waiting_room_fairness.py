"""Waiting-room fairness against a re-joining bot (issue 9, item 4); real Redis, seeded, deterministic.

The attack (possible before this fix): join many times before opening, read the random place each
token carried (or the rank-dependent wait estimate), keep the best token. Now the draw is made on the
server, is fixed per token, is not in the token, nothing before opening depends on it, and new
tokens per address are capped by WAITING_ROOM_JOIN_RATE_LIMIT.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from voelgoed.config import get_settings
from voelgoed.services.platform import RateLimited, hmac_sign
from voelgoed.services.sales import waiting_room as wr

OPENS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BEFORE = OPENS - timedelta(minutes=30)
HONEST, BOT_TRIES, CAP, TRIALS = 40, 30, 5, 50


@pytest.fixture
def seeded(monkeypatch, redis_client):
    """Seeded visitor ids and a per-address cap of CAP new places (window: a day, so no timing)."""
    rng = random.Random(20261201)
    monkeypatch.setattr(wr, "new_visitor_id", lambda: f"{rng.getrandbits(72):018x}")
    monkeypatch.setattr(get_settings(), "waiting_room_join_rate_limit", f"{CAP}/day")
    return rng


def _seen_before_opening(room, token):
    """Everything a client can observe about a token before opening (the token text and its status)."""
    st = wr.status(room, token, now=BEFORE + timedelta(minutes=1))
    return (tuple(token.split(".")[2:4]), st["queue_rank"], st["position"], st["estimated_wait_seconds"],
            st["poll_after_seconds"], st["admitted"], st["admitted_count"])


def _bot_joins(room, address):
    tokens, refused = [], 0
    for _ in range(BOT_TRIES):
        try:
            tokens.append(wr.join(room, client_address=address, now=BEFORE)["visitor_token"])
        except RateLimited as exc:
            assert exc.status == 429 and exc.retry_after >= 1
            refused += 1
    return tokens, refused


def test_rejoining_bot_cannot_improve_its_place_over_honest_visitors(seeded, redis_client):
    bot_ranks, honest_mean_ranks = [], []
    for trial in range(TRIALS):
        room = wr.Room(uuid.UUID(int=seeded.getrandbits(128)), f"sale-{trial}", True, OPENS, 60)
        honest = [wr.join(room, client_address=f"10.1.{trial}.{i}", now=BEFORE)["visitor_token"] for i in range(HONEST)]
        bot = f"10.9.{trial}.1"
        tokens, refused = _bot_joins(room, bot)
        # many tokens from one address: no more than the cap of places
        assert len(tokens) == CAP and refused == BOT_TRIES - CAP
        # the same token many times: the same token back, one place, never a second one
        for t in tokens:
            for _ in range(4):
                assert wr.join(room, t, client_address=bot, now=BEFORE)["visitor_token"] == t
        assert redis_client.zcard(f"wr:{room.event_id.hex}:q") == HONEST + CAP
        # nothing observable before opening tells tokens apart, so the bot's "best" pick is a blind one
        seen = {t: _seen_before_opening(room, t) for t in honest + tokens}
        assert len(set(seen.values())) == 1
        pick = min(tokens, key=lambda t: seen[t])
        ranks = {t: wr.status(room, t, now=OPENS)["queue_rank"] for t in honest + tokens}
        assert sorted(ranks.values()) == list(range(1, HONEST + CAP + 1))
        bot_ranks.append(ranks[pick])
        honest_mean_ranks.append(sum(ranks[t] for t in honest) / HONEST)
    # A blind pick is an honest visitor's draw: expected rank (45 + 1) / 2 = 23. Reading the place in
    # the token and keeping the best of 5 (the old attack) gives about 46 / 6 ≈ 7.7. Seeded: deterministic.
    bot_mean = sum(bot_ranks) / TRIALS
    assert bot_mean > 15, f"bot mean rank {bot_mean:.1f} vs honest {sum(honest_mean_ranks) / TRIALS:.1f}"


def test_rejoin_keeps_the_exact_place_even_after_a_redis_flush(seeded, redis_client):
    room = wr.Room(uuid.uuid4(), "flush", True, OPENS, 60)
    tokens = [wr.join(room, client_address=f"10.2.0.{i}", now=BEFORE)["visitor_token"] for i in range(20)]
    ranks = [wr.status(room, t, now=OPENS)["queue_rank"] for t in tokens]
    redis_client.flushdb()
    # everyone comes back (re-join, not status), in reverse order; the draw is recomputed, not re-rolled
    for t in reversed(tokens):
        assert wr.join(room, t, client_address="10.2.0.99", now=OPENS + timedelta(seconds=1))["visitor_token"] == t
    assert [wr.status(room, t, now=OPENS)["queue_rank"] for t in tokens] == ranks
    # after opening it is first come, first served, behind every early visitor
    late = [wr.join(room, client_address=f"10.3.0.{i}", now=OPENS + timedelta(seconds=2 + i))["visitor_token"]
            for i in range(3)]
    assert [wr.status(room, t, now=OPENS + timedelta(seconds=9))["queue_rank"] for t in late] == [21, 22, 23]


def test_an_old_token_with_a_visible_number_gets_the_server_draw_not_its_number(seeded, redis_client):
    """Tokens signed before this change carried their random place; the number they show is ignored."""
    room = wr.Room(uuid.uuid4(), "legacy", True, OPENS, 60)

    def old_style(vid, place):
        sig = hmac_sign(f"{room.event_id.hex}.{vid}.{place}".encode(), purpose="waiting-room-visitor")[:32]
        return f"VGV1.{vid}.{place}.{sig}"

    others = [wr.join(room, now=BEFORE)["visitor_token"] for _ in range(10)]
    low, high = old_style("abc123", "0.000001"), old_style("abc123", "0.999999")
    assert wr.join(room, low, now=BEFORE)["visitor_token"] == wr.join(room, high, now=BEFORE)["visitor_token"]
    rank = wr.status(room, low, now=OPENS)["queue_rank"]
    assert wr.status(room, high, now=OPENS)["queue_rank"] == rank
    assert redis_client.zcard(f"wr:{room.event_id.hex}:q") == len(others) + 1
    assert redis_client.zscore(f"wr:{room.event_id.hex}:q", "abc123") == float(wr.queue_score(room, wr.Visitor("abc123", "0.000000")))
