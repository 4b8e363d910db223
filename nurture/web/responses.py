"""What the OpenAPI document says a route answers besides its success: the 422 as the app writes it
(`{"detail": [{"field", "message"}]}`, not FastAPI's `{loc, msg, type}`), and every other status."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Problem(BaseModel):
    """One bad field of a request: its dotted name and what is wrong with it, in words."""

    field: str
    message: str


class Problems(BaseModel):
    """A 422 answer: one entry per bad field."""

    detail: list[Problem]


_WHY = {
    302: "on to the page the link names",
    303: "done: back to the lead's page, with what was done in its query",
    400: "a value the route cannot use (or a body that is not JSON): the answer names it",
    401: "missing or wrong API key",
    403: "refused: no API key on a server others can reach, a signature that does not verify, or a form "
         "that is not one of nurture's pages",
    404: "no such lead, message or link",
    409: "the lead's state refuses the action (no consent, suppressed, outside the legal hours): the page "
         "says which rule",
    413: "the request body is too large",
    422: "one entry per bad field",
    503: "the provider's key is not configured, so its requests cannot be verified",
}


# The 422 is JSON on every route, the HTML pages' too: a `model` would be documented in the route's
# own media type (text/html on a page), so the pages name the schema that the API's routes declare.
_PROBLEMS_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/Problems"}}}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route or router that can answer `codes`."""
    return {code: {"description": _WHY[code], "content": _PROBLEMS_JSON} if code == 422
            else {"description": _WHY[code]} for code in codes}


#: Every page and form route behind a sign-in or a key (`web.auth.require`).
KEYED = answers(401, 403, 422)
#: The JSON API's routes behind the key: their 422 declares the Problems model, which puts it in
#: the document's components for every route to name.
API_KEYED = answers(401, 403) | {422: {"model": Problems, "description": _WHY[422]}}
