"""Every Flask request hook, and why an answer the front door serves from its copy may skip it.

A kept answer never enters Flask, so it skips the ``before_request`` and
``after_request`` hooks; ``check_hooks`` refuses to start an app with a hook that
``HOOKS`` does not account for.
"""

from __future__ import annotations

from flask import Flask

HOOKS = {
    "before_request": {
        "answer_refusal": "the front door checks every refusal itself, and a refused "
        "request always goes through Flask",
        "defer_preconditions": "requests with If-Match or If-Unmodified-Since always go "
        "through Flask",
    },
    "after_request": {
        "add_security_headers": "its headers depend on the route only and are kept with the answer",
        "cors_after_request": "with '*' its headers are the same for every request; with a "
        "list of origins the copy is kept per Origin",
        "_vary_on_origin": "kept with the answer, which is kept per Origin",
        "relative_redirects": "redirects are never kept",
        "announce_retirement": "its headers depend on the settings and the path only and are "
        "kept with the answer",
        "compress_answer": "the compressed copy is kept per Accept-Encoding",
        "evaluate_preconditions": "requests with If-Match or If-Unmodified-Since always go "
        "through Flask",
    },
}
"""Every Flask request hook, and why a cached answer may skip it."""


class UnknownHookError(RuntimeError):
    """A Flask request hook the front door does not know would be skipped on cached answers."""


def check_hooks(app: Flask) -> None:
    """Refuse to start with a request hook that ``HOOKS`` does not account for."""
    for kind, registry in (
        ("before_request", app.before_request_funcs),
        ("after_request", app.after_request_funcs),
    ):
        for functions in registry.values():
            for function in functions:
                if function.__name__ not in HOOKS[kind]:
                    raise UnknownHookError(
                        f"{kind} hook {function.__name__!r} would be skipped when the front "
                        "door answers from its cache: add it to HOOKS in service/edge/hooks.py "
                        "with why skipping it is safe, or do its work in the front door"
                    )
