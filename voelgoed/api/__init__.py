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
    """Routers of the other slices; each module exposes ``router``."""
    import importlib

    names = ["auth", "organiser", "public", "payments", "sandbox", "scanner", "waiting_room", "metrics"]
    for name in names:
        try:
            module = importlib.import_module(f"voelgoed.api.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"voelgoed.api.{name}":
                continue
            raise
        yield module.router
