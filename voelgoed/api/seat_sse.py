"""The HTTP side of a seat-change stream (issue 12), shared by the public map's route (``public_seats``) and the
organiser's (``seat_office``): :class:`SeatStreamResponse` sends a stream's Server-Sent Events frames
(``text/event-stream``, never cached or buffered by a proxy) and gives its slot and subscription back however
the response ends (client gone, lifetime over, server stopping). The stream itself is
:mod:`voelgoed.services.seating.seat_stream`."""

from __future__ import annotations

from fastapi.responses import StreamingResponse


class SeatStreamResponse(StreamingResponse):
    """The stream's frames; its slot and subscription are given back however the response ends."""

    def __init__(self, stream) -> None:
        super().__init__(stream.frames(), media_type="text/event-stream",
                         headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        self._stream = stream

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._stream.close()
