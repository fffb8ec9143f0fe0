"""File system loaders: python-liquid's, with a cheaper check for changed files.

A ``{% render %}`` in a loop asks its loader for the partial each time, and a caching
loader then checks the partial's file for changes. These do exactly what python-liquid's
do, with one ``os.stat`` per check and no intermediate objects.
"""

from __future__ import annotations

import difflib
import os
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import liquid
from liquid.exceptions import TemplateNotFoundError

from ladle.grammar.errors import line_and_column, undecodable
from ladle.templating.errors import TemplateNotFound, TemplateReadError
from ladle.templating.internals import read_template_file

if TYPE_CHECKING:
    from collections.abc import Mapping

    from liquid import BoundTemplate, Environment
    from liquid.context import RenderContext


def _checked_path(loader: liquid.FileSystemLoader, name: str) -> Path:
    """The file for ``name``; a name no file can have (a NUL byte, one the system refuses
    to look up) is not found, rather than an ``OSError`` or ``ValueError``."""
    if "\x00" in name:
        raise TemplateNotFoundError(name)
    try:
        return liquid.FileSystemLoader.resolve_path(loader, name)
    except (OSError, ValueError):
        raise TemplateNotFoundError(name) from None


def _read_checked(loader: liquid.FileSystemLoader, path: Path) -> tuple[str, float]:
    """The text and time of a template file; a file that cannot be read or is not text in
    the loader's encoding is a ``TemplateReadError``, not an ``OSError``."""
    try:
        return read_template_file(loader, path)
    except UnicodeDecodeError as error:
        raise TemplateReadError(f"partial {path.name!r} is not {_undecodable(path, error)}",
                                token=None) from None
    except OSError as error:
        raise TemplateReadError(f"partial {path.name!r} cannot be read: "
                                f"{error.strerror or error}", token=None) from None


def _undecodable(path: Path, error: UnicodeDecodeError) -> str:
    """What a partial that is not text is: 'UTF-8 text (byte 0xff at line 2, column 4)'
    (the file read again, as the reader's error counts from the start of its chunk)."""
    if error.encoding.replace("-", "").lower() != "utf8":
        return f"{error.encoding} text"
    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as again:
        message, text, position = undecodable(raw, again)
        line, column = line_and_column(text, position)
        return f"{message.removeprefix('not ')[:-1]} at line {line}, column {column})"
    except OSError:
        pass
    return "UTF-8 text"


class FileSystemLoader(liquid.FileSystemLoader):
    """python-liquid's ``FileSystemLoader``."""

    def _read(self, source_path: Path) -> tuple[str, float]:
        return _read_checked(self, source_path)

    @staticmethod
    def _uptodate(source_path: Path, mtime: float) -> bool:
        return mtime == os.stat(source_path).st_mtime

    def resolve_path(self, template_name: str) -> Path:
        return _checked_path(self, template_name)


class CachingFileSystemLoader(liquid.CachingFileSystemLoader):
    """python-liquid's ``CachingFileSystemLoader``: parsed templates are kept (least recently
    used first out) and, with ``auto_reload``, reloaded when their file changes."""

    @staticmethod
    def _uptodate(source_path: Path, mtime: float) -> bool:
        return mtime == os.stat(source_path).st_mtime

    def resolve_path(self, template_name: str) -> Path:
        return _checked_path(self, template_name)

    def _read(self, source_path: Path) -> tuple[str, float]:
        return _read_checked(self, source_path)

    def load(self, env: Environment, name: str, *,
             globals: Mapping[str, object] | None = None,
             context: RenderContext | None = None, **kwargs: Any) -> BoundTemplate:
        key = self.cache_key(name, context, kwargs)
        try:
            cached = self.cache[key]
        except KeyError:
            cached = None
        if cached is None or (self.auto_reload and not cached.is_up_to_date()):
            template = liquid.FileSystemLoader.load(self, env, name, globals=globals,
                                                    context=context, **kwargs)
            self.cache[key] = template
            return template
        if globals:
            cached.globals = globals
        return cached


# Names of a dict loader listed in a not-found message, and compared for "did you mean".
_LISTED = 5
_COMPARED = 1000
_LONGEST_COMPARED = 200


def not_found(loader: object, name: str) -> TemplateNotFound:
    """The error for a template ``loader`` cannot find, saying where it looked."""
    return TemplateNotFound(name, searched(loader, name))


def searched(loader: object, name: str) -> str:
    """Where ``loader`` looked for ``name``: its folders, or the names it holds."""
    if isinstance(loader, liquid.ChoiceLoader):
        return "; ".join(searched(each, name) for each in loader.loaders) or "no loaders"
    folders = getattr(loader, "search_path", None) or getattr(loader, "paths", None)
    if isinstance(loader, liquid.PackageLoader | liquid.FileSystemLoader) and folders:
        where = ", ".join(str(folder) for folder in folders)
        extension = getattr(loader, "ext", None)
        also = f", also as {name}{extension}" if extension and not Path(name).suffix else ""
        refused = _refused(folders, name)
        hint = refused or _suggestion(name, [f for f in _files(folders, name) if f != name])
        return f"looked in {where}{also}{hint}"
    templates = getattr(loader, "templates", None)
    if isinstance(loader, liquid.DictLoader) and isinstance(templates, dict):
        if not templates:
            return f"the {type(loader).__name__} holds no templates"
        names = [repr(each) for each in islice(templates, _LISTED)]
        more = len(templates) - len(names)
        held = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        compared = [each for each in islice(templates, _COMPARED) if isinstance(each, str)]
        hint = _suggestion(name, compared)
        return f"the {type(loader).__name__} holds {held}{hint}"
    return f"the {type(loader).__name__} has no template of that name"


def _files(folders: list[Any], name: str) -> list[str]:
    """Names of the files beside where ``name`` would be, in each folder (a few); none
    outside the folders (a template must not learn what lies elsewhere)."""
    found: list[str] = []
    parent = Path(name).parent
    if parent.is_absolute() or ".." in parent.parts:
        return found
    for folder in folders:
        try:
            with os.scandir(Path(str(folder)) / parent) as entries:
                found.extend(str(parent / entry.name) for entry in islice(entries, _COMPARED))
        except (OSError, ValueError):
            continue
    return found


def _refused(folders: list[Any], name: str) -> str:
    """Why a loader refused a name that is there: a folder, or a link that leads out of
    the folder (a template must not read what lies elsewhere); '' when it is not there."""
    parent = Path(name).parent
    if parent.is_absolute() or ".." in parent.parts:
        return ""
    for folder in folders:
        try:
            path = Path(str(folder)) / name
            if path.is_dir():
                return f"; {name!r} there is a folder"
            if path.is_symlink() and not path.resolve().is_relative_to(
                    Path(str(folder)).resolve()):
                return f"; {name!r} there links out of the folder, which partials may not"
        except (OSError, ValueError):
            continue
    return ""


def _suggestion(name: str, names: list[str]) -> str:
    if len(name) > _LONGEST_COMPARED:
        return ""
    # the name without its extension ('row' for row.html) is the likeliest slip
    close = sorted(other for other in names if Path(other).stem == name and
                   Path(other).suffix and not Path(name).suffix)[:1] or \
        difflib.get_close_matches(name, names, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
