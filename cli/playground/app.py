"""The playground's routes: the page and its two assets, the layout, the presets, the
preview of a text, saving, and the stream of saves made by other editors.

| route | does |
|---|---|
| ``GET /``, ``/playground.js``, ``/playground.css`` | the page (package data) |
| ``GET /api/layout`` | the text to start from, its version, whether it can be saved |
| ``GET /api/presets/NAME`` | a bundled preset's text |
| ``POST /api/preview?tracks=N&...`` | body: a layout text; what the page shows for it |
| ``PUT /api/layout`` | body: the text; ``If-Match``: the version it was edited from |
| ``GET /api/events`` | Server-Sent Events: the file's text after each change on disk |

The preview's other parameters say what the embed code is for: ``variant``, ``item``,
``layout_url``, ``player_url``, ``debug``. Nothing else is served: no other path, and no
file but FILE.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ladle import player
from ladle.cli.playground.disk import ABSENT, Hub, LayoutFile, SaveRefused, Snapshot, watch
from ladle.cli.playground.guard import Guard, read_body
from ladle.cli.playground.page import Embed, page_of
from ladle.player.bundled import preset_path
from ladle.player.format import DEFAULT_TRACKS, ELEMENTS
from ladle.player.source import MAX_BYTES

WORKERS = 2  # previews computed at once (and bodies held in memory for them)
TICK = 0.25  # seconds between looks at whether the server is stopping
PING_TICKS = 60  # a comment down each event stream every 15 s keeps proxies from closing it
_ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/playground.js": ("playground.js", "text/javascript; charset=utf-8"),
    "/playground.css": ("playground.css", "text/css; charset=utf-8"),
}


@dataclass
class Playground:
    """What one server edits: FILE (None with only ``--preset``), the text to start from
    when there is no FILE yet, and the name the page shows."""

    name: str
    file: LayoutFile | None
    start: bytes | None = None  # a preset's text: with no FILE, or a FILE not yet written
    closing: threading.Event = field(default_factory=threading.Event)
    hub: Hub = field(default_factory=Hub)

    def close(self) -> None:
        """Tell the event streams to end (the server is stopping)."""
        self.closing.set()


def _asset(name: str) -> bytes:
    return resources.files("ladle.cli.playground").joinpath("static", name).read_bytes()


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _tracks(request: Request) -> int:
    raw = request.query_params.get("tracks", str(DEFAULT_TRACKS))
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise HTTPException(400, "tracks must be a whole number from 1 to 10000")
    return int(raw)


def _embed(request: Request) -> Embed:
    query = request.query_params
    variant = query.get("variant", "album")
    if variant not in ("album", "track"):
        raise HTTPException(400, "variant must be album or track")
    default = Embed()
    return Embed(variant, query.get("item", default.item)[:200],
                 query.get("layout_url", default.layout_url)[:2000],
                 query.get("player_url", default.player_url)[:2000],
                 query.get("debug") in ("1", "true"))


def _event(snapshot: Snapshot) -> str:
    body = json.dumps({"version": snapshot.version, "text": snapshot.text(),
                       "error": snapshot.error}, ensure_ascii=False)
    return f"event: file\ndata: {body}\n\n"


def create_app(playground: Playground, *, host: str, port: int) -> Starlette:
    """The ASGI app for ``playground``, answering only as ``host:port``."""
    assets = {path: (_asset(name), media) for path, (name, media) in _ASSETS.items()}
    gate = asyncio.Semaphore(WORKERS)
    presets = sorted(player.presets())
    file = playground.file

    async def asset(request: Request) -> Response:
        content, media = assets[request.url.path]
        return Response(content, media_type=media)

    async def layout(request: Request) -> Response:
        snapshot = await run_in_threadpool(file.read) if file is not None else None
        version: str | None
        if snapshot is not None and snapshot.data is not None:
            text, version = snapshot.data.decode("utf-8"), snapshot.version
        elif snapshot is not None and snapshot.error is not None:
            return _error(409, snapshot.error)
        else:  # a preset, for a FILE not written yet or for no FILE
            start = playground.start or b""
            text, version = start.decode("utf-8"), ABSENT if file is not None else None
        return JSONResponse({"name": playground.name, "text": text, "version": version,
                             "saveable": file is not None, "presets": presets,
                             "elements": ELEMENTS, "limit": MAX_BYTES,
                             "tracks": DEFAULT_TRACKS})

    async def preset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in presets:
            return _error(404, f"no preset {name!r}", presets=presets)
        data = await run_in_threadpool(preset_path(name).read_bytes)
        return JSONResponse({"name": name, "text": data.decode("utf-8")})

    async def preview(request: Request) -> Response:
        tracks, embed = _tracks(request), _embed(request)
        async with gate:  # bodies are read inside too: memory stays bounded under load
            data = await read_body(request, MAX_BYTES)
            shown = await run_in_threadpool(page_of, data, tracks=tracks, embed=embed)
        return JSONResponse(shown)

    async def save(request: Request) -> Response:
        if file is None:
            return _error(409, "there is no file to save to: give a FILE to "
                               "'ladle layout serve' to edit it")
        base = request.headers.get("if-match", "").strip('"')
        if not base:
            return _error(428, "a save names the version it was edited from (If-Match)")
        data = await read_body(request, MAX_BYTES)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the text is not UTF-8")
        try:
            saved = await run_in_threadpool(file.save, data, base)
        except SaveRefused as refused:
            if refused.current is None:
                return _error(409, refused.message)
            return _error(412, refused.message, version=refused.current.version)
        playground.hub.publish(saved)
        return JSONResponse({"version": saved.version})

    async def events(request: Request) -> Response:
        if file is None:
            return _error(404, "there is no file to watch")
        queue = playground.hub.subscribe()

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 1000\n\n"
                yield _event(await run_in_threadpool(file.read))
                ticks = 0
                while not playground.closing.is_set():
                    try:
                        snapshot = await asyncio.wait_for(queue.get(), TICK)
                    except TimeoutError:
                        ticks += 1
                        if ticks % PING_TICKS == 0:
                            yield ": ping\n\n"
                        continue
                    yield _event(snapshot)
            finally:
                playground.hub.unsubscribe(queue)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return _error(error.status_code, error.detail)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(file, playground.hub, stop)) if file else None
        try:
            yield
        finally:
            playground.close()
            stop.set()
            if watcher is not None:
                await watcher

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: http_error}
    return Starlette(
        routes=[*(Route(path, asset, methods=["GET"]) for path in _ASSETS),
                Route("/api/layout", layout, methods=["GET"]),
                Route("/api/layout", save, methods=["PUT"]),
                Route("/api/presets/{name:str}", preset, methods=["GET"]),
                Route("/api/preview", preview, methods=["POST"]),
                Route("/api/events", events, methods=["GET"])],
        middleware=[Middleware(Guard, host=host, port=port)],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
