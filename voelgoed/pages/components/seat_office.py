"""The organiser's seat map: ONE wrapped React component (``assets/seating/seatoffice.jsx``) on the builder's
``react-konva``/``konva``. It loads the layout and the live statuses itself over the organiser's cookie routes
(``/api/organiser/events/<id>/seats…``, never through Reflex state) and does block/allocate/box office there
too — see docs/seated-sales.md "Organiser views"."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.seating_canvas import KONVA, REACT_KONVA


class SeatOffice(rx.NoSSRComponent):
    """``seat_office(event_id=..., height=520, may_edit=..., may_sell=...)``."""

    library = "$/public/seating/seatoffice.jsx"
    tag = "SeatOffice"
    is_default = True
    lib_dependencies: list[str] = [KONVA, REACT_KONVA]

    event_id: rx.Var[str]
    height: rx.Var[int]
    may_edit: rx.Var[bool]
    may_sell: rx.Var[bool]


seat_office = SeatOffice.create
