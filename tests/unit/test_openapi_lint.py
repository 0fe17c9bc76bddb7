"""A lint of ``/openapi.json`` that must report 0 errors (issue 16 item 8).

The document must be valid OpenAPI 3.1 (openapi-spec-validator), and it must keep the
rules of Redocly's ``recommended`` set that a client generator depends on, checked here in
Python so that the suite needs no Node.js: every operation named (``operationId``, unique,
snake_case), summarised and tagged with a declared tag; path parameters declared; a 2xx
and a 4xx answer; every ``$ref`` resolving and every component used; security schemes
defined, and each operation states its security (``[]`` when public); info with licence and
contact; servers set. (Redocly CLI ``lint`` on the same document, run by hand, is quoted in
the README.)"""

import re
from collections import Counter
from typing import Any

from openapi_spec_validator import validate

from api.app import create_app

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def lint(document: dict[str, Any]) -> list[str]:
    """The rule violations of ``document``; empty when it is clean."""
    problems: list[str] = []
    info = document.get("info", {})
    if not info.get("license", {}).get("name"):
        problems.append("info-license: the document names no licence")
    if not info.get("contact"):
        problems.append("info-contact: the document names no contact")
    if not document.get("servers"):
        problems.append("no-empty-servers: no servers")
    tags = {tag["name"] for tag in document.get("tags", []) if tag.get("description")}
    schemes = set(document.get("components", {}).get("securitySchemes", {}))
    ids: Counter[str] = Counter()
    for path, item in document.get("paths", {}).items():
        declared_in_path = set(re.findall(r"\{([^}]+)\}", path))
        for method, operation in item.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            name = operation.get("operationId")
            if not name:
                problems.append(f"operation-operationId: {where} has none")
            else:
                ids[name] += 1
                if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", name):
                    problems.append(f"operationId-snake-case: {where} is {name!r}")
            if not operation.get("summary"):
                problems.append(f"operation-summary: {where} has none")
            for tag in operation.get("tags", []) or ["(none)"]:
                if tag not in tags:
                    problems.append(f"operation-tag-defined: {where} tag {tag!r}")
            parameters = operation.get("parameters", []) + item.get("parameters", [])
            in_path = {p["name"] for p in parameters if p.get("in") == "path"}
            if in_path != declared_in_path:
                problems.append(f"path-parameters-defined: {where}: {in_path} ≠ {declared_in_path}")
            keys = Counter((p["name"], p["in"]) for p in parameters)
            if any(n > 1 for n in keys.values()):
                problems.append(f"operation-parameters-unique: {where}")
            statuses = set(operation.get("responses", {}))
            if not any(s.startswith("2") for s in statuses):
                problems.append(f"operation-2xx-response: {where}")
            if not any(s.startswith("4") for s in statuses) and path.startswith("/api/"):
                problems.append(f"operation-4xx-response: {where}")
            if "security" not in operation and "security" not in document:
                problems.append(f"security-defined: {where} states no security (public: [])")
            for requirement in operation.get("security", []):
                for scheme in requirement:
                    if scheme not in schemes:
                        problems.append(f"security-defined: {where} uses {scheme!r}")
    problems += [f"operation-operationId-unique: {n!r} {c} times" for n, c in ids.items() if c > 1]
    problems += _references(document)
    return problems


def _references(document: dict[str, Any]) -> list[str]:
    """Every ``$ref`` resolves, and every schema is used."""
    problems: list[str] = []
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                found.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for reference in sorted(found):
        node: Any = document
        for part in reference.removeprefix("#/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            problems.append(f"no-unresolved-refs: {reference}")
    schemas = document.get("components", {}).get("schemas", {})
    used = {ref.rsplit("/", 1)[-1] for ref in found}
    problems += [f"no-unused-components: {name}" for name in schemas if name not in used]
    return problems


def test_the_api_document_is_valid_openapi_and_lints_clean() -> None:
    document = create_app().openapi()
    validate(document)  # raises on any error of the OpenAPI 3.1 schema
    assert lint(document) == []


def test_the_lint_finds_what_it_looks_for() -> None:
    document = create_app().openapi()
    operation = document["paths"]["/api/v1/shipments"]["get"]
    operation["operationId"] = "list_shipments_api_v1_shipments_get"
    document["paths"]["/api/v1/shipments"]["post"]["operationId"] = "listShipments"
    del operation["summary"]
    document["components"]["schemas"]["Orphan"] = {"type": "object"}
    del document["info"]["license"]
    del document["paths"]["/healthz"]["get"]["security"]
    found = {problem.split(":")[0] for problem in lint(document)}
    assert found == {
        "operationId-snake-case",
        "operation-summary",
        "no-unused-components",
        "info-license",
        "security-defined",
    }
