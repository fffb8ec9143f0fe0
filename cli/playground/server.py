"""Running the playground: uvicorn on a socket bound beforehand (so that ``--port 0``'s
port is known before the first request, for the URL and the Host check)."""

from __future__ import annotations

import socket
import threading
import time
import webbrowser
from types import FrameType

import uvicorn

from ladle.cli.playground.app import Playground, create_app

MAX_CONNECTIONS = 512  # past this uvicorn answers 503 instead of holding more sockets
STOP_SECONDS = 3  # how long a stop waits for requests still running


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the page's event streams when told to stop
    (they would otherwise hold the stop for as long as a page is open)."""

    def __init__(self, config: uvicorn.Config, playground: Playground) -> None:
        super().__init__(config)
        self.playground = playground

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.playground.close()
        super().handle_exit(sig, frame)


def _open_when_started(server: _Server, url: str) -> None:
    deadline = time.monotonic() + 30
    while not server.started and not server.should_exit and time.monotonic() < deadline:
        time.sleep(0.05)
    if server.started:
        webbrowser.open(url)


def run(playground: Playground, sock: socket.socket, host: str, *, open_url: str | None = None
        ) -> None:
    """Serve ``playground`` on ``sock`` (bound to ``host``) until Ctrl-C or SIGTERM; after
    a Ctrl-C, uvicorn raises the ``KeyboardInterrupt`` it caught again once it has stopped."""
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(playground, host=host, port=port), log_level="warning",
                            access_log=False, lifespan="on", limit_concurrency=MAX_CONNECTIONS,
                            timeout_graceful_shutdown=STOP_SECONDS, server_header=False,
                            proxy_headers=False)  # no proxy in front: trust no forwarded header
    server = _Server(config, playground)
    if open_url is not None:
        threading.Thread(target=_open_when_started, args=(server, open_url), daemon=True).start()
    server.run(sockets=[sock])
