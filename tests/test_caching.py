"""Every GET carries a strong, content-derived ETag and the release date as Last-Modified,
with caching for browsers and CDNs; a matching tag or an unchanged date answers 304."""

from __future__ import annotations

import datetime as dt
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.version import RELEASED

from .helpers import TEST_SETTINGS, EditData

RELEASED_AT = dt.datetime.fromisoformat(RELEASED).replace(tzinfo=dt.UTC)
"""The service's release date, no earlier than the shipped data's: the answers' Last-Modified."""

URLS = [
    "/v1/readings?side=left&lip=upper",
    "/v1/readings?side=left&lip=upper&symptoms=loss-of-taste",
    "/v1/omens?side=left&page_size=5",
    "/v1/omens/jamaica-lips-twitch-kiss",
    "/v1/traditions",
    "/v1/traditions/jamaican-folk",
    "/v1/conditions?q=palsy",
    "/v1/conditions/stroke",
    "/v1/symptoms",
    "/v1/symptoms/loss-of-taste",
    "/v1/treatments?kind=prevention",
    "/v1/treatments/warm-damp-cloth",
    "/v1/sources",
    "/v1/sources/lip-twitching-article",
    "/v1/dataset",
]


@pytest.mark.parametrize("url", URLS)
def test_get_is_cacheable(client: FlaskClient, url: str) -> None:
    """The answer has a strong ETag, public Cache-Control for browsers and shared caches, and
    the release date as Last-Modified."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"] == (
        "public, max-age=3600, s-maxage=3600, stale-while-revalidate=300"
    )
    assert response.last_modified == RELEASED_AT


def test_last_modified_is_the_later_release_date(data_dir: Path, edit_data: EditData) -> None:
    """A dataset released after the service dates the answers; an older one does not."""
    edit_data("dataset.yaml", lambda info: info.update(released="2027-03-01"))
    later = create_app({**TEST_SETTINGS, "DATA_DIR": str(data_dir)}).test_client()
    assert later.get(URLS[0]).last_modified == dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    assert later.get("/v1/dataset").get_json()["released"] == "2027-03-01"
    edit_data("dataset.yaml", lambda info: info.update(released="2020-01-01"))
    older = create_app({**TEST_SETTINGS, "DATA_DIR": str(data_dir)}).test_client()
    assert older.get(URLS[0]).last_modified == RELEASED_AT


def test_cdn_lifetimes_are_configurable() -> None:
    """s-maxage and stale-while-revalidate come from their settings."""
    client = create_app(
        {**TEST_SETTINGS, "CACHE_S_MAXAGE": 86400, "CACHE_STALE_WHILE_REVALIDATE": 60}
    ).test_client()
    cache_control = client.get(URLS[0]).headers["Cache-Control"]
    assert cache_control == "public, max-age=3600, s-maxage=86400, stale-while-revalidate=60"


@pytest.mark.parametrize("url", URLS[:3])
def test_if_modified_since_answers_304_until_a_new_release(client: FlaskClient, url: str) -> None:
    """If-Modified-Since the release date gets a 304; a date before it gets the answer."""
    last_modified = client.get(url).headers["Last-Modified"]
    unchanged = client.get(url, headers={"If-Modified-Since": last_modified})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    before = client.get(url, headers={"If-Modified-Since": "Sat, 01 Jan 2022 00:00:00 GMT"})
    assert before.status_code == 200


@pytest.mark.parametrize("weak", [False, True], ids=["strong", "weak"])
@pytest.mark.parametrize("url", URLS)
def test_matching_tag_answers_304(client: FlaskClient, url: str, weak: bool) -> None:
    """If-None-Match with the current tag, strong or W/ weak, answers 304 with no body."""
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": f"W/{etag}" if weak else etag})
    assert response.status_code == 304
    assert response.data == b""


def test_tag_among_several_matches(client: FlaskClient) -> None:
    """A list of tags in If-None-Match matches when any one is current."""
    url = URLS[2]
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": f'"old", W/{etag}'})
    assert response.status_code == 304


def test_tags_differ_between_pages(client: FlaskClient) -> None:
    """Different content has a different tag."""
    first = client.get("/v1/omens?page=1&page_size=5").headers["ETag"]
    second = client.get("/v1/omens?page=2&page_size=5").headers["ETag"]
    assert first != second


def test_tags_are_the_same_across_app_instances(client: FlaskClient) -> None:
    """A restarted service gives the same tags while the data is unchanged."""
    other = create_app({"TESTING": True}).test_client()
    for url in URLS:
        assert other.get(url).headers["ETag"] == client.get(url).headers["ETag"], url


@pytest.mark.slow
def test_tags_are_the_same_across_processes(client: FlaskClient, server: str) -> None:
    """The server's worker processes give the tags this process computes."""
    for url in URLS[:4]:
        with urllib.request.urlopen(f"{server}{url}", timeout=5) as response:
            assert response.headers["ETag"] == client.get(url).headers["ETag"], url
