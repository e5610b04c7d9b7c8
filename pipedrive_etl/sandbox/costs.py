"""Pipedrive's per-operation token costs, the sandbox's own copy.

Copied from pipedrive-api.md Appendix A (the v2 spec's `x-token-cost`) and Appendix B (v1 operations still
present). Deliberately not shared with `pipedrive_etl.pipedrive`: a wrong cost in the client must show up as
a disagreement with the sandbox, not be mirrored by it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# path template -> {method: cost}; `{x}` matches one path segment.
_V2_COSTS: dict[str, dict[str, int]] = {
    "/activities": {"GET": 10, "POST": 5},
    "/activities/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/activityFields": {"GET": 10},
    "/activityFields/{code}": {"GET": 1},
    "/deals": {"GET": 10, "POST": 5},
    "/deals/archived": {"GET": 20},
    "/deals/search": {"GET": 20},
    "/deals/products": {"GET": 10},
    "/deals/installments": {"GET": 10},
    "/deals/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/deals/{id}/followers": {"GET": 10, "POST": 5},
    "/deals/{id}/followers/changelog": {"GET": 10},
    "/deals/{id}/followers/{fid}": {"DELETE": 3},
    "/deals/{id}/products": {"GET": 10, "POST": 5, "DELETE": 15},
    "/deals/{id}/products/bulk": {"POST": 25},
    "/deals/{id}/products/{pid}": {"PATCH": 5, "DELETE": 3},
    "/deals/{id}/discounts": {"GET": 10, "POST": 5},
    "/deals/{id}/discounts/{did}": {"PATCH": 5, "DELETE": 3},
    "/deals/{id}/installments": {"POST": 5},
    "/deals/{id}/installments/{iid}": {"PATCH": 5, "DELETE": 3},
    "/deals/{id}/convert/lead": {"POST": 40},
    "/deals/{id}/convert/status/{cid}": {"GET": 1},
    "/persons": {"GET": 10, "POST": 5},
    "/persons/search": {"GET": 20},
    "/persons/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/persons/{id}/followers": {"GET": 10, "POST": 5},
    "/persons/{id}/followers/changelog": {"GET": 10},
    "/persons/{id}/followers/{fid}": {"DELETE": 3},
    "/persons/{id}/picture": {"GET": 1},
    "/organizations": {"GET": 10, "POST": 5},
    "/organizations/search": {"GET": 20},
    "/organizations/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/organizations/{id}/followers": {"GET": 10, "POST": 5},
    "/organizations/{id}/followers/changelog": {"GET": 10},
    "/organizations/{id}/followers/{fid}": {"DELETE": 3},
    "/products": {"GET": 10, "POST": 5},
    "/products/search": {"GET": 20},
    "/products/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/leads/search": {"GET": 20},
    "/leads/{id}/convert/deal": {"POST": 40},
    "/itemSearch": {"GET": 20},
    "/itemSearch/field": {"GET": 20},
    "/stages": {"GET": 5, "POST": 5},
    "/stages/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/pipelines": {"GET": 5, "POST": 5},
    "/pipelines/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/projects": {"GET": 10, "POST": 5},
    "/projects/search": {"GET": 20},
    "/projects/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/tasks": {"GET": 10, "POST": 5},
    "/tasks/{id}": {"GET": 1, "PATCH": 5, "DELETE": 3},
    "/users/{id}/followers": {"GET": 10},
}
for _fields in ("dealFields", "personFields", "organizationFields", "productFields", "projectFields"):
    _V2_COSTS[f"/{_fields}"] = {"GET": 10, "POST": 5}
    _V2_COSTS[f"/{_fields}/{{code}}"] = {"GET": 1, "PATCH": 5, "DELETE": 3}
    _V2_COSTS[f"/{_fields}/{{code}}/options"] = {"POST": 5, "PATCH": 5, "DELETE": 3}

_V1_COSTS: dict[str, dict[str, int]] = {
    "/recents": {"GET": 20},
    "/users/me": {"GET": 2},
    "/webhooks": {"GET": 10, "POST": 10},
    "/webhooks/{id}": {"DELETE": 6},
    "/deals/summary": {"GET": 40},
    "/deals/timeline": {"GET": 20},
    "/activityFields": {"GET": 20},
    "/leads": {"GET": 20, "POST": 10},
    "/leads/search": {"GET": 40},
    "/leads/{id}": {"GET": 2, "PATCH": 10, "DELETE": 6},
    "/pipelines/{id}/conversion_statistics": {"GET": 40},
    "/pipelines/{id}/movement_statistics": {"GET": 40},
}
for _entity in ("deals", "persons", "organizations"):
    _V1_COSTS[f"/{_entity}/{{id}}/changelog"] = {"GET": 20}
    _V1_COSTS[f"/{_entity}/{{id}}/flow"] = {"GET": 40}
    _V1_COSTS[f"/{_entity}/{{id}}/files"] = {"GET": 20}
    _V1_COSTS[f"/{_entity}/{{id}}/mailMessages"] = {"GET": 20}
    _V1_COSTS[f"/{_entity}/{{id}}/merge"] = {"PUT": 40}
    _V1_COSTS[f"/{_entity}/{{id}}/followers"] = {"GET": 20, "POST": 10}
for _fields in ("dealFields", "personFields", "organizationFields", "productFields"):
    _V1_COSTS[f"/{_fields}"] = {"GET": 20, "POST": 10, "DELETE": 10}
    _V1_COSTS[f"/{_fields}/{{id}}"] = {"GET": 2, "PUT": 10, "DELETE": 6}

# Search routes draw on the separate 10-per-2-seconds burst bucket (pipedrive-api.md §8.6).
_SEARCH = re.compile(
    r"^/api/v2/(?:\w+/search|itemSearch(?:/field)?)$|^/v1/(?:\w+/search|itemSearch(?:/field)?)$"
)


def _compile(prefix: str, table: dict[str, dict[str, int]]) -> list[tuple[re.Pattern[str], dict[str, int]]]:
    compiled = []
    for template, costs in table.items():
        pattern = re.sub(r"\{\w+\}", r"[^/]+", template)
        compiled.append((re.compile(f"^{prefix}{pattern}$"), costs))
    # Literal segments must beat `{id}` (`/deals/archived` is not deal "archived"): try templates with
    # fewer placeholders first.
    compiled.sort(key=lambda item: item[0].pattern.count("[^/]+"))
    return compiled


_ROUTES = _compile("/api/v2", _V2_COSTS) + _compile("/v1", _V1_COSTS)


@lru_cache(maxsize=4096)
def cost_of(method: str, path: str) -> int:
    """Tokens one request costs; 0 for operations outside the tables (OAuth, unknown routes)."""
    for pattern, costs in _ROUTES:
        if pattern.match(path):
            return costs.get(method, 0)
    return 0


def is_search(path: str) -> bool:
    return bool(_SEARCH.match(path))
