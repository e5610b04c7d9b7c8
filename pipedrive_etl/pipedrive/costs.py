"""What each request costs in daily-budget tokens: the spec's `x-token-cost`
(pipedrive-api.md §8.2, Appendix A, B).

Costs are flat per call, whatever the `limit`. A route missing from the tables is charged the highest cost of
its API version's common operations, so an unknown request can only over-count the budget, never overrun it.
"""

from __future__ import annotations

import re

_V2: dict[tuple[str, str], int] = {}
_V1: dict[tuple[str, str], int] = {}


def _table(target: dict[tuple[str, str], int], rows: str) -> None:
    for line in rows.strip().splitlines():
        method, path, cost = line.split()
        target[(method, path)] = int(cost)


for _entity in ("persons", "organizations", "deals", "activities", "products", "projects", "tasks"):
    _table(_V2, f"""
        GET /{_entity} 10
        POST /{_entity} 5
        GET /{_entity}/{{id}} 1
        PATCH /{_entity}/{{id}} 5
        DELETE /{_entity}/{{id}} 3
    """)
for _entity in ("persons", "organizations", "deals", "products", "projects", "leads"):
    _table(_V2, f"GET /{_entity}/search 20")
for _entity in ("persons", "organizations", "deals", "products"):
    _table(_V2, f"""
        GET /{_entity}/{{id}}/followers 10
        POST /{_entity}/{{id}}/followers 5
        GET /{_entity}/{{id}}/followers/changelog 10
        DELETE /{_entity}/{{id}}/followers/{{id}} 3
    """)
for _fields in ("personFields", "organizationFields", "dealFields", "productFields", "projectFields"):
    _table(_V2, f"""
        GET /{_fields} 10
        POST /{_fields} 5
        GET /{_fields}/{{field_code}} 1
        PATCH /{_fields}/{{field_code}} 5
        DELETE /{_fields}/{{field_code}} 3
        POST /{_fields}/{{field_code}}/options 5
        PATCH /{_fields}/{{field_code}}/options 5
        DELETE /{_fields}/{{field_code}}/options 3
    """)
for _entity in ("stages", "pipelines"):
    _table(_V2, f"""
        GET /{_entity} 5
        POST /{_entity} 5
        GET /{_entity}/{{id}} 1
        PATCH /{_entity}/{{id}} 5
        DELETE /{_entity}/{{id}} 3
    """)
_table(_V2, """
    GET /activityFields 10
    GET /activityFields/{field_code} 1
    GET /deals/archived 20
    GET /itemSearch 20
    GET /itemSearch/field 20
    GET /deals/products 10
    GET /deals/{id}/products 10
    POST /deals/{id}/products 5
    DELETE /deals/{id}/products 15
    POST /deals/{id}/products/bulk 25
    POST /deals/{id}/convert/lead 40
    POST /leads/{id}/convert/deal 40
    GET /users/{id}/followers 10
""")
_table(_V1, """
    GET /recents 20
    GET /deals/{id}/flow 40
    GET /persons/{id}/flow 40
    GET /organizations/{id}/flow 40
    GET /deals/{id}/changelog 20
    GET /persons/{id}/changelog 20
    GET /organizations/{id}/changelog 20
    PUT /deals/{id}/merge 40
    PUT /persons/{id}/merge 40
    PUT /organizations/{id}/merge 40
    GET /webhooks 10
    POST /webhooks 10
    DELETE /webhooks/{id} 6
    GET /users/me 2
    GET /users 20
    GET /users/find 40
    GET /activityTypes 20
    GET /currencies 20
    GET /deals/summary 40
    GET /leads 20
    GET /leads/search 40
""")

UNKNOWN_V2_COST = 20
UNKNOWN_V1_COST = 40
# OAuth endpoints live on oauth.pipedrive.com and cost nothing.
_OAUTH_PREFIX = "/oauth/"

_ID_SEGMENT = re.compile(r"^\d+$")
_FIELDS_SEGMENT = re.compile(r"^[a-z]+Fields$")


def route_template(path: str) -> tuple[str, str]:
    """Return (API version, templated path): `/api/v2/persons/12` -> ("v2", "/persons/{id}")."""
    if path.startswith("/api/v2/"):
        version, rest = "v2", path[len("/api/v2"):]
    elif path.startswith("/api/v1/"):
        version, rest = "v1", path[len("/api/v1"):]
    elif path.startswith("/v1/"):
        version, rest = "v1", path[len("/v1"):]
    else:
        return "", path
    segments = [s for s in rest.split("/") if s]
    templated: list[str] = []
    for index, segment in enumerate(segments):
        if index > 0 and _FIELDS_SEGMENT.match(segments[index - 1]):
            templated.append("{field_code}")
        elif _ID_SEGMENT.match(segment):
            templated.append("{id}")
        else:
            templated.append(segment)
    return version, "/" + "/".join(templated)


def token_cost(method: str, path: str) -> int:
    """Tokens Pipedrive charges for one request of `method` on `path`
    (a URL path, with its version prefix)."""
    if path.startswith(_OAUTH_PREFIX):
        return 0
    version, template = route_template(path)
    key = (method.upper(), template)
    if version == "v2":
        return _V2.get(key, UNKNOWN_V2_COST)
    return _V1.get(key, UNKNOWN_V1_COST)


def is_search(path: str) -> bool:
    """Search endpoints have their own burst bucket of 10 requests per 2 s on every plan."""
    _, template = route_template(path)
    return template.startswith("/itemSearch") or template.endswith("/search")
