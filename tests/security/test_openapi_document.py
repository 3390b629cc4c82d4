"""The OpenAPI document that clients and the fuzzing tests trust describes every schema right.

django-ninja names each schema in `components` after its class and keeps the last one it meets,
so two apps with a `BookingIn` of different shapes would silently document one app's body for
the other's endpoint. Same-named schemas are fine only when they are the same shape.
"""

from __future__ import annotations

import json
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from coop.api import api


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for argument in typing.get_args(annotation):
        yield from _models(argument)


def api_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                # ninja wraps each operation's parameters in generated models (BodyParams,
                # QueryParams...) that the document flattens; the schemas are their fields.
                for params in operation.models:
                    for field in params.model_fields.values():
                        found |= set(_models(field.annotation))
                # Responses are wrapped in a generated NinjaResponseSchema with one field.
                for wrapper in (operation.response_models or {}).values():
                    if wrapper is not None:
                        for field in wrapper.model_fields.values():
                            found |= set(_models(field.annotation))
    return found


def test_schemas_that_share_a_name_share_a_shape() -> None:
    shapes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for model in api_models():
        shape = json.dumps(model.model_json_schema(), sort_keys=True)
        shapes[model.__name__][shape].add(f"{model.__module__}.{model.__qualname__}")

    clashes = {
        name: sorted(place for places in by_shape.values() for place in places)
        for name, by_shape in shapes.items()
        if len(by_shape) > 1
    }

    assert clashes == {}, "rename one of each: the OpenAPI document shows only one shape"


def test_the_document_declares_how_to_authenticate() -> None:
    schemes = api.get_openapi_schema(path_prefix="/api/v1")["components"]["securitySchemes"]

    assert schemes["AppSessionTokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
