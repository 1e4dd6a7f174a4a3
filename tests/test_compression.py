"""Answers are compressed when the client asks, with validators that stay right."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest
from flask.testing import FlaskClient

from service import create_app

from .helpers import TEST_SETTINGS

READING = "/v1/readings?side=left&lip=upper&sudden=true"


def fresh_client() -> FlaskClient:
    """A client of an app of its own, whose prebuilt answers have not been compressed yet."""
    return create_app(TEST_SETTINGS).test_client()


DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress}


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"),
    [("gzip", "gzip"), ("gzip, deflate, br", "br"), ("br;q=0.5, gzip", "gzip")],
)
@pytest.mark.parametrize("url", [READING, "/v1/conditions?page_size=100", "/openapi.json"])
def test_compressed_answers_decode_to_the_plain_ones(
    client: FlaskClient, url: str, accept_encoding: str, encoding: str
) -> None:
    """Each request (first, second and from the kept copy) gets the encoding it prefers."""
    plain = client.get(url)
    for _ in range(3):
        packed = client.get(url, headers={"Accept-Encoding": accept_encoding})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
        assert DECODERS[encoding](packed.data) == plain.data


def test_a_client_that_asks_for_nothing_gets_plain_json(client: FlaskClient) -> None:
    """No Accept-Encoding, or identity, means no compression (and still Vary)."""
    for headers in ({}, {"Accept-Encoding": "identity"}, {}, {}):
        answer = client.get(READING, headers=headers)
        assert "Content-Encoding" not in answer.headers
        assert json.loads(answer.data)["reading_id"] == "left-upper-sudden"


def test_each_encoding_has_its_own_etag_and_gets_its_304(client: FlaskClient) -> None:
    """A compressed copy's ETag differs from the plain one; each revalidates, strong or weak."""
    tags = set()
    for accept_encoding in ("", "gzip", "br"):
        for attempt in range(3):
            headers = {"Accept-Encoding": accept_encoding}
            tag = client.get(READING, headers=headers).headers["ETag"]
            tags.add(tag)
            for sent in (tag, f"W/{tag}"):
                again = client.get(READING, headers={**headers, "If-None-Match": sent})
                assert again.status_code == 304, (accept_encoding, attempt, sent)
                assert again.data == b""
    assert len(tags) == 3


def test_every_reading_is_at_most_8_kb_on_the_wire(client: FlaskClient) -> None:
    """Each curated reading travels as at most 8 KB with gzip and with Brotli (beliefs carry
    their sources' own words and the reading a credit line since dataset 2.7.0)."""
    spec = client.get("/openapi.json").get_json()
    reading_ids = spec["components"]["schemas"]["ReadingId"]["enum"]
    assert len(reading_ids) == 8
    for reading_id in reading_ids:
        for accept_encoding in ("gzip", "br"):
            answer = client.get(
                f"/v1/readings/{reading_id}", headers={"Accept-Encoding": accept_encoding}
            )
            assert answer.headers["Content-Encoding"] == accept_encoding
            assert len(answer.data) <= 8 * 1024, (reading_id, accept_encoding, len(answer.data))


@pytest.mark.parametrize(
    ("module", "encoding"), [(brotli, "br"), (gzip, "gzip")], ids=["brotli", "gzip"]
)
def test_a_prebuilt_answer_is_compressed_once_per_encoding(
    monkeypatch: pytest.MonkeyPatch, module: object, encoding: str
) -> None:
    """Repeats of a prebuilt answer in one encoding get the bytes compressed the first time."""
    client = fresh_client()
    calls = []
    original = module.compress  # type: ignore[attr-defined]

    def counting(data: bytes, *args: object, **kwargs: object) -> bytes:
        calls.append(data)
        return original(data, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(module, "compress", counting)
    bodies = {client.get(READING, headers={"Accept-Encoding": encoding}).data for _ in range(4)}
    assert len(bodies) == 1
    assert len(calls) == 1
