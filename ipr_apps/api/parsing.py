"""The API's request parsing: webargs' FlaskParser, refusing JSON nested beyond any real body."""

from __future__ import annotations

import flask_smorest
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

MAX_JSON_DEPTH = 32  # our deepest body (an application with its lists of objects) has 4
DEPTH_MESSAGE = (
    f"The JSON body is nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and "
    "arrays are accepted."
)


class ApiParser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError:  # the decoder gave up on the nesting before we could count
            raise BadRequest(DEPTH_MESSAGE) from None
        if too_deep(data, MAX_JSON_DEPTH):
            raise BadRequest(DEPTH_MESSAGE)
        return data


def too_deep(data, limit: int) -> bool:
    """True when objects and arrays nest deeper than `limit` (counted without recursion)."""
    level = [data]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, dict | list) for node in level)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose @arguments parse with ApiParser."""

    ARGUMENTS_PARSER = ApiParser()
