"""Shared fixtures: the app on the shipped dataset, and editable copies of that dataset."""

from __future__ import annotations

import ast
import functools
import hashlib
import pickle
import shutil
import subprocess
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.nodeid import NodeId
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver import Chrome as WebDriver

import service.dataset
from service import create_app
from service.dataset import DATA_DIR, KIND_RULES, Dataset, files, loader

from .chromium import start_chromium
from .helpers import (
    PUBLIC_URL,
    TEST_SETTINGS,
    EditData,
    empty_answer_cache,
    read_yaml,
    write_yaml,
)
from .live_server import running_server

LOADS_KEPT = 8
"""Loads of distinct data folders kept per test process (the shipped data, and a copy that a
few tests load again and again)."""


def _content_key(data_dir: Path) -> str | None:
    """A digest of every file and folder name under ``data_dir`` with each file's bytes; None
    when it cannot be read (the loader then says why)."""
    digest = hashlib.sha256()
    try:
        for path in sorted(data_dir.rglob("*")):
            digest.update(str(path.relative_to(data_dir)).encode() + b"\0")
            if path.is_file():
                digest.update(path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _loaded_once(
    load: Callable[[Path], dict[str, Dataset]],
) -> Callable[..., dict[str, Dataset]]:
    """``load_datasets`` that loads each content of a data folder once per test process.

    Most tests, and each app a test makes, load the shipped data unchanged: checking it and
    its four languages took a third of the in-process tests' time. A ``Dataset`` is immutable,
    so they share one load. A copy a test edits has other bytes and is loaded afresh, so is any
    folder while a test adds a loader rule; a load that fails is never kept.
    """
    kept: OrderedDict[str, dict[str, Dataset]] = OrderedDict()

    @functools.wraps(load)
    def load_datasets(data_dir: Path = DATA_DIR) -> dict[str, Dataset]:
        shipped_rules = vars(loader)["KIND_RULES"] is KIND_RULES
        key = _content_key(Path(data_dir)) if shipped_rules else None
        if key is None:
            return load(data_dir)
        if key not in kept:
            kept[key] = load(data_dir)
            if len(kept) > LOADS_KEPT:
                kept.popitem(last=False)
        kept.move_to_end(key)
        return dict(kept[key])

    return load_datasets


PARSES_KEPT = 256
"""Parsed YAML texts kept per test process: every file of the shipped data in each language,
and the files tests change."""


def _parsed_once(parse: Callable[[str], Any]) -> Callable[..., Any]:
    """``parse_yaml`` that parses each distinct text once per test process.

    A test that breaks a copy of the data changes one file, and the loader parsed every
    other file of the copy again: a third of each load. Each load gets a fresh copy of the
    parsed document (unpickled, ~20 times faster than parsing), so nothing a load does to it
    reaches another load; a text that does not parse is never kept.
    """
    kept: OrderedDict[str, bytes] = OrderedDict()

    @functools.wraps(parse)
    def parse_yaml(text: str) -> Any:
        if text in kept:
            kept.move_to_end(text)
            return pickle.loads(kept[text])
        document = parse(text)
        kept[text] = pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)
        if len(kept) > PARSES_KEPT:
            kept.popitem(last=False)
        return document

    return parse_yaml


# Before any test module imports it by name: create_app and load_dataset look it up here.
loader.load_datasets = service.dataset.load_datasets = _loaded_once(loader.load_datasets)
files.parse_yaml = _parsed_once(files.parse_yaml)

PROCESS_FIXTURES = {"server", "browser"}
"""Fixtures that start a process (the server, Chromium): a test using one is a slow test."""

SLOW_TIMEOUT = 180
"""Seconds a slow test may take, its fixtures' setup and teardown included, before it fails
with a traceback (pytest-timeout). Starting the server or Chromium on a busy machine takes a
while; an in-process test has the `timeout` of pyproject.toml."""


FAST_TIER = "not slow"
"""The marker expression of make test-fast."""


def _marked_slow(node: ast.expr) -> bool:
    """Whether a ``pytestmark`` value is, or lists, ``pytest.mark.slow``."""
    marks = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    return any(ast.unparse(mark) == "pytest.mark.slow" for mark in marks)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under ``-m "not slow"``, a test module marked slow as a whole is not even imported.

    Its tests would all be deselected after collection anyway; importing them cost the fast
    tier seconds (the fuzz builds a test per operation with schemathesis when imported).
    """
    if config.getoption("markexpr") != FAST_TIER or not collection_path.name.startswith("test_"):
        return None
    if collection_path.suffix != ".py":
        return None
    tree = ast.parse(collection_path.read_bytes())
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and [ast.unparse(target) for target in statement.targets] == ["pytestmark"]
            and _marked_slow(statement.value)
        ):
            return True
    return None


def xdist_group_id(item: pytest.Item) -> NodeId | None:
    """The node id from which pytest-xdist's ``--dist loadgroup`` reads a test's group
    (``<node id>@<group>``) for a test marked ``xdist_group``; None for a test without one.

    pytest-xdist 3.8 writes that id to ``item._nodeid``, which pytest 9 no longer reads (a node's
    id is ``item._id``): every group was ignored, and the tests of a group were dealt one by one
    to every process, each of which built the group's shared fixtures again.
    """
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    if not names:
        return None
    # All after the path as one name: the group follows the parameters' closing bracket.
    path, _, rest = item.nodeid.partition("::")
    return NodeId(path=path, names=(f"{rest}@{'_'.join(sorted(names))}",))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each slow test without a timeout of its own the slow tests' timeout, each test
    a node id of its own, and under ``--dist loadgroup`` each grouped test its group's id.

    schemathesis names its tests by operation, but under pytest 9 they all get one node id;
    pytest-xdist's grouped scheduling keys tests by node id, so it ran one operation of the
    fuzz and dropped the others without a word. Such tests take their full name as their id.
    """
    shared = Counter(item.nodeid for item in items)
    grouping = getattr(config.option, "loadgroup", False)
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))
        if shared[item.nodeid] > 1 and item.parent is not None:
            item._id = item.parent.id.child(item.name)
        if grouping and (grouped := xdist_group_id(item)):
            item._id = grouped
    ids = Counter(item.nodeid for item in items)
    assert max(ids.values(), default=1) == 1, [nodeid for nodeid, n in ids.items() if n > 1]


@pytest.fixture(autouse=True)
def only_slow_tests_start_processes(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test not marked ``slow`` that starts a process fails, naming the marker it needs.

    So `make test-fast` (``-m "not slow"``) stays in-process and quick, and a new test
    cannot slip a server, a browser or a tool run into it unnoticed.
    """
    if request.node.get_closest_marker("slow"):
        yield
        return
    message = (
        f"{request.node.nodeid} starts a process: mark it @pytest.mark.slow "
        "(make test-fast leaves slow tests out)"
    )
    if used := PROCESS_FIXTURES & set(request.fixturenames):
        pytest.fail(f"{message}; it uses {', '.join(sorted(used))}", pytrace=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(message)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "__init__", refuse)
        yield


@pytest.fixture(scope="session")
def app() -> Flask:
    """The service as it runs in production, on the shipped dataset.

    Its rate limit is raised so the suite's many requests from one address pass;
    the rate-limit tests make apps of their own.
    """
    return create_app(TEST_SETTINGS)


@pytest.fixture(scope="session")
def public_app() -> Flask:
    """The service with its public address (TWITCHLORE_PUBLIC_URL) set."""
    return create_app({**TEST_SETTINGS, "PUBLIC_URL": PUBLIC_URL})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client of the shared app whose front door keeps no answer from earlier tests."""
    empty_answer_cache(app)
    return app.test_client()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped dataset that a test may break."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


@pytest.fixture
def edit_data(data_dir: Path) -> Iterator[EditData]:
    """Rewrite one file of the dataset copy: ``edit_data("omens.yaml", change)``.

    ``change`` receives the parsed document and changes it in place.
    """

    def edit(name: str, change: Callable[[Any], Any]) -> None:
        path = data_dir / name
        document = read_yaml(path)
        change(document)
        write_yaml(path, document)

    yield edit


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The service as `make run` starts it (one worker, default settings) on a free loopback
    port; its URL.

    Started once per test process and shared by every test that leaves its settings alone.
    """
    with running_server() as running:
        yield running.url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile, logging its console and every request."""
    driver = start_chromium(tmp_path / "profile")
    try:
        yield driver
    finally:
        driver.quit()
