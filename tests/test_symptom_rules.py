"""Symptoms reported with a twitch raise the reading's urgency and re-rank its causes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .helpers import assert_problem

SCALE = ["self_care", "see_doctor", "urgent", "emergency"]

# The urgency each symptom calls for, as the medical sources behind symptoms.yaml say.
# Changing one is a content decision: change the data, its source and this table together.
SYMPTOM_URGENCY = {
    "sudden-lip-contractions": "self_care",
    "upper-lip-flutter": "self_care",
    "cold-frozen-lips": "self_care",
    "curling-lip-corners": "self_care",
    "repeated-spasms-minutes-apart": "self_care",
    "sudden-lower-lip-contraction": "self_care",
    "lower-lip-movement": "self_care",
    "twitch-spreads-to-face": "see_doctor",
    "recurrent-facial-spasm": "see_doctor",
    "lip-numbness-with-coldness": "see_doctor",
    "twitch-lasting-weeks-or-spreading": "see_doctor",
    "eye-closing-involuntarily": "see_doctor",
    "muscle-weakness-or-wasting": "see_doctor",
    "difficulty-swallowing": "see_doctor",
    "tremor-hands-jaw-head": "see_doctor",
    "twitch-after-new-medicine": "see_doctor",
    "eye-cannot-close-fully": "urgent",
    "tingling-mouth-fingers-cramps": "urgent",
    "pain-behind-ear": "urgent",
    "loss-of-taste": "urgent",
    "rash-blisters-near-ear": "urgent",
    "sudden-facial-droop": "emergency",
    "arm-or-leg-weakness": "emergency",
    "speech-difficulty": "emergency",
    "difficulty-breathing": "emergency",
    "seizure-confusion-hallucinations": "emergency",
    "sudden-facial-numbness": "emergency",
    "sudden-vision-loss": "emergency",
    "sudden-loss-of-balance": "emergency",
    "sudden-confusion": "emergency",
    "sudden-severe-headache": "emergency",
    "lip-smacking-puckering": "see_doctor",
    "face-neck-spasm-after-medicine": "urgent",
    "over-breathing": "see_doctor",
    "tingling-before-cold-sore": "self_care",
}
BASE = "/v1/readings?side=left&lip=upper&sudden=true"


def reading(client: FlaskClient, symptoms: str | None = None) -> dict[str, Any]:
    url = BASE if symptoms is None else f"{BASE}&symptoms={symptoms}"
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_every_symptom_has_a_rule(client: FlaskClient) -> None:
    """The table above covers exactly the symptoms in the dataset."""
    listed = client.get("/v1/symptoms?page_size=100").get_json()["items"]
    assert {s["symptom_id"] for s in listed} == set(SYMPTOM_URGENCY)


@pytest.mark.parametrize(("symptom", "urgency"), sorted(SYMPTOM_URGENCY.items()))
def test_symptom_raises_urgency_to_its_level(
    client: FlaskClient, symptom: str, urgency: str
) -> None:
    """With this symptom, the reading is at least as urgent as the symptom calls for."""
    plain = reading(client)
    body = reading(client, symptom)
    base = plain["medical"]["urgency"]
    expected = max(base, urgency, key=SCALE.index)
    assert body["medical"]["urgency"] == expected
    assert body["query"]["symptoms"] == [symptom]
    (reported,) = body["medical"]["reported_symptoms"]
    assert reported["symptom_id"] == symptom and reported["urgency"] == urgency
    assert reported["advice"]
    assert body["omen"] == plain["omen"], "the omen never changes with symptoms"


def test_facial_droop_is_an_emergency_that_says_call(client: FlaskClient) -> None:
    """Sudden facial droop makes a reading an emergency, says to call, and rules out stroke."""
    for side in ("left", "right"):
        for sudden in ("true", "false"):
            url = f"/v1/readings?side={side}&lip=lower&sudden={sudden}&symptoms=sudden-facial-droop"
            medical = client.get(url).get_json()["medical"]
            assert medical["urgency"] == "emergency"
            assert "emergency" in medical["reported_symptoms"][0]["advice"].lower()
            rule_out = [c["condition_id"] for c in medical["rule_out"]]
            assert rule_out[0] == "stroke"
            assert "bells-palsy" in rule_out[:4]
            assert "stroke" not in [c["condition_id"] for c in medical["likely_causes"]]


def test_lasting_twitch_means_see_a_doctor(client: FlaskClient) -> None:
    """Twitching that lasts for weeks or spreads raises a self-care reading to see_doctor."""
    body = reading(client, "twitch-lasting-weeks-or-spreading")
    assert body["medical"]["urgency"] == "see_doctor"


def test_most_urgent_symptom_wins(client: FlaskClient) -> None:
    """Several symptoms: the urgency is that of the most urgent one."""
    body = reading(client, "upper-lip-flutter,loss-of-taste,twitch-lasting-weeks-or-spreading")
    assert body["medical"]["urgency"] == "urgent"
    assert [s["symptom_id"] for s in body["medical"]["reported_symptoms"]] == [
        "upper-lip-flutter",
        "loss-of-taste",
        "twitch-lasting-weeks-or-spreading",
    ]


def test_causes_matching_the_symptoms_move_up(client: FlaskClient) -> None:
    """Conditions that can come with the reported symptoms rank first in both lists, none lost."""
    plain = reading(client)["medical"]
    body = reading(client, "tingling-mouth-fingers-cramps")["medical"]
    ruled = [c["condition_id"] for c in body["rule_out"]]
    assert ruled[0] == "hypocalcaemia-chvostek-sign"
    assert {c["condition_id"] for c in plain["rule_out"]} <= set(ruled)
    assert {c["condition_id"] for c in plain["likely_causes"]} <= {
        c["condition_id"] for c in body["likely_causes"]
    }
    plain_ids = {c["condition_id"] for c in plain["rule_out"]}
    added = [c for c in body["rule_out"] if c["condition_id"] not in plain_ids]
    assert {"hypoparathyroidism", "digeorge-syndrome"} <= {c["condition_id"] for c in added}
    for entry in added:
        assert "tingling around the mouth" in entry["signs"].lower()


def test_serious_conditions_join_rule_out_not_likely_causes(client: FlaskClient) -> None:
    """A symptom pointing to a serious condition adds it to rule_out, never to likely causes."""
    medical = reading(client, "muscle-weakness-or-wasting")["medical"]
    assert "als-motor-neurone-disease" in [c["condition_id"] for c in medical["rule_out"]]
    for cause in medical["likely_causes"]:
        assert cause["urgency"] in ("self_care", "see_doctor")
        assert cause["condition_id"] != "als-motor-neurone-disease"


def test_repeated_symptom_counts_once(client: FlaskClient) -> None:
    """Naming a symptom twice is the same as naming it once."""
    once = reading(client, "loss-of-taste")
    twice = reading(client, "loss-of-taste,loss-of-taste")
    assert twice == once


@pytest.mark.parametrize(
    ("symptoms", "message"),
    [
        ("vampire-bite", "Must be one of: arm-or-leg-weakness"),
        ("loss-of-taste,", "Must be one of:"),
        (",".join(sorted(SYMPTOM_URGENCY)[:11]), "From 1 to 10 symptoms"),
        ("", "From 1 to 10 symptoms"),
    ],
    ids=["unknown id", "empty item", "too many", "none"],
)
def test_bad_symptoms_are_refused(client: FlaskClient, symptoms: str, message: str) -> None:
    """An unknown symptom id, or too many, is a 422 naming the allowed ids or the bound."""
    body = assert_problem(client.get(f"{BASE}&symptoms={symptoms}"), 422)
    assert message in body["errors"]["symptoms"][0]
