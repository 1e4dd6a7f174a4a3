"""How the suite runs: what make test's processes share, and what the tests keep between loads."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler.loadgroup import LoadGroupScheduling  # type: ignore[import-untyped]

from service.dataset import DATA_DIR, files

from .conftest import xdist_group_id


def scope(nodeid: str) -> str:
    """The unit of work pytest-xdist's ``--dist loadgroup`` deals ``nodeid`` in (its method
    reads nothing of the scheduler's state)."""
    unit: str = LoadGroupScheduling._split_scope(object.__new__(LoadGroupScheduling), nodeid)
    return unit


@pytest.mark.xdist_group("suite-grouping")
@pytest.mark.parametrize("n", [1, 2])
def test_tests_of_one_xdist_group_are_one_unit_of_work(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, n: int
) -> None:
    """Under make test (--dist loadgroup) the tests marked with one xdist_group are dealt to
    one process together, which builds the fixtures they share once; a test without a group
    is dealt alone."""
    grouped = xdist_group_id(request.node)
    assert grouped is not None and str(grouped).endswith("@suite-grouping")
    assert scope(str(grouped)) == "suite-grouping"
    alone = "tests/test_suite.py::test_parsed_yaml_is_kept_as_a_copy"
    assert scope(alone) == alone
    if getattr(pytestconfig.option, "loadgroup", False):  # this very run deals groups
        assert scope(request.node.nodeid) == "suite-grouping"


def test_parsed_yaml_is_kept_as_a_copy() -> None:
    """The tests parse a YAML text once (tests/conftest.py) and give each load a copy of its
    own: what one load does to its document never reaches the next."""
    text = (DATA_DIR / "omens.yaml").read_text(encoding="utf-8")
    first: Any = files.parse_yaml(text)
    first[0]["headline"] = "changed"
    first.append({"id": "added"})
    again: Any = files.parse_yaml(text)
    assert again[0]["headline"] != "changed" and again[-1]["id"] != "added"
    assert again == files.parse_yaml.__wrapped__(text)  # type: ignore[attr-defined]
