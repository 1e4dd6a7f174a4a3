"""One declaration per catalogue kind: its list and item operations come from here.

A kind's module says only what is its own (schemas, filters, an example id and the
texts of its operations); the blueprint, the page schema, the documented responses
and the views are built the same way for every kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from ..dataset import Dataset
from ..state import app_state
from .base import Blueprint, QueryArgsSchema
from .catalogue import Catalogue, FilterBuilder
from .pagination import LINK_HEADER, ListQuerySchema, page_schema
from .paths import collection_path, id_parameter
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES


class CatalogueDeclaration:
    """A kind of entry served as a list (``GET /v1/<kind>s``) and by id (``/<kind>_id``).

    ``list_doc`` and ``item_doc`` are the operations' docstrings: a summary line, a
    blank line, then the description.
    """

    def __init__(
        self,
        *,
        kind: str,
        description: str,
        item_schema: type[ma.Schema],
        filters: FilterBuilder,
        example_id: str,
        list_doc: str,
        item_doc: str,
        query_schema: type[ma.Schema] = ListQuerySchema,
    ) -> None:
        self.kind = kind
        self.path = collection_path(kind)
        self.description = description
        self.item_schema = item_schema
        self.filters = filters
        name = kind.capitalize()
        self.page_schema = page_schema(item_schema, name)
        self.blueprint = Blueprint(
            f"{kind}s", __name__, url_prefix=self.path, description=description
        )
        self._add_list_view(name, query_schema, list_doc)
        self._add_item_view(name, example_id, item_doc)

    def catalogue(self, dataset: Dataset) -> Catalogue:
        """Serialise every entry of the kind in ``dataset``, ready to serve."""
        return Catalogue(
            dataset.collection(self.kind),
            self.item_schema(),
            self.page_schema(),
            self.filters,
            dataset.language.tag,
        )

    def _add_list_view(self, name: str, query_schema: type[ma.Schema], doc: str) -> None:
        blp, kind = self.blueprint, self.kind

        def get(view: MethodView, args: Mapping[str, Any]) -> Response:
            return app_state().answers().kinds[kind].page(args)

        get.__doc__ = doc
        get = blp.doc(operationId=f"list{name}s", responses=CONDITIONAL_GET_RESPONSES)(
            blp.arguments(query_schema, location="query")(
                blp.response(200, self.page_schema, headers={**CACHE_HEADERS, **LINK_HEADER})(get)
            )
        )
        view = type(f"{name}s", (MethodView,), {"__doc__": f"The {kind}s.", "get": get})
        blp.route("")(view)

    def _add_item_view(self, name: str, example_id: str, doc: str) -> None:
        blp, kind = self.blueprint, self.kind

        def get(view: MethodView, _: Mapping[str, Any], **ids: str) -> Response:
            return app_state().answers().kinds[kind].item(ids[f"{kind}_id"])

        get.__doc__ = doc
        # An entry takes only lang; any other parameter is a mistake worth a 422.
        get = blp.doc(operationId=f"get{name}", responses=CONDITIONAL_GET_RESPONSES)(
            blp.arguments(QueryArgsSchema, location="query")(
                blp.response(200, self.item_schema, headers=CACHE_HEADERS)(
                    blp.alt_response(404, response="NOT_FOUND")(get)
                )
            )
        )
        view = type(f"{name}Item", (MethodView,), {"__doc__": f"One {kind}.", "get": get})
        blp.route(f"/<{kind}_id>", parameters=id_parameter(kind, example_id))(view)
