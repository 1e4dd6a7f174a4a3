"""``/readings/{reading_id}/image.png``: a reading's share image (``service.pages.share_image``
draws it), documented with the API though it lives beside the reading's page."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from ..language import in_language
from ..pages.share_image import IMAGE_BOOK_KEY, IMAGE_MAX_AGE
from ..state import app_state
from .base import REQUEST_BOUND_ERRORS, Blueprint, QueryArgsSchema
from .readings import reading_id_parameter

blp = Blueprint(
    "images",
    __name__,
    description="Images to share: a reading as a picture, for link previews.",
)
blp.DOCUMENTED_ERRORS = (*REQUEST_BOUND_ERRORS, (429, "TOO_MANY_REQUESTS"))
"""Images are outside /v1: no Accept check (406), but the rate limit counts them."""


@blp.route("/readings/<reading_id>/image.png", parameters=reading_id_parameter())
class ReadingImage(MethodView):
    """A reading's share image."""

    @blp.doc(
        operationId="getReadingImage",
        responses={
            "304": {"description": "Not Modified: the If-None-Match tag still matches."},
        },
    )
    @blp.arguments(QueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="image/png",
        description="A 1200×630 PNG (at most 150 KB) of the reading in the request's language: "
        "its twitch, the omen's headline and tone, the medical headline and urgency, the gist "
        "and the credit. The reading's page names it as og:image.",
        headers={
            "ETag": "ETag",
            "Cache-Control": "Cache-Control",
            "Content-Language": "Content-Language",
            "Vary": "Vary",
        },
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reading_id: str, lang: str = "") -> Response:
        """Get a reading's share image

        The picture a link preview shows for the reading's page (/readings/{reading_id}):
        the same reading as /v1/readings/{reading_id}, in brief, in the language of lang
        or Accept-Language. Drawn once per reading and language, then kept.
        """
        state = app_state()
        dataset = state.localized()
        book = state.answers().readings
        reading = dataset.reading_for(*book.key_for(reading_id))
        image = current_app.extensions[IMAGE_BOOK_KEY].image(dataset, reading)
        response = Response(image.body, mimetype="image/png")
        response.set_etag(image.etag)
        in_language(response, dataset.language.tag)
        response.cache_control.public = True
        response.cache_control.max_age = IMAGE_MAX_AGE
        response.last_modified = current_app.config["LAST_MODIFIED"]
        response.make_conditional(request)
        return response
