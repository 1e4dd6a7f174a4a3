"""Shared fixtures: the app on the shipped dataset, and editable copies of that dataset."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver import Chrome as WebDriver

from service import create_app
from service.dataset import DATA_DIR

from .chromium import start_chromium
from .gunicorn_server import running_server
from .helpers import TEST_SETTINGS, EditData, empty_answer_cache, read_yaml, write_yaml


@pytest.fixture(scope="session")
def app() -> Flask:
    """The service as it runs in production, on the shipped dataset.

    Its rate limit is raised so the suite's many requests from one address pass;
    the rate-limit tests make apps of their own.
    """
    return create_app(TEST_SETTINGS)


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
    """The service under gunicorn on a free loopback port; its base URL."""
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
