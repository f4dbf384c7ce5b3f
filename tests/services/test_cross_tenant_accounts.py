"""Services-level tenant isolation for the accounts slice: tenancy, members, API keys, reports.

Organisation A's context must never see or change organisation B's rows; B's objects are 404 ``not_found``.
"""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from voelgoed.models import ApiKey, Membership
from voelgoed.services.accounts import accounts, apikeys, members, tenancy
from voelgoed.services.insights import reports
from voelgoed.services.platform import VoelgoedError


@pytest.fixture
def two_orgs(db, redis_client):
    org_a, org_b = make_org(db, name="A"), make_org(db, name="B")
    owner_a = make_user(db, org=org_a, email="a-owner@example.com")
    owner_b = make_user(db, org=org_b)
    ctx_a = tenancy.tenant_context_for(db, user_id=owner_a.id, organization_id=org_a.id)
    ctx_b = tenancy.tenant_context_for(db, user_id=owner_b.id, organization_id=org_b.id)
    return org_a, org_b, owner_a, owner_b, ctx_a, ctx_b


def test_api_keys_of_another_org_are_invisible_and_not_found(db, two_orgs):
    _a, _b, _oa, _ob, ctx_a, ctx_b = two_orgs
    key_b, secret_b = apikeys.create_for_context(db, ctx_b, name="B key")
    assert apikeys.list_keys(db, ctx_a) == []
    with pytest.raises(VoelgoedError) as exc:
        apikeys.revoke(db, ctx_a, key_b.id)
    assert exc.value.code == "not_found"
    assert db.get(ApiKey, key_b.id).revoked_at is None
    assert apikeys.authenticate(db, secret_b).organization_id == ctx_b.organization_id


def test_key_rows_show_status_and_never_the_secret(db, two_orgs):
    _a, _b, _oa, _ob, ctx_a, ctx_b = two_orgs
    key, secret = apikeys.create_for_context(db, ctx_b, name="Box office")
    rows = apikeys.key_rows(db, ctx_b)
    assert [(r["id"], r["name"], r["status"], r["last_used_at"]) for r in rows] == [(str(key.id), "Box office", "active", None)]
    assert secret not in repr(rows) and secret.startswith(rows[0]["prefix"])
    apikeys.revoke(db, ctx_b, key.id)
    assert [r["status"] for r in apikeys.key_rows(db, ctx_b)] == ["revoked"]
    assert apikeys.key_rows(db, ctx_a) == []


def test_reports_only_count_own_events(db, two_orgs):
    org_a, org_b, _oa, _ob, ctx_a, _ctx_b = two_orgs
    event_b = make_event(db, org_b)
    make_ticket_type(db, event_b, quantity=10).sold_count = 7
    db.flush()
    assert reports.event_sales_summary(db, ctx_a) == []
    overview = reports.dashboard_overview(db, ctx_a)
    assert overview["upcoming_events"] == 0 and overview["tickets_sold"] == 0 and overview["next_events"] == []
    event_a = make_event(db, org_a)
    assert [r["event_id"] for r in reports.event_sales_summary(db, ctx_a)] == [str(event_a.id)]


def test_member_and_role_operations_across_orgs_are_not_found(db, two_orgs):
    _a, org_b, _oa, owner_b, ctx_a, ctx_b = two_orgs
    staff_b = make_user(db, org=org_b, role="staff")
    m_b = db.exec(select(Membership).where(Membership.user_id == staff_b.id)).one()
    inv_b, token_b = members.invite_member(db, ctx_b, email="someone@example.com", role="viewer")
    for call in (lambda: members.change_role(db, ctx_a, membership_id=m_b.id, role="owner"),
                 lambda: members.remove_member(db, ctx_a, membership_id=m_b.id),
                 lambda: members.revoke_invitation(db, ctx_a, invitation_id=inv_b.id)):
        with pytest.raises(VoelgoedError) as exc:
            call()
        assert exc.value.code == "not_found"
    assert {m["email"] for m in members.list_members(db, ctx_a)} == {"a-owner@example.com"}
    assert members.list_invitations(db, ctx_a) == []
    assert db.get(Membership, m_b.id).role == "staff"


def test_sessions_cannot_enter_or_switch_to_a_foreign_org(db, two_orgs):
    org_a, org_b, owner_a, _ob, _ca, _cb = two_orgs
    row, token = accounts.sign_in(db, email="a-owner@example.com", password="correct horse battery", client_address="t")
    for org_id in (org_b.id, uuid.uuid4()):
        with pytest.raises(VoelgoedError) as exc:
            tenancy.switch_organization(db, user_session=row, organization_id=org_id)
        assert exc.value.code == "not_found"
        with pytest.raises(VoelgoedError) as exc:
            tenancy.tenant_context_for(db, user_id=owner_a.id, organization_id=org_id)
        assert exc.value.code == "not_found"
    overview = tenancy.session_overview(db, token=token)
    assert overview["org_id"] == str(org_a.id) and [o["id"] for o in overview["organizations"]] == [str(org_a.id)]
    # a stale active organisation (membership removed) falls back to one the user still has
    row.active_organization_id = org_b.id
    db.flush()
    assert tenancy.session_overview(db, token=token)["org_id"] == str(org_a.id)
