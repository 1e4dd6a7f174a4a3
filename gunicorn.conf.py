"""gunicorn settings for ``make run`` and containers, read from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Load the app (and validate the dataset) once in the master: a broken dataset
# stops start-up with one message, and workers share the loaded data.
preload_app = True
accesslog = "-"
