"""The Reflex app: pages plus the HTTP API mounted through ``api_transformer``."""

import reflex as rx

from voelgoed.api import create_api
from voelgoed.pages import register_pages
from voelgoed.services.runtime import apply_thread_limit, inprocess_ticker

app = rx.App(
    api_transformer=create_api(),
    stylesheets=["/styles.css"],
)
register_pages(app)
app.register_lifespan_task(inprocess_ticker)  # housekeeping + outbox drain when Redis is down
app.register_lifespan_task(apply_thread_limit)  # WEB_THREADS: first come, first served under a crowd
