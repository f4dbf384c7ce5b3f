"""`python -m voelgoed …` — the command line (api-v1.md fixes the `org create` / `apikey create` forms).

    db upgrade                       migrate the database to the newest revision
    seed demo                        create the demo organisation, venue and event, plus weeks of sales and scans
                                     (idempotent; in prod only with DEMO_MODE=1)
    org create --name N --slug S --owner-email E --owner-password P
    user create --email E --password P [--name N] [--org SLUG --role ROLE]
    user set-password --email E --password P      replace a password (e.g. a demo account's) and end its sessions
    apikey create --org SLUG --name NAME [--scope S]… [--event ID]…   prints the new key as the last line
                                                  (default: every scope, every event)
    worker                           run the RQ worker with the scheduler
    cron                             run RQ's cron scheduler alone (housekeeping every minute)
    urls                             print the demo URLs and logins

Every command first runs the production start-up check (``services.startup``): with
``VOELGOED_ENV=prod`` and an unsafe environment it prints "Production start-up refused: …" naming
the variable and exits 3. ``worker`` also checks the database for demo accounts with published passwords.
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
    up = user.add_parser("set-password")
    up.add_argument("--email", required=True)
    up.add_argument("--password", required=True)

    key = sub.add_parser("apikey", help="API keys").add_subparsers(dest="cmd", required=True)
    kc = key.add_parser("create")
    kc.add_argument("--org", required=True)
    kc.add_argument("--name", required=True)
    kc.add_argument("--scope", action="append", default=None,
                    help="a scope the key may use (repeat; default: every scope), e.g. orders:read")
    kc.add_argument("--event", action="append", default=None, help="limit the key to this event id (repeat)")

    sub.add_parser("worker", help="run the RQ worker with the scheduler (and RQ's cron for housekeeping)")
    cron = sub.add_parser("cron", help="run RQ's cron scheduler alone (the worker starts one itself)")
    cron.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    sub.add_parser("urls", help="print the demo URLs and logins")
    return p


def demo_banner(base: str) -> str:
    """What ``make run`` prints once the demo answers: the URLs, the published logins, and the warning."""
    from voelgoed.config import get_settings
    from voelgoed.services.demo import ARENA_NAME, ARENA_SLUG, seed

    settings = get_settings()
    sandbox = "ON: payments are simulated by the built-in sandbox provider (no money moves)" if settings.sandbox_enabled \
        else "off"
    return f"""
VoelgoedEvents DEMO is running: NOT FOR PRODUCTION.
  This is a demo (DEMO_MODE={'1' if settings.demo_mode else '0'}) with published demo passwords; sandbox payment provider {sandbox}.
  Organiser dashboard: {base}/dashboard   (sign in as {seed.DEMO_OWNER_EMAIL} / {seed.DEMO_OWNER_PASSWORD})
  Demo event page:     {base}/e/{seed.DEMO_EVENT_SLUG}
  Seated demo event:   {base}/e/{seed.DEMO_SEATED_SLUG}   (choose seats; organisers: Events → {seed.DEMO_SEATED_NAME} → Open the seat map)
  Arena demo event:    {base}/e/{ARENA_SLUG}   (18 504 seats on a live map, {ARENA_NAME}: pick seats, best available, floor)
  Scanner page:        {base}/scan         (sign in on the scanner page as door staff: {seed.DEMO_DOOR_EMAIL} / {seed.DEMO_DOOR_PASSWORD})
  API health:          {base}/api/health
  For a real deployment see docs/security.md (the production checklist the start-up check enforces).
Press Ctrl-C to stop."""


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
    from voelgoed.config import ConfigurationError
    from voelgoed.services.platform import install_log_masking
    from voelgoed.services.runtime import ensure_safe_start

    args = _parser().parse_args(argv)
    install_log_masking()
    try:
        ensure_safe_start(check_database=args.group == "worker")
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
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

        print(demo_banner(get_settings().effective_base_url))
        return 0
    if args.group == "worker":
        from voelgoed.services.runtime import run_worker

        return run_worker()
    if args.group == "cron":
        from voelgoed.services.runtime import run_cron

        return run_cron(args.parent)
    if args.group == "seed":
        from voelgoed.services.demo import seed, seed_history

        with session_scope() as session:
            summary = seed.seed_demo(session)
        print(summary)
        with session_scope() as session:
            past = seed_history(session)  # weeks of sales and scans for the overview charts (once)
        if past:
            print(past)
        return 0
    if args.group == "org":
        from voelgoed.services.accounts import tenancy

        with session_scope() as session:
            org, owner = tenancy.create_organization_with_owner(
                session, name=args.name, slug=args.slug, owner_email=args.owner_email, owner_password=args.owner_password
            )
        print(f"created organisation {org.slug} ({org.id}) owned by {owner.email}")
        return 0
    if args.group == "user" and args.cmd == "set-password":
        from voelgoed.services.accounts import accounts

        with session_scope() as session:
            accounts.set_password(session, email=args.email, new_password=args.password)
        print(f"password replaced for {args.email.strip().lower()}; their sessions were ended")
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
            _key, secret = apikeys.create_api_key_for_org_slug(session, org_slug=args.org, name=args.name,
                                                               scopes=args.scope, event_ids=args.event)
        print("API key created; it is shown only once:")
        print(secret)
        return 0
    return 1
