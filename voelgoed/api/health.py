"""`GET /api/health` (api-v1.md)."""

from fastapi import APIRouter

from voelgoed.services.platform import health

router = APIRouter()


@router.get("/api/health")
def get_health() -> dict:
    """`{status, database, redis, worker}`; status is `ok` when the database answers."""
    return health.check()
