"""Browsing the dataset: every kind listed, fetched, filtered, searched, paginated and linked."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service.dataset import load_dataset

from .helpers import assert_problem

KINDS = {
    "omens": "omen_id",
    "traditions": "tradition_id",
    "conditions": "condition_id",
    "symptoms": "symptom_id",
    "treatments": "treatment_id",
    "sources": "source_id",
}
DATASET = load_dataset()


def get_json(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.get_data(as_text=True)}"
    return response.get_json()


def all_items(client: FlaskClient, url: str) -> list[dict[str, Any]]:
    """Every item of a list, following the pages."""
    separator = "&" if "?" in url else "?"
    first = get_json(client, f"{url}{separator}page_size=100")
    items: list[dict[str, Any]] = first["items"]
    for page in range(2, first["total_pages"] + 1):
        items += get_json(client, f"{url}{separator}page_size=100&page={page}")["items"]
    return items


def ids(items: list[dict[str, Any]], kind: str = "omens") -> list[str]:
    return [item[KINDS[kind]] for item in items]


@pytest.mark.parametrize("kind", KINDS)
def test_every_entry_of_every_kind_is_listed_and_fetchable(client: FlaskClient, kind: str) -> None:
    """Each list holds every entry of its kind in id order, and each entry has its own URL."""
    items = all_items(client, f"/v1/{kind}")
    expected = sorted(entry.id for entry in getattr(DATASET, kind))
    assert ids(items, kind) == expected
    for item in items:
        assert item["href"] == f"/v1/{kind}/{item[KINDS[kind]]}"
        assert get_json(client, item["href"]) == item


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_id_is_a_404_problem(client: FlaskClient, kind: str) -> None:
    """An id the dataset does not have answers 404 pointing at the list."""
    body = assert_problem(client.get(f"/v1/{kind}/no-such-entry"), 404)
    assert f"/v1/{kind} lists them all" in body["detail"]


# --- Filters ------------------------------------------------------------------------


def test_omens_filter_by_side_includes_omens_about_any_side(client: FlaskClient) -> None:
    """side=left gives the left-side omens and those about either side, never right-side ones."""
    items = all_items(client, "/v1/omens?side=left")
    sides = {item["side"] for item in items}
    assert sides == {"left", "any"}
    assert "popular-left-side-bad" in ids(items) and "popular-right-side-good" not in ids(items)


def test_omens_filter_by_lip_and_onset(client: FlaskClient) -> None:
    """lip and sudden keep omens about that lip and onset, or about any."""
    items = all_items(client, "/v1/omens?lip=lower&sudden=true")
    assert {item["lip"] for item in items} <= {"lower", "any"}
    assert {item["onset"] for item in items} <= {"sudden", "any"}
    assert "popular-sudden-twitch-embarrassment" in ids(items)
    assert "popular-upper-lip-kiss-or-good-news" not in ids(items)
    gradual = ids(all_items(client, "/v1/omens?sudden=false"))
    assert "popular-sudden-twitch-embarrassment" not in gradual


def test_omens_filter_by_tradition_and_sentiment_combine(client: FlaskClient) -> None:
    """Filters combine: the Hindu omens that are good."""
    items = all_items(client, "/v1/omens?tradition=hindu-angasphurana&sentiment=good")
    assert items
    assert {item["tradition"]["tradition_id"] for item in items} == {"hindu-angasphurana"}
    assert {item["sentiment"] for item in items} == {"good"}
    expected = {
        o.id
        for o in DATASET.omens
        if o.tradition.id == "hindu-angasphurana" and o.sentiment == "good"
    }
    assert set(ids(items)) == expected


def test_conditions_filter_by_category_urgency_and_symptom(client: FlaskClient) -> None:
    """Conditions filter by category, urgency and a symptom they can come with."""
    neurological = all_items(client, "/v1/conditions?category=neurological&urgency=urgent")
    assert ids(neurological, "conditions") == ["bells-palsy"]
    droop = ids(all_items(client, "/v1/conditions?symptom=sudden-facial-droop"), "conditions")
    assert {"bells-palsy", "stroke"} <= set(droop)
    assert "caffeine" not in droop


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/v1/symptoms?urgency=emergency", "urgency", "emergency"),
        ("/v1/treatments?kind=physiotherapy", "kind", "physiotherapy"),
        ("/v1/sources?kind=folklore&quality=authoritative", "quality", "authoritative"),
    ],
)
def test_simple_filters_keep_only_matching_entries(
    client: FlaskClient, url: str, field: str, value: str
) -> None:
    """Each enumerated filter keeps exactly the entries with that value."""
    items = all_items(client, url)
    assert items and {item[field] for item in items} == {value}


@pytest.mark.parametrize(
    ("url", "parameter", "allowed"),
    [
        ("/v1/omens?side=middle", "side", "left, right"),
        ("/v1/omens?sentiment=great", "sentiment", "good, bad, neutral, mixed"),
        ("/v1/omens?tradition=atlantean", "tradition", "hindu-angasphurana, jamaican-folk"),
        ("/v1/conditions?category=magic", "category", "lifestyle, emotional"),
        ("/v1/conditions?urgency=whenever", "urgency", "self_care, see_doctor, urgent, emergency"),
        ("/v1/conditions?symptom=third-eye", "symptom", "arm-or-leg-weakness"),
        ("/v1/treatments?kind=leeches", "kind", "prevention, self_care, physiotherapy, medical"),
        ("/v1/sources?quality=great", "quality", "authoritative, reputable, low"),
        ("/v1/traditions?region=india", "region", "Allowed parameters: q, page, page_size"),
        ("/v1/dataset?format=xml", "format", "Allowed parameters: lang."),
    ],
)
def test_unknown_filter_value_is_refused_naming_allowed_values(
    client: FlaskClient, url: str, parameter: str, allowed: str
) -> None:
    """A filter value the dataset does not have is a 422, not an empty list."""
    body = assert_problem(client.get(url), 422)
    assert allowed in body["errors"][parameter][0]


# --- Search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/v1/conditions?q=palsy", "bells-palsy"),
        ("/v1/conditions?q=PALSY", "bells-palsy"),
        ("/v1/conditions?q=chvostek", "hypocalcaemia-chvostek-sign"),
        ("/v1/sources?q=angavidya", "hindupedia-angavidya"),
        ("/v1/sources?q=A%E1%B9%85gavidy%C4%81", "hindupedia-angavidya"),
        ("/v1/omens?q=kiss%20jamaica", "jamaica-lips-twitch-kiss"),
        ("/v1/traditions?q=Matsya", "hindu-angasphurana"),
        ("/v1/symptoms?q=droop", "sudden-facial-droop"),
        ("/v1/treatments?q=botox", "botulinum-toxin-injections"),
    ],
    ids=[
        "word",
        "upper case",
        "name",
        "accents in the data",
        "accents in the query",
        "all words",
        "tradition",
        "symptom",
        "treatment",
    ],
)
def test_search_ignores_case_and_accents(client: FlaskClient, url: str, expected: str) -> None:
    """q finds entries whose names and texts contain every word, whatever case and accents."""
    kind = url.split("/")[2].split("?")[0]
    assert expected in ids(all_items(client, url), kind)


def test_search_needs_every_word(client: FlaskClient) -> None:
    """A word that no entry has next to the others gives an empty page, not an error."""
    body = get_json(client, "/v1/omens?q=kiss%20zeppelin")
    assert body["items"] == [] and body["total_items"] == 0 and body["total_pages"] == 1


@pytest.mark.parametrize("q", ["", "x" * 101])
def test_search_rejects_empty_or_overlong_queries(client: FlaskClient, q: str) -> None:
    """q must hold from 1 to 100 characters."""
    body = assert_problem(client.get(f"/v1/omens?q={q}"), 422)
    assert "q" in body["errors"]


def test_search_without_words_filters_nothing(client: FlaskClient) -> None:
    """Punctuation is not a word: a q of only punctuation leaves the list whole."""
    body = get_json(client, "/v1/omens?q=%21%3F")
    assert body["total_items"] == len(DATASET.omens)


# --- Pagination --------------------------------------------------------------------------


def links(response: Any) -> dict[str, str]:
    """The Link header as {rel: url}."""
    found = {}
    for part in response.headers["Link"].split(", "):
        url, rel = part.split("; ")
        found[rel.removeprefix('rel="').removesuffix('"')] = url.strip("<>")
    return found


def test_first_page_links_to_next_and_last(client: FlaskClient) -> None:
    """The first page says the totals and links first, next and last, but not prev."""
    response = client.get("/v1/omens?page_size=10&sentiment=good")
    body = response.get_json()
    total = sum(1 for o in DATASET.omens if o.sentiment == "good")
    assert (body["page"], body["page_size"], body["total_items"]) == (1, 10, total)
    assert body["total_pages"] == -(-total // 10)
    assert len(body["items"]) == 10
    rels = links(response)
    assert set(rels) == {"first", "next", "last"}
    assert rels["next"] == "/v1/omens?page=2&page_size=10&sentiment=good"
    assert rels["last"] == f"/v1/omens?page={body['total_pages']}&page_size=10&sentiment=good"


def test_following_next_walks_every_entry_once_in_id_order(client: FlaskClient) -> None:
    """Pages follow one stable order (by id) with no gaps or repeats."""
    url: str | None = "/v1/sources?page_size=7"
    seen: list[str] = []
    while url:
        response = client.get(url)
        seen += ids(response.get_json()["items"], "sources")
        url = links(response).get("next")
    assert seen == sorted(source.id for source in DATASET.sources)


def test_last_page_links_back_but_not_forward(client: FlaskClient) -> None:
    """The last page has prev but no next, and holds the remainder."""
    total = len(DATASET.omens)
    last = -(-total // 10)
    response = client.get(f"/v1/omens?page_size=10&page={last}")
    assert len(response.get_json()["items"]) == total - 10 * (last - 1)
    assert set(links(response)) == {"first", "prev", "last"}


def test_page_past_the_end_is_empty_and_links_back_to_the_last(client: FlaskClient) -> None:
    """A page after the last one is empty (200), and prev leads to the real last page."""
    response = client.get("/v1/omens?page=50")
    body = response.get_json()
    assert response.status_code == 200 and body["items"] == []
    assert body["total_items"] == len(DATASET.omens)
    assert links(response)["prev"] == links(response)["last"]


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("page_size=101", "page_size", "Must be from 1 to 100."),
        ("page_size=0", "page_size", "Must be from 1 to 100."),
        ("page=0", "page", "Must be from 1 to 1000000."),
        ("page=two", "page", "Not a valid integer."),
    ],
)
def test_page_bounds_are_enforced(
    client: FlaskClient, query: str, parameter: str, message: str
) -> None:
    """page and page_size outside their bounds are refused with the bound."""
    body = assert_problem(client.get(f"/v1/conditions?{query}"), 422)
    assert body["errors"] == {parameter: [message]}


# --- Links ------------------------------------------------------------------------------


def test_reading_links_to_its_omens_conditions_and_symptoms(client: FlaskClient) -> None:
    """Every href in a reading resolves to the entry it names."""
    reading = get_json(
        client, "/v1/readings?side=right&lip=lower&sudden=true&symptoms=loss-of-taste"
    )
    for belief in reading["omen"]["beliefs"]:
        assert get_json(client, belief["href"])["omen_id"] == belief["omen_id"]
    for cause in reading["medical"]["likely_causes"] + reading["medical"]["rule_out"]:
        assert get_json(client, cause["href"])["condition_id"] == cause["condition_id"]
    for flag in reading["medical"]["red_flags"]:
        assert get_json(client, flag["href"])["symptom_id"] == flag["symptom_id"]
    for step in reading["medical"]["self_care"]:
        assert get_json(client, step["href"])["treatment_id"] == step["treatment_id"]
    for symptom in reading["medical"]["reported_symptoms"]:
        assert get_json(client, symptom["href"])["symptom_id"] == symptom["symptom_id"]
    for source in reading["omen"]["sources"] + reading["medical"]["sources"]:
        assert get_json(client, source["href"])["source_id"] == source["source_id"]


def test_omen_links_to_its_tradition_and_sources(client: FlaskClient) -> None:
    """An omen names its tradition and sources with their URLs; the tradition lists it back."""
    omen = get_json(client, "/v1/omens/jamaica-lips-twitch-kiss")
    tradition = get_json(client, omen["tradition"]["href"])
    assert tradition["tradition_id"] == "jamaican-folk"
    assert "jamaica-lips-twitch-kiss" in ids(all_items(client, tradition["omens_href"]))
    for source in omen["sources"]:
        assert get_json(client, source["href"])["url"] == source["url"]


def test_tradition_says_where_and_when_it_comes_from(client: FlaskClient) -> None:
    """Every tradition served names its region and period; the Marifetname is dated 1757."""
    traditions = all_items(client, "/v1/traditions")
    assert len(traditions) >= 10
    for tradition in traditions:
        assert tradition["region"] and tradition["period"], tradition["tradition_id"]
    marifetname = get_json(client, "/v1/traditions/ottoman-marifetname")
    assert "1757" in marifetname["period"]
    omens = all_items(client, marifetname["omens_href"])
    assert {omen["attestation"] for omen in omens} == {"documented"}


def test_condition_links_to_its_symptoms_treatments_and_sources(client: FlaskClient) -> None:
    """A condition's symptoms, treatments and sources resolve; a symptom lists its conditions."""
    condition = get_json(client, "/v1/conditions/hemifacial-spasm")
    for group, key in (("symptoms", "symptom_id"), ("treatments", "treatment_id")):
        assert condition[group]
        for entry in condition[group]:
            assert get_json(client, entry["href"])[key] == entry[key]
    symptom = get_json(client, condition["symptoms"][0]["href"])
    conditions = ids(all_items(client, symptom["conditions_href"]), "conditions")
    assert "hemifacial-spasm" in conditions


def test_dataset_describes_version_counts_checksum_and_licence(client: FlaskClient) -> None:
    """/v1/dataset gives the version, the counts, the files' checksum and the licence."""
    body = get_json(client, "/v1/dataset")
    assert body["version"] == DATASET.info.version
    assert body["checksum"] == DATASET.checksum and len(body["checksum"]) == 64
    assert "CC BY 4.0" in body["licence"]
    assert body["counts"]["readings"] == 8
    for kind in KINDS:
        assert body["counts"][kind] == len(getattr(DATASET, kind))
        assert get_json(client, body["links"][kind])["total_items"] == body["counts"][kind]
