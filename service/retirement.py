"""Announcing the retirement of ``/v1``: ``Deprecation`` and ``Sunset`` headers.

The README's versioning policy promises that once a successor is announced, every ``/v1``
answer says so: ``Deprecation`` (RFC 9745) from the date ``/v1`` is deprecated, ``Sunset``
(RFC 8594) with the date it stops answering, and ``Link`` to the policy and the successor.
Operators switch this on with settings; nothing is added until they do.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask import Flask, Response, request
from werkzeug.http import http_date

POLICY_LINK = '</readme>; rel="deprecation"; type="text/markdown"'
"""RFC 9745 §3: where the deprecation is explained (the README's versioning policy)."""


@dataclass(frozen=True)
class Retirement:
    """When ``/v1`` is deprecated, when it stops answering, and what replaces it."""

    deprecated_on: dt.date
    sunset_on: dt.date | None = None
    successor: str | None = None

    def headers(self) -> dict[str, str]:
        """The headers every ``/v1`` answer carries, apart from ``Link``."""
        midnight = calendar.timegm(self.deprecated_on.timetuple())
        headers = {"Deprecation": f"@{midnight}"}
        if self.sunset_on is not None:
            headers["Sunset"] = http_date(self.sunset_on)
        return headers

    def links(self) -> list[str]:
        """The ``Link`` values every ``/v1`` answer carries: the policy and the successor."""
        links = [POLICY_LINK]
        if self.successor is not None:
            links.append(f'<{self.successor}>; rel="successor-version"')
        return links


def announce(retirement: Retirement, api_prefix: str, response: Response) -> Response:
    """Add the retirement headers to an answer under ``api_prefix``, keeping its ``Link``."""
    if request.path.startswith(api_prefix) or request.path == api_prefix.rstrip("/"):
        response.headers.update(retirement.headers())
        links = [response.headers["Link"]] if "Link" in response.headers else []
        response.headers["Link"] = ", ".join([*links, *retirement.links()])
    return response


def init_app(app: Flask, api_prefix: str) -> None:
    """Announce the retirement configured in ``RETIREMENT``, if any, under ``api_prefix``."""
    retirement: Retirement | None = app.config.get("RETIREMENT")
    if retirement is None:
        return

    def announce_retirement(response: Response) -> Response:
        return announce(retirement, api_prefix, response)

    app.after_request(announce_retirement)
