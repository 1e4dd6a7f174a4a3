"""The Kubernetes manifests in deploy/kubernetes: render, validate, check, and adapt for podman.

Used by tests/test_kubernetes.py (in `make test`) and scripts/deploy_test.py (`make deploy-test`).
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBECTL = Path(sys.executable).parent / "kubectl"
# The oldest Kubernetes still maintained by its cloud vendors that the manifests are meant
# for, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
API = "twitchlore-api"
REDIS = "twitchlore-redis"
# The API pod's containers: the service, and nginx in front of it (deploy/nginx).
API_CONTAINER = "api"
PROXY_CONTAINER = "nginx"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "nginx.conf.template"
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")
# Paths of the service only the cluster needs: the kubelet probes the pods and Prometheus
# scrapes them directly, so no Ingress may route these to the pods.
INTERNAL_PATHS = ("/metrics", "/healthz", "/readyz")
# Ingress annotations that rewrite paths, match them by regex or add raw NGINX configuration:
# with any of them, which paths reach the pods cannot be read off the Ingress rules.
OPAQUE_ROUTING = re.compile(r"(rewrite|regex|snippet)", re.IGNORECASE)

Doc = dict[str, Any]


def render(overlay: Path) -> list[Doc]:
    """Return the objects of a kustomization, as `kubectl kustomize` builds them."""
    result = subprocess.run(
        [str(KUBECTL), "kustomize", str(overlay)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {overlay}: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def manifest_files() -> list[Path]:
    """Every YAML file under deploy/kubernetes that holds Kubernetes objects."""
    return sorted(path for path in MANIFESTS.rglob("*.yaml") if path.name != "kustomization.yaml")


def load(path: Path) -> list[Doc]:
    """The objects in one YAML file."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def schema_errors(docs: Iterable[Doc]) -> list[str]:
    """Each object checked against the strict Kubernetes schemas of every supported version."""
    errors = []
    for doc in docs:
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(part) for part in error.path)
                errors.append(f"{name_of(doc)} (Kubernetes {version}): {path}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(f"{name_of(doc)}: no schema for it in Kubernetes {version}")
    return errors


def name_of(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def find(docs: Iterable[Doc], kind: str, name: str | None = None) -> Iterator[Doc]:
    for doc in docs:
        if doc.get("kind") == kind and name in (None, doc["metadata"]["name"]):
            yield doc


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def container_port(container: Doc, port: int | str) -> int | None:
    """The number of a container's port given by number or name, if the container has it."""
    for declared in container.get("ports", []):
        if port in (declared.get("containerPort"), declared.get("name")):
            return int(declared["containerPort"])
    return None


def env_of(container: Doc) -> dict[str, str]:
    return {var["name"]: var.get("value", "") for var in container.get("env", [])}


def findings(docs: list[Doc]) -> list[str]:
    """Schema errors, or when there are none, wiring problems; empty when the bundle is fine."""
    return schema_errors(docs) or problems(docs)


def problems(docs: list[Doc]) -> list[str]:
    """What makes a rendered bundle not cluster-ready, beyond the schemas; empty when fine."""
    found: list[str] = []
    for deployment in find(docs, "Deployment"):
        found += _workload_problems(docs, deployment)
    found += _api_problems(docs)
    for service in find(docs, "Service"):
        found += _service_problems(docs, service)
    found += _autoscaling_problems(docs)
    found += _redis_problems(docs)
    for ingress in find(docs, "Ingress"):
        found += _ingress_problems(docs, ingress)
    return found


def _workload_problems(docs: list[Doc], deployment: Doc) -> list[str]:
    """Probes on declared ports, resources, and a locked-down security context."""
    where = name_of(deployment)
    pod = deployment["spec"]["template"]["spec"]
    found = []
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        found.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    for container in pod["containers"]:
        at = f"{where} container {container['name']}"
        # A container that takes connections says when it is ready for them.
        wanted = (
            ("readinessProbe", "livenessProbe") if container.get("ports") else ("livenessProbe",)
        )
        for probe_kind in wanted:
            if probe_kind not in container:
                found.append(f"{at}: no {probe_kind}")
        for probe_kind in PROBES:
            probe = container.get(probe_kind)
            if probe is None:
                continue
            action = probe.get("httpGet") or probe.get("tcpSocket") or {}
            if "port" in action and container_port(container, action["port"]) is None:
                found.append(f"{at}: {probe_kind} port {action['port']!r} is not a container port")
        resources = container.get("resources", {})
        for part in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in resources.get(part, {}):
                    found.append(f"{at}: no {part}.{resource}")
        security = container.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False:
            found.append(f"{at}: allowPrivilegeEscalation is not false")
        if security.get("readOnlyRootFilesystem") is not True:
            found.append(f"{at}: readOnlyRootFilesystem is not true")
        if "ALL" not in security.get("capabilities", {}).get("drop", []):
            found.append(f"{at}: capabilities are not all dropped")
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            if ref and not list(find(docs, "ConfigMap", ref)):
                found.append(f"{at}: envFrom names a ConfigMap {ref} that is not in the bundle")
    return found


def containers_by_name(pod: Doc) -> dict[str, Doc]:
    return {container["name"]: container for container in pod["containers"]}


def _api_problems(docs: list[Doc]) -> list[str]:
    """The API behind nginx in its pod: ports, probes, graceful shutdown, /tmp, scraping."""
    deployments = list(find(docs, "Deployment", API))
    if not deployments:
        return [f"no Deployment {API}"]
    deployment = deployments[0]
    template = deployment["spec"]["template"]
    pod = template["spec"]
    containers = containers_by_name(pod)
    if API_CONTAINER not in containers or PROXY_CONTAINER not in containers:
        return [f"{name_of(deployment)}: needs containers {API_CONTAINER} and {PROXY_CONTAINER}"]
    api, proxy = containers[API_CONTAINER], containers[PROXY_CONTAINER]
    at_api = f"{name_of(deployment)} container {API_CONTAINER}"
    at_proxy = f"{name_of(deployment)} container {PROXY_CONTAINER}"
    found = []
    # The API on the pod's loopback, where only nginx reaches it; its probes run inside it.
    api_env, proxy_env = env_of(api), env_of(proxy)
    if api_env.get("HOST") != "127.0.0.1" or api.get("ports"):
        found.append(f"{at_api}: should listen on 127.0.0.1 only (HOST) and declare no port")
    for probe_kind in ("startupProbe", "livenessProbe"):
        command = " ".join(api.get(probe_kind, {}).get("exec", {}).get("command", []))
        if "/healthz" not in command:
            found.append(f"{at_api}: {probe_kind} should run a GET of /healthz in the container")
    if proxy_env.get("UPSTREAM") != f"127.0.0.1:{api_env.get('PORT')}":
        found.append(
            f"{at_proxy}: UPSTREAM={proxy_env.get('UPSTREAM')} is not the API's "
            f"127.0.0.1:{api_env.get('PORT')}"
        )
    # nginx takes the pod's traffic, and says it is ready when the API is, through itself.
    http = container_port(proxy, "http")
    if http is None or proxy_env.get("LISTEN", "").rsplit(":", 1)[-1] != str(http):
        found.append(f"{at_proxy}: LISTEN={proxy_env.get('LISTEN')} but the http port is {http}")
    readiness = proxy.get("readinessProbe", {}).get("httpGet", {})
    if readiness.get("path") != "/readyz" or readiness.get("port") not in ("http", http):
        found.append(f"{at_proxy}: readinessProbe should GET /readyz on the http port")
    annotations = template["metadata"].get("annotations", {})
    if annotations.get("prometheus.io/scrape") != "true" or annotations.get(
        "prometheus.io/port"
    ) != str(http):
        found.append(f"{at_proxy}: Prometheus annotations should scrape port {http}")
    # On deletion nginx stops first and drains; the API keeps serving until nginx is done.
    proxy_sleep, api_sleep = pre_stop_sleep(proxy), pre_stop_sleep(api)
    proxy_drain, drain = nginx_shutdown_timeout(), graceful_timeout()
    if proxy_drain == 0:
        found.append(f"{at_proxy}: set worker_shutdown_timeout in {NGINX_TEMPLATE.name}")
    if proxy_sleep < 1 or api_sleep < proxy_sleep + proxy_drain:
        found.append(
            f"{at_api}: its preStop sleep ({api_sleep} s) should outlast nginx's ({proxy_sleep} "
            f"s) plus nginx's worker_shutdown_timeout ({proxy_drain} s)"
        )
    if pod.get("terminationGracePeriodSeconds", 30) < api_sleep + drain:
        found.append(
            f"{at_api}: the grace period should cover its preStop sleep plus the server's "
            f"graceful_timeout ({drain} s)"
        )
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for name, container in containers.items():
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        if "emptyDir" not in volumes.get(mounts.get("/tmp", ""), {}):
            found.append(f"{name_of(deployment)} container {name}: /tmp is not a writable emptyDir")
    if deployment["spec"].get("replicas", 1) < 2:
        found.append(f"{name_of(deployment)}: fewer than 2 replicas")
    return found


def pre_stop_sleep(container: Doc) -> int:
    """The seconds a container's preStop hook sleeps (0 without a sleep)."""
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    return int(command[1]) if command[:1] == ["sleep"] else 0


def nginx_shutdown_timeout() -> int:
    """nginx's worker_shutdown_timeout in deploy/nginx (0, nginx's default: no bound, if unset)."""
    conf = NGINX_TEMPLATE.read_text(encoding="utf-8")
    match = re.search(r"^worker_shutdown_timeout (\d+)s;", conf, re.MULTILINE)
    return int(match.group(1)) if match else 0


def graceful_timeout() -> int:
    """How long the server lets its workers finish requests on SIGTERM: GRACEFUL_SECONDS in
    service/edge/server.py (no bound, taken as an hour, if unset)."""
    conf = (ROOT / "service" / "edge" / "server.py").read_text(encoding="utf-8")
    match = re.search(r"^GRACEFUL_SECONDS = (\d+)", conf, re.MULTILINE)
    return int(match.group(1)) if match else 3600


def _service_problems(docs: list[Doc], service: Doc) -> list[str]:
    """A Service selects pods of a Deployment and sends to a port they declare."""
    selector = service["spec"].get("selector", {})
    templates = [
        d["spec"]["template"]
        for d in find(docs, "Deployment")
        if selects(selector, d["spec"]["template"]["metadata"]["labels"])
    ]
    if not templates:
        return [f"{name_of(service)}: selects no Deployment's pods"]
    found = []
    for port in service["spec"]["ports"]:
        target = port.get("targetPort", port["port"])
        for template in templates:
            if not any(container_port(c, target) for c in template["spec"]["containers"]):
                found.append(f"{name_of(service)}: targetPort {target!r} is not a container port")
    return found


def _autoscaling_problems(docs: list[Doc]) -> list[str]:
    found = []
    for pdb in find(docs, "PodDisruptionBudget"):
        selector = pdb["spec"]["selector"]["matchLabels"]
        if not any(
            selects(selector, d["spec"]["template"]["metadata"]["labels"])
            for d in find(docs, "Deployment")
        ):
            found.append(f"{name_of(pdb)}: selects no Deployment's pods")
    for hpa in find(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if not list(find(docs, target["kind"], target["name"])):
            found.append(f"{name_of(hpa)}: scales {target['name']}, which is not in the bundle")
        if not any(m.get("resource", {}).get("name") == "cpu" for m in hpa["spec"]["metrics"]):
            found.append(f"{name_of(hpa)}: does not scale on CPU")
    return found


def _ingress_problems(docs: list[Doc], ingress: Doc) -> list[str]:
    """Every backend is a Service in the bundle, and no internal path reaches the API pods."""
    where = name_of(ingress)
    found = []
    for rule in ingress["spec"].get("rules", []):
        for path in rule.get("http", {}).get("paths", []):
            name = path["backend"].get("service", {}).get("name")
            if name and not list(find(docs, "Service", name)):
                found.append(f"{where}: no Service {name}")
    for annotation in ingress["metadata"].get("annotations", {}):
        if OPAQUE_ROUTING.search(annotation):
            found.append(f"{where}: {annotation} hides which paths reach the pods; route by rules")
    for path in INTERNAL_PATHS:
        if ingress_reaches_api(docs, ingress, path):
            found.append(f"{where}: routes {path} to the API pods; keep it inside the cluster")
    return found


def ingress_reaches_api(docs: list[Doc], ingress: Doc, path: str) -> bool:
    """Whether a request for ``path`` (as NGINX normalizes it) is sent to the API's pods.

    Erring towards yes: a Prefix or ImplementationSpecific path is taken as a plain string
    prefix (which includes Kubernetes' element-wise Prefix and NGINX's prefix location), and a
    default backend takes every path.
    """
    api_services = {
        service["metadata"]["name"]
        for service in find(docs, "Service")
        for deployment in find(docs, "Deployment", API)
        if selects(service["spec"].get("selector", {}), _pod_labels(deployment))
    }

    def to_api(backend: Doc) -> bool:
        return backend.get("service", {}).get("name") in api_services

    spec = ingress["spec"]
    if to_api(spec.get("defaultBackend", {})):
        return True
    for rule in spec.get("rules", []):
        for route in rule.get("http", {}).get("paths", []):
            rule_path = route.get("path", "/")
            if route["pathType"] == "Exact":
                matched = path == rule_path
            else:
                matched = path.startswith(rule_path.rstrip("/"))
            if matched and to_api(route["backend"]):
                return True
    return False


def _pod_labels(deployment: Doc) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def _redis_problems(docs: list[Doc]) -> list[str]:
    """The storage setting names the Redis Service, and only API pods may reach Redis."""
    found = []
    storages = {
        cm["data"].get("TWITCHLORE_RATE_LIMIT_STORAGE")
        for cm in find(docs, "ConfigMap")
        if "TWITCHLORE_RATE_LIMIT_STORAGE" in cm.get("data", {})
    }
    match = re.fullmatch(r"redis://([^:/]+):(\d+)/\d+", next(iter(storages), "") or "")
    services = list(find(docs, "Service", match.group(1))) if match else []
    if not match or not services:
        found.append(f"TWITCHLORE_RATE_LIMIT_STORAGE {storages} names no Service in the bundle")
    elif int(match.group(2)) not in [p["port"] for p in services[0]["spec"]["ports"]]:
        found.append(f"TWITCHLORE_RATE_LIMIT_STORAGE port {match.group(2)} is not the Service's")
    redis_pods = [d["spec"]["template"] for d in find(docs, "Deployment", REDIS)]
    api_pods = [d["spec"]["template"] for d in find(docs, "Deployment", API)]
    policies = [
        p
        for p in find(docs, "NetworkPolicy")
        if redis_pods
        and selects(p["spec"]["podSelector"]["matchLabels"], redis_pods[0]["metadata"]["labels"])
    ]
    if not policies:
        return [*found, "no NetworkPolicy selects the Redis pods"]
    for policy in policies:
        for rule in policy["spec"].get("ingress", [{}]):
            peers = rule.get("from")
            allowed = peers and all(
                api_pods
                and selects(
                    peer.get("podSelector", {}).get("matchLabels", {}),
                    api_pods[0]["metadata"]["labels"],
                )
                and set(peer) == {"podSelector"}
                for peer in peers
            )
            if not allowed:
                found.append(f"{name_of(policy)}: lets more than the API pods reach Redis")
    return found


def for_podman(
    docs: list[Doc], api_ports: list[int], loopback_ports: list[int], redis_port: int
) -> list[Doc]:
    """What `podman kube play` runs of the rendered podman overlay, on the host's network.

    Only ConfigMaps and Deployments (podman runs nothing else). The API Deployment becomes one
    single-replica Deployment per port in ``api_ports`` (as many as its replicas), each pod's
    nginx listening on its own port, since podman has no Service to share one, and its API on
    its own port of ``loopback_ports`` (the host's loopback is every pod's). Redis listens on
    ``redis_port`` and the storage setting points there. Probes name their port by number and
    the ``ports`` lists go: podman 4.3 turns every containerPort into a host port mapping,
    which host networking refuses. Each pod gets its own emptyDir volumes (podman makes a
    volume per emptyDir name, which same-named pods would otherwise share).
    """
    out: list[Doc] = []
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            cm = copy.deepcopy(doc)
            storage = cm["data"].get("TWITCHLORE_RATE_LIMIT_STORAGE")
            if storage:
                cm["data"]["TWITCHLORE_RATE_LIMIT_STORAGE"] = re.sub(
                    r"^redis://[^/]+/", f"redis://127.0.0.1:{redis_port}/", storage
                )
            out.append(cm)
        elif doc["kind"] == "Deployment" and doc["metadata"]["name"] == API:
            replicas = doc["spec"].get("replicas", 1)
            if not len(api_ports) == len(loopback_ports) == replicas:
                raise ValueError(
                    f"{API} has {replicas} replicas but {len(api_ports)} ports and "
                    f"{len(loopback_ports)} loopback ports"
                )
            for index, (port, loopback) in enumerate(zip(api_ports, loopback_ports, strict=True)):
                pod = _single_pod(doc, f"{API}-{index}", port)
                containers = containers_by_name(pod["spec"]["template"]["spec"])
                set_env(containers[API_CONTAINER], PORT=str(loopback))
                set_env(
                    containers[PROXY_CONTAINER],
                    LISTEN=f"127.0.0.1:{port}",
                    UPSTREAM=f"127.0.0.1:{loopback}",
                )
                out.append(pod)
        elif doc["kind"] == "Deployment" and doc["metadata"]["name"] == REDIS:
            redis = _single_pod(doc, REDIS, redis_port)
            command = redis["spec"]["template"]["spec"]["containers"][0]["command"]
            command[command.index("--port") + 1] = str(redis_port)
            out.append(redis)
        elif doc["kind"] == "Deployment":
            raise ValueError(f"{name_of(doc)}: not known to the podman run")
    return out


def set_env(container: Doc, **values: str) -> None:
    """Set environment variables the container already has to new values."""
    for var in container.get("env", []):
        if var["name"] in values:
            var["value"] = values[var["name"]]


def _single_pod(deployment: Doc, name: str, port: int) -> Doc:
    """A copy of ``deployment`` with one replica, named ``name``, probed on ``port``."""
    doc = copy.deepcopy(deployment)
    doc["metadata"]["name"] = name
    doc["spec"]["replicas"] = 1
    template = doc["spec"]["template"]
    pod = template["spec"]
    if not pod.get("hostNetwork"):
        raise ValueError(f"{name_of(deployment)}: the podman overlay must set hostNetwork")
    annotations = template["metadata"].get("annotations", {})
    if "prometheus.io/port" in annotations:
        annotations["prometheus.io/port"] = str(port)
    renamed = {volume["name"]: f"{name}-{volume['name']}" for volume in pod.get("volumes", [])}
    for volume in pod.get("volumes", []):
        volume["name"] = renamed[volume["name"]]
    for container in pod["containers"]:
        for mount in container.get("volumeMounts", []):
            mount["name"] = renamed[mount["name"]]
        for probe_kind in PROBES:
            action = container.get(probe_kind, {})
            action = action.get("httpGet") or action.get("tcpSocket") or {}
            if "port" in action:
                action["port"] = port
        container.pop("ports", None)
    return doc
