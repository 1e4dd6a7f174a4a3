"""The README's example is what the service answers: its fields, and the values it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example() -> tuple[str, Any]:
    """The example's request path and its answer, comments taken out."""
    text = README.read_text(encoding="utf-8")
    url = re.search(r"curl '(http://127\.0\.0\.1:8000)(/v1/[^']+)'", text)
    block = re.search(r"```jsonc\n(.*?)```", text, re.DOTALL)
    assert url and block, "the README shows one curl request and its answer"
    source = re.sub(r"/\*.*?\*/", "", block.group(1), flags=re.DOTALL)
    source = re.sub(r"//[^\n]*", "", source)
    return url.group(2), json.loads(source)


def shown_as_served(shown: Any, served: Any, where: str) -> None:
    """Every field shown is served at the same place; a value shown is the value served (or
    its beginning, when the README cuts it with ' ...')."""
    if isinstance(shown, dict):
        assert isinstance(served, dict), where
        for key, value in shown.items():
            assert key in served, f"{where}.{key} is not in the answer"
            shown_as_served(value, served[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(served, list), where
        for index, item in enumerate(shown):
            shown_as_served(item, served[index], f"{where}[{index}]")
    elif isinstance(shown, str) and shown.endswith(" ..."):
        assert served.startswith(shown[: -len(" ...")]), where
    else:
        assert shown == served, where


def test_the_readme_example_is_a_real_answer(client: FlaskClient) -> None:
    """The README's reading has the served fields and values, at their places."""
    path, shown = readme_example()
    served = client.get(path).get_json()
    shown_as_served(shown, served, "reading")
    assert set(shown) == set(served), "the example shows every top-level field"
