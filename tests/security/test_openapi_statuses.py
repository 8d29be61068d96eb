"""Every status code the API answers is documented in its OpenAPI schema (issue 14)."""

import pytest

pytestmark = pytest.mark.django_db


def _schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_refusals(client):
    schema = _schema(client)
    assert "ErrorDetail" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"200", "400", "422"} <= codes, (method, path, codes)
            if "{" in path:
                assert "404" in codes, (method, path)
            if operation.get("security"):
                assert "401" in codes, (method, path)


@pytest.mark.parametrize(("method", "url", "status"), [
    ("get", "/api/agencies/NOSUCHUSCC", 404),
    ("get", "/api/projects?page=abc", 422),
    ("get", "/api/ratings/ratings", 401),
    ("post", "/api/ratings/repairs/1/decide", 401),
])
def test_statuses_actually_answered_are_the_documented_ones(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    schema = _schema(client)
    path = url.split("?")[0]
    templated = {p: ops for p, ops in schema["paths"].items()
                 if p.count("/") == path.count("/")
                 and all(a == b or a.startswith("{") for a, b in zip(p.split("/"), path.split("/"), strict=True))}
    assert templated, path
    operation = next(iter(templated.values()))[method]
    assert str(status) in operation["responses"]


def test_the_schema_has_no_duplicated_keys(client):
    """ninja keys responses by int, our additions by str: both serialise to "404", and Swagger UI's YAML
    parser then refuses the whole document ("duplicated mapping key", issue 16 item 6)."""
    import json

    duplicates = []

    def pairs(items):
        keys = [k for k, _v in items]
        duplicates.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=pairs)
    assert duplicates == []
