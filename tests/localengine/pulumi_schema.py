"""Pulumi's published deployment schemas (`../shared/api/pulumi-schemas/`, read from there), as the CLI's
`stack import` applies them, plus what Pulumi checks beyond the schema (magic cookie, ordering)."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

from tests.conftest import SHARED_API

SCHEMAS = SHARED_API / "pulumi-schemas"
DEPLOYMENT_ID = "https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/deployments.json"

# resources.json lags `apitype.ResourceV3` (SOURCE.txt): these fields the Go type has, typed as in core.go.
RESOURCE_V3_EXTRA = {
    "retainOnDelete": {"type": "boolean"},
    "deletedWith": {"type": "string"},
    "created": {"type": "string", "format": "date-time"},
    "modified": {"type": "string", "format": "date-time"},
    "sourcePosition": {"type": "string"},
    "ignoreChanges": {"type": "array", "items": {"type": "string"}},
    "replaceOnChanges": {"type": "array", "items": {"type": "string"}},
}


@cache
def _validator() -> jsonschema.Draft202012Validator:
    names = ("deployments.json", "resources.json", "property-values.json")
    documents = {name: json.loads((SCHEMAS / name).read_text()) for name in names}
    resources = copy.deepcopy(documents["resources.json"])
    resources["$defs"]["resourceV3"]["properties"].update(RESOURCE_V3_EXTRA)
    documents["resources.json"] = resources
    registry: Registry = Registry()
    for document in documents.values():
        registry = registry.with_resource(document["$id"], Resource.from_contents(document))
    return jsonschema.Draft202012Validator(documents["deployments.json"], registry=registry)


def deployment_problems(export: dict[str, Any]) -> list[str]:
    """Every way `export` ({"version": 3, "deployment": ...}) fails Pulumi's schema or integrity rules."""
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(export)
    ]
    deployment = export.get("deployment") or {}
    manifest = deployment.get("manifest") or {}
    if manifest.get("magic") != hashlib.sha256(str(manifest.get("version", "")).encode()).hexdigest():
        problems.append("magic cookie is not the SHA-256 of the manifest's version")
    seen: set[str] = set()
    for resource in deployment.get("resources") or []:
        refs = [resource.get("parent"), *(resource.get("dependencies") or [])]
        if resource.get("provider"):
            refs.append(resource["provider"].rsplit("::", 1)[0])
        problems += [
            f"{resource['urn']} refers to {ref} before it" for ref in refs if ref and ref not in seen
        ]
        seen.add(resource["urn"])
    return problems


def shared_schemas_present() -> bool:
    return (SCHEMAS / "deployments.json").is_file()
