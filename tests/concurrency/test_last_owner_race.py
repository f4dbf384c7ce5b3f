"""Two owners demote each other at the same moment: exactly one demotion wins, the organisation keeps an owner.

Real PostgreSQL, two connections; ``members.change_role`` locks the organisation's memberships in id
order before counting owners, so the second transaction waits and then sees only one owner left.
"""

from __future__ import annotations

import threading

from sqlmodel import Session, select

from tests.factories import make_org, make_user
from voelgoed.models import Membership
from voelgoed.services.accounts import members, tenancy
from voelgoed.services.platform import VoelgoedError


def test_concurrent_demotions_leave_one_owner(committed_db, engine):
    org = make_org(committed_db)
    a, b = make_user(committed_db, org=org), make_user(committed_db, org=org)
    committed_db.commit()
    m_of = {u.id: committed_db.exec(select(Membership).where(Membership.user_id == u.id)).one().id for u in (a, b)}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, target):
        with Session(engine, expire_on_commit=False) as session:
            ctx = tenancy.tenant_context_for(session, user_id=actor.id, organization_id=org.id)
            session.commit()
            barrier.wait()
            try:
                members.change_role(session, ctx, membership_id=m_of[target.id], role="admin")
                outcomes.append("ok")
            except VoelgoedError as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=demote, args=(a, b)), threading.Thread(target=demote, args=(b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["last_owner", "ok"]
    committed_db.expire_all()
    roles = committed_db.exec(select(Membership.role).where(Membership.organization_id == org.id)).all()
    assert sorted(roles) == ["admin", "owner"]
