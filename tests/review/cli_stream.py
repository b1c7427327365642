"""Engine-event streams in the Pulumi CLI's format, built field by field from Pulumi's published types, not
from our engine's output: `sdk/go/common/apitype/events.go` (EngineEvent, StepEventMetadata,
StepEventStateMetadata, PropertyDiff, PolicyEvent, DiagnosticEvent, SummaryEvent, with their JSON tags and
omitempty rules) and `sdk/go/common/apitype/property-values.json` (secrets, unknowns), against which every
property value is validated when `../shared/api` is there.

A replacement is written as the CLI's step generator plans it: a `create-replacement` step, the logical
`replace` step, then `delete-replaced` of the old copy (`delete: true`). A secret is what the CLI's event log
holds (`stack.SerializeProperties` with the blinding crypter): the secret signature with `ciphertext:
"[secret]"`; `decrypted_secret` gives the schema's other form, carrying a plaintext, to prove the review
never shows one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROPERTY_SCHEMA = (
    Path(__file__).resolve().parents[3] / "shared" / "api" / "pulumi-schemas" / "property-values.json"
)

# JSON names of each event's fields (events.go).
EVENT_FIELDS = {
    "cancelEvent": set(),
    "diagnosticEvent": {"urn", "prefix", "message", "color", "severity", "streamID", "ephemeral"},
    "policyEvent": {
        "resourceUrn", "message", "color", "policyName", "policyPackName", "policyPackVersion",
        "policyPackVersionTag", "enforcementLevel",
    },
    "preludeEvent": {"config"},
    "summaryEvent": {"maybeCorrupt", "durationSeconds", "resourceChanges", "PolicyPacks", "isPreview"},
    "resourcePreEvent": {"metadata", "planning"},
    "resOutputsEvent": {"metadata", "planning"},
    "resOpFailedEvent": {"metadata", "status", "steps"},
}  # fmt: skip
STEP_FIELDS = {"op", "urn", "type", "old", "new", "keys", "diffs", "detailedDiff", "logical", "provider"}
STATE_FIELDS = {
    "type", "urn", "custom", "delete", "id", "parent", "protect", "taint", "retainOnDelete", "inputs",
    "outputs", "provider", "initErrors",
}  # fmt: skip
PROVIDER = (
    "urn:pulumi:prod::platform::pulumi:providers:pulumi-python::default::2c5c5e1e-5b5b-4a5e-9d0c-1f2e3d4c5b6a"
)


def secret() -> dict[str, str]:
    return {SIG: SECRET_SIG, "ciphertext": "[secret]"}


def decrypted_secret(value: Any) -> dict[str, str]:
    return {SIG: SECRET_SIG, "plaintext": json.dumps(value)}


def urn(parent_type: str, type_: str, name: str, stack: str = "prod") -> str:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{stack}::platform::{qualified}::{name}"


class Stream:
    """An event log being written: one `apitype.EngineEvent` a line, one sequence."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def _add(self, kind: str, payload: dict[str, Any]) -> None:
        assert set(payload) <= EVENT_FIELDS[kind], (kind, sorted(set(payload) - EVENT_FIELDS[kind]))
        self.events.append(
            {"sequence": len(self.events), "timestamp": 1764580000 + len(self.events), kind: payload}
        )

    def text(self) -> str:
        return "".join(json.dumps(event) + "\n" for event in self.events)

    # -- events --------------------------------------------------------------------------------------
    def prelude(self, config: dict[str, str]) -> None:
        self._add("preludeEvent", {"config": config})

    def step(
        self,
        op: str,
        urn_: str,
        type_: str,
        *,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        keys: list[str] | None = None,
        diffs: list[str] | None = None,
        detailed: dict[str, str] | None = None,
        logical: bool = True,
    ) -> None:
        """A step's pre event and its outputs event, as in a preview (planning)."""
        metadata: dict[str, Any] = {"op": op, "urn": urn_, "type": type_, "old": old, "new": new}
        if keys:
            metadata["keys"] = keys
        if diffs:
            metadata["diffs"] = diffs
        metadata["detailedDiff"] = (
            {path: {"diffKind": kind, "inputDiff": True} for path, kind in detailed.items()}
            if detailed
            else None
        )
        if logical:
            metadata["logical"] = True
        metadata["provider"] = PROVIDER if type_.startswith("pulumi-python:") else ""
        assert set(metadata) <= STEP_FIELDS
        self._add("resourcePreEvent", {"metadata": metadata, "planning": True})
        self._add("resOutputsEvent", {"metadata": metadata, "planning": True})

    def replacement(
        self, urn_: str, type_: str, old: dict[str, Any], new: dict[str, Any], keys: list[str]
    ) -> None:
        diffs = sorted(
            k for k in set(old["inputs"]) | set(new["inputs"]) if old["inputs"].get(k) != new["inputs"].get(k)
        )
        self.step("create-replacement", urn_, type_, old=old, new=new, keys=keys, diffs=diffs, logical=False)
        self.step("replace", urn_, type_, old=old, new=new, keys=keys, diffs=diffs)
        self.step("delete-replaced", urn_, type_, old={**old, "delete": True}, logical=False)

    def diagnostic(self, severity: str, message: str, urn_: str = "") -> None:
        payload: dict[str, Any] = {}
        if urn_:
            payload["urn"] = urn_
        payload.update({"prefix": f"{severity}: ", "message": message, "color": "raw", "severity": severity})
        self._add("diagnosticEvent", payload)

    def policy(self, level: str, policy: str, urn_: str, message: str) -> None:
        payload: dict[str, Any] = {"resourceUrn": urn_} if urn_ else {}
        payload.update(
            {
                "message": message,
                "color": "raw",
                "policyName": policy,
                "policyPackName": "platform-policy",
                "policyPackVersion": "0.1.0",
                "policyPackVersionTag": "0.1.0",
                "enforcementLevel": level,
            }
        )
        self._add("policyEvent", payload)

    def summary(self, changes: dict[str, int]) -> None:
        self._add(
            "summaryEvent",
            {
                "maybeCorrupt": False,
                "durationSeconds": 3,
                "resourceChanges": changes,
                "PolicyPacks": {"platform-policy": "v0.1.0"},
                "isPreview": True,
            },
        )
        self._add("cancelEvent", {})


def state(urn_: str, type_: str, inputs: dict[str, Any], *, outputs: dict[str, Any] | None = None,
          id_: str = "", protect: bool = False, parent: str = "") -> dict[str, Any]:  # fmt: skip
    """`StepEventStateMetadata`, omitempty fields left out when empty."""
    out: dict[str, Any] = {"type": type_, "urn": urn_, "custom": True, "id": id_, "parent": parent}
    if protect:
        out["protect"] = True
    out["inputs"] = inputs
    out["outputs"] = outputs if outputs is not None else {**inputs, "__provider": secret()}
    out["provider"] = PROVIDER
    assert set(out) <= STATE_FIELDS
    return out


def property_values(stream: Stream) -> list[Any]:
    """Every inputs/outputs value in the stream (for validation against property-values.json)."""
    values = []
    for event in stream.events:
        for kind in ("resourcePreEvent", "resOutputsEvent"):
            metadata = event.get(kind, {}).get("metadata")
            for side in ("old", "new") if metadata else ():
                if metadata[side]:
                    values += list(metadata[side]["inputs"].values()) + list(
                        metadata[side]["outputs"].values()
                    )
    return values


# -- the prod scenario ----------------------------------------------------------------------------------
STACK_URN = "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod"
NEON = "pulumi-python:dynamic/neon:Project"
SERVICE = "pulumi-python:dynamic/railway:Service"
INSTANCE = "pulumi-python:dynamic/railway:ServiceInstance"
VOLUME = "pulumi-python:dynamic/railway:Volume"
DATABASE_URN = urn("platform:components:Database", NEON, "database-project")
REDIS_URN = urn("platform:components:RedisCache", SERVICE, "redis-service")
VOLUME_URN = urn("platform:components:RedisCache", VOLUME, "redis-volume")
WEB_INSTANCE_URN = urn("platform:components:WebService", INSTANCE, "web-instance")
LEAKED = "postgres://app:s3cr3t-Value-xyz@ep-db.neon.tech/app"


def prod_stream(
    *, region_change: bool = True, redis_delete: bool = True, replicas: int = 2, violation: bool = True
) -> Stream:
    """A prod preview as the CLI would log it: the Neon project replaced for a new region (protect off),
    the Redis service deleted, the web service's replicas set, a protected volume's replacement refused,
    a mandatory policy violation; secrets blinded, and one decrypted (the review must not show it)."""
    s = Stream()
    s.prelude({"platform:app": "acme", "neon:apiKey": "[secret]"})
    stack = {"type": "pulumi:pulumi:Stack", "urn": STACK_URN, "id": "", "parent": "", "inputs": {}}
    stack["outputs"] = {"databaseUrl": secret()}
    stack["provider"] = ""
    s.step("same", STACK_URN, "pulumi:pulumi:Stack", old=stack, new=stack)
    database = {"name": "acme-prod", "region_id": "aws-us-west-2", "pg_version": 17}
    database["history_retention_seconds"] = 2592000
    db_outputs = {
        **database,
        "connection_uri": decrypted_secret(LEAKED),
        "password": secret(),
        "__provider": secret(),
    }
    old_db = state(DATABASE_URN, NEON, database, outputs=db_outputs, id_="proj-1", protect=True)
    if region_change:
        new_inputs = {**database, "region_id": "aws-us-east-2"}
        new_db = state(DATABASE_URN, NEON, new_inputs, outputs={**new_inputs, "connection_uri": UNKNOWN})
        s.replacement(DATABASE_URN, NEON, old_db, new_db, ["region_id"])
    else:
        s.step("same", DATABASE_URN, NEON, old=old_db, new=old_db)
    old_instance = state(WEB_INSTANCE_URN, INSTANCE, {"service_id": "svc-web", "replicas": 2,
                         "healthcheck_path": "/api/health"}, id_="svc-web:env-1")  # fmt: skip
    new_instance = state(WEB_INSTANCE_URN, INSTANCE, {"service_id": "svc-web", "replicas": replicas,
                         "healthcheck_path": "/api/health"})  # fmt: skip
    if replicas != 2:
        s.step("update", WEB_INSTANCE_URN, INSTANCE, old=old_instance, new=new_instance, diffs=["replicas"])
    else:
        s.step("same", WEB_INSTANCE_URN, INSTANCE, old=old_instance, new=old_instance)
    if redis_delete:
        redis = state(
            REDIS_URN, SERVICE, {"name": "redis", "image": "redis:7", "variables": secret()}, id_="svc-r"
        )
        s.step("delete", REDIS_URN, SERVICE, old=redis)
        s.diagnostic(
            "error",
            f'unable to replace resource "{VOLUME_URN}"\nas it is currently marked for protection. '
            "To unprotect the resource, remove the `protect` flag from the resource in your Pulumi "
            "program and run `pulumi up`\n",
            VOLUME_URN,
        )
    if violation:
        s.policy(
            "mandatory",
            "neon-history-retention",
            DATABASE_URN,
            "Production keeps 30 days of history.\nSet it.",
        )
    s.summary(
        {"same": 20, "replace": int(region_change), "delete": int(redis_delete), "update": int(replicas != 2)}
    )
    return s
