"""Creates that survive an unclear outcome: look up what the request may have made before sending it again.

A create whose answer is lost (timeout, cut connection, 5xx: `AmbiguousRequestError`) may or may not have
taken effect at the vendor. `create_or_adopt` never sends it twice without a lookup in between: found once,
the object is ours (adopted); found more than once, the user must choose; not found, the vendor did not act
and the create is sent again after the wait the vendor asked for (`Retry-After`), else a short back-off.

How each resource finds "what it may have made" (its `find`) is the resource's choice, by the key the vendor
enforces where there is one (a custom domain's name, one volume per service, a service's name in its
project), else by what appeared since just before the create (`new_since`): a Railway project or a Neon
project (names are not unique), a notification rule; or by what the vendor says it made since the create
was sent (`made_since`: its `createdAt` on its own clock, read from the `Date` of its answers), which needs
no listing before the create: a service domain. The stack lock keeps a second run of the same stack from
creating meanwhile.

When the lookup itself fails after a lost answer, nobody knows whether the vendor made the object: that is
`CreateOutcomeUnknownError`, whose message holds `OUTCOME_UNKNOWN` ("outcome unknown:"). The local engine
then keeps the create as a pending create, and its next run resolves it through the provider's `read`
(`providers/pending_create.py`) instead of creating blindly, where a before-listing would count the object
made as pre-existing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from providers.backoff import backoff_scale
from providers.http import AmbiguousRequestError
from providers.pending_create import parse_time

T = TypeVar("T")

# The local engine looks for this in a failed create's message (localengine/deployment.py) and keeps the
# create pending.
OUTCOME_UNKNOWN = "outcome unknown:"


class CreateOutcomeUnknownError(Exception):
    """A create's answer was lost and looking for what it may have made failed too."""


CREATE_ATTEMPTS = 4
MAX_BACKOFF = 8.0


def create_or_adopt(
    create: Callable[[], T],
    find: Callable[[], list[T]],
    what: str,
    *,
    attempts: int = CREATE_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`create()`, or after an ambiguous failure the one object `find()` returns, or `create()` again once
    `find()` proved nothing was made. The last ambiguous error is raised when every attempt failed."""
    last: AmbiguousRequestError | None = None
    for attempt in range(max(1, attempts)):
        try:
            return create()
        except AmbiguousRequestError as exc:
            last = exc
            try:
                matches = find()
            except Exception as lookup:
                raise CreateOutcomeUnknownError(
                    f"{what}: {OUTCOME_UNKNOWN} the create's answer was lost ({exc}) and looking for what it "
                    f"may have made failed too ({lookup})"
                ) from exc
            if len(matches) == 1:
                return matches[0]
            if matches:
                exc.message += (
                    f" [{len(matches)} objects match {what}; remove the extra ones, then run again]"
                )
                raise
            if attempt + 1 < attempts:
                sleep(retry_wait(exc, attempt))
    assert last is not None
    last.message += f" [nothing was made for {what}; tried {attempts} times]"
    raise last


def retry_wait(error: AmbiguousRequestError, attempt: int) -> float:
    """What the vendor asked (`Retry-After` on a 503), else an exponential back-off."""
    asked = getattr(error, "retry_after", None)
    if asked is not None:
        return float(min(asked, 300.0))
    return float(min(MAX_BACKOFF, 0.5 * 2**attempt)) * backoff_scale()


def new_since(
    before: Iterable[str], listing: Callable[[], list[dict[str, Any]]], key: str = "id"
) -> Callable[[], list[dict[str, Any]]]:
    """A `find` that returns the listed objects whose `key` was not in `before` (listed just before the
    create): what appeared since, which only this create can have made while the stack is locked."""
    known = set(before)
    return lambda: [item for item in listing() if str(item.get(key)) not in known]


# Two seconds more than the vendor clock's stated precision (whole seconds): an object the vendor stamped
# this long before the create was sent is not the create's.
CLOCK_MARGIN_SECONDS = 2.0


def made_since(
    sent_at: float,
    listing: Callable[[], list[dict[str, Any]]],
    vendor_time: Callable[[float], float | None],
    key: str = "createdAt",
) -> Callable[[], list[dict[str, Any]]]:
    """A `find` that returns the listed objects the vendor stamped (`key`, ISO 8601) at or after `sent_at`
    (this machine's epoch seconds, taken just before the create), on the vendor's clock (`vendor_time`,
    from the listing's own answer). Refuses to guess when the vendor states no time: the caller's error
    then says the outcome is unknown."""

    def find() -> list[dict[str, Any]]:
        items = listing()
        since = vendor_time(sent_at)
        if since is None:
            raise RuntimeError(
                "the vendor's answers state no time (Date), so what the create made is unknown"
            )
        return [item for item in items if _epoch(item.get(key)) >= since - CLOCK_MARGIN_SECONDS]

    return find


def _epoch(stamp: Any) -> float:
    """The vendor's ISO 8601 stamp in epoch seconds; no stamp reads as the beginning of time (not since)."""
    parsed = parse_time(stamp)
    return parsed.timestamp() if parsed is not None else 0.0
