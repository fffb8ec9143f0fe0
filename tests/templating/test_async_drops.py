"""``render_async`` awaits drops that load asynchronously (``__getitem_async__``) along
every path an expression reads, as python-liquid does, compiled and interpreted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import liquid
import pytest

from ladle import templating


class Drop(Mapping[str, Any]):
    """A drop that notes how each key was read."""

    def __init__(self, data: dict[str, Any], log: list[tuple[str, str]]) -> None:
        self.data = data
        self.log = log

    def _wrap(self, value: Any) -> Any:
        return Drop(value, self.log) if isinstance(value, dict) else value

    def __getitem__(self, key: str) -> Any:
        self.log.append(("sync", key))
        return self._wrap(self.data[key])

    async def __getitem_async__(self, key: str) -> Any:
        self.log.append(("async", key))
        await asyncio.sleep(0)
        return self._wrap(self.data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


SOURCES = [
    "{{ user.name }} {% if user.profile.admin %}admin{% endif %} {{ user.name | upcase }}",
    "{% for t in user.tags %}{{ t }},{% endfor %}{% assign n = user.name %}{{ n }}",
    "{% if user.missing %}no{% else %}{{ user.profile.admin }}{% endif %}",
]
ENVIRONMENTS = [liquid.Environment, templating.Environment,
                lambda: templating.Environment(compiled=False)]


def render(make: Any, source: str) -> tuple[str, list[tuple[str, str]]]:
    log: list[tuple[str, str]] = []
    user = Drop({"name": "ann", "tags": ["a", "b"], "profile": {"admin": True}}, log)
    output = asyncio.run(make().from_string(source).render_async(user=user))
    return output, log


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("make", ENVIRONMENTS[1:], ids=["compiled", "interpreted"])
def test_async_drops_are_awaited(make: Any, source: str) -> None:
    output, log = render(make, source)
    expected, _ = render(ENVIRONMENTS[0], source)
    assert output == expected
    assert ("async", "name") in log or "name" not in source
    assert not [key for kind, key in log if kind == "sync" and key != "missing"]
