"""One settings object, read from the environment (and an optional `.env` file).

Every variable is documented with its default in `docs/configuration.md`. The web process, the
CLI and the RQ worker all call :func:`get_settings`, so they always agree.

Secrets have no production default: with ``VOELGOED_ENV=prod`` a missing ``SECRET_KEY`` (or a
configured Paystack provider without its secret key) stops start-up via :func:`check_production`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # process
    env: str = Field("dev", alias="VOELGOED_ENV", description="dev | prod | test")
    port: int = Field(3000, alias="PORT")
    base_url: str = Field("", alias="BASE_URL", description="public URL; default http://localhost:PORT")

    # stores
    database_url: str = Field("", alias="DATABASE_URL", description="empty: SQLite file var/voelgoed.db")
    redis_url: str = Field("redis://127.0.0.1:6379/0", alias="REDIS_URL", description="empty: no Redis")
    db_pool_size: int = Field(10, alias="DB_POOL_SIZE")
    db_max_overflow: int = Field(20, alias="DB_MAX_OVERFLOW")
    db_lock_timeout_ms: int = Field(3000, alias="DB_LOCK_TIMEOUT_MS")
    db_pool_recycle_s: int = Field(1800, alias="DB_POOL_RECYCLE_S", description="pooled connections are replaced after this")
    hold_gate_per_row: int = Field(2, alias="HOLD_GATE_PER_ROW",
                                   description="one-statement holds of one process on one hot row at once (0: no gate)")
    web_threads: int = Field(0, alias="WEB_THREADS",
                             description="threads per web process for the sync API routes (0: anyio's default, 40)")
    seat_stream_max_per_worker: int = Field(200, alias="SEAT_STREAM_MAX_PER_WORKER",
                                            description="open seat-map streams per web process; beyond: 503 busy")
    seat_stream_lifetime_s: int = Field(300, alias="SEAT_STREAM_LIFETIME_S",
                                        description="a seat-map stream ends after this; the browser reconnects")
    seat_stream_keepalive_s: float = Field(15.0, alias="SEAT_STREAM_KEEPALIVE_S",
                                           description="keep-alive comment interval of an idle seat-map stream")
    hold_sold_out_memo_ms: int = Field(500, alias="HOLD_SOLD_OUT_MEMO_MS",
                                       description="a process answers sold_out without the row for this long (0: off)")

    # secrets
    secret_key: str = Field("", alias="SECRET_KEY")

    # files
    var_dir: Path = Field(ROOT / "var", alias="VAR_DIR")
    media_dir: Path | None = Field(None, alias="MEDIA_DIR")
    mail_dir: Path | None = Field(None, alias="MAIL_DIR")

    # mail
    smtp_host: str = Field("", alias="SMTP_HOST", description="empty: write .eml files to MAIL_DIR")
    smtp_port: int = Field(25, alias="SMTP_PORT")
    smtp_user: str = Field("", alias="SMTP_USER")
    smtp_password: str = Field("", alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, alias="SMTP_STARTTLS")
    mail_from: str = Field("VoelgoedEvents <tickets@voelgoed.local>", alias="MAIL_FROM")

    # payments
    payment_provider: str = Field("", alias="PAYMENT_PROVIDER",
                                  description="sandbox | paystack; empty: sandbox when SANDBOX_ENABLED, else none")
    sandbox_enabled: bool = Field(False, alias="SANDBOX_ENABLED", description="demo/test only; never next to a real provider")
    demo_mode: bool = Field(False, alias="DEMO_MODE", description="a demo deployment: the demo seed may run")
    sandbox_webhook_secret: str = Field("", alias="SANDBOX_WEBHOOK_SECRET", description="default: derived from SECRET_KEY")
    paystack_secret_key: str = Field("", alias="PAYSTACK_SECRET_KEY")
    paystack_base_url: str = Field("https://api.paystack.co", alias="PAYSTACK_BASE_URL")

    # sales and limits
    hold_ttl_seconds: int = Field(300, alias="HOLD_TTL_SECONDS")
    seat_hold_max_seconds: int = Field(1800, alias="SEAT_HOLD_MAX_SECONDS",
                                       description="hard cap on a seat hold's lifetime, extensions included")
    session_ttl_seconds: int = Field(14 * 24 * 3600, alias="SESSION_TTL_SECONDS")
    signin_rate_limit: str = Field("10/minute", alias="SIGNIN_RATE_LIMIT")
    public_rate_limit: str = Field("120/minute", alias="PUBLIC_RATE_LIMIT")
    hold_rate_limit: str = Field("30/minute", alias="HOLD_RATE_LIMIT")
    signin_account_rate_limit: str = Field("20/hour", alias="SIGNIN_ACCOUNT_RATE_LIMIT",
                                           description="failed sign-ins per account, from any address")
    hold_max_live_per_client: int = Field(5, alias="HOLD_MAX_LIVE_PER_CLIENT")
    hold_max_tickets_per_client: int = Field(20, alias="HOLD_MAX_TICKETS_PER_CLIENT")
    hold_max_live_per_pass: int = Field(1, alias="HOLD_MAX_LIVE_PER_PASS")
    hold_max_tickets_per_pass: int = Field(10, alias="HOLD_MAX_TICKETS_PER_PASS")
    waiting_room_join_rate_limit: str = Field("10/minute", alias="WAITING_ROOM_JOIN_RATE_LIMIT",
                                              description="waiting-room joins per client address")

    # edges
    trusted_proxy_hops: int = Field(0, alias="TRUSTED_PROXY_HOPS", description="X-Forwarded-For hops to trust")
    max_body_bytes: int = Field(1_000_000, alias="MAX_BODY_BYTES", description="request bodies above this get 413")

    # outbox (side effects drained by the worker)
    outbox_max_attempts: int = Field(8, alias="OUTBOX_MAX_ATTEMPTS", description="failures before an entry is dead-lettered")
    outbox_lease_seconds: int = Field(300, alias="OUTBOX_LEASE_SECONDS",
                                      description="a claimed entry is retried after this if its drainer died")
    housekeeping_interval_seconds: int = Field(60, alias="HOUSEKEEPING_INTERVAL_SECONDS",
                                               description="cron interval of the housekeeping sweep and outbox drain")
    # payment reconciliation (sales/reconcile.py): pending payments the webhook never settled
    reconcile_after_seconds: int = Field(300, alias="RECONCILE_AFTER_SECONDS",
                                         description="a pending payment is verified with its provider once this old")
    reconcile_interval_seconds: int = Field(60, alias="RECONCILE_INTERVAL_SECONDS",
                                            description="cron interval of the reconciliation job")
    reconcile_batch: int = Field(50, alias="RECONCILE_BATCH", description="provider look-ups per reconciliation run")

    # marketing (issue 15): promo codes, tracked links, funnel counts, attribution
    promo_attempt_rate_limit: str = Field("10/minute", alias="PROMO_ATTEMPT_RATE_LIMIT",
                                          description="failed promo codes per client address before 429")
    attribution_window_days: int = Field(30, alias="ATTRIBUTION_WINDOW_DAYS",
                                         description="a tracked-link visit older than this is not attributed")
    funnel_tracking: bool = Field(True, alias="FUNNEL_TRACKING", description="count first-party funnel steps in Redis")
    funnel_flood_per_minute: int = Field(60, alias="FUNNEL_FLOOD_PER_MINUTE",
                                         description="funnel steps counted per client address and minute")
    # integrations: API keys and outbound webhooks (docs/webhooks.md)
    api_key_rate_limit: str = Field("600/minute", alias="API_KEY_RATE_LIMIT",
                                    description="default per-key request limit (limits notation); a key may set its own")
    webhooks_allow_private: bool = Field(False, alias="WEBHOOKS_ALLOW_PRIVATE",
                                         description="allow webhook URLs on loopback/private/link-local addresses and http:// (tests, demo)")
    webhooks_timeout_seconds: float = Field(10.0, alias="WEBHOOKS_TIMEOUT_SECONDS", description="per delivery attempt")
    webhooks_max_in_flight: int = Field(4, alias="WEBHOOKS_MAX_IN_FLIGHT", description="concurrent deliveries per endpoint")
    webhooks_secret_overlap_hours: int = Field(24, alias="WEBHOOKS_SECRET_OVERLAP_HOURS",
                                               description="after a rotation the old secret also signs for this long")

    # devices
    device_grace_hours: int = Field(12, alias="DEVICE_GRACE_HOURS", description="devices expire this long after the event ends")

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL; ``postgresql://`` is mapped to the psycopg 3 driver."""
        url = self.database_url or f"sqlite:///{self.var_dir / 'voelgoed.db'}"
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url

    @property
    def effective_secret_key(self) -> str:
        """SECRET_KEY; the public development value only outside production.

        In production a missing, short or development key raises :class:`ConfigurationError`
        instead (so nothing is ever signed or encrypted with a published key).
        """
        if self.is_prod:
            problem = secret_key_problem(self.secret_key)
            if problem:
                raise ConfigurationError(f"Production start-up refused: {problem}")
            return self.secret_key
        return self.secret_key or DEV_SECRET

    @property
    def real_payment_provider(self) -> str:
        """The real (money-moving) provider configured, or "" (``PAYMENT_PROVIDER``, ``PAYSTACK_SECRET_KEY``)."""
        if self.payment_provider and self.payment_provider != "sandbox":
            return self.payment_provider
        return "paystack" if self.paystack_secret_key else ""

    @property
    def effective_base_url(self) -> str:
        return (self.base_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def effective_media_dir(self) -> Path:
        return self.media_dir or (self.var_dir / "media")

    @property
    def effective_mail_dir(self) -> Path:
        return self.mail_dir or (self.var_dir / "mail")


class ConfigurationError(RuntimeError):
    """Raised at start-up when production settings are incomplete."""


MIN_SECRET_KEY_LENGTH = 32


def secret_key_problem(secret_key: str) -> str:
    """Why ``secret_key`` is unfit for production ("" when it is fine)."""
    if not secret_key:
        return "SECRET_KEY is not set; set it to a random string of at least 32 characters"
    if secret_key == DEV_SECRET:
        return "SECRET_KEY is the published development value; set a random string of at least 32 characters"
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return ""


def production_problems(settings: Settings) -> list[str]:
    """Everything in the environment that makes a production start unsafe (docs/security.md checklist).

    Empty outside ``VOELGOED_ENV=prod``. Each entry names the variable to fix. The database check
    (demo accounts with published passwords) lives in :mod:`voelgoed.services.runtime.startup`.
    """
    if not settings.is_prod:
        return []
    problems = []
    if problem := secret_key_problem(settings.secret_key):
        problems.append(problem)
    if settings.payment_provider == "paystack" and not settings.paystack_secret_key:
        problems.append("PAYSTACK_SECRET_KEY must be set when PAYMENT_PROVIDER=paystack")
    real = settings.real_payment_provider
    if real and settings.sandbox_enabled:
        problems.append(f"SANDBOX_ENABLED is on next to a real payment provider ({real}); unset SANDBOX_ENABLED")
    if real and settings.demo_mode:
        problems.append(f"DEMO_MODE is on next to a real payment provider ({real}); unset DEMO_MODE")
    if settings.webhooks_allow_private and real:
        problems.append(f"WEBHOOKS_ALLOW_PRIVATE is on next to a real payment provider ({real}); unset it (SSRF guard)")
    return problems


def check_production(settings: Settings) -> None:
    """Refuse an unsafe production start: raises ConfigurationError naming every variable to fix.

    Called by every process (web app factory, RQ worker, CLI) through
    :func:`voelgoed.services.runtime.startup.ensure_safe_start`; a no-op outside ``VOELGOED_ENV=prod``.
    """
    problems = production_problems(settings)
    if problems:
        raise ConfigurationError("Production start-up refused: " + "; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    return Settings()
