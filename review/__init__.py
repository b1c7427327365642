"""The risk review of one stack's planned changes, for a pull-request comment (`python -m review`).

It reads Pulumi's engine-event stream (`pulumi preview --event-log FILE`, the Automation API's
`on_event`, `python -m localengine preview --event-log FILE`) or the `pulumi preview --json` document,
and imports nothing of this project: it runs in CI next to the real Pulumi CLI.

    from review import review_text
    markdown, review = review_text(open("events.jsonl").read())
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from review.events import InputError, Plan, from_events, parse_text
from review.report import DEFAULT_MAX_CHARS, Review, as_json, build, markdown


def review_text(
    text: str,
    *,
    project: str = "",
    stack: str = "",
    production: bool | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    refresh: bool = False,
) -> tuple[str, Review]:
    """The markdown review of an event log's or `preview --json`'s text, and the review itself
    (`refresh`: the events are a refresh's)."""
    plan = parse_text(text)
    plan.refresh = plan.refresh or refresh
    result = build(plan, project=project, stack=stack, production=production)
    return markdown(result, max_chars), result


def review_events(
    events: Iterable[Any], *, project: str = "", stack: str = "", production: bool | None = None
) -> Review:
    """The review of engine events: JSON dicts, or the Automation API's event objects (`on_event`)."""
    return build(from_events(events), project=project, stack=stack, production=production)


__all__ = [
    "DEFAULT_MAX_CHARS",
    "InputError",
    "Plan",
    "Review",
    "as_json",
    "build",
    "markdown",
    "review_events",
    "review_text",
]
