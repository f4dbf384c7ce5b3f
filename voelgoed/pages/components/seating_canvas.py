"""The seating builder canvas: ONE wrapped React component (``assets/seating/builder.jsx``) on
``react-konva``/``konva`` from the npm registry. It loads and saves the layout itself over
``/api/builder/seating-plans/<id>`` (never through Reflex state) — see docs/seating.md."""

from __future__ import annotations

import reflex as rx

KONVA = "konva@10.9.1"
REACT_KONVA = "react-konva@19.3.2"


class SeatingBuilder(rx.NoSSRComponent):
    """``seating_builder(plan_id=..., height=620)``."""

    library = "$/public/seating/builder.jsx"
    tag = "SeatingBuilder"
    is_default = True
    lib_dependencies: list[str] = [KONVA, REACT_KONVA]

    plan_id: rx.Var[str]
    height: rx.Var[int]


seating_builder = SeatingBuilder.create
