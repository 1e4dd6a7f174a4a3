"""The Kubernetes manifests in deploy/kubernetes: schemas, wiring, and the podman adaptation."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from scripts import kube
from service.config import settings_from_env

Doc = dict[str, Any]
OVERLAYS = ("base", "ingress", "podman")
Breaks = Callable[[Callable[[list[Doc]], None]], list[str]]

pytestmark = [
    pytest.mark.slow,
    # kubectl renders each overlay once per module: keep the module on one worker.
    pytest.mark.xdist_group("kubernetes"),
]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Doc]]:
    """Each kustomization built once by the real kustomize (inside kubectl)."""
    return {overlay: kube.render(kube.MANIFESTS / overlay) for overlay in OVERLAYS}


def api_pod(docs: list[Doc]) -> Doc:
    pod: Doc = next(kube.find(docs, "Deployment", kube.API))["spec"]["template"]["spec"]
    return pod


def api_container(docs: list[Doc]) -> Doc:
    return kube.containers_by_name(api_pod(docs))[kube.API_CONTAINER]


def proxy_container(docs: list[Doc]) -> Doc:
    return kube.containers_by_name(api_pod(docs))[kube.PROXY_CONTAINER]


@pytest.mark.parametrize("path", kube.manifest_files(), ids=lambda p: str(p.relative_to(kube.ROOT)))
def test_every_manifest_file_matches_the_kubernetes_schemas(path: Path) -> None:
    """Each hand-written manifest file is valid against the strict Kubernetes schemas."""
    docs = kube.load(path)
    assert docs, f"{path} holds no objects"
    assert kube.schema_errors(docs) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kustomize_output_matches_the_kubernetes_schemas(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    """What `kubectl kustomize` builds from each kustomization is valid, object by object."""
    assert kube.schema_errors(rendered[overlay]) == []


def test_base_has_every_object_an_operator_needs(rendered: dict[str, list[Doc]]) -> None:
    """The base holds the API with its Service, PDB and HPA, Redis with its Service and policy."""
    kinds = sorted(kube.name_of(doc) for doc in rendered["base"])
    assert [k for k in kinds if not k.startswith("ConfigMap/")] == [
        "Deployment/twitchlore-api",
        "Deployment/twitchlore-redis",
        "HorizontalPodAutoscaler/twitchlore-api",
        "NetworkPolicy/twitchlore-redis",
        "PodDisruptionBudget/twitchlore-api",
        "Service/twitchlore",
        "Service/twitchlore-redis",
    ]
    assert len(list(kube.find(rendered["base"], "ConfigMap"))) == 1


@pytest.mark.parametrize("overlay", ["base", "ingress"])
def test_cluster_bundles_are_wired_and_locked_down(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    """Probes, ports, resources, security, selectors and the Redis wiring all check out."""
    assert kube.problems(rendered[overlay]) == []


def test_settings_are_ones_the_service_accepts(rendered: dict[str, list[Doc]]) -> None:
    """The ConfigMap's values pass the service's own settings validation, storage included."""
    data = next(kube.find(rendered["base"], "ConfigMap"))["data"]
    settings = settings_from_env(data)
    assert data["TWITCHLORE_RATE_LIMIT_STORAGE"] == "redis://twitchlore-redis:6379/0"
    assert settings["RATELIMIT_STORAGE_URI"] == data["TWITCHLORE_RATE_LIMIT_STORAGE"]
    assert settings["TRUSTED_PROXIES"] == 1


def test_the_ingress_buffers_and_bounds_time(rendered: dict[str, list[Doc]]) -> None:
    """The Ingress example buffers answers and sets short proxy timeouts and a body limit."""
    ingress = next(kube.find(rendered["ingress"], "Ingress"))
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.org/proxy-buffering"] == "true"
    for timeout in ("connect", "read", "send"):
        seconds = re.fullmatch(r"(\d+)s", notes[f"nginx.org/proxy-{timeout}-timeout"])
        assert seconds is not None and 0 < int(seconds.group(1)) <= 10
    assert notes["nginx.org/client-max-body-size"] == "8k"


def test_the_ingress_routes_every_public_path_and_no_internal_one(
    rendered: dict[str, list[Doc]], app: Flask
) -> None:
    """Every route of the service is reachable through the Ingress except the internal ones."""
    docs = rendered["ingress"]
    ingress = next(kube.find(docs, "Ingress"))
    paths = {re.sub(r"<[^>]+>", "x", rule.rule) for rule in app.url_map.iter_rules()}
    assert set(kube.INTERNAL_PATHS) <= paths, "an internal path is no longer a route"
    reached = {path for path in paths if kube.ingress_reaches_api(docs, ingress, path)}
    assert reached == paths - set(kube.INTERNAL_PATHS)


def mutated_findings(docs: list[Doc]) -> Breaks:
    """Findings (schema, else wiring) on a copy of ``docs`` changed by a mutation."""

    def findings(mutate: Callable[[list[Doc]], None]) -> list[str]:
        copied = copy.deepcopy(docs)
        mutate(copied)
        return kube.findings(copied)

    return findings


@pytest.fixture(scope="module")
def breaks(rendered: dict[str, list[Doc]]) -> Breaks:
    """Findings on a copy of the base changed by a mutation."""
    return mutated_findings(rendered["base"])


@pytest.fixture(scope="module")
def breaks_ingress(rendered: dict[str, list[Doc]]) -> Breaks:
    """Findings on a copy of the base with the Ingress, changed by a mutation."""
    return mutated_findings(rendered["ingress"])


def ingress_paths(docs: list[Doc]) -> list[Doc]:
    paths: list[Doc] = next(kube.find(docs, "Ingress"))["spec"]["rules"][0]["http"]["paths"]
    return paths


@pytest.mark.parametrize(
    ("path", "path_type"),
    [("/", "Prefix"), ("/metrics", "Exact"), ("/met", "ImplementationSpecific")],
)
def test_an_ingress_path_that_lets_metrics_in_is_found(
    breaks_ingress: Breaks, path: str, path_type: str
) -> None:
    """A catch-all, /metrics itself or a prefix of it routed to the pods fails the check."""

    def mutate(docs: list[Doc]) -> None:
        paths = ingress_paths(docs)
        paths.append({"path": path, "pathType": path_type, "backend": paths[0]["backend"]})

    found = breaks_ingress(mutate)
    assert any("routes /metrics to the API pods" in f for f in found), found


def test_an_ingress_default_backend_on_the_api_is_found(breaks_ingress: Breaks) -> None:
    """A default backend sends every unmatched path, /metrics too, to the pods: it fails."""

    def mutate(docs: list[Doc]) -> None:
        ingress = next(kube.find(docs, "Ingress"))
        ingress["spec"]["defaultBackend"] = ingress_paths(docs)[0]["backend"]

    found = breaks_ingress(mutate)
    assert any("routes /metrics to the API pods" in f for f in found), found


def test_an_ingress_that_rewrites_paths_is_found(breaks_ingress: Breaks) -> None:
    """A rewrite annotation could turn a public path into /metrics, so it fails the check."""

    def mutate(docs: list[Doc]) -> None:
        annotations = next(kube.find(docs, "Ingress"))["metadata"]["annotations"]
        annotations["nginx.org/rewrites"] = "serviceName=twitchlore rewrite=/metrics"

    found = breaks_ingress(mutate)
    assert any("nginx.org/rewrites hides which paths reach the pods" in f for f in found), found


def test_the_service_reaches_the_api_only_through_nginx(rendered: dict[str, list[Doc]]) -> None:
    """The Service sends to nginx's port; the API listens on the pod's loopback, behind it."""
    docs = rendered["base"]
    service = next(kube.find(docs, "Service", "twitchlore"))
    target = service["spec"]["ports"][0]["targetPort"]
    assert kube.container_port(proxy_container(docs), target) == 8080
    assert kube.container_port(api_container(docs), target) is None
    assert kube.env_of(api_container(docs))["HOST"] == "127.0.0.1"
    assert kube.env_of(proxy_container(docs))["UPSTREAM"] == "127.0.0.1:8000"


def test_a_missing_readiness_probe_is_found(breaks: Breaks) -> None:
    """Dropping nginx's readiness probe (the pod's, through the proxy) fails, naming it."""
    found = breaks(lambda docs: proxy_container(docs).pop("readinessProbe"))
    assert any("container nginx: no readinessProbe" in f for f in found), found


def test_a_probe_on_a_wrong_port_is_found(breaks: Breaks) -> None:
    """A liveness probe on a port the container does not declare fails the check."""

    def mutate(docs: list[Doc]) -> None:
        proxy_container(docs)["livenessProbe"]["tcpSocket"]["port"] = 8081

    found = breaks(mutate)
    assert any("livenessProbe port 8081 is not a container port" in f for f in found), found


def test_an_api_port_nginx_does_not_send_to_is_found(breaks: Breaks) -> None:
    """PORT=8080 for the API while nginx sends to 127.0.0.1:8000 fails the check."""

    found = breaks(lambda docs: kube.set_env(api_container(docs), PORT="8080"))
    assert any("UPSTREAM=127.0.0.1:8000 is not the API's 127.0.0.1:8080" in f for f in found)


def test_nginx_listening_off_its_declared_port_is_found(breaks: Breaks) -> None:
    """nginx told to listen on 8081 while its http port is 8080 fails the check."""

    found = breaks(lambda docs: kube.set_env(proxy_container(docs), LISTEN="8081"))
    assert any("LISTEN=8081 but the http port is 8080" in f for f in found), found


def test_an_api_reachable_around_nginx_is_found(breaks: Breaks) -> None:
    """An API listening on every address of the pod (clients could bypass nginx) fails."""

    found = breaks(lambda docs: kube.set_env(api_container(docs), HOST="0.0.0.0"))
    assert any("should listen on 127.0.0.1 only" in f for f in found), found


def test_an_api_stopping_before_nginx_has_drained_is_found(breaks: Breaks) -> None:
    """An API preStop no longer than nginx's preStop and drain fails: nginx would lose it."""

    def mutate(docs: list[Doc]) -> None:
        api_container(docs)["lifecycle"]["preStop"]["exec"]["command"] = ["sleep", "5"]

    found = breaks(mutate)
    assert any("should outlast nginx's (5 s)" in f for f in found), found


def test_a_misspelt_field_fails_the_schema(breaks: Breaks) -> None:
    """A misspelt field (here a probe's name) fails the strict schema validation."""

    def mutate(docs: list[Doc]) -> None:
        container = proxy_container(docs)
        container["readinesProbe"] = container.pop("readinessProbe")

    found = breaks(mutate)
    assert any("'readinesProbe' was unexpected" in f for f in found), found


def test_a_wrongly_typed_value_fails_the_schema(breaks: Breaks) -> None:
    """replicas as a string is refused by the schema."""

    def mutate(docs: list[Doc]) -> None:
        next(kube.find(docs, "Deployment", kube.API))["spec"]["replicas"] = "three"

    found = breaks(mutate)
    assert any("replicas" in f for f in found), found


def test_a_writable_root_or_kept_capabilities_are_found(breaks: Breaks) -> None:
    """A writable root filesystem or capabilities left in fail the check."""

    def mutate(docs: list[Doc]) -> None:
        security = api_container(docs)["securityContext"]
        security["readOnlyRootFilesystem"] = False
        security["capabilities"] = {"drop": ["NET_RAW"]}

    found = breaks(mutate)
    assert any("readOnlyRootFilesystem is not true" in f for f in found), found
    assert any("capabilities are not all dropped" in f for f in found), found


def test_redis_open_to_every_pod_is_found(breaks: Breaks) -> None:
    """A NetworkPolicy rule that admits any pod, not just the API's, fails the check."""

    def mutate(docs: list[Doc]) -> None:
        policy = next(kube.find(docs, "NetworkPolicy"))
        policy["spec"]["ingress"][0]["from"] = [{"podSelector": {}}]

    found = breaks(mutate)
    assert any("lets more than the API pods reach Redis" in f for f in found), found


def test_a_storage_setting_naming_no_service_is_found(breaks: Breaks) -> None:
    """A Redis address that is not the Redis Service fails the check."""

    def mutate(docs: list[Doc]) -> None:
        data = next(kube.find(docs, "ConfigMap"))["data"]
        data["TWITCHLORE_RATE_LIMIT_STORAGE"] = "redis://redis:6379/0"

    found = breaks(mutate)
    assert any("names no Service" in f for f in found), found


def test_a_grace_period_shorter_than_the_drain_is_found(breaks: Breaks) -> None:
    """A termination grace period that cannot cover preStop plus the server's drain fails."""

    def mutate(docs: list[Doc]) -> None:
        deployment = next(kube.find(docs, "Deployment", kube.API))
        deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 10

    found = breaks(mutate)
    assert any("grace period" in f for f in found), found


def test_the_podman_overlay_keeps_the_base_but_runs_locally(
    rendered: dict[str, list[Doc]],
) -> None:
    """The podman overlay changes only images, networking and settings of the base's pods."""
    base, local = rendered["base"], rendered["podman"]
    assert api_container(local)["image"] == "localhost/twitchlore:test"
    assert api_container(base)["image"] == "twitchlore:1.0.0"
    assert proxy_container(local)["image"] == "localhost/twitchlore-nginx:test"
    assert proxy_container(base)["image"] == "twitchlore-nginx:1.0.0"
    for docs in (base, local):
        assert [c["name"] for c in api_pod(docs)["containers"]] == ["api", "nginx"]
        for probe in ("startupProbe", "livenessProbe"):
            assert probe in api_container(docs)
        assert "readinessProbe" in proxy_container(docs)
    env = kube.env_of(api_container(local))
    assert env["HOST"] == "127.0.0.1"
    settings = next(kube.find(local, "ConfigMap"))["data"]
    assert settings_from_env(settings)  # values the service accepts
    assert re.fullmatch(r"\d+ per minute", settings["TWITCHLORE_RATE_LIMIT"])


def test_podman_gets_one_pod_per_replica_on_its_own_port(rendered: dict[str, list[Doc]]) -> None:
    """Each API replica becomes its own pod: nginx on its own port, the API on another behind it.

    Redis and the storage setting follow.
    """
    docs = kube.for_podman(rendered["podman"], [41001, 41002, 41003], [41011, 41012, 41013], 41009)
    assert kube.schema_errors(docs) == []
    apis = [d for d in kube.find(docs, "Deployment") if d["metadata"]["name"] != kube.REDIS]
    assert [d["metadata"]["name"] for d in apis] == [f"{kube.API}-{i}" for i in range(3)]
    ports = zip(apis, (41001, 41002, 41003), (41011, 41012, 41013), strict=True)
    for deployment, port, loopback in ports:
        pod = deployment["spec"]["template"]["spec"]
        containers = kube.containers_by_name(pod)
        api, proxy = containers[kube.API_CONTAINER], containers[kube.PROXY_CONTAINER]
        assert deployment["spec"]["replicas"] == 1
        assert pod["hostNetwork"] is True
        assert kube.env_of(api)["PORT"] == str(loopback)
        assert kube.env_of(api)["HOST"] == "127.0.0.1"
        assert kube.env_of(proxy)["LISTEN"] == f"127.0.0.1:{port}"
        assert kube.env_of(proxy)["UPSTREAM"] == f"127.0.0.1:{loopback}"
        assert proxy["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port}
        assert "ports" not in api and "ports" not in proxy
        name = deployment["metadata"]["name"]
        assert [v["name"] for v in pod["volumes"]] == [f"{name}-tmp", f"{name}-nginx-tmp"]
    redis = next(kube.find(docs, "Deployment", kube.REDIS))["spec"]["template"]["spec"]
    command = redis["containers"][0]["command"]
    assert command[command.index("--port") + 1] == "41009"
    assert command[-2:] == ["--bind", "127.0.0.1"]
    storage = next(kube.find(docs, "ConfigMap"))["data"]["TWITCHLORE_RATE_LIMIT_STORAGE"]
    assert storage == "redis://127.0.0.1:41009/0"
    assert {d["kind"] for d in docs} == {"ConfigMap", "Deployment"}


def test_podman_needs_a_port_per_replica(rendered: dict[str, list[Doc]]) -> None:
    """Fewer ports than replicas is refused rather than silently running fewer pods."""
    with pytest.raises(ValueError, match="3 replicas but 2 ports and 3 loopback ports"):
        kube.for_podman(rendered["podman"], [41001, 41002], [41011, 41012, 41013], 41009)


def test_podman_refuses_the_cluster_base(rendered: dict[str, list[Doc]]) -> None:
    """The base (no host networking) cannot be turned into podman pods by mistake."""
    with pytest.raises(ValueError, match="must set hostNetwork"):
        kube.for_podman(rendered["base"], [41001, 41002, 41003], [41011, 41012, 41013], 41009)
