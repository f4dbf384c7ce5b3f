"""`python -m voelgoed …` — the command line (api-v1.md fixes the `org create` / `apikey create` forms).

    db upgrade                       migrate the database to the newest revision
    seed demo                        create the demo organisation, venue and event (idempotent)
    org create --name N --slug S --owner-email E --owner-password P
    user create --email E --password P [--name N] [--org SLUG --role ROLE]
    apikey create --org SLUG --name NAME          prints the new key as the last line
    worker                           run the RQ worker with the scheduler
    urls                             print the demo URLs and logins
"""

from __future__ import annotations

import argparse
import sys

from voelgoed.services.platform import VoelgoedError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m voelgoed", description="VoelgoedEvents command line")
    sub = p.add_subparsers(dest="group", required=True)

    db = sub.add_parser("db", help="database").add_subparsers(dest="cmd", required=True)
    db.add_parser("upgrade", help="migrate to the newest revision")

    seed = sub.add_parser("seed", help="demo data").add_subparsers(dest="cmd", required=True)
    seed.add_parser("demo", help="create the demo (idempotent)")

    org = sub.add_parser("org", help="organisations").add_subparsers(dest="cmd", required=True)
    oc = org.add_parser("create")
    oc.add_argument("--name", required=True)
    oc.add_argument("--slug", required=True)
    oc.add_argument("--owner-email", required=True)
    oc.add_argument("--owner-password", required=True)

    user = sub.add_parser("user", help="users").add_subparsers(dest="cmd", required=True)
    uc = user.add_parser("create")
    uc.add_argument("--email", required=True)
    uc.add_argument("--password", required=True)
    uc.add_argument("--name", default="")
    uc.add_argument("--org")
    uc.add_argument("--role", default="staff")

    key = sub.add_parser("apikey", help="API keys").add_subparsers(dest="cmd", required=True)
    kc = key.add_parser("create")
    kc.add_argument("--org", required=True)
    kc.add_argument("--name", required=True)

    sub.add_parser("worker", help="run the RQ worker with the scheduler")
    sub.add_parser("urls", help="print the demo URLs and logins")
    return p


def db_upgrade(url: str | None = None) -> None:
    """Migrate the database at ``url`` (default: settings) to head with plain Alembic."""
    from alembic import command
    from alembic.config import Config

    from voelgoed.config import ROOT

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    if url:
        cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except VoelgoedError as exc:
        print(f"error: {exc.message} ({exc.code})", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    from voelgoed.services.platform import session_scope

    if args.group == "db":
        db_upgrade()
        print("database is at the newest revision")
        return 0
    if args.group == "urls":
        from voelgoed.config import get_settings
        from voelgoed.services.demo import seed

        base = get_settings().effective_base_url
        print(f"""
VoelgoedEvents is running.
  Organiser dashboard: {base}/dashboard   (sign in as {seed.DEMO_OWNER_EMAIL} / {seed.DEMO_OWNER_PASSWORD})
  Demo event page:     {base}/e/{seed.DEMO_EVENT_SLUG}
  Scanner page:        {base}/scan         (sign in on the scanner page as door staff: {seed.DEMO_DOOR_EMAIL} / {seed.DEMO_DOOR_PASSWORD})
  API health:          {base}/api/health
Press Ctrl-C to stop.""")
        return 0
    if args.group == "worker":
        from voelgoed.services.runtime import run_worker

        return run_worker()
    if args.group == "seed":
        from voelgoed.services.demo import seed

        with session_scope() as session:
            summary = seed.seed_demo(session)
        print(summary)
        return 0
    if args.group == "org":
        from voelgoed.services.accounts import tenancy

        with session_scope() as session:
            org, owner = tenancy.create_organization_with_owner(
                session, name=args.name, slug=args.slug, owner_email=args.owner_email, owner_password=args.owner_password
            )
        print(f"created organisation {org.slug} ({org.id}) owned by {owner.email}")
        return 0
    if args.group == "user":
        from voelgoed.services.accounts import accounts, tenancy

        with session_scope() as session:
            user = accounts.create_user(session, email=args.email, password=args.password, full_name=args.name)
            if args.org:
                tenancy.add_member_by_slug(session, org_slug=args.org, user_id=user.id, role=args.role)
        print(f"created user {user.email}")
        return 0
    if args.group == "apikey":
        from voelgoed.services.accounts import apikeys

        with session_scope() as session:
            _key, secret = apikeys.create_api_key_for_org_slug(session, org_slug=args.org, name=args.name)
        print("API key created; it is shown only once:")
        print(secret)
        return 0
    return 1
