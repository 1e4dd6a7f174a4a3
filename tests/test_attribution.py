"""Credit: readings and cards carry the attribution the text's licence asks for, and cards'
share texts link the reading's page when the service knows its public address."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.api import attribution
from service.api.cards import MAX_SHARE_TEXT
from service.dataset import DATA_DIR

from .helpers import PUBLIC_URL, TEST_SETTINGS

CREDITS = {
    "en": "Text by Twitchlore contributors, under CC BY 4.0.",
    "es": "Texto de Twitchlore contributors, con licencia CC BY 4.0.",
    "hi": "पाठ: Twitchlore contributors, CC BY 4.0 लाइसेंस के तहत।",
    "tr": "Metin: Twitchlore contributors, CC BY 4.0 lisansıyla.",
}
ANSWERS = (
    "/v1/readings/left-upper-sudden",
    "/v1/readings?side=right&lip=lower&sudden=true&symptoms=sudden-facial-droop",
    "/v1/cards/left-lower-gradual",
    "/v1/cards?side=left&lip=upper&symptoms=loss-of-taste",
)


def test_the_credit_is_what_the_data_licence_asks_for() -> None:
    """The name, licence and link are those data/LICENSE.md and dataset.yaml state."""
    licence_file = (DATA_DIR / "LICENSE.md").read_text(encoding="utf-8")
    assert f'credit "{attribution.NAME}"' in licence_file
    assert attribution.LICENCE_URL in licence_file
    assert "(CC BY 4.0)" in licence_file
    dataset = (Path(DATA_DIR) / "dataset.yaml").read_text(encoding="utf-8")
    assert f"{attribution.LICENCE} ({attribution.NAME})" in dataset


@pytest.mark.parametrize("tag", list(CREDITS))
@pytest.mark.parametrize("path", ANSWERS)
def test_readings_and_cards_carry_the_attribution(client: FlaskClient, path: str, tag: str) -> None:
    """Each reading and card, in every language, names whom to credit, the licence and its
    link, and the project."""
    separator = "&" if "?" in path else "?"
    answer = client.get(f"{path}{separator}lang={tag}").get_json()
    assert answer["attribution"] == {
        "name": "Twitchlore contributors",
        "licence": "CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "url": "/",
    }


@pytest.mark.parametrize("tag", list(CREDITS))
def test_the_widget_knows_the_credit_line_in_every_language(client: FlaskClient, tag: str) -> None:
    """The widget script carries the one-line credit in each language, to fill in with the
    answer's name and licence."""
    script = client.get("/widget.js").get_data(as_text=True)
    line = (
        CREDITS[tag].replace("Twitchlore contributors", "{name}").replace("CC BY 4.0", "{licence}")
    )
    assert f'"credit":"{line}"' in script


def test_with_a_public_address_the_credit_links_the_project_absolutely(
    public_app: Flask,
) -> None:
    """With TWITCHLORE_PUBLIC_URL the credit's link is the absolute front page."""
    answer = public_app.test_client().get("/v1/cards/left-upper-sudden").get_json()
    assert answer["attribution"]["url"] == f"{PUBLIC_URL}/"


def test_share_texts_link_the_reading_page_only_with_a_public_address(
    client: FlaskClient, public_app: Flask
) -> None:
    """A card's share_text ends with its reading page's address in its language when the
    public address is set, and carries no address otherwise; both within 280 characters."""
    public = public_app.test_client()
    for reading_id in ("left-upper-sudden", "right-lower-gradual"):
        for tag in CREDITS:
            url = f"/v1/cards/{reading_id}?lang={tag}"
            linked = public.get(url).get_json()["share_text"]
            plain = client.get(url).get_json()["share_text"]
            page = f"{PUBLIC_URL}/readings/{reading_id}?lang={tag}"
            assert linked.endswith(f" {page}")
            assert "http" not in plain and "/readings/" not in plain
            assert len(linked) <= MAX_SHARE_TEXT and len(plain) <= MAX_SHARE_TEXT
            assert public.get(page.removeprefix(PUBLIC_URL)).status_code == 200


def test_a_share_text_leaves_out_an_address_too_long_to_fit() -> None:
    """A public address so long that the medical note would have no room is left out of the
    share text, which stays within 280 characters."""
    long_url = "https://twitchlore.example/" + "x" * 200
    client = create_app({**TEST_SETTINGS, "PUBLIC_URL": long_url}).test_client()
    text = client.get("/v1/cards/left-upper-sudden").get_json()["share_text"]
    assert long_url not in text and len(text) <= MAX_SHARE_TEXT
