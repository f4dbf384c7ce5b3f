"""Reflex pages. ``register_pages(app)`` adds every page module's routes to the app."""

import importlib

import reflex as rx

PAGE_MODULES = [
    "home",
    "auth",
    "dashboard",
    "venues",
    "events",
    "orders",
    "public_event",
    "checkout",
    "sandbox_pay",
    "order_page",
    "scanner",
    "live",
    "settings",
    "waiting_room",
]


def register_pages(app: rx.App) -> None:
    for name in PAGE_MODULES:
        try:
            module = importlib.import_module(f"voelgoed.pages.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"voelgoed.pages.{name}":
                continue
            raise
        module.register(app)
