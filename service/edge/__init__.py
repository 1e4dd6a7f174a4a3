"""The request path around Flask: what every request meets before and after the API's views.

In order, for every request:

1. ``front.FrontDoor`` (WSGI, before Flask): the path made canonical (``routing``), a
   request id (``observability``), the client's rate-limit count (``rate_limit``), and
   the refusals, checked once (``checks.refusal_of``).
2. Fast path: a repeat, not refused, of a request whose answer was kept (``answer_cache``)
   is answered from the copy, with the same headers, ETag and 304 handling; Flask does not
   run: the copy carries the headers Flask's ``after_request`` hooks added, and a test
   compares every kind of kept answer with what Flask and every hook answer.
3. Slow path, through Flask: ``before_request`` hooks answer a refusal as a problem
   (``checks``) and hold preconditions (``preconditions``); the view answers;
   ``after_request`` hooks add security headers (``observability``), CORS and relative
   redirects (``answer_headers``), compression, a failed precondition's 412, retirement
   headers.
4. Back in the front door, on both paths: a metrics sample and one JSON log line
   (``observability``).

``server`` is the gunicorn glue: its worker class (problem details for the errors the
server itself raises) and the data reload on SIGHUP.
"""
