"""The HTTP API (FastAPI), mounted into the Reflex app. Routes are thin: parse, call a service, present."""

from fastapi import FastAPI

from voelgoed.api.errors import install_error_handlers
from voelgoed.api.health import router as health_router


def create_api() -> FastAPI:
    api = FastAPI(
        title="VoelgoedEvents API",
        version="1.0.0",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(api)
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
        if info.name in ("errors", "deps", "health"):
            continue
        module = importlib.import_module(f"voelgoed.api.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            yield router
