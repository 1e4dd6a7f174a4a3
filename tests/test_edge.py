"""CORS for browser apps and per-client rate limits."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.edge import rate_limit

from .helpers import assert_problem, front_door

READING = "/v1/readings?side=left&lip=upper"
EXPOSED = {
    "ETag",
    "Link",
    "Retry-After",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Deprecation",
    "Sunset",
}


def make_client(**config: Any) -> FlaskClient:
    return create_app({"TESTING": True, **config}).test_client()


# --- CORS -------------------------------------------------------------------------------


def test_any_origin_gets_a_wildcard_and_the_headers_it_needs(client: FlaskClient) -> None:
    """Browser apps anywhere may read the API: '*', not an echoed origin, with headers exposed."""
    response = client.get(READING, headers={"Origin": "https://horoscope.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed >= EXPOSED
    assert "Origin" not in response.headers.get("Vary", "")


def preflight(client: FlaskClient, headers: str) -> set[str]:
    """The request headers a preflight asking for ``headers`` is allowed, in lower case."""
    response = client.options(
        READING,
        headers={
            "Origin": "https://horoscope.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": headers,
        },
    )
    assert response.status_code == 200
    allowed = response.headers.get("Access-Control-Allow-Headers", "")
    return {name.strip().lower() for name in allowed.split(",") if name.strip()}


TRACING = ["traceparent", "tracestate", "baggage", "sentry-trace", "X-B3-TraceId", "b3"]


def test_preflight_allows_the_tracing_headers_by_default(client: FlaskClient) -> None:
    """Browsers with OpenTelemetry, Sentry or Zipkin tracing get their preflight allowed."""
    assert {name.lower() for name in TRACING} <= preflight(client, ", ".join(TRACING))


def test_an_operator_allows_more_request_headers(client: FlaskClient) -> None:
    """TWITCHLORE_CORS_ALLOW_HEADERS adds an app's own header; others stay refused."""
    assert "x-app-version" not in preflight(client, "X-App-Version")
    allowing = make_client(CORS_ALLOW_HEADERS=["X-App-Version"])
    assert preflight(allowing, "X-App-Version, traceparent") == {"x-app-version", "traceparent"}
    assert preflight(allowing, "X-Other") == set()


def test_preflight_is_answered(client: FlaskClient) -> None:
    """A CORS preflight for GET with If-None-Match is allowed and cacheable for a day."""
    response = client.options(
        "/v1/omens",
        headers={
            "Origin": "https://horoscope.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, X-Request-ID",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "if-none-match" in allowed and "x-request-id" in allowed
    assert response.headers["Access-Control-Max-Age"] == "86400"


def test_configured_origins_are_the_only_ones_allowed() -> None:
    """With a list of origins, only those are allowed, echoed, with Vary: Origin."""
    client = make_client(CORS_ORIGINS=["https://app.example"])
    allowed = client.get(READING, headers={"Origin": "https://app.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get(READING, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


# --- Rate limits -------------------------------------------------------------------------


def test_every_api_response_carries_rate_limit_headers() -> None:
    """Clients can see their limit and what is left of it on each answer."""
    client = make_client(RATELIMIT_DEFAULT="5 per minute")
    first = client.get(READING)
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert "X-RateLimit-Reset" in first.headers
    assert "Retry-After" not in first.headers


def test_over_the_limit_is_a_429_problem_with_retry_after() -> None:
    """Past the limit a client gets 429 problem details saying when to retry."""
    client = make_client(RATELIMIT_DEFAULT="3 per minute")
    statuses = [client.get(READING).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get(READING)
    body = assert_problem(response, 429)
    assert "3 per 1 minute" in body["detail"]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Remaining"] == "0"


@pytest.mark.parametrize("kept", [False, True], ids=["through Flask", "kept answer"])
def test_a_304_is_not_counted_against_the_limit(kept: bool) -> None:
    """Revalidating costs nothing: 304s leave the count alone, a changed answer counts."""
    client = make_client(RATELIMIT_DEFAULT="3 per minute")
    first = client.get(READING)
    if kept:
        client.get(READING)  # the second time, the front door keeps the answer
    spent = 2 if kept else 1
    for validator in ({"If-None-Match": first.headers["ETag"]},) * 5 + (
        {"If-Modified-Since": first.headers["Last-Modified"]},
    ) * 2:
        response = client.get(READING, headers=validator)
        assert response.status_code == 304
        assert response.headers["X-RateLimit-Remaining"] == str(3 - spent)
    changed = client.get(READING, headers={"If-None-Match": '"an-old-tag"'})
    assert changed.status_code == 200
    assert changed.headers["X-RateLimit-Remaining"] == str(3 - spent - 1)


def test_a_client_over_the_limit_gets_a_429_even_when_revalidating() -> None:
    """The limit still holds for conditional requests once a client has used it up."""
    client = make_client(RATELIMIT_DEFAULT="2 per minute")
    etag = client.get(READING).headers["ETag"]
    assert client.get(READING).status_code == 200
    assert_problem(client.get(READING, headers={"If-None-Match": etag}), 429)


def test_probes_and_docs_are_not_limited() -> None:
    """Health checks, metrics and docs never use up a client's requests."""
    client = make_client(RATELIMIT_DEFAULT="1 per minute")
    for url in ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json") * 3:
        assert client.get(url).status_code == 200, url
    assert client.get(READING).status_code == 200


def test_reading_pages_and_share_images_count_against_the_limit() -> None:
    """Pages and share images cost as much as the API's answers, so they count too; the
    front page and the demo do not."""
    client = make_client(RATELIMIT_DEFAULT="3 per minute")
    for url in ("/", "/demo") * 3:
        assert client.get(url).status_code == 200, url
    for url in ("/readings/left-upper-sudden", "/readings/left-upper-sudden/image.png"):
        assert client.get(url).headers["X-RateLimit-Limit"] == "3"
    assert client.get("/omens/hindu-right-side-throb").status_code == 200
    assert_problem(client.get("/readings?lang=es"), 429)


def test_options_on_the_api_is_limited_like_get() -> None:
    """OPTIONS (CORS preflights included) counts against the limit: it is no free request."""
    client = make_client(RATELIMIT_DEFAULT="2 per minute")
    preflight = {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
    statuses = [client.options(READING, headers=preflight).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert_problem(client.get(READING), 429)


def test_rate_limiting_can_be_switched_off() -> None:
    """With rate limiting disabled, no request is refused."""
    client = make_client(RATELIMIT_DEFAULT="1 per minute", RATELIMIT_ENABLED=False)
    assert [client.get(READING).status_code for _ in range(5)] == [200] * 5


@pytest.mark.parametrize(("proxies", "separate"), [(0, False), (1, True)])
def test_forwarded_for_counts_only_behind_trusted_proxies(proxies: int, separate: bool) -> None:
    """X-Forwarded-For names the client only when trusted proxies are configured."""
    client = make_client(RATELIMIT_DEFAULT="1 per minute", TRUSTED_PROXIES=proxies)
    first = client.get(READING, headers={"X-Forwarded-For": "203.0.113.1"})
    second = client.get(READING, headers={"X-Forwarded-For": "203.0.113.2"})
    assert first.status_code == 200
    assert (second.status_code == 200) is separate


def test_several_limits_all_apply_and_headers_show_the_tightest() -> None:
    """With a per-second and a per-minute limit, the one closest to running out is shown."""
    client = make_client(RATELIMIT_DEFAULT="100 per minute;2 per hour")
    first = client.get(READING)
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == (
        "2",
        "1",
    )
    client.get(READING)
    refused = client.get(READING)
    body = assert_problem(refused, 429)
    assert "2 per 1 hour" in body["detail"]


def test_process_counts_start_a_new_window_when_one_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-memory counts rise within a window and start again after it, with its end known."""
    now = [1000.0]
    monkeypatch.setattr("service.edge.rate_limit.time.time", lambda: now[0])
    counts = rate_limit.ProcessCounts()
    assert [counts.hit([("client", 60)]) for _ in range(3)] == [[(n, 1060.0)] for n in (1, 2, 3)]
    now[0] = 1060.0
    assert counts.hit([("client", 60)]) == [(1, 1120.0)]


class CountingDict(OrderedDict[str, Any]):
    """An OrderedDict that counts every entry it looks up, changes or hands out."""

    steps = 0

    def _step(self, count: int = 1) -> None:
        CountingDict.steps += count

    def get(self, key: str, default: Any = None) -> Any:
        self._step()
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._step()
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._step()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._step()
        super().__delitem__(key)

    def popitem(self, last: bool = True) -> tuple[str, Any]:
        self._step()
        return super().popitem(last)

    def __iter__(self) -> Iterator[str]:
        for key in super().__iter__():
            self._step()
            yield key

    def keys(self) -> Any:
        return list(self)

    def items(self) -> Any:
        return [(key, super(CountingDict, self).__getitem__(key)) for key in self]

    def values(self) -> Any:
        return [value for _, value in self.items()]


@pytest.mark.slow
def test_200000_clients_keep_the_memory_table_bounded_and_cheap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A flood of new clients (one a millisecond) never grows the table past its bound, and a
    new client costs the same few steps at the end as at the start: nothing walks the table.

    Two limits: per hour (windows outlive the flood, so the bound drops the oldest) and per
    second (windows expire, and go at the next requests)."""
    window = 3600
    monkeypatch.setattr(rate_limit, "OrderedDict", CountingDict)
    now = [0.0]
    monkeypatch.setattr("service.edge.rate_limit.time.time", lambda: now[0])
    counts = rate_limit.ProcessCounts(max_keys=50_000)
    most_steps = 0
    largest = 0
    for n in range(200_000):
        now[0] = n / 1000
        before = CountingDict.steps
        counts.hit([(f"client-{n}", window), (f"client-{n}", 1)])
        most_steps = max(most_steps, CountingDict.steps - before)
        largest = max(largest, len(counts))
    assert largest <= 50_000 + 1000 + 2
    assert len(counts.tables[1].entries) <= 1000 + 2  # only the last second's clients live
    assert most_steps <= 2 * 7  # per window: look up, add, up to 2 expired, 1 evicted
    assert counts.hit([("client-199999", window)]) == [(2, 199.999 + window)]


def test_a_full_table_drops_the_oldest_window_and_counts_it() -> None:
    """When every window is live and the table full, the oldest goes, counted in a metric."""
    counts = rate_limit.ProcessCounts(max_keys=3)
    evicted = rate_limit.RATE_LIMIT_EVICTIONS._value.get()
    for name in ("a", "b", "c", "a", "d"):
        counts.hit([(name, 60)])
    assert list(counts.tables[60].entries) == ["b", "c", "d"]
    assert rate_limit.RATE_LIMIT_EVICTIONS._value.get() - evicted == 1


@pytest.mark.parametrize(
    ("address", "prefix", "key"),
    [
        ("203.0.113.7", 64, "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:aaaa::1", 48, "2001:db8:1::/48"),
        ("2001:db8:1:2:aaaa::1", 128, "2001:db8:1:2:aaaa::1/128"),
        ("::ffff:203.0.113.7", 64, "203.0.113.7"),
        ("fe80::1%eth0", 64, "fe80::/64"),
        ("not:an:address", 64, "not:an:address"),
    ],
)
def test_ipv6_clients_count_per_network(address: str, prefix: int, key: str) -> None:
    """An IPv6 client is its /64 (or the configured prefix); IPv4 clients are their address."""
    assert rate_limit.client_key(address, prefix) == key


@pytest.mark.parametrize(("prefix", "shared"), [(64, True), (128, False)])
def test_addresses_in_one_ipv6_network_share_a_limit(prefix: int, shared: bool) -> None:
    """A host rotating addresses within its /64 meets one limit, unless the prefix says /128."""
    app = create_app(
        {"TESTING": True, "RATELIMIT_DEFAULT": "1 per minute", "RATELIMIT_IPV6_PREFIX": prefix}
    )
    client = app.test_client()
    first = client.get(READING, environ_base={"REMOTE_ADDR": "2001:db8::1"})
    second = client.get(READING, environ_base={"REMOTE_ADDR": "2001:db8::2"})
    other_network = client.get(READING, environ_base={"REMOTE_ADDR": "2001:db8:0:1::1"})
    assert first.status_code == other_network.status_code == 200
    assert second.status_code == (429 if shared else 200)


def test_revalidations_are_counted_before_they_are_answered() -> None:
    """A request arriving while a revalidation is being answered cannot slip past the limit:
    the revalidation counts until it turns out to be a 304."""
    app = create_app({"TESTING": True, "RATELIMIT_DEFAULT": "2 per minute"})
    client = app.test_client()
    door = front_door(app)
    flask_app = door.app
    during: list[int] = []

    def meanwhile_another(environ: dict[str, Any], start_response: Any) -> Any:
        if "HTTP_IF_NONE_MATCH" in environ and not during:
            during.append(client.get(READING).status_code)
        return flask_app(environ, start_response)

    door.app = meanwhile_another
    assert client.get(READING).status_code == 200
    changed = client.get(READING, headers={"If-None-Match": '"an-old-tag"'})
    assert sorted([changed.status_code, *during]) == [200, 429]
