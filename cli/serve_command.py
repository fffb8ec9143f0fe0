"""``ladle layout serve``: the layout playground. The web server (the ``serve`` extra) is
imported only when the command runs, so ``ladle --help`` starts without it."""

from __future__ import annotations

import contextlib
import socket
import warnings
from pathlib import Path

import click

from ladle.cli.diagnostics import EXIT_OK, UserError
from ladle.player.bundled import preset_path
from ladle.player.source import MAX_BYTES

DEFAULT_PORT = 8765


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port`` (0: a free port), for uvicorn."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as error:
        raise UserError("--host", f"cannot listen on {host!r}: {error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)  # connections wait from now on, though uvicorn is still starting
    except OSError as error:
        sock.close()
        reason = (error.strerror or str(error)).lower()
        raise UserError("--port", f"cannot listen on {host}:{port}: {reason} (--port 0 "
                                  "picks a free port)") from None
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@click.command()
@click.argument("file", required=False, metavar="[FILE]")
@click.option("--preset", metavar="NAME",
              help="Start from a bundled preset: with no FILE, or for a FILE not written yet.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but loopback lets others on the "
                   "network read and overwrite FILE.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="The port to listen on (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
def serve(file: str | None, preset: str | None, host: str, port: int,
          open_browser: bool) -> int:
    """Edit a layout in the browser and see both players change as you type.

    Serves a page with the layout's text, its findings (click one to go to it), the album
    and track previews, the resolved values of the element at the cursor and the embed
    code. Saving FILE in any editor updates the page; Save in the page writes FILE, unless
    it changed on disk since it was loaded. Ctrl-C stops the server.

    \b
    Examples:
      ladle layout serve examples/layouts/mistakes.json
      ladle layout serve my-layout.json --preset wide --open
      ladle layout serve --preset tall --port 0
    """
    try:
        from ladle.cli.playground import server
        from ladle.cli.playground.app import Playground
        from ladle.cli.playground.disk import LayoutFile
        from ladle.cli.playground.guard import is_loopback
    except ImportError as error:
        raise UserError("ladle layout serve", f"needs the serve extra ({error.name} is not "
                                              "installed): pip install 'ladle[serve]'") from None
    start = None
    if preset is not None:
        try:
            start = preset_path(preset).read_bytes()
        except KeyError as error:
            raise UserError("--preset", str(error.args[0])) from None
    if file is None:
        if preset is None:
            raise UserError("ladle layout serve", "give a FILE to edit, --preset NAME to try "
                                                  "a preset, or both to start FILE from one")
        playground = Playground(f"preset:{preset}", None, start)
    else:
        if file in ("", "-"):
            raise UserError(repr(file), "give the name of a file: the playground edits and "
                                        "saves a file")
        layout = LayoutFile(Path(file), MAX_BYTES)
        snapshot = layout.read()
        if snapshot.error is not None:
            raise UserError(file, snapshot.error)
        if snapshot.data is not None and preset is not None:
            raise UserError(file, "already exists: --preset starts a file that does not "
                                  "exist yet (leave it out to edit the file)")
        if snapshot.data is None and preset is None:
            raise UserError(file, "no such file (add --preset NAME to start it from a preset)")
        if not layout.path.parent.is_dir():
            raise UserError(file, f"the folder {str(Path(file).parent)!r} does not exist")
        playground = Playground(file, layout, start)
    sock = listen(host, port)
    url = _url(host, sock.getsockname()[1])
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}, not on loopback: anyone who can reach this "
                   "machine can read and save the layout", err=True)
    with sock, warnings.catch_warnings():
        # a Ctrl-C just before uvicorn starts leaves its serve() coroutine never awaited
        warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
        with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C, while serving or before
            click.echo(f"layout playground for {playground.name}: {url} (Ctrl-C stops it)")
            server.run(playground, sock, host, open_url=url if open_browser else None)
    click.echo("stopped")
    return EXIT_OK
