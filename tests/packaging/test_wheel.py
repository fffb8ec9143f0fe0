"""The wheel as a user installs it: one top-level package, ``ladle``, that works beside an
application's own ``filters.py``, ``rules.py``, ``cli.py`` and ``grammar.py``, and a
``ladle demo`` that finds its bundled examples from any folder (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Modules an application may well have of its own, named like ladle's parts.
APPLICATION = {
    "filters.py": "LADLE = 'the application filters'\n",
    "rules.py": "raise ImportError('the application rules module')\n",
    "cli.py": "raise ImportError('the application cli module')\n",
    "grammar.py": "raise ImportError('the application grammar module')\n",
    "templating.py": "raise ImportError('the application templating module')\n",
}


def run(*command: str | Path, **options: object) -> str:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          check=False, **options)  # type: ignore[call-overload]
    assert done.returncode == 0, done.stderr[-3000:]
    return str(done.stdout)


@dataclass(frozen=True)
class Installed:
    bin: Path  # the fresh venv's scripts
    site: Path  # its site-packages
    added: set[str]  # what installing the wheel put there
    environment: dict[str, str]  # the environment that runs it


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel built from this checkout, installed without its dependencies into a fresh
    venv; they come from the test environment's own site-packages on PYTHONPATH (which
    holds no ladle: the test environment's install is editable)."""
    base = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "-w", base / "dist", ROOT)
    wheels = list((base / "dist").glob("ladle-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .strip())
    before = set(os.listdir(site))
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheels[0])
    added = set(os.listdir(site)) - before
    environment = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    return Installed(env_dir / "bin", site, added, environment)


def test_only_ladle_lands_at_the_top_of_site_packages(installed: Installed) -> None:
    assert installed.added == {"ladle", "ladle-0.1.0.dev0.dist-info"}, installed.added
    assert not (installed.site / "ladle" / "grammar").is_symlink()
    assert (installed.site / "ladle" / "examples" / "artist" / "artist.html").is_file()
    assert (installed.site / "ladle" / "player" / "presets").is_dir()
    static = installed.site / "ladle" / "cli" / "playground" / "static"  # the playground's page
    assert sorted(p.name for p in static.iterdir()) == [
        "index.html", "playground.css", "playground.js"]


def test_ladle_works_beside_modules_named_like_its_parts(installed: Installed,
                                                         tmp_path: Path) -> None:
    for name, text in APPLICATION.items():
        (tmp_path / name).write_text(text)
    code = ("import filters, ladle.templating, ladle.rules, ladle.cli, ladle.grammar\n"
            "print(filters.LADLE)\n"
            "print(ladle.templating.__file__)\n"
            "print(ladle.templating.render('{{ 1 + 2 }}'))\n"
            "print(ladle.grammar.compile(\"tag == 'x'\").evaluate({'tag': 'x'}))\n"
            "print(ladle.rules.parse('a: id > 1').match({'id': 2}))\n")
    lines = run(installed.bin / "python", "-c", code, cwd=tmp_path,
                env=installed.environment).splitlines()
    assert lines[0] == "the application filters"
    assert lines[1].startswith(str(installed.site / "ladle"))
    assert lines[2:] == ["3", "True", "['a']"]


def test_the_demo_runs_from_any_folder(installed: Installed, tmp_path: Path) -> None:
    for name, text in APPLICATION.items():
        (tmp_path / name).write_text(text)
    run(installed.bin / "ladle", "demo", "-o", "here", cwd=tmp_path, env=installed.environment)
    page = (tmp_path / "here" / "artist.html").read_text()
    assert "<ol" in page and (tmp_path / "here" / "route.json").is_file()
    assert run(installed.bin / "python", "-m", "ladle", "eval", "1 + 2", cwd=tmp_path,
               env=installed.environment) == "3\n"
