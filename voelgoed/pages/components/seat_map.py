"""The customer seat map: ONE wrapped React component (``assets/seating/seatmap.jsx``) on the builder's
``react-konva``/``konva``. It loads the layout and the statuses itself over the public seating API (never
through Reflex state) and renders nothing for an event without seats — see docs/seated-sales.md."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.seating_canvas import KONVA, REACT_KONVA


class SeatMap(rx.NoSSRComponent):
    """``seat_map(slug=..., height=520)``."""

    library = "$/public/seating/seatmap.jsx"
    tag = "SeatMap"
    is_default = True
    lib_dependencies: list[str] = [KONVA, REACT_KONVA]

    slug: rx.Var[str]
    height: rx.Var[int]


seat_map = SeatMap.create
