# Twitchlore: two stages on one slim Python base; the final image runs Granian as a non-root user.
# BASE_IMAGE is the official slim image by default; `make container-test` passes a local base
# (Debian bookworm with python3, made with debootstrap) since that machine reaches no registry.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
# Behind a TLS-inspecting proxy, point pip at that proxy's CA bundle (see scripts/container-test.sh).
ARG PIP_CERT
WORKDIR /src
# python3 -m venv needs Debian's python3-venv on a debootstrap base; the official image has it.
RUN python3 -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY service ./service
# constraints.txt pins every dependency, so the image gets exactly the tested versions.
RUN /opt/venv/bin/pip install --no-cache-dir -c constraints.txt .

FROM ${BASE_IMAGE}
ENV HOST=0.0.0.0 \
    PORT=8000 \
    TWITCHLORE_DATA_DIR=/app/data \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin twitchlore
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY data ./data
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["python3", "-m", "service"]
