"""Migration ``refunds_0003`` backfills the money ledger: one ``payment`` entry per payment that had already
succeeded (nothing for initiated/failed ones), so balances of orders paid before the ledger are right."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from tests.conftest import TEST_DATABASE_URL, _ensure_database
from tests.factories import make_event, make_org, make_ticket_type
from tests.ticket_factories import make_order
from voelgoed.config import ROOT
from voelgoed.models import Payment


def _cfg(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["url"] = url
    return cfg


def test_backfill_writes_one_payment_entry_per_succeeded_payment(engine):
    url = make_url(TEST_DATABASE_URL).set(database=make_url(TEST_DATABASE_URL).database + "_backfill")
    url_s = url.render_as_string(hide_password=False)
    _ensure_database(url_s)
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    before = ScriptDirectory.from_config(_cfg(url_s)).get_revision("refunds_0003").down_revision
    command.upgrade(_cfg(url_s), before)  # the revision just before the backfill
    # The rows are made with today's models in the suite's own (head) database inside a transaction that is
    # rolled back, then copied into the old schema column by column: columns added by later revisions do
    # not exist there (and get their defaults from those revisions on the way up).
    orders = []
    with engine.connect() as head_conn:
        outer = head_conn.begin()
        try:
            with Session(bind=head_conn, join_transaction_mode="create_savepoint") as session:
                org = make_org(session)
                tt = make_ticket_type(session, make_event(session, org), price_cents=2500)
                for status in ("succeeded", "initiated", "failed"):
                    order = make_order(session, tt, quantity=2, status="paid" if status == "succeeded" else "pending")
                    session.add(Payment(organization_id=org.id, order_id=order.id, provider="paystack", status=status,
                                        reference=f"ref-{uuid.uuid4().hex}", amount_cents=5000))
                    orders.append(order.id)
                session.flush()
                old = MetaData()
                old.reflect(eng)
                with eng.begin() as old_conn:
                    for table in SQLModel.metadata.sorted_tables:
                        if table.name not in old.tables:
                            continue
                        target = old.tables[table.name]
                        cols = [c for c in table.columns if c.name in target.c]
                        for row in head_conn.execute(select(*cols)).mappings():
                            old_conn.execute(insert(target).values(**dict(row)))
        finally:
            outer.rollback()
    try:
        command.upgrade(_cfg(url_s), "head")
        with eng.connect() as conn:
            rows = conn.execute(text("SELECT order_id, kind, amount_cents, source_key FROM ledgerentry")).all()
        assert [(r[0], r[1], r[2]) for r in rows] == [(orders[0], "payment", 5000)]
        assert rows[0][3].startswith("payment:")
        command.downgrade(_cfg(url_s), before)  # and the revisions go down cleanly
    finally:
        eng.dispose()
