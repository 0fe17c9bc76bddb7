"""A file as an HTTP answer, the one place its ``Content-Disposition`` is written: the API
serves files ``inline`` (a client decides what to do with them), the web pages as an
``attachment`` (the browser saves it under the name given)."""

from typing import Literal

from fastapi.responses import Response


def file_response(
    content: bytes,
    media_type: str,
    filename: str,
    disposition: Literal["inline", "attachment"] = "inline",
) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
