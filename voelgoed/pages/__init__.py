"""Reflex pages. ``register_pages(app)`` calls ``register(app)`` of every page module here."""

import importlib
import pkgutil

import reflex as rx


def register_pages(app: rx.App) -> None:
    import voelgoed.pages as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.ispkg:
            continue
        module = importlib.import_module(f"voelgoed.pages.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
