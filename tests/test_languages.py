"""Answers in the reader's language: negotiation, headers, caching, and complete languages."""

from __future__ import annotations

import gzip
import shutil
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.test import TestResponse

from service import create_app
from service.dataset import DATA_DIR, load_datasets
from service.negotiation import lookup, negotiate

from .helpers import COMBINATIONS, PROBLEM, TEST_SETTINGS, assert_problem, empty_answer_cache
from .pseudo_language import write_pseudo_language
from .test_wording import strings

# Under make test one process builds the multilingual app for every test of the module.
pytestmark = pytest.mark.xdist_group("multilingual")

SHIPPED = list(load_datasets())
"""The languages in data/translations, English first."""
SERVED = ("en", "es", "hi", "tr")
MULTI = ["en", *sorted({*SHIPPED[1:], "es", "xx"})]
"""The languages of the multilingual app: the shipped ones, es (made when not shipped), xx."""


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "en"),
        ("es", "es"),
        ("es-MX", "es"),
        ("es-419, en;q=0.5", "es"),
        ("ES-mx", "es"),
        ("es_MX", "es"),
        ("fr, tr;q=0.5", "tr"),
        ("fr-CA, fr;q=0.9", "en"),
        ("hi-IN;q=0.8, es;q=0.5", "hi"),
        ("tr;q=0.4, hi;q=0.6", "hi"),
        ("*", "en"),
        ("*, es;q=0.5", "en"),
        ("de, *;q=0.1", "en"),
        ("en;q=0, *", "es"),
        ("en;q=0, es;q=0, *", "hi"),
        ("hi;q=0, hi-IN", "en"),
        ("es-MX;q=0, es", "es"),
        ("en;q=0, fr", "en"),
        ("es;q=0", "en"),
        ("tr;q=1.5, hi;q=0.5", "hi"),
        ("es;q=abc, hi", "hi"),
        ("garbage;;;,q=x", "en"),
        (";q=0.5", "en"),
        ("x" * 4000, "en"),
        ("हिन्दी", "en"),
    ],
)
def test_accept_language_is_negotiated_as_rfc_9110_says(header: str, expected: str) -> None:
    """Highest quality first, es-MX falls back to es, * is any other, q=0 rules out, and a
    header that fits nothing (or cannot be read) gives English."""
    accept = parse_accept_header(header, LanguageAccept)
    assert negotiate(accept, SERVED) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("hi", "hi"), ("hi-IN", "hi"), ("TR", "tr"), ("es-Latn-MX", "es"), ("fr", None), ("", None)],
)
def test_a_lang_value_is_looked_up_by_truncation(tag: str, expected: str | None) -> None:
    """``lang`` takes a served tag or a more specific one (RFC 4647 lookup)."""
    assert lookup(tag, SERVED) == expected


@pytest.fixture(scope="module")
def multilingual_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The service with a second, machine-made language ``es`` (unless Spanish is shipped)
    and a third, ``xx``."""
    data = tmp_path_factory.mktemp("languages") / "data"
    shutil.copytree(DATA_DIR, data)
    if not (data / "translations" / "es").exists():
        write_pseudo_language(data, "es", "Pseudo-español", grave=True)
    write_pseudo_language(data, "xx")
    return create_app({**TEST_SETTINGS, "DATA_DIR": str(data)})


@pytest.fixture
def multi(multilingual_app: Flask) -> FlaskClient:
    """A client of the multilingual app with an empty front-door cache."""
    empty_answer_cache(multilingual_app)
    return multilingual_app.test_client()


LOCALIZED = [
    "/",
    "/demo",
    "/v1/readings?side=left&lip=upper&sudden=true",
    "/v1/readings/right-lower-gradual?symptoms=sudden-facial-droop",
    "/v1/cards/left-lower-sudden",
    "/v1/omens?page_size=5",
    "/v1/omens/jamaica-lips-twitch-kiss",
    "/v1/conditions/stroke",
    "/v1/symptoms?q=droop",
    "/v1/treatments",
    "/v1/traditions",
    "/v1/sources?kind=medical",
    "/v1/dataset",
]


@pytest.mark.parametrize("path", LOCALIZED)
def test_lang_wins_over_accept_language(multi: FlaskClient, path: str) -> None:
    """Each answer comes in the language lang names, whatever Accept-Language prefers, and
    otherwise in the one the header prefers; each says so and varies on the header."""
    joiner = "&" if "?" in path else "?"
    english = multi.get(path)
    by_header = multi.get(path, headers={"Accept-Language": "xx, en;q=0.1"})
    by_lang = multi.get(f"{path}{joiner}lang=xx", headers={"Accept-Language": "es"})
    for response, language in ((english, "en"), (by_header, "xx"), (by_lang, "xx")):
        assert response.status_code == 200, response.get_data(as_text=True)[:200]
        assert response.headers["Content-Language"] == language
        assert "Accept-Language" in response.headers["Vary"]
    assert by_header.data == by_lang.data
    assert by_header.data != english.data
    assert by_header.headers["ETag"] != english.headers["ETag"]


@pytest.mark.parametrize("path", ["/v1/readings/left-upper-sudden", "/v1/omens", "/", "/demo"])
def test_an_unserved_lang_is_a_422_listing_the_languages(multi: FlaskClient, path: str) -> None:
    """lang=fr is refused, naming the parameter and every served language, in English."""
    joiner = "&" if "?" in path else "?"
    body = assert_problem(multi.get(f"{path}{joiner}lang=fr"), 422)
    listed = ", ".join(MULTI)
    assert body["errors"] == {"lang": [f"Must be one of: {listed}."]}
    assert body["detail"] == f"Query parameter 'lang': Must be one of: {listed}."


def test_a_header_never_causes_an_error(multi: FlaskClient) -> None:
    """An unserved or malformed Accept-Language gives the English answer, never an error."""
    english = multi.get("/v1/cards/left-upper-sudden")
    for header in ("fr", "q=;;,", "*;q=0", "x" * 2000, "en;q=0"):
        response = multi.get("/v1/cards/left-upper-sudden", headers={"Accept-Language": header})
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "en"
        assert response.data == english.data


def test_problem_details_speak_the_language(multi: FlaskClient) -> None:
    """A problem's detail and messages are in the request's language; names and values are not."""
    english = assert_problem(multi.get("/v1/readings?side=up"), 422)
    other = multi.get("/v1/readings?side=up&lang=xx")
    body = assert_problem(other, 422)
    assert other.headers["Content-Language"] == "xx"
    assert "Accept-Language" in other.headers["Vary"]
    assert set(body["errors"]) == set(english["errors"]) == {"side", "lip"}
    assert body["errors"]["side"] == ["múst bé óné óf: left, right."]
    assert body["detail"].startswith("qúéry párámétér 'side': múst bé óné óf: left, right.")
    for path in ("/v1/omens/nobody", "/v1/no-such-thing", "/v1/readings/up-down"):
        translated = assert_problem(multi.get(path, headers={"Accept-Language": "xx"}), 404)
        assert translated["detail"] != assert_problem(multi.get(path), 404)["detail"]
        assert "á" in translated["detail"] or "ó" in translated["detail"], translated


def test_languages_lists_each_language_and_how_it_was_made(multi: FlaskClient) -> None:
    """/v1/languages: tag, names, completeness, native review (false) and method, English first."""
    body = multi.get("/v1/languages").get_json()
    assert body["default"] == "en"
    assert [language["tag"] for language in body["languages"]] == MULTI
    for language in body["languages"]:
        assert language["completeness"] == 1.0
        assert language["reviewed_by_native_speaker"] is False
        assert language["method"] and language["name"] and language["english_name"]
    assert len({language["strings"] for language in body["languages"]}) == 1


# -- The front door keeps one copy per language --------------------------------------------

CARD = "/v1/cards/left-upper-sudden"


@pytest.mark.parametrize("encoding", ["", "gzip", "br"])
def test_the_cache_never_gives_one_language_to_another(multi: FlaskClient, encoding: str) -> None:
    """However often a language's answer was asked (and kept), another language gets its own,
    plain or compressed."""
    headers = {"Accept-Encoding": encoding} if encoding else {}

    def text(response: TestResponse) -> str:
        body: bytes = response.data
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif response.headers.get("Content-Encoding") == "br":
            body = brotli.decompress(body)
        return body.decode()

    answers: dict[str, str] = {}
    for _ in range(3):  # the second request keeps the copy, the third is served from it
        for language in ("en", "xx", "es"):
            response = multi.get(CARD, headers={**headers, "Accept-Language": language})
            assert response.headers["Content-Language"] == language
            answers.setdefault(language, text(response))
            assert text(response) == answers[language], language
    assert len(set(answers.values())) == 3


def test_a_304_is_never_given_for_another_languages_copy(multi: FlaskClient) -> None:
    """If-None-Match with English's ETag, sent in another language, gets that language's 200."""
    english = multi.get(CARD)
    for _ in range(3):
        again = multi.get(CARD, headers={"If-None-Match": english.headers["ETag"]})
        assert again.status_code == 304
        other = multi.get(
            CARD, headers={"If-None-Match": english.headers["ETag"], "Accept-Language": "xx"}
        )
        assert other.status_code == 200
        assert other.headers["Content-Language"] == "xx"
        weak = multi.get(
            f"{CARD}?lang=xx", headers={"If-None-Match": f"W/{english.headers['ETag']}"}
        )
        assert weak.status_code == 200


# -- Every served language is complete ----------------------------------------------------


KEPT = (".sources[", ".original.", "_id")
"""Paths whose text is the same in every language: sources as published, a belief's own
words and ids (``strings`` leaves out links and the question echoed)."""


def assert_translated(english: Any, translated: Any, language: str) -> None:
    """Every string of ``translated`` is there and none is a sentence left in English.

    Sources may be more: a translation also cites the health sources it was checked against.
    """
    ours = dict(strings(english))
    theirs = dict(strings(translated))
    assert {p for p in ours if ".sources[" not in p} == {p for p in theirs if ".sources[" not in p}
    cited = {v for p, v in theirs.items() if p.endswith(".source_id")}
    assert {v for p, v in ours.items() if p.endswith(".source_id")} <= cited
    for path, text in ours.items():
        assert theirs[path].strip(), (language, path)
        if any(kept in path for kept in KEPT) or len(text.split()) < 4:
            continue
        assert theirs[path] != text, f"{language}: {path} is still in English: {text[:80]}"


@pytest.mark.parametrize("language", SHIPPED[1:] or ["(no translation shipped yet)"])
def test_every_reading_and_card_is_complete_in_every_shipped_language(
    client: FlaskClient, language: str
) -> None:
    """Each shipped language answers every reading and card (with an emergency symptom too)
    with every string present and none left in English."""
    if language not in SHIPPED:
        pytest.skip("only English is in data/translations so far")
    for side, lip, sudden in COMBINATIONS:
        query = f"side={side}&lip={lip}&sudden={str(sudden).lower()}"
        for path in (f"/v1/readings?{query}", f"/v1/cards?{query}"):
            for extra in ("", "&symptoms=sudden-facial-droop"):
                english = client.get(f"{path}{extra}").get_json()
                translated = client.get(f"{path}{extra}&lang={language}")
                assert translated.headers["Content-Language"] == language
                assert_translated(english, translated.get_json(), language)


def test_a_made_language_is_complete_in_every_reading_and_card(multi: FlaskClient) -> None:
    """The completeness check itself, on a machine-made language: every reading and card."""
    for side, lip, sudden in COMBINATIONS:
        query = f"side={side}&lip={lip}&sudden={str(sudden).lower()}"
        for path in (f"/v1/readings?{query}", f"/v1/cards?{query}"):
            english = multi.get(path).get_json()
            assert_translated(english, multi.get(f"{path}&lang=xx").get_json(), "xx")


def test_pages_are_drawn_in_the_language(multi: FlaskClient) -> None:
    """The front page and /demo: lang attribute, words, links to the other languages."""
    page = multi.get("/?lang=xx", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="xx">' in page
    assert "ún éxámplé" not in page and "á lívé éxámplé" in page
    assert 'href="/?lang=es"' in page and 'href="/?lang=en"' in page
    assert 'href="/v1/dataset?lang=xx"' in page
    demo = multi.get("/demo", headers={"Accept-Language": "xx"}).get_data(as_text=True)
    assert '<html lang="xx">' in demo and "cópy ánd pásté" in demo


def test_the_widget_carries_its_words_in_every_language(multi: FlaskClient) -> None:
    """/widget.js holds the widget's words of each served language, English first."""
    script = multi.get("/widget.js").get_data(as_text=True)
    assert 'var WORDS = {"en":{"picker_label":"Choose your lip twitch"' in script
    assert '"xx":{"picker_label":"chóósé yóúr líp twítch"' in script
    assert "var WORDS = {};" not in script


def test_shipped_languages_are_served(client: FlaskClient) -> None:
    """Every language in data/translations is listed by /v1/languages, in the spec's enum too."""
    listed = [item["tag"] for item in client.get("/v1/languages").get_json()["languages"]]
    assert listed == SHIPPED
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["schemas"]["LanguageTag"]["enum"] == SHIPPED


def test_every_api_operation_documents_lang_accept_language_and_content_language(
    client: FlaskClient,
) -> None:
    """Each /v1 GET documents lang and Accept-Language, and Content-Language and Vary on 200."""
    spec = client.get("/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1"):
            continue
        operation = operations["get"]
        names = [parameter["name"] for parameter in operation["parameters"]]
        assert {"lang", "Accept-Language"} <= set(names), path
        headers = operation["responses"]["200"]["headers"]
        assert {"Content-Language", "Vary"} <= set(headers), path


def test_problems_say_their_language_too(client: FlaskClient) -> None:
    """Error answers carry Content-Language and Vary: Accept-Language, like every other."""
    response = client.get("/v1/omens/nobody")
    assert response.mimetype == PROBLEM
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]
