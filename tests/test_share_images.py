"""Share images: a 1200×630 PNG of every reading in every language, named by its page."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from service import create_app
from service.pages import share_image
from service.pages.share_image import FONTS, MAX_IMAGE_BYTES

from .helpers import PUBLIC_URL, TEST_SETTINGS, assert_problem
from .test_pages import LANGUAGES, read

READING_IDS = (
    "left-upper-sudden",
    "left-upper-gradual",
    "left-lower-sudden",
    "left-lower-gradual",
    "right-upper-sudden",
    "right-upper-gradual",
    "right-lower-sudden",
    "right-lower-gradual",
)


def open_png(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


@pytest.mark.slow  # every page in every language: seconds, so in make test only
def test_every_pages_open_graph_image_is_a_1200x630_png_under_150_kb(public_app: Flask) -> None:
    """Each reading's page, in each language, names an og:image (and twitter:image) on the
    public address that the service answers with a 1200×630 PNG of at most 150 KB."""
    client = public_app.test_client()
    seen = set()
    for reading_id in READING_IDS:
        for tag in LANGUAGES:
            page = read(client, f"/readings/{reading_id}?lang={tag}")
            url = page.meta("og:image")
            assert url == page.meta("twitter:image")
            assert page.meta("twitter:card") == "summary_large_image"
            assert page.meta("og:image:alt")
            assert url is not None and url.startswith(f"{PUBLIC_URL}/")
            response = client.get(url.removeprefix(PUBLIC_URL))
            assert response.status_code == 200
            assert response.mimetype == "image/png"
            assert response.headers["Content-Language"] == tag
            assert len(response.data) <= MAX_IMAGE_BYTES
            image = open_png(response.data)
            assert (image.format, image.size) == ("PNG", (1200, 630))
            seen.add(hashlib.sha256(response.data).hexdigest())
    assert len(seen) == len(READING_IDS) * len(LANGUAGES), "every image is its own"


def test_an_image_has_a_strong_etag_of_its_bytes_and_is_kept_long(client: FlaskClient) -> None:
    """The ETag is strong and made from the bytes; If-None-Match gets a 304; caches may keep
    the image for a week; the answer varies by language."""
    response = client.get("/readings/left-upper-sudden/image.png?lang=es")
    etag = response.headers["ETag"]
    assert not etag.startswith("W/")
    assert etag.strip('"') == hashlib.sha256(response.data).hexdigest()[:32]
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=604800" in response.headers["Cache-Control"]
    assert "Accept-Language" in response.headers["Vary"]
    again = client.get(
        "/readings/left-upper-sudden/image.png?lang=es", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    by_header = client.get(
        "/readings/left-upper-sudden/image.png", headers={"Accept-Language": "es"}
    )
    assert by_header.headers["ETag"] == etag


def test_an_image_is_drawn_once_then_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first request for a reading and language draws it; later ones reuse the bytes."""
    drawn: list[str] = []
    original = share_image.render

    def counting(reading, dataset):  # type: ignore[no-untyped-def]
        drawn.append(f"{reading.id}.{dataset.language.tag}")
        return original(reading, dataset)

    monkeypatch.setattr(share_image, "render", counting)
    client = create_app(TEST_SETTINGS).test_client()
    first = client.get("/readings/right-lower-gradual/image.png?lang=tr")
    second = client.get("/readings/right-lower-gradual/image.png?lang=tr")
    assert first.data == second.data
    assert drawn == ["right-lower-gradual.tr"]


def test_the_reading_page_shows_its_share_image_with_alt_text(client: FlaskClient) -> None:
    """Without a public address the page still shows its image (a relative link), described
    by its alt text, in the page's language."""
    page = read(client, "/readings/left-upper-sudden?lang=hi")
    images = page.all("img")
    assert [image["src"] for image in images] == ["/readings/left-upper-sudden/image.png?lang=hi"]
    headline = client.get("/v1/readings/left-upper-sudden?lang=hi").get_json()["omen"]
    assert headline["headline"] in str(images[0]["alt"])


def test_the_fonts_are_shipped_with_their_licence() -> None:
    """The fonts images are drawn in are in the package, with the SIL Open Font License."""
    for name in (
        "NotoSans-Regular.ttf",
        "NotoSans-Bold.ttf",
        "NotoSansDevanagari-Regular.ttf",
        "NotoSansDevanagari-Bold.ttf",
    ):
        assert (FONTS / name).stat().st_size > 100_000
    licence = (FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Google" in licence


def test_hindi_is_drawn_in_the_devanagari_font_and_latin_in_noto_sans() -> None:
    """Text is cut into runs of one script, so each is drawn in a font that has its letters;
    spaces and punctuation stay with the run before them."""
    assert share_image._runs("पाठ: Twitchlore contributors, CC BY 4.0 लाइसेंस।") == [
        ("पाठ: ", True),
        ("Twitchlore contributors, CC BY 4.0 ", False),
        ("लाइसेंस।", True),
    ]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/readings/left-middle-sudden/image.png", 404),
        ("/readings/left-upper-sudden/image.png?lang=xx", 422),
        ("/readings/left-upper-sudden/image.png?symptoms=fever", 422),
    ],
)
def test_bad_image_requests_are_problems(client: FlaskClient, url: str, status: int) -> None:
    """An unknown reading is a 404, an unserved language or another parameter a 422."""
    assert_problem(client.get(url), status)
