"""The HTTP API (FastAPI), mounted into the Reflex app. Routes are thin: parse, call a service, present."""

from fastapi import FastAPI

from voelgoed.api.edges import install_edge_middleware
from voelgoed.api.errors import install_error_handlers
from voelgoed.api.health import router as health_router


def create_api() -> FastAPI:
    """The FastAPI app. Refuses an unsafe production start first (``services.startup``, ConfigurationError)."""
    from voelgoed.services.platform import install_log_masking
    from voelgoed.services.runtime import ensure_safe_start

    install_log_masking()
    ensure_safe_start()
    api = FastAPI(
        title="VoelgoedEvents API",
        version="1.0.0",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(api)
    install_edge_middleware(api)
    api.include_router(health_router)
    for router in _optional_routers():
        api.include_router(router)
    return api


def _optional_routers():
    """Every module in ``voelgoed/api/`` that defines ``router`` is mounted (sorted by name)."""
    import importlib
    import pkgutil

    import voelgoed.api as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name in ("errors", "deps", "health", "edges"):
            continue
        module = importlib.import_module(f"voelgoed.api.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            yield router
