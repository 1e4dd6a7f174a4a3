"""The request path around Flask: what every request meets before and after the API's views.

For every request, in order, the front door (``front.FrontDoor``, a WSGI layer before Flask;
behind ``TRUSTED_PROXIES``, werkzeug's ``ProxyFix`` first takes the client's address from
``X-Forwarded-For``):

1. makes the path and query canonical (``routing``) and gives the request its id
   (``observability.new_request_id``);
2. on a route that counts, counts it against its client's rate limit (``rate_limit``),
   whose headers every answer gets; a client over its limit is refused (429);
3. checks, once, what every request must pass (``checks.refusal_of``): ``Host`` in
   HTTP/1.1 (400), the query (414), the headers (431), the body (413; malformed chunks 400),
   an ``Accept`` without JSON on the API (406).

Then one of two paths:

- fast path: a GET or HEAD, not refused, with no body and no header only Flask handles
  (``front.SLOW_PATH_HEADERS``), whose answer is kept (``answer_cache``, found under
  ``answer_cache.answer_key``) is answered from the copy: 304 for a matching
  ``If-None-Match``, no body for HEAD. Flask does not run: the copy carries the headers its
  ``after_request`` hooks added to the first answer, and ``tests/test_front_door.py``
  compares every kind of kept answer with what Flask and every hook answer to the same
  request, so a hook whose work a copy would skip fails that test by what it does.
- slow path, through Flask: ``before_request`` hooks answer a refusal as a problem
  (``checks.answer_refusal``) and hold ``If-Match`` and ``If-Unmodified-Since`` out of the
  view's way (``preconditions``); the view answers; ``after_request`` hooks, last
  registered first: retirement headers (``service.retirement``), the 412 of a failed
  precondition (``preconditions``), ``Vary: Origin`` and CORS, compression
  (``compression``), relative redirects (``answer_headers``), security headers and the
  matched route (``observability``). A cacheable answer asked for the second time is kept.

Last, on both paths: the request id and rate-limit headers (a 304 takes its count back),
one metrics sample and one JSON log line (``observability``).

Beside the request path: ``server`` runs the app under Granian (built once and forked
into the workers, rebuilt on SIGHUP) and ``metric_files`` keeps the workers' metrics files.
"""
