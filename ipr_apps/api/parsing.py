"""The API's request parsing: webargs' FlaskParser, refusing JSON nested beyond any real body."""

from __future__ import annotations

import flask_smorest
from flask_babel import gettext as _
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

MAX_JSON_DEPTH = 32  # our deepest body (an application with its lists of objects) has 4


class ApiParser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError:  # the decoder gave up on the nesting before we could count
            raise BadRequest(depth_message()) from None
        if too_deep(data, MAX_JSON_DEPTH):
            raise BadRequest(depth_message())
        return data


def depth_message() -> str:
    return _(
        "The JSON body is nested too deeply: at most %(levels)s levels of objects and "
        "arrays are accepted.",
        levels=MAX_JSON_DEPTH,
    )


def too_deep(data, limit: int) -> bool:
    """True when objects and arrays nest deeper than `limit` (counted without recursion)."""
    level = [data]
    for _level in range(limit):
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
