"""The OpenAPI document: generated from the code, valid, public, and describing every API route."""

from __future__ import annotations

from move_events.api.errors import URL_PREFIX

try:  # not a dependency of the project: used where installed, else the structural checks below
    from openapi_spec_validator import validate
except ImportError:  # pragma: no cover
    validate = None


def test_document_is_valid_openapi_and_covers_every_route(app, client):
    response = client.get(f"{URL_PREFIX}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    if validate is not None:
        validate(spec)
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                assert operation["responses"] and operation["summary"], method
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == "MOVE Events API"
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    }
    routed = {
        (rule.rule.replace("<id:", "{").replace(">", "}"), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(URL_PREFIX) and not rule.rule.endswith("openapi.json")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed and len(routed) == 11


def test_every_operation_needs_the_bearer_token_and_documents_errors(client):
    spec = client.get(f"{URL_PREFIX}/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "status", "message"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert {"401", "403", "default"} <= set(map(str, operation["responses"])), (method, path)


def test_no_swagger_ui_from_a_cdn(client):
    assert client.get(f"{URL_PREFIX}/swagger-ui").status_code == 404
    assert b"cdn" not in client.get(f"{URL_PREFIX}/openapi.json").data.lower()
