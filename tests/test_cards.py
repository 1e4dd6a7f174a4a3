"""Permalinks (/v1/readings/{reading_id}) and cards (/v1/cards): the contract widgets rely on."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .helpers import COMBINATIONS, assert_problem

CARD_FIELDS = {
    "reading_id",
    "headline",
    "sentiment",
    "omen",
    "medical",
    "urgency",
    "when_to_call_emergency",
    "emoji",
    "share_text",
    "disclaimer",
    "href",
    "attribution",
}
MAX_CARD_CHARACTERS = 1536
"""A card's JSON in characters (1.5 KB of English): Hindi takes up to three bytes a character."""
SCALE = ["self_care", "see_doctor", "urgent", "emergency"]


def query(side: str, lip: str, sudden: bool) -> str:
    return f"side={side}&lip={lip}&sudden={str(sudden).lower()}"


def get_json(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def symptom_ids(client: FlaskClient) -> list[str]:
    return [s["symptom_id"] for s in get_json(client, "/v1/symptoms?page_size=100")["items"]]


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_permalink_answers_the_same_reading(
    client: FlaskClient, combination: tuple[str, str, bool]
) -> None:
    """/v1/readings/{reading_id} is byte for byte the reading of its side, lip and onset."""
    by_query = client.get(f"/v1/readings?{query(*combination)}")
    reading_id = by_query.get_json()["reading_id"]
    by_id = client.get(f"/v1/readings/{reading_id}")
    assert by_id.status_code == 200
    assert by_id.data == by_query.data
    assert by_id.headers["ETag"] == by_query.headers["ETag"]


def test_permalink_takes_symptoms_like_the_reading(client: FlaskClient) -> None:
    """Symptoms on a permalink, repeated or comma-separated, act as on /v1/readings."""
    expected = client.get("/v1/readings?side=left&lip=upper&sudden=true&symptoms=loss-of-taste")
    for url in (
        "/v1/readings/left-upper-sudden?symptoms=loss-of-taste",
        "/v1/readings/Left-Upper-Sudden?symptoms=LOSS-OF-TASTE&_=1795639780663",
    ):
        assert client.get(url).data == expected.data, url


@pytest.mark.parametrize("path", ["/v1/readings", "/v1/cards"])
def test_unknown_reading_id_is_a_404_naming_the_ids(client: FlaskClient, path: str) -> None:
    """An id that names no reading is a 404 problem listing the reading ids."""
    body = assert_problem(client.get(f"{path}/left-middle-sudden"), 404)
    assert "left-upper-sudden" in body["detail"] and "right-lower-gradual" in body["detail"]


@pytest.mark.parametrize("path", ["/v1/readings/left-upper-sudden", "/v1/cards/left-upper-sudden"])
def test_by_id_refuses_other_parameters(client: FlaskClient, path: str) -> None:
    """The id says side, lip and onset: giving them again is a 422 naming symptoms."""
    body = assert_problem(client.get(f"{path}?side=left"), 422)
    assert "symptoms" in body["errors"]["side"][0]


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_card_keeps_the_contract(client: FlaskClient, combination: tuple[str, str, bool]) -> None:
    """A card has exactly the agreed fields, drawn from the full reading, within 1,536
    characters."""
    response = client.get(f"/v1/cards?{query(*combination)}")
    assert response.status_code == 200
    assert len(response.get_data(as_text=True)) <= MAX_CARD_CHARACTERS
    card = response.get_json()
    assert set(card) == CARD_FIELDS
    reading = get_json(client, f"/v1/readings?{query(*combination)}")
    assert card["reading_id"] == reading["reading_id"]
    assert card["headline"] == reading["omen"]["headline"]
    assert card["sentiment"] == reading["omen"]["sentiment"]
    assert card["urgency"] == reading["medical"]["urgency"]
    assert card["medical"] == reading["medical"]["headline"]
    assert card["when_to_call_emergency"] == reading["medical"]["when_to_call_emergency"]
    assert reading["omen"]["meaning"].startswith(card["omen"].rstrip("…"))
    assert "\n" not in card["omen"] and len(card["omen"]) <= 140
    assert card["href"] == f"/v1/readings/{reading['reading_id']}"
    assert get_json(client, card["href"]) == reading
    assert len(card["emoji"]) <= 2 and not card["emoji"].isascii()
    assert len(card["share_text"]) <= 280
    assert card["share_text"].endswith("Folklore for fun, not medical advice.")
    assert "not medical advice" in card["disclaimer"] or "not advice" in card["disclaimer"]


def test_card_by_id_is_the_card_by_query(client: FlaskClient) -> None:
    """/v1/cards/{reading_id} and /v1/cards?side=… answer the same bytes."""
    by_query = client.get("/v1/cards?side=right&lip=lower&sudden=false&symptoms=loss-of-taste")
    by_id = client.get("/v1/cards/right-lower-gradual?symptoms=loss-of-taste")
    assert by_id.data == by_query.data


def test_symptoms_raise_a_cards_urgency_like_the_readings(client: FlaskClient) -> None:
    """For every symptom, the card's urgency is the reading's, and its href keeps the symptom."""
    for symptom in symptom_ids(client):
        url = f"side=left&lip=lower&sudden=true&symptoms={symptom}"
        card = get_json(client, f"/v1/cards?{url}")
        reading = get_json(client, f"/v1/readings?{url}")
        assert card["urgency"] == reading["medical"]["urgency"], symptom
        assert card["href"] == f"/v1/readings/left-lower-sudden?symptoms={symptom}"
        assert get_json(client, card["href"]) == reading
        assert len(card["share_text"]) <= 280, symptom


def test_an_emergency_card_says_what_to_do(client: FlaskClient) -> None:
    """A symptom that makes it an emergency shows the ambulance and that symptom's advice."""
    card = get_json(client, "/v1/cards/right-upper-gradual?symptoms=sudden-facial-droop")
    symptom = get_json(client, "/v1/symptoms/sudden-facial-droop")
    assert card["urgency"] == "emergency"
    assert card["emoji"] == "🚑"
    assert card["medical"].startswith(symptom["name"])
    assert "emergency" in card["medical"].lower()
    assert card["medical"] in card["share_text"] or card["medical"][:-1] in card["share_text"]


def test_the_largest_cards_stay_within_the_budget(client: FlaskClient) -> None:
    """With ten symptoms (the most allowed, longest ids first), every card is at most 1,536
    characters."""
    ids = sorted(symptom_ids(client), key=len, reverse=True)
    for start in range(len(ids)):
        chosen = (ids[start:] + ids)[:10]
        for combination in COMBINATIONS[::3] if start else COMBINATIONS:
            response = client.get(f"/v1/cards?{query(*combination)}&symptoms={','.join(chosen)}")
            assert response.status_code == 200
            assert len(response.get_data(as_text=True)) <= MAX_CARD_CHARACTERS, (
                combination,
                chosen,
            )
            assert len(response.get_json()["share_text"]) <= 280
