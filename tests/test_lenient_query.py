"""What ordinary clients send is understood; what is really wrong is still refused.

Generated clients repeat list parameters, ``requests`` sends ``True``, jQuery adds ``_=<time>``,
shared links carry ``utm_*`` tags and click ids (``fbclid``...), people type ``LEFT``: all of
these work. Unknown parameters, typos and a single-valued parameter given twice are still errors.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from service.edge.routing import canonical_query

from .helpers import assert_problem, query_echo

BASE = "/v1/readings?side=left&lip=upper&sudden=true"
TWO = ["loss-of-taste", "sudden-facial-droop"]


def get_json(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize(
    "symptoms",
    [
        "symptoms=loss-of-taste&symptoms=sudden-facial-droop",
        "symptoms=loss-of-taste,sudden-facial-droop",
        "symptoms=loss-of-taste&symptoms=sudden-facial-droop,loss-of-taste",
        "symptoms=LOSS-OF-TASTE,Sudden-Facial-Droop",
    ],
    ids=["repeated", "comma-separated", "both, with a repeat", "any case"],
)
def test_symptoms_may_be_repeated_or_comma_separated(client: FlaskClient, symptoms: str) -> None:
    """Repeated and comma-separated symptoms give the same reading, with the same ETag."""
    expected = client.get(f"{BASE}&symptoms=loss-of-taste,sudden-facial-droop")
    response = client.get(f"{BASE}&{symptoms}")
    assert response.status_code == 200
    assert response.get_json()["query"]["symptoms"] == TWO
    assert response.get_json()["medical"]["urgency"] == "emergency"
    assert response.headers["ETag"] == expected.headers["ETag"]


@pytest.mark.parametrize(
    ("value", "sudden"),
    [
        *[(v, True) for v in ("true", "True", "TRUE", "1", "yes", "Yes", "on", "ON")],
        *[(v, False) for v in ("false", "False", "FALSE", "0", "no", "NO", "off", "Off")],
    ],
)
def test_booleans_in_every_common_spelling(client: FlaskClient, value: str, sudden: bool) -> None:
    """sudden reads true/false, 1/0, yes/no and on/off in any letter case."""
    body = get_json(client, f"/v1/readings?side=left&lip=lower&sudden={value}")
    assert body["query"]["sudden"] is sudden
    omens = get_json(client, f"/v1/omens?sudden={value}&page_size=100")
    assert (
        omens["total_items"]
        == get_json(client, f"/v1/omens?sudden={str(sudden).lower()}&page_size=100")["total_items"]
    )


def test_enum_values_in_any_case_are_normalised_in_the_echo(client: FlaskClient) -> None:
    """side=LEFT&lip=Upper reads as left/upper, and the query echo says so."""
    shouted = client.get("/v1/readings?side=LEFT&lip=Upper&sudden=TRUE")
    plain = client.get(BASE)
    assert shouted.get_json()["query"] == query_echo(side="left", lip="upper", sudden=True)
    assert shouted.data == plain.data


@pytest.mark.parametrize(
    ("shouted", "plain"),
    [
        ("/v1/omens?sentiment=GOOD&side=Right", "/v1/omens?sentiment=good&side=right"),
        ("/v1/conditions?urgency=EMERGENCY", "/v1/conditions?urgency=emergency"),
        ("/v1/omens?tradition=Jamaican-Folk", "/v1/omens?tradition=jamaican-folk"),
        ("/v1/conditions?symptom=Loss-Of-Taste", "/v1/conditions?symptom=loss-of-taste"),
    ],
)
def test_list_filters_ignore_letter_case(client: FlaskClient, shouted: str, plain: str) -> None:
    """Filter values and ids match whatever their letter case."""
    body = get_json(client, shouted)
    assert body["total_items"] > 0
    assert body == get_json(client, plain)


@pytest.mark.parametrize(
    "url",
    [BASE, "/v1/omens", "/v1/omens/jamaica-lips-twitch-kiss", "/v1/dataset"],
    ids=["reading", "list", "item", "dataset"],
)
def test_cache_busters_and_tracking_parameters_are_ignored(client: FlaskClient, url: str) -> None:
    """jQuery's _=<time>, utm_* tags and the click ids of ad networks, newsletters and link
    shorteners (in any case, percent-encoded too) change nothing about the answer."""
    joiner = "&" if "?" in url else "?"
    tags = (
        "_=1795639780663&utm_source=newsletter&utm_medium=email&fbclid=IwAR0x&gclid=Cj0K"
        "&msclkid=5f1c&mc_cid=4e2b&mc_eid=9a8c&ref=producthunt&FBCLID=IwAR1y&utm%5Fterm=omen"
    )
    tagged = client.get(f"{url}{joiner}{tags}")
    assert tagged.status_code == 200
    assert tagged.data == client.get(url).data


def test_tracking_parameters_leave_the_query_before_anything_reads_it(
    client: FlaskClient,
) -> None:
    """The pages' links of a tagged list carry no tag; everything else keeps its order."""
    assert (
        canonical_query("side=left&fbclid=1&lip=upper&utm_x=&sudden")
        == "side=left&lip=upper&sudden"
    )
    assert canonical_query("refx=1&fbclid2=2") == "refx=1&fbclid2=2"
    answer = client.get("/v1/omens?page_size=5&fbclid=IwAR0x&page=2&gclid=Cj0K")
    assert answer.status_code == 200
    assert "page_size=5" in answer.headers["Link"]
    assert "clid" not in answer.headers["Link"]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"{BASE}&mood=grumpy", "side, lip, sudden, symptoms"),
        ("/v1/omens?colour=red", "q, page, page_size, side, lip, sudden, tradition"),
        ("/v1/omens/jamaica-lips-twitch-kiss?colour=red", "Allowed parameters: lang."),
        ("/v1/dataset?format=xml", "Allowed parameters: lang."),
        (f"{BASE}&__=1", "side, lip"),
        (f"{BASE}&utm=1", "side, lip"),
        (f"{BASE}&refx=1", "side, lip"),
        (f"{BASE}&fbclid2=1", "side, lip"),
    ],
    ids=[
        "reading",
        "list",
        "item",
        "dataset",
        "double underscore",
        "utm without _",
        "ref with more",
        "fbclid with more",
    ],
)
def test_other_unknown_parameters_are_still_refused(
    client: FlaskClient, url: str, allowed: str
) -> None:
    """Any other unknown parameter is a 422 naming the allowed ones (items allow only lang)."""
    body = assert_problem(client.get(url), 422)
    (name,) = body["errors"]
    assert allowed in body["errors"][name][0]


@pytest.mark.parametrize(
    "query",
    [
        "side=LEFTT&lip=upper",
        "side=left&lip=upper&sudden=yess",
        f"{BASE[13:]}&symptoms=los-of-taste",
    ],
    ids=["side", "sudden", "symptom"],
)
def test_typos_stay_errors_in_any_case(client: FlaskClient, query: str) -> None:
    """Leniency covers letter case and spelling conventions, never a misspelt value."""
    assert_problem(client.get(f"/v1/readings?{query}"), 422)


def test_a_single_valued_parameter_given_twice_is_still_refused(client: FlaskClient) -> None:
    """side=left&side=right is ambiguous: a 400 naming side, not a guess."""
    body = assert_problem(client.get("/v1/readings?side=left&side=right&lip=upper"), 400)
    assert list(body["errors"]) == ["side"]


def test_spec_says_symptoms_are_sent_repeated(client: FlaskClient) -> None:
    """The spec documents symptoms as form/explode: the repeated form generated clients send."""
    spec = client.get("/openapi.json").get_json()
    for path in ("/v1/readings",):
        parameters = spec["paths"][path]["get"]["parameters"]
        symptoms = next(p for p in parameters if p["name"] == "symptoms")
        assert symptoms.get("style", "form") == "form"
        assert symptoms.get("explode", True) is True
        assert symptoms["schema"]["type"] == "array"


@pytest.mark.slow
def test_plain_requests_with_python_values(server: str) -> None:
    """requests.get(params={"sudden": True, "symptoms": [...]}) against the server just works."""
    params: dict[str, Any] = {"side": "left", "lip": "upper", "sudden": True, "symptoms": TWO}
    response = requests.get(f"{server}/v1/readings", params=params, timeout=10)
    assert response.status_code == 200, response.text
    assert "sudden=True" in response.url and response.url.count("symptoms=") == 2
    body = response.json()
    assert body["query"] == query_echo(side="left", lip="upper", sudden=True, symptoms=TWO)


@pytest.mark.slow
def test_jquery_cache_buster_against_the_server(server: str) -> None:
    """$.ajax({cache: false}) appends _=<milliseconds>; every such request gets the reading."""
    for _ in range(3):
        buster = str(int(time.time() * 1000))
        response = requests.get(
            f"{server}/v1/readings?side=right&lip=lower&sudden=false&_={buster}",
            headers={"Accept": "application/json, text/javascript, */*; q=0.01"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert response.json()["reading_id"] == "right-lower-gradual"
