"""Imports: everything goes through ``ladle`` (never a bare ``grammar`` or ``rules``, which
an editable install can also reach), and they point one way: grammar <- filters <-
templating / player / rules <- cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("grammar", "filters", "templating", "player", "rules", "cli")
# What each part may import of ladle.
ALLOWED = {
    "grammar": {"grammar"},
    "filters": {"grammar", "filters"},
    "templating": {"grammar", "filters", "templating"},
    "player": {"grammar", "filters", "player"},
    "rules": {"grammar", "filters", "rules"},
    "cli": set(PARTS),
}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module name) of every import in ``path``, in functions too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "ladle":
            found += [(node.lineno, f"ladle.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


def python_files() -> list[Path]:
    return sorted(path for folder in (*PARTS, "tests", "bench", "ladle")
                  for path in (ROOT / folder).rglob("*.py") if ".venv" not in path.parts)


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_ladle_is_imported_by_its_package_name(path: Path) -> None:
    bare = [f"line {line}: {name}" for line, name in imported(path)
            if name.split(".")[0] in PARTS]
    assert not bare, f"{path.relative_to(ROOT)} imports {bare}: use ladle.<part>"


@pytest.mark.parametrize("part", PARTS)
def test_imports_point_one_way(part: str) -> None:
    wrong = []
    for path in sorted((ROOT / part).rglob("*.py")):
        for line, name in imported(path):
            pieces = name.split(".")
            if pieces[0] == "ladle" and len(pieces) > 1 and pieces[1] not in ALLOWED[part]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("part", PARTS)
def test_no_module_is_over_700_lines(part: str) -> None:
    long = [f"{path.relative_to(ROOT)}: {count}" for path in sorted((ROOT / part).rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 700]
    assert not long, long
