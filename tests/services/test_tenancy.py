"""tenancy + members services: organisations, memberships, switching, invitations, roles, tenant isolation."""

from __future__ import annotations

import uuid
from datetime import timedelta
from email import message_from_bytes

import pytest
from rq import SimpleWorker
from sqlmodel import select

from tests.factories import make_org, make_user
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Invitation, Membership, Organization
from voelgoed.services.accounts import accounts, members, tenancy
from voelgoed.services.platform import VoelgoedError, clock, queue

PW = "correct horse battery"


def ctx_of(db, user, org):
    return tenancy.tenant_context_for(db, user_id=user.id, organization_id=org.id)


def test_create_organization_with_owner(db):
    org, owner = tenancy.create_organization_with_owner(db, name="Jozi Live", slug="jozi-live-test",
                                                        owner_email="Owner@Example.com", owner_password="a-long-password")
    assert owner.email == "owner@example.com"
    ctx = ctx_of(db, owner, org)
    assert ctx.role == "owner" and ctx.organization_id == org.id
    assert db.exec(select(AuditLog).where(AuditLog.action == "organization.created",
                                          AuditLog.organization_id == org.id)).first()


def test_duplicate_slug_is_slug_taken(db):
    make_org(db, slug="same-slug")
    with pytest.raises(VoelgoedError) as exc:
        tenancy.create_organization_with_owner(db, name="Other", slug="same-slug", owner_email="o2@example.com",
                                               owner_password="a-long-password")
    assert exc.value.code == "slug_taken" and exc.value.status == 409
    assert accounts.get_user_by_email(db, "o2@example.com") is None


@pytest.mark.parametrize("slug", ["", "ab", "Has Space", "UPPER_case", "-dash", "dash-", "a--b", "x" * 81, "émoji"])
def test_bad_slugs_are_rejected(db, slug):
    with pytest.raises(VoelgoedError) as exc:
        tenancy.create_organization_with_owner(db, name="N", slug=slug, owner_email="s@example.com",
                                               owner_password="a-long-password")
    assert exc.value.code == "validation_failed" and "slug" in exc.value.details["fields"]


def test_existing_owner_email_needs_the_right_password(db):
    make_user(db, email="exists@example.com")
    with pytest.raises(VoelgoedError) as exc:
        tenancy.create_organization_with_owner(db, name="N", slug="needs-pw", owner_email="exists@example.com",
                                               owner_password="wrong-password-here")
    assert exc.value.code == "email_taken"
    org, user = tenancy.create_organization_with_owner(db, name="N", slug="needs-pw", owner_email="exists@example.com",
                                                       owner_password=PW)
    assert user.email == "exists@example.com" and org.slug == "needs-pw"


def test_create_organization_derives_unique_slugs(db):
    user = make_user(db)
    a = tenancy.create_organization(db, user_id=user.id, name="Soweto Sounds!")
    b = tenancy.create_organization(db, user_id=user.id, name="Soweto Sounds")
    assert a.slug == "soweto-sounds" and b.slug.startswith("soweto-sounds-") and a.slug != b.slug
    assert [o.name for _m, o in tenancy.list_memberships(db, user_id=user.id)] == ["Soweto Sounds", "Soweto Sounds!"]


def test_unknown_org_and_non_member_are_not_found(db):
    org_a, org_b = make_org(db), make_org(db)
    user = make_user(db, org=org_a)
    for org_id in (org_b.id, uuid.uuid4(), None):
        with pytest.raises(VoelgoedError) as exc:
            tenancy.tenant_context_for(db, user_id=user.id, organization_id=org_id)
        assert exc.value.code == "not_found" and exc.value.status == 404


def test_switch_organization_only_to_own_orgs(db, redis_client):
    org_a, org_b, org_c = make_org(db), make_org(db), make_org(db)
    user = make_user(db, org=org_a, email="switch@example.com")
    db.add(Membership(organization_id=org_b.id, user_id=user.id, role="viewer"))
    db.flush()
    row, token = accounts.sign_in(db, email="switch@example.com", password=PW, client_address="x")
    ctx = tenancy.switch_organization(db, user_session=row, organization_id=org_b.id)
    assert ctx.role == "viewer"
    assert tenancy.session_overview(db, token=token)["org_id"] == str(org_b.id)
    with pytest.raises(VoelgoedError) as exc:
        tenancy.switch_organization(db, user_session=row, organization_id=org_c.id)
    assert exc.value.code == "not_found"
    overview = tenancy.session_overview(db, token=token)
    assert overview["org_id"] == str(org_b.id) and len(overview["organizations"]) == 2
    assert tenancy.session_overview(db, token="nope") is None


def test_add_member_by_slug(db):
    org = make_org(db, slug="cli-org")
    assert org.slug == "cli-org"
    user = make_user(db)
    m = tenancy.add_member_by_slug(db, org_slug="cli-org", user_id=user.id, role="scanner_only")
    assert m.role == "scanner_only"
    with pytest.raises(VoelgoedError) as exc:
        tenancy.add_member_by_slug(db, org_slug="nope-org", user_id=user.id, role="staff")
    assert exc.value.code == "not_found"
    with pytest.raises(VoelgoedError) as exc:
        tenancy.add_member_by_slug(db, org_slug="cli-org", user_id=user.id, role="emperor")
    assert exc.value.code == "validation_failed"


def test_invite_and_accept_sends_an_email(db, redis_client, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "mail_dir", tmp_path)
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    org = make_org(db, name="Invite Org")
    owner = make_user(db, org=org)
    invitation, token = members.invite_member(db, ctx_of(db, owner, org), email="New.Hire@Example.com", role="staff")
    assert invitation.email == "new.hire@example.com" and invitation.token_hash != token
    assert [i["email"] for i in members.list_invitations(db, ctx_of(db, owner, org))] == ["new.hire@example.com"]
    # the email job is on the real queue; run it with an in-process worker
    q = queue.get_queue()
    assert q is not None and q.count == 1
    SimpleWorker([q], connection=q.connection).work(burst=True)
    mails = list(tmp_path.rglob("*.eml"))
    assert len(mails) == 1
    msg = message_from_bytes(mails[0].read_bytes())
    assert msg["To"] == "new.hire@example.com" and "Invite Org" in msg["Subject"]
    assert f"/invite/{token}" in mails[0].read_text()

    assert members.invitation_preview(db, token=token)["organization_name"] == "Invite Org"
    stranger = make_user(db, email="stranger@example.com")
    with pytest.raises(VoelgoedError) as exc:
        members.accept_invitation(db, token=token, user_id=stranger.id)
    assert exc.value.code == "invitation_email_mismatch"
    hire = accounts.create_user(db, email="new.hire@example.com", password="a-long-password")
    membership = members.accept_invitation(db, token=token, user_id=hire.id)
    assert membership.role == "staff" and membership.organization_id == org.id
    with pytest.raises(VoelgoedError) as exc:  # single use
        members.accept_invitation(db, token=token, user_id=hire.id)
    assert exc.value.code == "not_found"


def test_invitation_errors(db, redis_client):
    org = make_org(db)
    owner = make_user(db, org=org)
    staff = make_user(db, org=org, role="staff", email="staff@example.com")
    admin = make_user(db, org=org, role="admin")
    with pytest.raises(VoelgoedError) as exc:
        members.invite_member(db, ctx_of(db, staff, org), email="x@example.com", role="staff")
    assert exc.value.code == "forbidden"
    with pytest.raises(VoelgoedError) as exc:
        members.invite_member(db, ctx_of(db, owner, org), email="staff@example.com", role="staff")
    assert exc.value.code == "already_member"
    with pytest.raises(VoelgoedError) as exc:
        members.invite_member(db, ctx_of(db, owner, org), email="x@example.com", role="god")
    assert exc.value.code == "validation_failed"
    with pytest.raises(VoelgoedError) as exc:  # admins can't mint owners
        members.invite_member(db, ctx_of(db, admin, org), email="x@example.com", role="owner")
    assert exc.value.code == "forbidden"
    now = clock.utcnow()
    _inv, token = members.invite_member(db, ctx_of(db, owner, org), email="late@example.com", role="viewer", now=now)
    late = make_user(db, email="late@example.com")
    with pytest.raises(VoelgoedError) as exc:
        members.accept_invitation(db, token=token, user_id=late.id, now=now + members.INVITATION_TTL + timedelta(seconds=1))
    assert exc.value.code == "not_found"
    inv2, token2 = members.invite_member(db, ctx_of(db, owner, org), email="late@example.com", role="viewer")
    members.revoke_invitation(db, ctx_of(db, owner, org), invitation_id=inv2.id)
    with pytest.raises(VoelgoedError) as exc:
        members.accept_invitation(db, token=token2, user_id=late.id)
    assert exc.value.code == "not_found"
    for bad in (None, "", "x" * 1000):
        with pytest.raises(VoelgoedError):
            members.invitation_preview(db, token=bad)


def test_change_role_and_last_owner(db):
    org = make_org(db)
    owner = make_user(db, org=org)
    staff = make_user(db, org=org, role="staff")
    admin = make_user(db, org=org, role="admin")
    m_of = {u.id: db.exec(select(Membership).where(Membership.user_id == u.id)).one() for u in (owner, staff, admin)}
    changed = members.change_role(db, ctx_of(db, owner, org), membership_id=m_of[staff.id].id, role="viewer")
    assert changed.role == "viewer"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "membership.role_changed")).one()
    assert entry.data == {"from": "staff", "to": "viewer"} and entry.organization_id == org.id
    with pytest.raises(VoelgoedError) as exc:
        members.change_role(db, ctx_of(db, owner, org), membership_id=m_of[owner.id].id, role="admin")
    assert exc.value.code == "last_owner" and exc.value.status == 409
    with pytest.raises(VoelgoedError) as exc:  # an admin can't touch the owner
        members.change_role(db, ctx_of(db, admin, org), membership_id=m_of[owner.id].id, role="staff")
    assert exc.value.code == "forbidden"
    with pytest.raises(VoelgoedError) as exc:
        members.change_role(db, ctx_of(db, staff, org), membership_id=m_of[admin.id].id, role="staff")
    assert exc.value.code == "forbidden"
    members.change_role(db, ctx_of(db, owner, org), membership_id=m_of[admin.id].id, role="owner")
    members.change_role(db, ctx_of(db, owner, org), membership_id=m_of[owner.id].id, role="admin")  # two owners now
    with pytest.raises(VoelgoedError) as exc:
        members.remove_member(db, ctx_of(db, admin, org), membership_id=m_of[admin.id].id)
    assert exc.value.code == "last_owner"


def test_cross_tenant_member_operations_are_not_found(db, redis_client):
    org_a, org_b = make_org(db), make_org(db)
    owner_a, owner_b = make_user(db, org=org_a), make_user(db, org=org_b)
    member_b = make_user(db, org=org_b, role="staff")
    m_b = db.exec(select(Membership).where(Membership.user_id == member_b.id)).one()
    inv_b, _ = members.invite_member(db, ctx_of(db, owner_b, org_b), email="b-invitee@example.com", role="staff")
    ctx_a = ctx_of(db, owner_a, org_a)
    for call in (lambda: members.change_role(db, ctx_a, membership_id=m_b.id, role="viewer"),
                 lambda: members.remove_member(db, ctx_a, membership_id=m_b.id),
                 lambda: members.revoke_invitation(db, ctx_a, invitation_id=inv_b.id),
                 lambda: members.change_role(db, ctx_a, membership_id=uuid.uuid4(), role="viewer")):
        with pytest.raises(VoelgoedError) as exc:
            call()
        assert exc.value.code == "not_found" and exc.value.status == 404
    assert [m["email"] for m in members.list_members(db, ctx_a)] == [owner_a.email]
    assert members.list_invitations(db, ctx_a) == []
    assert db.get(Invitation, inv_b.id).revoked_at is None
    assert db.get(Membership, m_b.id).role == "staff"
    assert db.get(Organization, org_b.id) is not None


def test_sign_up_and_accept_creates_the_invited_account(db, redis_client):
    org = make_org(db, name="Join Us")
    owner = make_user(db, org=org)
    _inv, token = members.invite_member(db, ctx_of(db, owner, org), email="fresh@example.com", role="viewer")
    with pytest.raises(VoelgoedError) as exc:
        members.sign_up_and_accept(db, token=token, full_name="Fresh", password="short")
    assert exc.value.code == "validation_failed"
    session_token = members.sign_up_and_accept(db, token=token, full_name="Fresh", password="fresh-password-1")
    overview = tenancy.session_overview(db, token=session_token)
    assert overview["user_email"] == "fresh@example.com" and overview["org_id"] == str(org.id)
    assert overview["role"] == "viewer"
    with pytest.raises(VoelgoedError) as exc:  # used up
        members.sign_up_and_accept(db, token=token, full_name="Again", password="fresh-password-1")
    assert exc.value.code == "not_found"
    # an existing account must sign in and accept instead
    _inv, token2 = members.invite_member(db, ctx_of(db, owner, org), email=owner.email.replace("@", "+x@"), role="staff")
    make_user(db, email=owner.email.replace("@", "+x@"))
    with pytest.raises(VoelgoedError) as exc:
        members.sign_up_and_accept(db, token=token2, full_name="Dup", password="fresh-password-1")
    assert exc.value.code == "email_taken"


def test_remove_member(db):
    org = make_org(db)
    owner = make_user(db, org=org)
    staff = make_user(db, org=org, role="staff")
    m = db.exec(select(Membership).where(Membership.user_id == staff.id)).one()
    members.remove_member(db, ctx_of(db, owner, org), membership_id=m.id)
    assert db.get(Membership, m.id) is None
    assert db.exec(select(AuditLog).where(AuditLog.action == "membership.removed")).one().organization_id == org.id
    with pytest.raises(VoelgoedError) as exc:
        tenancy.tenant_context_for(db, user_id=staff.id, organization_id=org.id)
    assert exc.value.code == "not_found"


def test_token_entry_points_switch_create_and_accept(db, redis_client):
    org_a, org_b, org_c = make_org(db), make_org(db), make_org(db)
    user = make_user(db, org=org_a, email="token@example.com")
    db.add(Membership(organization_id=org_b.id, user_id=user.id, role="viewer"))
    db.flush()
    _row, token = accounts.sign_in(db, email="token@example.com", password=PW, client_address="x")
    assert tenancy.switch_organization_for_token(db, token=token, organization_id=str(org_b.id)).role == "viewer"
    assert tenancy.session_overview(db, token=token)["org_id"] == str(org_b.id)
    for bad_org in (org_c.id, "not-a-uuid"):
        with pytest.raises(VoelgoedError) as exc:
            tenancy.switch_organization_for_token(db, token=token, organization_id=bad_org)
        assert exc.value.code == "not_found"
    with pytest.raises(VoelgoedError) as exc:
        tenancy.switch_organization_for_token(db, token="nope", organization_id=org_a.id)
    assert exc.value.code == "session_expired"

    org = tenancy.create_organization_for_token(db, token=token, name="Token Org")
    overview = tenancy.session_overview(db, token=token)
    assert overview["org_id"] == str(org.id) and overview["role"] == "owner"
    with pytest.raises(VoelgoedError) as exc:
        tenancy.create_organization_for_token(db, token=token, name="")
    assert exc.value.code == "validation_failed"

    owner = make_user(db, org=org_c)
    _inv, invite = members.invite_member(db, ctx_of(db, owner, org_c), email="token@example.com", role="staff")
    with pytest.raises(VoelgoedError) as exc:
        members.accept_invitation_for_token(db, token=invite, session_token="nope")
    assert exc.value.code == "session_expired"
    membership = members.accept_invitation_for_token(db, token=invite, session_token=token)
    assert membership.organization_id == org_c.id and membership.role == "staff"
    assert tenancy.session_overview(db, token=token)["org_id"] == str(org_c.id)
