"""Every example in README.md and docs/ runs: ``pycon`` blocks as doctests, ``console`` blocks
through ``cli.main``, compared with the output shown."""

from __future__ import annotations

import doctest
import json
import re
import shlex
from pathlib import Path

import pytest

from ladle import cli

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Files the console examples name, made in a scratch folder.
FIXTURES = {
    "record.json": json.dumps({"tag": "lossless", "id": 1234}),
    "page.html": "<p>{{ user.name || 'guest' }}</p>\n",
    "card.html": "<p>{{ user.name }} ({{ user.city ?? 'nowhere' }})</p>\n",
    "broken.html": "<p>\n{% if user.admin_level >= %}x{% endif %}\n",
}


def blocks(language: str) -> list[tuple[str, int, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((document.name, line, match.group(2)))
    return found


def test_every_document_has_runnable_examples() -> None:
    names = {name for name, _, _ in blocks("pycon") + blocks("console")}
    assert {"README.md", "language.md", "cli.md", "index.md"} <= names


@pytest.mark.parametrize("name", sorted({name for name, _, _ in blocks("pycon")}))
def test_pycon_blocks(name: str) -> None:
    # The blocks of one document run in order and share their names, as a reader reads them.
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    namespace: dict[str, object] = {}
    for _, line, code in (b for b in blocks("pycon") if b[0] == name):
        test = parser.get_doctest(code, namespace, f"{name}:{line}", name, line)
        runner.run(test, clear_globs=False)
        namespace = test.globs  # DocTest copies its globals: carry them to the next block
    assert runner.tries > 0
    assert runner.failures == 0, f"{name}: {runner.failures} example(s) failed"


def console_commands(code: str) -> list[tuple[str, str, int]]:
    """(command, expected output, expected exit code) for each ``$ ladle …`` line."""
    commands: list[tuple[str, str, int]] = []
    for chunk in re.split(r"^\$ ", code, flags=re.MULTILINE)[1:]:
        command, _, rest = chunk.partition("\n")
        expected_exit = 0
        exit_line = re.search(r"^\[exit (\d+)\]\n?\Z", rest, re.MULTILINE)
        if exit_line:
            expected_exit = int(exit_line.group(1))
            rest = rest[: exit_line.start()]
        commands.append((command, rest, expected_exit))
    return commands


@pytest.mark.parametrize(("name", "line", "code"), blocks("console"),
                         ids=lambda v: str(v) if not isinstance(v, str) or "\n" not in v else "")
def test_console_block(name: str, line: int, code: str, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    for file, content in FIXTURES.items():
        (tmp_path / file).write_text(content, encoding="utf-8")
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    commands = console_commands(code)
    assert commands
    for command, expected, expected_exit in commands:
        argv = shlex.split(command)
        assert argv[0] == "ladle"
        code_returned = cli.main(argv[1:])
        captured = capsys.readouterr()
        assert captured.out + captured.err == expected, f"{name}:{line}: {command}"
        assert code_returned == expected_exit, f"{name}:{line}: {command}"


def test_the_readme_shows_the_files_its_examples_use() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("record.json", "page.html"):
        content = json.loads(FIXTURES[name]) if name.endswith(".json") else FIXTURES[name]
        shown = json.dumps(content) if name.endswith(".json") else content.strip()
        assert f"`{name}` holding `{shown}`" in readme.replace("\n", " "), name
