"""Resolving a create the last run left unfinished (a pending create): the engine's `read` contract.

A run killed during a create, or a create whose outcome stayed unknown (its answer lost and the lookup after
it failed too), leaves a pending create in state (Pulumi's `pending_operations`, type `creating`). The next
run of the local engine resolves it, before creating anything, with one `read`:

- `id` is the id the provider reported as soon as the vendor returned it (`report_created_id`), or empty
  when none was reported;
- `properties` are the resource's inputs plus `PENDING_CREATE_KEY`: `{"started": "<ISO 8601 UTC>"}`, when
  the interrupted create started (the engine's clock).

`PlatformProvider.read` then, given an id, finishes what create would have waited for (read-only: a Neon
operation, a Supabase project becoming healthy, a Railway deployment) and answers the object's outputs as
create would have; given no id, it first looks up what the create may have made with the resource's own
`find_created` (the vendor's unique key: a service's name in its project, a custom domain; else objects of
that name/shape made at or after `started`, less `CLOCK_SKEW`), and answers "not found" (an empty id: the
engine creates) only when nothing matches. More than one match is refused (`AdoptionRefusedError`, nothing
changed): the user removes the extra object and runs again. A `read` with an empty id and no
`PENDING_CREATE_KEY` looks up the same way, except that a resource whose names are not unique adopts nothing
then (it cannot tell its own object from an older one) and refuses while any candidate exists.

Under the Pulumi CLI neither the key nor the reporting channel exists (`report_created_id` does nothing
there); `pulumi refresh --import-pending-creates` takes the ids from the user instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

PENDING_CREATE_KEY = "__pending_create"

# Vendors' clocks and ours differ a little: an object stamped up to this much before the create started may
# still be the one it made.
CLOCK_SKEW = timedelta(seconds=60)


class AdoptionRefusedError(Exception):
    """More than one object could be the one an interrupted create made: the user must choose."""


@dataclass(frozen=True)
class PendingCreate:
    """What the engine tells `read` about the interrupted create (`started`: None when it did not say)."""

    started: datetime | None = None

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> PendingCreate | None:
        marker = props.get(PENDING_CREATE_KEY)
        if not isinstance(marker, Mapping):
            return None
        return cls(parse_time(marker.get("started")))

    def made_since(self, created_at: Any) -> bool:
        """Can an object stamped `created_at` (the vendor's ISO time) be one this create made? Without a
        start time, or without a stamp, no: only a unique key can then tell."""
        stamp = parse_time(created_at)
        if self.started is None or stamp is None:
            return False
        return stamp >= self.started - CLOCK_SKEW


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def refuse_many(ids: Iterable[str], what: str) -> None:
    found = sorted(set(ids))
    if len(found) > 1:
        raise AdoptionRefusedError(
            f"the last run was interrupted while creating {what}, and {len(found)} objects could be the one "
            f"it made ({', '.join(found)}); nothing was changed: delete the ones that are not this "
            "stack's, then run again"
        )


def made_since_started(
    candidates: Iterable[Mapping[str, Any]],
    pending: PendingCreate,
    what: str,
    *,
    stamp: str = "createdAt",
    key: str = "id",
) -> list[str]:
    """For objects whose names are not unique: the ids of `candidates` (objects of the create's name/shape)
    made at or after the create started. Without a start time none can be told apart from an older one: a
    candidate then refuses the lookup; none means nothing was made."""
    listed = list(candidates)
    if pending.started is None:
        if listed:
            raise AdoptionRefusedError(
                f"{len(listed)} existing object(s) could be the {what} an interrupted create made "
                f"({', '.join(sorted(str(c.get(key)) for c in listed))}), and without the time it started "
                "they cannot be told apart from older ones; nothing was changed: import the right one"
            )
        return []
    return [str(c.get(key)) for c in listed if pending.made_since(c.get(stamp))]


def without_marker(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PENDING_CREATE_KEY}


def report_created_id(id_: str) -> None:
    """Tell the local engine, while create is still running, the id the vendor just returned, so a run
    killed during the wait that follows leaves that id in state. Under the Pulumi CLI (or outside a create
    call) this does nothing."""
    try:
        from localengine.providers.host_channel import report_created_id as report
    except ImportError:  # the provider runs without the local engine beside it
        return
    report(id_)
