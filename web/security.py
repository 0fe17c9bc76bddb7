"""What the application believes about the connection, and what it tells browsers.

* ``client_address``: the one address failed sign-ins are counted against (web login and
  API token alike). It is the TCP peer, or the client a proxy forwarded for when the peer
  is one of ``BLANGKO_TRUSTED_PROXIES``: ``blangko serve`` gives uvicorn that list (and
  only that list), and uvicorn rewrites the peer before the request gets here. A header
  of the request itself is never read here.
* ``SecurityHeaders``: on every response, pages and API alike, a Content-Security-Policy
  that allows only our own (vendored) scripts, styles and images and no inline script,
  no framing, ``nosniff`` and a same-origin referrer; over https (``BLANGKO_HTTPS`` or a
  trusted proxy's ``X-Forwarded-Proto``) cookies get ``Secure`` and HSTS is sent.
* The Swagger UI page (``DOCS_PATH``) is FastAPI's, with Swagger UI vendored under
  ``/static/vendor/swagger-ui``: FastAPI starts it with one inline script, so that page
  alone allows that one script by its hash. Everything else stays strict.
"""

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from blangko.settings import get_settings

_STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATH = "/api/docs"
_DOCS = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
HSTS = "max-age=31536000"
HEADERS = {
    b"x-frame-options": b"DENY",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
}


def client_address(request: Request) -> str:
    """The address a request comes from, for throttling sign-ins."""
    return request.client.host if request.client else "unknown"


def install(app: FastAPI) -> None:
    """Adds the headers to every response of ``app`` (outside the session middleware, so
    that its cookie is marked ``Secure`` too)."""
    app.add_middleware(SecurityHeaders, docs_path=DOCS_PATH)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, docs_path: str | None = None) -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = get_settings().https or scope.get("scheme") == "https"
        if scope["path"] == self.docs_path:
            await self._docs(scope, receive, send, https)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(message.get("headers", []), _STRICT, https)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send, https: bool) -> None:
        """Holds the (small) docs page back until its inline scripts are hashed."""
        start: Message = {}
        body = b""

        async def collect(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            hashes = " ".join(
                "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
                for script in _INLINE_SCRIPT.findall(body)
            )
            policy = _DOCS.format(hashes=hashes)
            await send({**start, "headers": _secured(start.get("headers", []), policy, https)})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, collect)


def _secured(
    headers: list[tuple[bytes, bytes]], policy: str, https: bool
) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    result = []
    for name, value in headers:
        if https and name.lower() == b"set-cookie" and not _is_secure(value):
            value += b"; Secure"
        result.append((name, value))
    extra = {b"content-security-policy": policy.encode(), **HEADERS}
    if https:
        extra[b"strict-transport-security"] = HSTS.encode()
    result.extend((name, value) for name, value in extra.items() if name not in present)
    return result


def _is_secure(cookie: bytes) -> bool:
    return any(part.strip().lower() == b"secure" for part in cookie.split(b";")[1:])
