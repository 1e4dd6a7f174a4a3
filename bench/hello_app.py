"""The yardstick: a bare Flask "hello" endpoint, served on gunicorn's defaults and under Granian."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    """Answer a fixed text, as cheaply as Flask allows."""
    return "hello"
