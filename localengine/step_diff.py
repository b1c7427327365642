"""The detailed diff a step carries when its provider's Diff gave none (dynamic providers never do).

Pulumi's engine passes the provider's `detailedDiff` through (`step_generator.go` hands `diff.DetailedDiff`
to NewUpdateStep / NewReplaceStep / NewCreateReplacementStep, and computes one itself only when the provider
answered "unknown"); its display then diffs the inputs and marks the replace keys ("# forces
replacement"). Ours gives the step what that display shows: the inputs' property diff, with the paths under
a replace key marked `*-replace`, so `preview --json`, the event log and the review read which properties
force a replacement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from localengine.props import PropertyDiff, detailed_diff, parse_path


def engine_detailed_diff(
    old_inputs: Mapping[str, Any], new_inputs: Mapping[str, Any], replace_keys: Iterable[str] = ()
) -> dict[str, PropertyDiff] | None:
    """The inputs' diff, path by path; a path under one of `replace_keys` (top-level property names) gets
    the `-replace` kind of its change. A replace key the inputs do not show changing (the provider compared
    them with the outputs it recorded) is `update-replace` with `inputDiff: false`. None when nothing
    differs, as a step without detail carries no map."""
    keys = set(replace_keys)
    out: dict[str, PropertyDiff] = {}
    for path, change in detailed_diff(old_inputs, new_inputs).items():
        out[path] = change.to_replace() if str(parse_path(path)[0]) in keys else change
    covered = {str(parse_path(path)[0]) for path in out}
    for key in sorted(keys - covered):
        if key in old_inputs or key in new_inputs:
            out[key] = PropertyDiff("update-replace", input_diff=False)
    return out or None
