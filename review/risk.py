"""What in a plan is destructive and what is risky, with the reasons a reviewer needs.

Destructive: a replace or delete of an object that holds data (Neon project, branch, database or role;
Supabase project; Railway volume; a Railway service running Postgres or Redis), and in a production
stack any delete. A policy pack cannot say this: a policy never sees the operation.
Risky: `protect` removed, replicas lowered, a region changed, backups or history shortened, a health
check removed, a variable removed, a secret value becoming plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from review.events import PROVIDER_PREFIX, SECRET, STACK_TYPE, UNKNOWN, Change, Plan, ResourceSide

# (vendor, kind) -> what the object is, for the objects that hold data.
STATEFUL_KINDS = {
    ("neon", "Project"): "Neon project",
    ("neon", "Branch"): "Neon branch",
    ("neon", "Database"): "Neon database",
    ("neon", "Role"): "Neon role",
    ("supabase", "Project"): "Supabase project",
    ("railway", "Volume"): "Railway volume",
}
_DATA_IMAGES = (("postgres", "Railway Postgres service"), ("redis", "Railway Redis service"))
STATEFUL_LABELS = set(STATEFUL_KINDS.values()) | {label for _, label in _DATA_IMAGES}
_PRODUCTION = re.compile(r"(^|[-_.])(prod|production)($|[-_.])")

REPLICA_KEYS = {"replicas", "numReplicas", "num_replicas"}
REGION_KEYS = {"region", "region_id", "regionId"}
HEALTHCHECK_KEYS = {"healthcheck_path", "healthcheckPath", "healthcheck"}
RETENTION_KEYS = {
    "history_retention_seconds",
    "historyRetentionSeconds",
    "pitr_days",
    "pitrDays",
    "retention",
    "retention_days",
    "backup_retention_days",
}
SCHEDULE_KEYS = {"backup_schedules", "backupSchedules"}
VARIABLE_KEYS = {"variables", "env"}

Path = tuple[str | int, ...]


@dataclass
class Finding:
    """One destructive or risky change of one resource."""

    urn: str
    type: str
    kind: str  # what the object is (e.g. "Neon project") or its type token
    op: str
    reasons: list[str] = field(default_factory=list)
    protected: bool | None = None  # destructive only: whether `protect` stops it

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


def vendor_and_kind(type_: str) -> tuple[str, str]:
    """`pulumi-python:dynamic/neon:Project` -> (neon, Project); `neon:index:Project` -> (neon, Project)."""
    parts = type_.split(":")
    if len(parts) < 3:
        return "", type_
    package, module, kind = parts[0], parts[1], parts[-1]
    vendor = module.rsplit("/", 1)[-1] if package == "pulumi-python" else package
    return vendor, kind


def stateful_kind(type_: str, side: ResourceSide | None) -> str | None:
    vendor, kind = vendor_and_kind(type_)
    if (vendor, kind) in STATEFUL_KINDS:
        return STATEFUL_KINDS[(vendor, kind)]
    if (vendor, kind) == ("railway", "Service") and side is not None:
        image = side.inputs.get("image") or side.outputs.get("image")
        if isinstance(image, str):
            repository = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0].lower()
            for word, label in _DATA_IMAGES:
                if word in repository:
                    return label
    return None


def is_production(stack: str) -> bool:
    return bool(_PRODUCTION.search(stack.lower()))


def short_type(type_: str) -> str:
    vendor, kind = vendor_and_kind(type_)
    return f"{vendor}:{kind}" if vendor else type_


def fmt(value: Any, limit: int = 120) -> str:
    """A value for a reviewer: JSON-ish, secrets `[secret]`, unknowns `[unknown]`, long values cut."""
    if value is SECRET or value is UNKNOWN:
        return repr(value)
    if value is None:
        return "(unset)"
    text = _render(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _render(value: Any) -> str:
    if value is SECRET or value is UNKNOWN:
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}": {_render(v)}' for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def path_text(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            text += ("." if text else "") + part
        else:
            text += f'["{part}"]'
    return text


def _get(props: dict[str, Any], path: Path) -> Any:
    value: Any = props
    for part in path:
        if value is SECRET:
            return SECRET  # inside a secret: nothing below it is visible
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def leaf_paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Paths to every leaf: dicts and lists are walked (so a diff shows the element that changed), secrets
    and scalars are leaves."""
    if isinstance(value, dict) and value:
        for key in value:
            if not prefix and str(key).startswith("__"):
                continue  # __provider and other engine-internal fields
            yield from leaf_paths(value[key], (*prefix, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*prefix, index))
    else:
        yield prefix


def compared_props(change: Change) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two property maps a reviewer compares: inputs, or outputs when only outputs moved (drift)."""
    old = change.old.inputs if change.old else {}
    new = change.new.inputs if change.new else {}
    if change.old and change.new and _strip(old) == _strip(new) and change.old.outputs != change.new.outputs:
        return change.old.outputs, change.new.outputs
    return old, new


def _strip(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


@dataclass
class PropertyChange:
    path: Path
    old: Any
    new: Any
    kind: str  # add, delete, update
    became_plain: bool = False  # was secret, is plain now (the new value is hidden all the same)

    @property
    def text(self) -> str:
        return path_text(self.path)


def property_changes(change: Change) -> list[PropertyChange]:
    """Changed leaves between the compared maps. A secret that stayed secret shows only when the engine
    says its key changed; a value that was secret stays hidden even when it becomes plain."""
    old, new = compared_props(change)
    if change.op == "create":
        return [PropertyChange(p, None, _get(new, p), "add") for p in leaf_paths(new) if p]
    if change.op in ("delete", "delete-replaced"):
        return [PropertyChange(p, _get(old, p), None, "delete") for p in leaf_paths(old) if p]
    paths: list[Path] = []
    for p in [*leaf_paths(old), *leaf_paths(new)]:
        if p and p not in paths:
            paths.append(p)
    changed_keys = (
        set(change.diff_keys)
        | set(change.replace_keys)
        | {re.split(r"[.\[]", k, maxsplit=1)[0] for k in change.detailed_diff}
    )
    found = []
    for p in paths:
        before, after = _get(old, p), _get(new, p)
        if before is SECRET and after is SECRET:
            if str(p[0]) in changed_keys:
                found.append(PropertyChange(p, SECRET, SECRET, "update"))
            continue
        if before == after:
            continue
        became_plain = before is SECRET and after is not UNKNOWN and after is not None
        if became_plain:
            after = SECRET  # the new value was a secret a moment ago: never shown
        kind = "add" if before is None else "delete" if after is None else "update"
        found.append(PropertyChange(p, before, after, kind, became_plain))
    return found


# -- destructive -----------------------------------------------------------------------------------------
def destructive(plan: Plan, stack: str, production: bool | None = None) -> list[Finding]:
    prod = is_production(stack) if production is None else production
    found: list[Finding] = []
    for change in plan.changes:
        if change.op not in ("replace", "delete") or _internal(change.type):
            continue
        side = change.old or change.new
        if side is not None and not side.custom:
            continue  # a component: deleting it deletes nothing at a vendor
        kind = stateful_kind(change.type, change.old or change.new)
        if kind is None and not (change.op == "delete" and prod):
            continue
        finding = Finding(change.urn, change.type, kind or short_type(change.type), change.op)
        if change.op == "replace":
            finding.reasons = replace_reasons(change)
            finding.protected = bool(change.old and change.old.protect and change.new and change.new.protect)
        else:
            finding.reasons = [
                "the vendor no longer has it (found by refresh)"
                if plan.refresh
                else "the program no longer declares it"
            ]
            if kind is None:
                finding.reasons.append("any delete in a production stack")
            finding.protected = bool(change.old and change.old.protect)
        if kind is not None:
            finding.reasons.append(f"the {kind}'s data goes with it")
        found.append(finding)
    found.extend(_refused_by_protect(plan, {f.urn for f in found}))
    # What holds data first; otherwise in the engine's order.
    return sorted(found, key=lambda f: f.kind not in STATEFUL_LABELS)


def replace_reasons(change: Change) -> list[str]:
    """The fields that force the replacement, each with its old and new value."""
    keys = list(change.replace_keys)
    keys += [p for p, kind in change.detailed_diff.items() if kind.endswith("-replace") and p not in keys]
    if not keys:
        return ["the provider did not say which fields force it"]
    old, new = compared_props(change)
    reasons = []
    for key in keys:
        path: Path = tuple(part for part in re.split(r"[.\[\]]+", key) if part)
        before, after = _get(old, path), _get(new, path)
        if before is SECRET and after is not UNKNOWN:
            after = SECRET
        reasons.append(f"`{key}`: {fmt(before)} → {fmt(after)}")
    return reasons


_REFUSED = re.compile(
    r"unable to (replace|delete) resource|cannot be deleted|marked for protection|protected"
)
_URN_IN_TEXT = re.compile(r'"(urn:pulumi:[^"]+)"')


def _refused_by_protect(plan: Plan, already: set[str]) -> list[Finding]:
    """A protected replace or delete never becomes a step: the engine refuses it with an error. The review
    still names it (stopped by protect)."""
    found = []
    for diagnostic in plan.diagnostics:
        if diagnostic.severity != "error" or not _REFUSED.search(diagnostic.message):
            continue
        match = _URN_IN_TEXT.search(diagnostic.message)
        urn = diagnostic.urn or (match.group(1) if match else "")
        if not urn or urn in already:
            continue
        already.add(urn)
        type_ = urn.split("::")[2].rsplit("$", 1)[-1] if urn.count("::") >= 3 else ""
        op = "replace" if "unable to replace" in diagnostic.message else "delete"
        kind = stateful_kind(type_, None) or short_type(type_)
        reason = (
            f"the engine refuses to {op} it while it is protected (it does not say which fields force it)"
        )
        found.append(Finding(urn, type_, kind, op, [reason], protected=True))
    return found


def _internal(type_: str) -> bool:
    return type_ == STACK_TYPE or type_.startswith(PROVIDER_PREFIX)


# -- risky -----------------------------------------------------------------------------------------------
def risky(plan: Plan) -> list[Finding]:
    found: list[Finding] = []
    for change in plan.changes:
        if change.old is None or change.new is None or _internal(change.type):
            continue
        reasons = []
        if change.old.protect and not change.new.protect:
            reasons.append("`protect` removed: nothing stops a later replace or delete")
        for pc in property_changes(change):
            reason = _risky_property(pc)
            if reason:
                reasons.append(reason)
        reasons += _removed_variables(change)
        if reasons:
            found.append(Finding(change.urn, change.type, short_type(change.type), change.op, reasons))
    return found


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _risky_property(pc: PropertyChange) -> str | None:
    key = str(next((p for p in reversed(pc.path) if isinstance(p, str)), ""))
    top = str(pc.path[0])
    before, after = pc.old, pc.new
    if pc.became_plain:
        return f"`{pc.text}` was secret and becomes plain text"
    if pc.old is SECRET or pc.new is SECRET:
        return None
    if key in REPLICA_KEYS or top == "regions":
        old_n, new_n = _number(before), _number(after)
        if old_n is not None and (new_n is None or new_n < old_n):
            return f"replicas lowered: `{pc.text}` {fmt(before)} → {fmt(after)}"
    if key in REGION_KEYS and before is not None and after is not UNKNOWN and before != after:
        return f"region changed: `{pc.text}` {fmt(before)} → {fmt(after)}"
    if key in RETENTION_KEYS:
        old_n, new_n = _number(before), _number(after)
        if old_n is not None and old_n > 0 and (new_n is None or 0 <= new_n < old_n):
            return f"backups or history shortened: `{pc.text}` {fmt(before)} → {fmt(after)}"
    if key in SCHEDULE_KEYS or (len(pc.path) >= 1 and top in SCHEDULE_KEYS):
        lost = _lost_items(before, after)
        if lost:
            return f"backup schedule removed: `{top}` loses {', '.join(fmt(x) for x in lost)}"
    if key in HEALTHCHECK_KEYS and before not in (None, "") and after in (None, ""):
        return f"health check removed: `{pc.text}` was {fmt(before)}"
    return None


def _lost_items(before: Any, after: Any) -> list[Any]:
    if not isinstance(before, list):
        return []
    kept = after if isinstance(after, list) else []
    return [item for item in before if item not in kept]


def _removed_variables(change: Change) -> list[str]:
    """Variables gone from a visible variables map, or reported deleted by the provider's detailed diff.
    (A map that is secret as a whole shows no names; only its change is visible.)"""
    assert change.old is not None and change.new is not None
    reasons = []
    for key in VARIABLE_KEYS:
        before, after = change.old.inputs.get(key), change.new.inputs.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            gone = [name for name in before if name not in after]
            if gone:
                reasons.append("variable removed: " + ", ".join(f"`{name}`" for name in gone))
    for path, kind in change.detailed_diff.items():
        head = re.split(r"[.\[]", path, maxsplit=1)[0]
        if head in VARIABLE_KEYS and kind.startswith("delete") and path != head:
            name = path[len(head) :].strip(".[]\"'")
            line = f"variable removed: `{name}`"
            if not any(name in r for r in reasons):
                reasons.append(line)
    return reasons
