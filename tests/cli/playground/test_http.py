"""Every route of the playground over HTTP (Starlette's TestClient): the page, the layout,
presets, previews, saving and its conflicts, and the containment: the Host and Origin
checks, the path check, the body limit."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ladle import cli, player
from ladle.cli.playground.app import Playground, create_app
from ladle.cli.playground.disk import ABSENT, LayoutFile, version_of
from ladle.player.bundled import preset_path
from ladle.player.source import MAX_BYTES

ROOT = Path(__file__).resolve().parents[3]
MISTAKES = ROOT / "examples" / "layouts" / "mistakes.json"
BASE = "http://127.0.0.1:8765"
CHANGE = {"X-Ladle-Playground": "1"}


def client_for(playground: Playground, host: str = "127.0.0.1") -> TestClient:
    return TestClient(create_app(playground, host=host, port=8765), base_url=BASE)


@pytest.fixture
def layout_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.json"
    path.write_bytes(MISTAKES.read_bytes())
    return path


@pytest.fixture
def client(layout_file: Path) -> Iterator[TestClient]:
    with client_for(Playground("mine.json", LayoutFile(layout_file, MAX_BYTES))) as client:
        yield client


def preview(client: TestClient, data: bytes, **params: str) -> dict[str, object]:
    response = client.post("/api/preview", content=data, params=params, headers=CHANGE)
    assert response.status_code == 200, response.text
    shown: dict[str, object] = response.json()
    return shown


# -- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "media", "needle"), [
    ("/", "text/html", '<script src="/playground.js"'),
    ("/playground.js", "text/javascript", "/api/preview"),
    ("/playground.css", "text/css", "#layout-text"),
])
def test_the_page_and_its_assets(client: TestClient, path: str, media: str, needle: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert needle in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_page_fetches_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/", "/playground.js", "/playground.css"):
        text = client.get(path).text
        assert "http://" not in text.replace("http://www.w3.org", "")
        assert "https://" not in text.replace("https://example.com", "")


def test_the_layout_is_the_file(client: TestClient, layout_file: Path) -> None:
    layout = client.get("/api/layout").json()
    assert layout["text"] == layout_file.read_text()
    assert layout["version"] == version_of(layout_file.read_bytes())
    assert layout["saveable"] is True and layout["name"] == "mine.json"
    assert set(player.presets()) == set(layout["presets"]) and "tracklist" in layout["elements"]
    assert layout["limit"] == MAX_BYTES


def test_a_preset_alone_is_not_saveable() -> None:
    start = preset_path("tall").read_bytes()
    with client_for(Playground("preset:tall", None, start)) as client:
        layout = client.get("/api/layout").json()
        assert (layout["text"], layout["version"], layout["saveable"]) == (
            start.decode(), None, False)
        response = client.put("/api/layout", content=b"{}", headers={**CHANGE, "If-Match": "x"})
        assert response.status_code == 409 and "no file to save to" in response.json()["error"]
        assert client.get("/api/events").status_code == 404


def test_presets(client: TestClient) -> None:
    response = client.get("/api/presets/wide")
    assert response.json() == {"name": "wide", "text": preset_path("wide").read_text()}
    missing = client.get("/api/presets/nope")
    assert missing.status_code == 404 and "tall" in missing.json()["presets"]


# -- containment ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/etc/passwd", "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/index.html",
    "/playground.js/../../pyproject.toml", "/api/presets/..%2F..%2Fpyproject",
    "/api/presets/../../pyproject", "/mine.json", "/api/layout/mine.json", "/favicon.ico",
    "/api/file?path=/etc/passwd", "/index.html", "/api", "/api/", "//etc/passwd",
])
def test_no_other_path_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500, path
    assert "root:" not in response.text and "[project]" not in response.text


@pytest.mark.parametrize("host", [
    "evil.example:8765", "evil.example", "127.0.0.1", "127.0.0.1:9999", "localhost:80",
    "127.0.0.1.evil.example:8765", "[::1]:9999", "", "127.0.0.1:8765:8765", "[::1", "a b:8765",
])
def test_a_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    for path in ("/", "/api/layout", "/api/events"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert "Host" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "LocalHost:8765",
                                  "[::1]:8765"])
def test_the_server_answers_to_its_own_addresses(client: TestClient, host: str) -> None:
    assert client.get("/api/layout", headers={"Host": host}).status_code == 200


def test_a_server_on_every_interface_answers_to_addresses_not_names(layout_file: Path) -> None:
    with client_for(Playground("x", LayoutFile(layout_file, MAX_BYTES)), host="0.0.0.0") as c:
        assert c.get("/", headers={"Host": "192.0.2.7:8765"}).status_code == 200
        assert c.get("/", headers={"Host": "[2001:db8::1]:8765"}).status_code == 200
        assert c.get("/", headers={"Host": "rebound.example:8765"}).status_code == 400


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 403),
    ({"X-Ladle-Playground": "1", "Origin": "http://evil.example"}, 403),
    ({"X-Ladle-Playground": "1", "Origin": "http://127.0.0.1:9999"}, 403),
    ({"X-Ladle-Playground": "1", "Origin": "null"}, 403),
    ({"X-Ladle-Playground": "1", "Origin": "http://127.0.0.1:8765"}, 200),
    ({"X-Ladle-Playground": "1", "Origin": "http://localhost:8765"}, 200),
    ({"X-Ladle-Playground": "1"}, 200),
])
def test_changes_come_only_from_the_page(client: TestClient, layout_file: Path,
                                         headers: dict[str, str], status: int) -> None:
    data = layout_file.read_bytes()
    response = client.post("/api/preview", content=data, headers=headers)
    assert response.status_code == status
    saved = client.put("/api/layout", content=data,
                       headers={**headers, "If-Match": version_of(data)})
    assert saved.status_code == status


def test_a_body_over_the_layout_limit_is_refused(client: TestClient, layout_file: Path) -> None:
    before = layout_file.read_bytes()
    big = b"{" + b" " * MAX_BYTES + b"}"
    for method in ("POST", "PUT"):
        path = "/api/preview" if method == "POST" else "/api/layout"
        response = client.request(method, path, content=big,
                                  headers={**CHANGE, "If-Match": version_of(before)})
        assert response.status_code == 413
        assert f"limit of {MAX_BYTES} bytes" in response.json()["error"]
        # Without a declared length too: the limit holds while the body arrives.
        chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))
        response = client.request(method, path, content=chunks,
                                  headers={**CHANGE, "If-Match": version_of(before)})
        assert response.status_code == 413
    assert layout_file.read_bytes() == before


def test_a_body_at_the_limit_is_read(client: TestClient) -> None:
    at_limit = b'{"w": 10, "h": 10' + b" " * (MAX_BYTES - 19) + b"}\n"
    assert len(at_limit) == MAX_BYTES
    assert preview(client, at_limit)["findings"] == []


# -- previews ---------------------------------------------------------------------------------


def test_the_preview_is_what_the_cli_draws(client: TestClient, layout_file: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    shown = preview(client, layout_file.read_bytes())
    assert cli.main(["layout", "preview", str(layout_file)]) == 0
    assert shown["svg"] == capsys.readouterr().out
    assert cli.main(["layout", "check", str(layout_file), "--format", "json"]) == 1
    assert shown["findings"] == json.loads(capsys.readouterr().out)
    assert len(shown["findings"]) == 7 and shown["summary"] == "4 errors, 3 warnings"
    assert shown["embed"]["error"].startswith("no embed code while the album layout has errors")


def test_the_preview_follows_the_track_count(client: TestClient, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = (b'{"w": 200, "h": 100, "tracklist": {"x": 0, "y": 0, "w": 200, "h": 100, '
            b'"show": "album && tracks > 3"}}')
    (tmp_path / "list.json").write_bytes(data)
    few, many = preview(client, data, tracks="2"), preview(client, data, tracks="12")
    assert few["resolved"]["album"]["elements"]["tracklist"]["show"] is False
    assert many["resolved"]["album"]["elements"]["tracklist"]["show"] is True
    assert many["resolved"]["album"]["tracks"] == 12 and many["resolved"]["track"]["tracks"] == 1
    assert few["svg"] != many["svg"]
    assert [f["code"] for f in few["findings"]] == ["not-shown"] and many["findings"] == []
    assert cli.main(["layout", "preview", str(tmp_path / "list.json"), "--tracks", "2"]) == 0
    assert capsys.readouterr().out == few["svg"]
    assert cli.main(["layout", "check", str(tmp_path / "list.json"), "--tracks", "12"]) == 0
    for bad in ("0", "10001", "x", "-1", "1.5"):
        response = client.post("/api/preview", content=data, params={"tracks": bad},
                               headers=CHANGE)
        assert response.status_code == 400


def test_the_embed_code_is_what_the_cli_prints(client: TestClient,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = preset_path("small").read_bytes()
    shown = preview(client, data, variant="track", item="7", layout_url="https://a.io/b.json",
                    player_url="https://p.io", debug="1")
    assert cli.main(["layout", "embed", "--preset", "small", "--track", "7", "--layout-url",
                     "https://a.io/b.json", "--player-url", "https://p.io", "--debug"]) == 0
    assert shown["embed"] == {"html": capsys.readouterr().out.rstrip("\n")}
    bad = preview(client, data, player_url="javascript:alert(1)")
    assert "must start with http" in bad["embed"]["error"]


def test_resolved_values_go_as_far_as_they_can(client: TestClient) -> None:
    shown = preview(client, MISTAKES.read_bytes())
    album = shown["resolved"]["album"]["elements"]
    assert album["art"] == {"x": 0, "y": 0, "w": 120, "h": 120, "show": True, "styles": {}}
    assert "x" not in album["play"] and "x" not in album["maintext"]  # mistakes there
    assert album["play"]["w"] == 31
    assert shown["resolved"]["track"]["elements"]["linkarea"]["y"] == 130


@pytest.mark.parametrize(("data", "code"), [
    (b"/etc/passwd", "json"),  # never read as a file name
    (b"examples/layouts/good.json", "json"),
    (b"\xff\xfe{}", "json"),
    (b"", "json"),
    (b"[" * 100_000 + b"]" * 100_000, "json"),
    (b'{"w": ' + b"9" * 5000 + b', "h": 1}', "json"),
    (b'{"w": 1e999, "h": 1}', "json"),
    (b'{"w": "1e308 * 10", "h": 10}', "expression"),
    (b'{"w": 100, "h": 100, "play": {"x": "next.x", "y": 0, "w": 31, "h": 30, "show": true},'
     b' "next": {"x": "play.x", "y": 0, "w": 17, "h": 11, "show": true}}', "cycle"),
    (b'{"w": 100, "h": 100, "vars": {"a": "' + b"x" * 900_000 + b'"}, "art": {"x": "a.size",'
     b' "y": 0, "w": 100, "h": 100, "show": true}}', "out-of-bounds"),
    (b'{"w": "' + b"(" * 5000 + b'1' + b")" * 5000 + b'", "h": 1}', "expression"),
    (b'{"w": "open(\'/etc/passwd\')", "h": 1}', "expression"),
    (b'{"w": "__import__", "h": 1}', "expression"),
])
def test_hostile_layouts_give_findings(client: TestClient, data: bytes, code: str) -> None:
    shown = preview(client, data)
    assert code in {finding["code"] for finding in shown["findings"]}
    assert str(shown["svg"]).startswith("<svg")
    assert "root:" not in str(shown)


# -- saving -------------------------------------------------------------------------------------


def test_save_writes_atomically_and_keeps_the_mode(client: TestClient, layout_file: Path) -> None:
    os.chmod(layout_file, 0o640)
    base = client.get("/api/layout").json()["version"]
    text = preset_path("wide").read_bytes()
    response = client.put("/api/layout", content=text, headers={**CHANGE, "If-Match": base})
    assert response.status_code == 200
    assert response.json() == {"version": version_of(text)}
    assert layout_file.read_bytes() == text
    assert stat.S_IMODE(layout_file.stat().st_mode) == 0o640
    assert sorted(p.name for p in layout_file.parent.iterdir()) == ["mine.json"]
    # The quoted form of If-Match, as browsers send it, works too.
    again = client.put("/api/layout", content=b"{}", headers={
        **CHANGE, "If-Match": f'"{version_of(text)}"'})
    assert again.status_code == 200 and layout_file.read_bytes() == b"{}"


def test_save_refuses_when_the_file_changed_on_disk(client: TestClient,
                                                    layout_file: Path) -> None:
    base = client.get("/api/layout").json()["version"]
    layout_file.write_bytes(b'{"w": 1, "h": 1}')  # another editor saved meanwhile
    response = client.put("/api/layout", content=b"{}", headers={**CHANGE, "If-Match": base})
    assert response.status_code == 412
    assert "changed on disk since it was loaded" in response.json()["error"]
    assert response.json()["version"] == version_of(b'{"w": 1, "h": 1}')
    assert layout_file.read_bytes() == b'{"w": 1, "h": 1}'


def test_save_needs_the_version_and_utf8(client: TestClient, layout_file: Path) -> None:
    before = layout_file.read_bytes()
    assert client.put("/api/layout", content=b"{}", headers=CHANGE).status_code == 428
    bad = client.put("/api/layout", content=b"{\xff}",
                     headers={**CHANGE, "If-Match": version_of(before)})
    assert bad.status_code == 400 and layout_file.read_bytes() == before


def test_save_reports_a_file_it_cannot_write(client: TestClient, layout_file: Path) -> None:
    layout_file.unlink()
    layout_file.parent.rmdir()  # its folder is gone: nowhere to write
    response = client.put("/api/layout", content=b"{}", headers={**CHANGE, "If-Match": ABSENT})
    assert response.status_code == 409, response.text
    assert response.json()["error"].lower() == "mine.json: cannot write here: no such file or " \
        "directory"


def test_a_new_file_starts_from_a_preset(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    start = preset_path("mini").read_bytes()
    with client_for(Playground("new.json", LayoutFile(target, MAX_BYTES), start)) as client:
        layout = client.get("/api/layout").json()
        assert (layout["text"], layout["version"]) == (start.decode(), ABSENT)
        response = client.put("/api/layout", content=start,
                              headers={**CHANGE, "If-Match": ABSENT})
        assert response.status_code == 200 and target.read_bytes() == start
        # A second page still holding "absent" does not overwrite it.
        again = client.put("/api/layout", content=b"{}", headers={**CHANGE, "If-Match": ABSENT})
        assert again.status_code == 412 and target.read_bytes() == start


def test_a_file_grown_too_large_is_reported(client: TestClient, layout_file: Path) -> None:
    layout_file.write_bytes(b"{" + b" " * MAX_BYTES + b"}")
    response = client.get("/api/layout")
    assert response.status_code == 409
    assert "larger than the layout limit" in response.json()["error"]
