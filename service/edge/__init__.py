"""The request path around Flask: what every request meets before and after the API's views.

In order, for every request:

1. ``front.FrontDoor`` (WSGI, before Flask): the path made canonical (``routing``), a
   request id (``observability``), the client's rate-limit count (``rate_limit``).
2. Fast path: a repeat of a request whose answer was kept (``answer_cache``) is answered
   from the copy, with the same headers, ETag and 304 handling; Flask does not run, and
   ``hooks.HOOKS`` says why each Flask hook it skips may be skipped.
3. Slow path, through Flask: ``before_request`` hooks refuse a client over its limit
   (``rate_limit``) and requests too large or with an unacceptable Accept (``checks``);
   the view answers; ``after_request`` hooks add security headers (``observability``),
   CORS, compression and relative redirects (``checks``), retirement headers.
4. Back in the front door, on both paths: a metrics sample and one JSON log line
   (``observability``).

``server`` is the gunicorn glue: its worker class (problem details for the errors the
server itself raises) and the data reload on SIGHUP.
"""
