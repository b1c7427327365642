"""The review of one stack: a verdict first, then what is destructive, what is risky, the policy
violations, and each changed resource's diff; as pull-request markdown or as JSON.

The markdown fits in `max_chars` (GitHub refuses comments over 65536 characters): resource diffs are
left out first, then risky findings and violations; the verdict, the errors and the destructive section
are never cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from review.events import SECRET, UNKNOWN, Change, Plan, PolicyViolation
from review.risk import Finding, destructive, fmt, is_production, property_changes, risky, short_type

DEFAULT_MAX_CHARS = 60000
FAIL_CLASSES = ("destructive", "violations", "risky")
# Logical operations in the order the counts show them, with the CLI's symbols.
OP_ORDER = [
    ("create", "+", "to create"),
    ("update", "~", "to update"),
    ("replace", "+-", "to replace"),
    ("delete", "-", "to delete"),
    ("delete-replaced", "--", "old copies to delete"),
    ("read", ">", "to read"),
    ("import", "=", "to import"),
]
CHANGE_OPS = {op for op, _, _ in OP_ORDER}


def marker(project: str, stack: str) -> str:
    """The hidden line a workflow finds its own comment by."""
    return f"<!-- pulumi-review project={project} stack={stack} -->"


@dataclass
class Review:
    project: str
    stack: str
    production: bool
    counts: dict[str, int]
    unchanged: int
    destructive: list[Finding] = field(default_factory=list)
    risky: list[Finding] = field(default_factory=list)
    violations: list[PolicyViolation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    source: str = "events"
    refresh: bool = False

    @property
    def verdict(self) -> str:
        if self.destructive:
            return "destructive"
        if self.errors:
            return "failed"
        if any(v.level == "mandatory" for v in self.violations):
            return "violations"
        if self.risky:
            return "risky"
        if self.violations:
            return "violations"
        return "changes" if self.counts else "no-changes"

    def present(self, fail_class: str) -> bool:
        return bool(
            {"destructive": self.destructive, "violations": self.violations, "risky": self.risky}[fail_class]
        )


def build(plan: Plan, *, project: str = "", stack: str = "", production: bool | None = None) -> Review:
    found_project, found_stack = plan.project_and_stack()
    project, stack = project or found_project or "project", stack or found_stack or "stack"
    counts: dict[str, int] = {}
    unchanged = 0
    changed: list[Change] = []
    for change in plan.changes:
        if change.type.startswith("pulumi:providers:"):
            continue
        if change.op not in ("same", "refresh"):
            counts[change.op] = counts.get(change.op, 0) + 1
            changed.append(change)
        else:
            unchanged += 1
    prod = is_production(stack) if production is None else production
    return Review(
        project=project,
        stack=stack,
        production=prod,
        counts=counts,
        unchanged=unchanged,
        destructive=destructive(plan, stack, prod),
        risky=risky(plan),
        violations=list(plan.violations),
        errors=[d.message for d in plan.diagnostics if d.severity == "error"],
        changes=changed,
        source=plan.source,
        refresh=plan.refresh,
    )


# -- markdown --------------------------------------------------------------------------------------------
_HEADLINES = {
    "destructive": "🛑 Destructive",
    "failed": "❌ Failed",
    "violations": "🚫 Policy violations",
    "risky": "⚠️ Risky",
    "changes": "✅ Safe",
    "no-changes": "✅ No changes",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict_line(review: Review) -> str:
    where = f"`{review.project}/{review.stack}`"
    what = "refresh" if review.refresh else "preview"
    if review.verdict == "no-changes":
        return (
            f"**{_HEADLINES['no-changes']}**: {where} {what} finds nothing to change "
            f"({review.unchanged} unchanged)."
        )
    parts = [
        _plural(len(review.destructive), "destructive change"),
        _plural(len(review.risky), "risky change"),
        _plural(len(review.violations), "policy violation"),
    ]
    if review.errors:
        parts.append(_plural(len(review.errors), "error"))
    ops = [
        f"`{symbol}` {review.counts[op]} {label}" for op, symbol, label in OP_ORDER if review.counts.get(op)
    ]
    ops += [f"{n} {op}" for op, n in review.counts.items() if op not in CHANGE_OPS]
    ops.append(f"{review.unchanged} unchanged")
    return f"**{_HEADLINES[review.verdict]}**: {where} {what}: {', '.join(parts)} · {' · '.join(ops)}"


def _md(text: str) -> str:
    """Text safe inside a table cell or list item."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _destructive_section(review: Review) -> list[str]:
    if not review.destructive:
        return []
    lines = ["", "### Destructive changes", ""]
    for f in review.destructive:
        if f.protected:
            guard = "**protect stops it**: the engine refuses, the run fails until protect is removed"
        else:
            guard = "**protect is off**: nothing stops it"
        lines.append(f"- **{f.op}** `{f.name}` ({_md(f.kind)}); {guard}")
        lines += [f"  - {_md(reason)}" for reason in f.reasons]
    return lines


def _risky_lines(review: Review) -> list[str]:
    return [
        f"- `{f.name}` ({_md(f.kind)}, {f.op}): " + "; ".join(_md(r) for r in f.reasons) for f in review.risky
    ]


def _resource_cell(urn: str) -> str:
    return f"`{urn.rsplit('::', 1)[-1]}`" if urn else "(stack)"


def _violation_lines(review: Review) -> list[str]:
    return [
        f"| {v.level} | `{_md(v.policy)}` | {_resource_cell(v.urn)} | {_md(v.message)} |"
        for v in review.violations
    ]


VIOLATIONS_HEADER = "| level | policy | resource | message |\n|---|---|---|---|\n"


def _left_out(what: str, *, table: bool) -> Callable[[int], str]:
    def note(n: int) -> str:
        text = f"… {n} more {what} left out (comment size limit)"
        return f"| … | | | {text} |" if table else f"- {text}"

    return note


def _diff_block(change: Change) -> str:
    symbol = {op: s for op, s, _ in OP_ORDER}.get(change.op, "~")
    pcs = property_changes(change)
    keys = sorted({pc.text.split(".")[0].split("[")[0] for pc in pcs})
    summary_keys = (": " + ", ".join(keys[:6]) + (", …" if len(keys) > 6 else "")) if keys else ""
    lines = [
        f"<details><summary><code>{symbol}</code> {change.op} <code>{_md(change.name)}</code> "
        f"({_md(short_type(change.type))}){_md(summary_keys)}</summary>",
        "",
        "```diff",
    ]
    if not pcs:
        lines.append("  (no property changes reported)")
    for pc in pcs:
        if pc.kind == "add":
            lines.append(f"+ {pc.text}: {_code(fmt(pc.new))}")
        elif pc.kind == "delete":
            lines.append(f"- {pc.text}: {_code(fmt(pc.old))}")
        else:
            lines.append(f"~ {pc.text}: {_code(fmt(pc.old))} → {_code(fmt(pc.new))}")
    lines += ["```", "", "</details>"]
    return "\n".join(lines)


def _has_diff(change: Change) -> bool:
    """Components and the stack carry no properties of their own: counted, but no diff block."""
    side = change.new or change.old
    return bool(side is None or side.custom or property_changes(change))


def _code(text: str) -> str:
    return text.replace("```", "` ` `")  # a value cannot close the code block


def _fit(items: list[str], budget: int, note: Callable[[int], str]) -> tuple[list[str], int]:
    """All of `items` when they fit in `budget` characters (one newline each); otherwise as many as fit
    with `note(left_out)` after them."""
    total = sum(len(item) + 1 for item in items)
    if total <= budget:
        return list(items), total
    reserve = len(note(len(items))) + 1
    kept: list[str] = []
    used = 0
    for item in items:
        if used + len(item) + 1 + reserve > budget:
            break
        kept.append(item)
        used += len(item) + 1
    kept.append(note(len(items) - len(kept)))
    return kept, used + len(kept[-1]) + 1


def markdown(review: Review, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    head = [marker(review.project, review.stack), verdict_line(review)]
    if review.verdict == "no-changes" and not review.errors:
        return "\n".join(head) + "\n"
    if review.errors:
        head += ["", "### Errors", ""] + [f"- {_md(e)}" for e in review.errors]
    head += _destructive_section(review)
    text = "\n".join(head)
    budget = max_chars - len(text) - 1
    for title, lines, what, prefix in (
        ("Risky changes", _risky_lines(review), "risky changes", ""),
        ("Policy violations", _violation_lines(review), "violations", VIOLATIONS_HEADER),
    ):
        if not lines:
            continue
        section = f"\n\n### {title}\n\n{prefix}"
        if len(section) + 200 >= budget:
            break
        kept, used = _fit(lines, budget - len(section), _left_out(what, table=bool(prefix)))
        text += section + "\n".join(kept)
        budget -= len(section) + used
    if review.source == "preview-json":
        note = (
            "\n\n_Read from `preview --json`, which carries no policy results; use the event log for them._"
        )
        if len(note) < budget:
            text += note
            budget -= len(note)
    blocks = [_diff_block(c) for c in review.changes if _has_diff(c)]
    title = "\n\n### Changes by resource\n\n"
    if blocks and len(title) + 200 < budget:
        kept, _ = _fit(
            blocks,
            budget - len(title),
            lambda n: (
                f"_{_plural(n, 'more resource diff')} left out to stay under {max_chars} characters; "
                "`pulumi preview --diff` shows them all._"
            ),
        )
        text += title + "\n".join(kept)
    return text + "\n"


# -- JSON ------------------------------------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    if value is SECRET or value is UNKNOWN:
        return repr(value)
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _finding(f: Finding, destructive_finding: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"urn": f.urn, "name": f.name, "type": f.type, "kind": f.kind, "op": f.op}
    data["reasons"] = f.reasons
    if destructive_finding:
        data["protectStops"] = bool(f.protected)
    return data


def as_json(review: Review) -> str:
    document = {
        "marker": marker(review.project, review.stack),
        "project": review.project,
        "stack": review.stack,
        "production": review.production,
        "verdict": review.verdict,
        "summary": verdict_line(review),
        "counts": {**review.counts, "same": review.unchanged},
        "destructive": [_finding(f, True) for f in review.destructive],
        "risky": [_finding(f, False) for f in review.risky],
        "violations": [
            {"level": v.level, "policy": v.policy, "pack": v.pack, "urn": v.urn, "message": v.message}
            for v in review.violations
        ],
        "errors": review.errors,
        "resources": [
            {
                "urn": c.urn,
                "type": c.type,
                "op": c.op,
                "diff": [
                    {"path": pc.text, "kind": pc.kind, "old": _json_value(pc.old), "new": _json_value(pc.new)}
                    for pc in property_changes(c)
                ],
            }
            for c in review.changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
