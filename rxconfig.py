"""Reflex configuration. Reads URLs from the environment; imports nothing from `voelgoed`."""

import os

import reflex as rx

_port = int(os.environ.get("PORT", "3000"))
_redis = os.environ.get("REFLEX_REDIS_URL", "")  # set by `make run` only when Redis answers

config = rx.Config(
    app_name="voelgoed",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_port,
    backend_port=int(os.environ.get("BACKEND_PORT", str(_port))),
    api_url=os.environ.get("REFLEX_API_URL", f"http://localhost:{_port}"),
    redis_url=_redis or None,
    # the pages' client address (router.session.client_ip) uses the same trusted-proxy rule as the API
    trusted_proxy_hops=int(os.environ.get("TRUSTED_PROXY_HOPS", "0") or "0"),
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="grass", gray_color="sand", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
