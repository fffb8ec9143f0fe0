"""Containment: the playground answers only pages it served itself.

- The ``Host`` header must name the address the server listens on (a loopback server also
  answers to ``localhost``; one on every interface to any IP address), with its port: a
  page on another site that rebinds its own name to 127.0.0.1 is refused (DNS rebinding).
- Requests that change something (POST, PUT) carry the ``X-Ladle-Playground`` header and,
  when the browser sends an ``Origin``, come from the server's own: another site's page
  can make neither without a CORS preflight, which the server never grants.
- Every response says: no caching, no sniffing, no framing, and run only the page's own
  script (the preview SVGs go into the page as markup, so their styles are allowed inline).
- Bodies are read only up to the layout size limit.

>>> names, any_ip = allowed_names("127.0.0.1")
>>> sorted(names), any_ip
(['127.0.0.1', '::1', 'localhost'], False)
>>> split_host("[::1]:8765"), split_host("localhost"), split_host("a.test:x")
(('::1', 8765), ('localhost', 80), None)
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MARKER = "x-ladle-playground"  # the header the page sends with every change
BODY_SECONDS = 10  # a body slower than this is dropped: its slot is wanted
_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
     b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    name = host.strip("[]").lower()
    address = _ip(name)
    return name == "localhost" or (address is not None and address.is_loopback)


def allowed_names(host: str) -> tuple[frozenset[str], bool]:
    """The host names a request may give for a server listening on ``host``, and whether
    any IP address will do (a server on every interface: no name, so no rebinding)."""
    name = host.strip("[]").lower()
    names = {name}
    address = _ip(name)
    if is_loopback(host):
        names |= {"localhost", "127.0.0.1", "::1"}
    unspecified = address is not None and address.is_unspecified
    if unspecified:
        names.add("localhost")
    return frozenset(names), unspecified


def split_host(value: str) -> tuple[str, int] | None:
    """(name, port) of a ``Host`` header (port 80 when absent); None when malformed."""
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        name, colon, port = value.rpartition(":")
        if not colon:
            name, port = value, ""
    if not name or (port and not (port.isdigit() and len(port) <= 5)):
        return None
    return name.lower(), int(port) if port else 80


class Guard:
    """ASGI middleware: refuse foreign Host and Origin headers, add the security headers."""

    def __init__(self, app: ASGIApp, *, host: str, port: int) -> None:
        self.app = app
        self.port = port
        self.names, self.any_ip = allowed_names(host)

    def host_allowed(self, value: str | None) -> bool:
        place = split_host(value or "")
        if place is None or place[1] != self.port:
            return False
        name = place[0]
        return name in self.names or (self.any_ip and _ip(name) is not None)

    def refusal(self, scope: Scope) -> PlainTextResponse | None:
        headers = Headers(scope=scope)
        if not self.host_allowed(headers.get("host")):
            return PlainTextResponse("unexpected Host header: this server answers only to "
                                     "the address it listens on\n", status_code=400)
        if scope.get("method", "GET") in ("GET", "HEAD"):
            return None
        origin = headers.get("origin")
        if origin is not None:
            parts = urlsplit(origin)
            if parts.scheme != "http" or not self.host_allowed(parts.netloc):
                return PlainTextResponse("requests from other sites are refused\n",
                                         status_code=403)
        if headers.get(MARKER) != "1":
            return PlainTextResponse(f"changes need the {MARKER} header that the "
                                     "playground page sends\n", status_code=403)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(key, value) for key, value in _HEADERS if key not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused with 413 past ``limit`` bytes (before reading it, when
    the length is declared) and with 408 when it comes too slowly."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is {declared} bytes, larger than the layout limit "
                                 f"of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    with anyio.move_on_after(BODY_SECONDS) as scope:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"the body is larger than the layout limit of "
                                         f"{limit} bytes")
            chunks.append(chunk)
    if scope.cancelled_caught:
        raise HTTPException(408, "the body came too slowly")
    return b"".join(chunks)
