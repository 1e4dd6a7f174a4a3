"""GET /v1/readings answers every combination with its own curated reading."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .helpers import COMBINATIONS, query_echo

URGENCY_SCALE = ["self_care", "see_doctor", "urgent", "emergency"]


def get_reading(client: FlaskClient, side: str, lip: str, sudden: bool) -> dict[str, Any]:
    response = client.get(f"/v1/readings?side={side}&lip={lip}&sudden={str(sudden).lower()}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize(("side", "lip", "sudden"), COMBINATIONS)
def test_reading_pairs_an_omen_with_its_medical_counterpart(
    client: FlaskClient, side: str, lip: str, sudden: bool
) -> None:
    """Each combination answers with the query echoed, both halves and the disclaimer."""
    body = get_reading(client, side, lip, sudden)
    assert body["query"] == query_echo(side=side, lip=lip, sudden=sudden)
    assert set(body) == {"reading_id", "query", "omen", "medical", "disclaimer", "attribution"}

    omen = body["omen"]
    assert omen["headline"] and omen["meaning"]
    assert len(omen["beliefs"]) >= 2
    assert len({belief["tradition_id"] for belief in omen["beliefs"]}) >= 2
    assert omen["sources"], "the omen half cites its sources"

    medical = body["medical"]
    assert medical["urgency"] in URGENCY_SCALE
    assert medical["likely_causes"] and medical["rule_out"]
    assert medical["red_flags"] and medical["self_care"]
    assert medical["when_to_see_doctor"]
    assert "emergency" in medical["when_to_call_emergency"].lower()
    assert medical["sources"]
    assert "folklore" in body["disclaimer"] and "not medical advice" in body["disclaimer"]


@pytest.mark.parametrize(("side", "lip", "sudden"), COMBINATIONS)
def test_every_linked_entry_cites_its_sources_at_its_href(
    client: FlaskClient, side: str, lip: str, sudden: bool
) -> None:
    """A reading cites its own text; each belief, cause and red flag it links cites its own."""
    body = get_reading(client, side, lip, sudden)
    linked = [
        *body["omen"]["beliefs"],
        *body["medical"]["likely_causes"],
        *body["medical"]["rule_out"],
        *body["medical"]["red_flags"],
        *body["medical"]["self_care"],
    ]
    for entry in linked:
        page = client.get(entry["href"])
        assert page.status_code == 200, entry["href"]
        assert page.get_json()["sources"], entry["href"]


def test_every_combination_has_its_own_text(client: FlaskClient) -> None:
    """No two combinations share a headline or a meaning: each is written by hand."""
    bodies = [get_reading(client, *combination) for combination in COMBINATIONS]
    assert len({body["reading_id"] for body in bodies}) == 8
    assert len({body["omen"]["headline"] for body in bodies}) == 8
    assert len({body["omen"]["meaning"] for body in bodies}) == 8
    assert len({body["medical"]["explanation"] for body in bodies}) == 8


@pytest.mark.parametrize(("side", "lip", "sudden"), COMBINATIONS)
def test_beliefs_fit_the_side_and_lip_asked_about(
    client: FlaskClient, side: str, lip: str, sudden: bool
) -> None:
    """A reading never cites an omen about the other side, the other lip or the other onset."""
    onset = "sudden" if sudden else "gradual"
    for belief in get_reading(client, side, lip, sudden)["omen"]["beliefs"]:
        omen = client.get(belief["href"]).get_json()
        assert omen["side"] in (side, "any"), omen["omen_id"]
        assert omen["lip"] in (lip, "any"), omen["omen_id"]
        assert omen["onset"] in (onset, "any"), omen["omen_id"]


def test_sudden_defaults_to_false(client: FlaskClient) -> None:
    """Leaving out sudden reads a gradual twitch."""
    response = client.get("/v1/readings?side=right&lip=upper")
    assert response.status_code == 200
    assert response.get_json() == get_reading(client, "right", "upper", False)


@pytest.mark.parametrize(
    ("value", "sudden"), [("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_sudden_accepts_true_false_1_and_0(client: FlaskClient, value: str, sudden: bool) -> None:
    """The boolean forms client generators send are all understood."""
    response = client.get(f"/v1/readings?side=left&lip=lower&sudden={value}")
    assert response.get_json()["query"]["sudden"] is sudden


def test_reading_links_are_consistent_with_the_causes(client: FlaskClient) -> None:
    """Every likely cause carries its id, name and an urgency on the documented scale."""
    for combination in COMBINATIONS:
        for cause in get_reading(client, *combination)["medical"]["likely_causes"]:
            assert cause["condition_id"] and cause["name"] and cause["why"]
            assert cause["urgency"] in URGENCY_SCALE


def test_likely_causes_are_common_and_serious_ones_are_ruled_out(client: FlaskClient) -> None:
    """Likely causes are self_care or see_doctor conditions; rule_out holds the serious ones."""
    for combination in COMBINATIONS:
        medical = get_reading(client, *combination)["medical"]
        for cause in medical["likely_causes"]:
            condition = client.get(f"/v1/conditions/{cause['condition_id']}").get_json()
            assert cause["urgency"] in ("self_care", "see_doctor") and not condition["serious"]
        for entry in medical["rule_out"]:
            assert set(entry) == {"condition_id", "name", "urgency", "signs", "href"}
            assert client.get(entry["href"]).get_json()["serious"] is True
            assert entry["signs"]


def test_red_flags_say_what_their_symptom_entry_says(client: FlaskClient) -> None:
    """A red flag is its symptom entry's name, urgency and advice, so readings never differ."""
    symptoms = {
        s["symptom_id"]: s for s in client.get("/v1/symptoms?page_size=100").get_json()["items"]
    }
    for combination in COMBINATIONS:
        flags = get_reading(client, *combination)["medical"]["red_flags"]
        for flag in flags:
            entry = symptoms[flag["symptom_id"]]
            assert {k: entry[k] for k in ("name", "urgency", "advice", "href")} == {
                k: flag[k] for k in ("name", "urgency", "advice", "href")
            }
        droop = next(f for f in flags if f["symptom_id"] == "sudden-facial-droop")
        assert droop["urgency"] == "emergency"


def test_emergency_text_names_every_emergency_red_flag(client: FlaskClient) -> None:
    """Each reading's emergency text names the stroke signs, FAST and beyond, that it flags."""
    for combination in COMBINATIONS:
        medical = get_reading(client, *combination)["medical"]
        call = medical["when_to_call_emergency"]
        for words in ("face droops", "goes numb", "arm or leg", "speech", "vision", "balance"):
            assert words in call, (combination, words)
        assert "droop" not in medical["when_to_see_doctor"]


def test_reading_is_cacheable_with_a_strong_etag(client: FlaskClient) -> None:
    """A reading carries a strong ETag and public Cache-Control with a max-age."""
    response = client.get("/v1/readings?side=left&lip=upper&sudden=true")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=3600" in response.headers["Cache-Control"]
    other = client.get("/v1/readings?side=left&lip=upper&sudden=false")
    assert other.headers["ETag"] != etag


@pytest.mark.parametrize("weak", [False, True], ids=["strong", "weak"])
def test_matching_if_none_match_answers_304(client: FlaskClient, weak: bool) -> None:
    """If-None-Match with the reading's tag, strong or weak, answers 304 with no body."""
    url = "/v1/readings?side=right&lip=lower&sudden=true"
    etag = client.get(url).headers["ETag"]
    sent = f"W/{etag}" if weak else etag
    response = client.get(url, headers={"If-None-Match": sent})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_stale_if_none_match_answers_200(client: FlaskClient) -> None:
    """A tag that no longer matches gets the full reading."""
    response = client.get(
        "/v1/readings?side=right&lip=lower", headers={"If-None-Match": '"not-the-tag"'}
    )
    assert response.status_code == 200
    assert response.get_json()["query"]["side"] == "right"


def test_head_answers_like_get_without_a_body(client: FlaskClient) -> None:
    """HEAD gives the headers of the reading, as HTTP requires."""
    got = client.get("/v1/readings?side=left&lip=upper")
    head = client.head("/v1/readings?side=left&lip=upper")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == got.headers["ETag"]
