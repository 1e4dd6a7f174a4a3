"""``python -m service``: check the server settings, build the app, then serve it with Granian
(`make run`, the image)."""

from __future__ import annotations

import os

from .edge import metric_files


def main() -> None:
    """Serve the service with Granian, configured from the environment (see ``edge.server``).

    Every worker keeps its metrics in files of one directory, which must be known before
    any metric exists: it is chosen first, and the server module is imported only then.
    """
    metric_files.start_run()
    from .edge.server import serve

    serve(os.environ)


if __name__ == "__main__":
    main()
