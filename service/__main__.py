"""``python -m service``: check the server settings, then run gunicorn (`make run`, the image).

gunicorn reads ``WEB_CONCURRENCY`` with ``int()`` as it is imported, so a bad value would
end in its traceback before any config file runs; it is checked here first, in one line.
"""

from __future__ import annotations

import os
import sys

from .config import ConfigError, worker_count


def main() -> None:
    """Refuse unusable server settings in one line, else become gunicorn with our config."""
    try:
        worker_count(os.environ)
    except ConfigError as error:
        sys.exit(f"Error: {error}")
    config = os.environ.get("TWITCHLORE_GUNICORN_CONFIG", "gunicorn.conf.py")
    app = "service:create_app()"
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", config, *sys.argv[1:], app])


if __name__ == "__main__":
    main()
