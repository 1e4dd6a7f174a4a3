"""What hostile requests get back, in process: small errors, cached heavy files, honest headers.

The same attacks run against a real server in tests/test_hostile_clients.py (what only a
socket shows) and at length in `make abuse`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.api.schema_fields import MAX_SYMPTOMS, KnownId
from service.edge.compression import preferred_encoding
from service.pages.docs import SWAGGER_UI_ASSETS

from .helpers import TEST_SETTINGS, assert_problem
from .hostile import ERROR_ROUTES, READING, hostile_queries

MAX_ERROR_BYTES = 4096
"""No error answer is larger than this, whatever the query (before compression)."""


def fresh_client() -> FlaskClient:
    return create_app(TEST_SETTINGS).test_client()


# --- Error answers stay small -------------------------------------------------------------------


@pytest.mark.parametrize("route", ERROR_ROUTES)
@pytest.mark.parametrize("language", ["en", "hi"])
def test_no_error_answer_is_larger_than_a_few_kb(
    client: FlaskClient, route: str, language: str
) -> None:
    """Long comma lists, repeated and unknown parameters, huge names and values: <= 4 KB."""
    for name, query in hostile_queries().items():
        answer = client.get(
            route + query, headers={"Accept-Encoding": "identity", "Accept-Language": language}
        )
        assert answer.status_code < 500, name
        assert len(answer.data) <= MAX_ERROR_BYTES, (name, len(answer.data))


def test_an_error_names_each_parameter_once_with_the_allowed_values_once(
    client: FlaskClient,
) -> None:
    """Ten unknown symptom ids give one message for ``symptoms``, listing the ids once."""
    answer = client.get(f"{ERROR_ROUTES[0]}symptoms={','.join(['zz', 'yy'] * 5)}")
    problem = assert_problem(answer, 422)
    assert list(problem["errors"]) == ["symptoms"]
    assert len(problem["errors"]["symptoms"]) == 1
    assert problem["errors"]["symptoms"][0].count("arm-or-leg-weakness") == 1


def test_an_error_echoes_a_long_parameter_name_cut_short(client: FlaskClient) -> None:
    """A 2,000-byte parameter name comes back as at most 64 characters."""
    problem = assert_problem(client.get("/v1/omens?" + "x" * 2000 + "=1"), 422)
    (name,) = problem["errors"]
    assert len(name) <= 64 and name.endswith("…")


def test_a_long_symptom_list_is_refused_before_any_id_is_checked(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,990 commas or 600 ids: one count message, and not one id looked up."""
    looked_up: list[str] = []
    original = KnownId.__call__

    def counting(self: KnownId, value: str) -> str:
        looked_up.append(value)
        return original(self, value)

    monkeypatch.setattr(KnownId, "__call__", counting)
    for name in ("1,990 commas", "600 unknown ids"):
        problem = assert_problem(client.get(ERROR_ROUTES[0] + hostile_queries()[name]), 422)
        assert problem["errors"] == {
            "symptoms": [f"From 1 to {MAX_SYMPTOMS} symptoms, repeated or comma-separated."]
        }
    assert looked_up == []


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_error_answers_are_compressed_like_any_other(client: FlaskClient, encoding: str) -> None:
    """A 422 worth compressing is compressed in the encoding the client prefers."""
    url = f"{ERROR_ROUTES[1]}symptoms={','.join(['zz'] * 10)}"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert packed.status_code == 422
    assert packed.headers["Content-Encoding"] == encoding
    decode = gzip.decompress if encoding == "gzip" else brotli.decompress
    assert decode(packed.data) == plain.data
    assert len(packed.data) < len(plain.data)


# --- Heavy answers built and compressed once ------------------------------------------------------


BUNDLE = "/docs/static/swagger-ui-bundle.js"


def count_compressions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every Brotli and gzip compression from now on; the list grows by one each."""
    calls: list[int] = []
    for module in (brotli, gzip):
        original = module.compress

        def counting(data: bytes, *args: object, _was: object = original, **kw: object) -> bytes:
            calls.append(len(data))
            return _was(data, *args, **kw)  # type: ignore[operator, no-any-return]

        monkeypatch.setattr(module, "compress", counting)
    return calls


@pytest.mark.parametrize("url", [BUNDLE, "/docs/static/swagger-ui.css", "/openapi.json"])
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_second_request_for_a_heavy_answer_costs_no_compression(
    monkeypatch: pytest.MonkeyPatch, url: str, encoding: str
) -> None:
    """Swagger UI's files and the spec are compressed once per encoding, then served as kept."""
    client = fresh_client()
    calls = count_compressions(monkeypatch)
    first = client.get(url, headers={"Accept-Encoding": encoding})
    assert first.headers["Content-Encoding"] == encoding
    assert len(calls) == 1
    again = client.get(url, headers={"Accept-Encoding": encoding})
    assert again.data == first.data
    assert len(calls) == 1


def test_the_spec_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """flask-smorest's spec view (which builds the whole document) runs at the first request."""
    app: Flask = create_app(TEST_SETTINGS)
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
    builds: list[int] = []
    original = spec.to_dict

    def counting() -> dict[str, object]:
        builds.append(1)
        return original()  # type: ignore[no-any-return]

    monkeypatch.setattr(spec, "to_dict", counting)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/openapi.json").status_code == 200
    assert builds == [1]


def test_static_files_have_content_hash_etags_and_revalidate(client: FlaskClient) -> None:
    """A Swagger UI file's ETag is its content's hash (no time or size); a match gets 304."""
    answer = client.get(BUNDLE)
    content = (SWAGGER_UI_ASSETS / "swagger-ui-bundle.js").read_bytes()
    assert answer.data == content
    assert answer.headers["ETag"] == f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    assert "public" in answer.headers["Cache-Control"]
    again = client.get(BUNDLE, headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_docs_page_loads_versioned_files_kept_for_a_year(client: FlaskClient) -> None:
    """Swagger UI's files are linked at a versioned URL, immutable, kept for a year."""
    page = client.get("/docs").get_data(as_text=True)
    bundle = re.search(r'src="(/docs/static/[0-9a-f]{12}/swagger-ui-bundle\.js)"', page)
    assert bundle, page
    answer = client.get(bundle.group(1))
    assert answer.status_code == 200
    cache_control = answer.headers["Cache-Control"]
    assert "immutable" in cache_control and "max-age=31536000" in cache_control
    stale = client.get("/docs/static/000000000000/swagger-ui-bundle.js")
    assert stale.status_code == 302 and stale.headers["Location"] == BUNDLE


def test_the_spec_has_an_etag_and_revalidates(client: FlaskClient) -> None:
    """/openapi.json carries a strong ETag and answers 304 to it."""
    answer = client.get("/openapi.json")
    etag = answer.headers["ETag"]
    assert not etag.startswith("W/")
    assert json.loads(answer.data)["openapi"].startswith("3.")
    assert client.get("/openapi.json", headers={"If-None-Match": etag}).status_code == 304


# --- Accept-Encoding read as RFC 9110 says --------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "chosen"),
    [
        ("gzip;q=0", None),
        ("gzip;q=0, br;q=0", None),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*;q=0", None),
        ("br;q=0, *", "gzip"),
        ("gzip;q=0, *;q=0.5", "br"),
        ("identity", None),
        ("", None),
        ("zstd", None),
        ("zstd, gzip;q=0.5", "gzip"),
    ],
)
def test_accept_encoding_quality_zero_rules_an_encoding_out(
    accept_encoding: str, chosen: str | None
) -> None:
    """q=0 means 'not this one'; '*' stands for what is not named; only br and gzip are offered."""
    assert preferred_encoding(accept_encoding) == chosen


@pytest.mark.parametrize("url", [READING, BUNDLE, "/openapi.json", "/widget.js"])
@pytest.mark.parametrize(
    ("accept_encoding", "chosen"), [("gzip;q=0", None), ("*", "br"), ("br;q=0, *", "gzip")]
)
def test_answers_use_only_an_encoding_the_client_accepts(
    client: FlaskClient, url: str, accept_encoding: str, chosen: str | None
) -> None:
    """API answers and static files alike: gzip;q=0 gets no gzip, '*' never gets zstd."""
    answer = client.get(url, headers={"Accept-Encoding": accept_encoding})
    assert answer.status_code == 200
    assert answer.headers.get("Content-Encoding") == chosen


# --- Preconditions, redirects, /v1 -------------------------------------------------------------


def test_if_match_star_on_an_existing_resource_is_answered(client: FlaskClient) -> None:
    """``If-Match: *`` holds for any current answer: a 200, not a 412."""
    assert client.get(READING, headers={"If-Match": "*"}).status_code == 200


def test_if_match_with_the_current_tag_is_answered(client: FlaskClient) -> None:
    """The answer's own tag (plain or of its compressed copy) passes If-Match."""
    etag = client.get(READING, headers={"Accept-Encoding": "br"}).headers["ETag"]
    for encoding in ("br", "gzip", "identity"):
        headers = {"If-Match": etag, "Accept-Encoding": encoding}
        assert client.get(READING, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Match": '"not-the-tag"'},
        {"If-Match": 'W/"not-the-tag"'},
        {"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    ],
)
def test_a_failed_precondition_is_a_small_uncached_problem(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    """A 412 carries a problem, not the resource, and no cache may keep it."""
    answer = client.get(READING, headers=headers)
    assert_problem(answer, 412)
    assert len(answer.data) < 512
    assert "public" not in answer.headers.get("Cache-Control", "")
    assert "no-store" in answer.headers["Cache-Control"]


def test_a_redirect_carries_a_problem_naming_where_to_go(client: FlaskClient) -> None:
    """/docs/'s 308 body is problem details naming /docs, in the request's language."""
    answer = client.get("/docs/", headers={"Accept-Language": "es"})
    assert answer.status_code == 308
    assert answer.headers["Location"] == "/docs"
    problem = assert_problem(answer, 308)
    assert "/docs" in problem["detail"]
    assert answer.headers["Content-Language"] == "es"


@pytest.mark.parametrize("path", ["/v1", "/v1/"])
def test_v1_with_and_without_slash_agree_on_html(client: FlaskClient, path: str) -> None:
    """The API index answers JSON only: Accept: text/html is a 406 with or without the slash."""
    assert_problem(client.get(path, headers={"Accept": "text/html"}), 406)
    assert client.get(path, headers={"Accept": "application/json"}).status_code == 200


# --- Page numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["１２", "٣", "1_000", "+1", "-1", " 1", "1.0", "0x1", "1e3", "²"], ids=repr
)
def test_page_numbers_are_ascii_digits_only(client: FlaskClient, page: str) -> None:
    """Fullwidth or Arabic-Indic digits, '_', signs, spaces and exponents are not page numbers."""
    problem = assert_problem(client.get("/v1/omens", query_string={"page": page}), 422)
    assert problem["errors"] == {"page": ["Not a valid integer."]}


@pytest.mark.parametrize("page", ["9" * 2000, "1000001", "0"])
def test_an_out_of_range_page_is_refused_without_echoing_it(client: FlaskClient, page: str) -> None:
    """A page past the bound (or 0) gets the range in the error, never the number sent."""
    answer = client.get("/v1/omens", query_string={"page": page})
    problem = assert_problem(answer, 422)
    assert problem["errors"] == {"page": ["Must be from 1 to 1000000."]}
    if len(page) > 1:
        assert page not in answer.get_data(as_text=True)


def test_leading_zeros_still_name_a_page(client: FlaskClient) -> None:
    """``page=0002`` is page 2."""
    assert client.get("/v1/omens?page=0002").get_json()["page"] == 2


# --- Encoded slashes ------------------------------------------------------------------------------


def test_an_encoded_slash_path_does_not_reach_another_route(client: FlaskClient) -> None:
    """/v1/omens/x%2F..%2F..%2Fhealthz, which the server hands on decoded, is a 404, as is a
    literal ``..`` segment: neither climbs to another route."""
    for path in ("/v1/omens/x/../../healthz", "/v1/omens/../readings"):
        assert_problem(client.get(path), 404)
