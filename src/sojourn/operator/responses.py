"""Answers in the form the caller asked for: JSON, or CSV with ``Accept: text/csv``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from sojourn.operator import manifest
from sojourn.operator.schemas import ManifestOut

CSV = "text/csv"


def wants_csv(request: Request[Any, Any, Any]) -> bool:
    return CSV in request.headers.get("accept", "")


def manifest_response(request: Request[Any, Any, Any], data: ManifestOut) -> Response[Any]:
    if not wants_csv(request):
        return Response(data)
    return Response(
        manifest.to_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{manifest.csv_filename(data)}"'},
    )
