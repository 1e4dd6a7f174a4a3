"""Every GET carries a strong, content-derived ETag, and a matching tag answers 304."""

from __future__ import annotations

import urllib.request

import pytest
from flask.testing import FlaskClient

from service import create_app

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
    """The answer has a strong ETag and public Cache-Control with a max-age."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"] == "public, max-age=3600"


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
    """gunicorn's worker processes give the tags this process computes."""
    for url in URLS[:4]:
        with urllib.request.urlopen(f"{server}{url}", timeout=5) as response:
            assert response.headers["ETag"] == client.get(url).headers["ETag"], url
