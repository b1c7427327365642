"""The pending-create contract between the engine and the providers (providers/pending_create.py): every
provider can resolve one, the time window, the guard of pull-request stacks, the unknown outcome of a lost
answer whose lookup failed, and the channel that reports a created id while create still runs."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pulumi import dynamic

import providers
from localengine import deployment
from localengine.providers.host_channel import parse_created_id, serving
from providers.adoption import OUTCOME_UNKNOWN, CreateOutcomeUnknownError, create_or_adopt
from providers.base import PlatformProvider
from providers.guard import BASE_IDS_KEY, BaseObjectError
from providers.http import AmbiguousRequestError
from providers.pending_create import (
    CLOCK_SKEW,
    PENDING_CREATE_KEY,
    PendingCreate,
    made_since_started,
    report_created_id,
)


def _all_providers() -> list[type[PlatformProvider]]:
    for module in pkgutil.walk_packages(providers.__path__, "providers."):
        importlib.import_module(module.name)
    found: list[type[PlatformProvider]] = []
    pending: list[type[PlatformProvider]] = [PlatformProvider]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            ours = sub.__module__.startswith("providers.")  # not the test modules' own
            if ours and "Inputs" in sub.__dict__ and "create" in {k for c in sub.__mro__ for k in c.__dict__}:
                found.append(sub)
    return found


def test_every_provider_looks_up_what_its_create_made_or_creates_idempotently() -> None:
    classes = _all_providers()
    assert len(classes) >= 25
    missing = [
        cls.__name__
        for cls in classes
        if not cls.create_is_idempotent
        and getattr(cls.find_created, "__qualname__", "").startswith("PlatformProvider.")
    ]
    assert missing == []


def test_the_engine_and_the_providers_share_the_contract_strings() -> None:
    assert deployment.PENDING_CREATE_KEY == PENDING_CREATE_KEY
    assert deployment.OUTCOME_UNKNOWN_MARK == OUTCOME_UNKNOWN


def test_made_since_allows_for_clock_skew_and_nothing_without_a_start() -> None:
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    pending = PendingCreate(start)
    assert pending.made_since((start - CLOCK_SKEW + timedelta(seconds=1)).isoformat().replace("+00:00", "Z"))
    assert not pending.made_since((start - CLOCK_SKEW - timedelta(seconds=1)).isoformat())
    assert not pending.made_since(None) and not PendingCreate().made_since(start.isoformat())
    assert PendingCreate.from_props({PENDING_CREATE_KEY: {"started": start.isoformat()}}) == pending
    assert PendingCreate.from_props({"name": "x"}) is None
    assert made_since_started([], PendingCreate(), "thing") == []


def test_a_lost_answer_whose_lookup_fails_is_an_unknown_outcome_not_a_failure() -> None:
    sent: list[str] = []

    def create() -> dict[str, Any]:
        sent.append("create")
        raise AmbiguousRequestError(vendor="v", operation="thingCreate", message="no answer", status=504)

    def find() -> list[dict[str, Any]]:
        raise RuntimeError("listing failed: HTTP 500")

    with pytest.raises(CreateOutcomeUnknownError) as raised:
        create_or_adopt(create, find, "thing 'a'", sleep=lambda _s: None)
    message = str(raised.value)
    assert message.startswith("thing 'a': outcome unknown:")
    assert "no answer" in message and "listing failed" in message
    assert sent == ["create"]  # never sent again without a lookup


class _Named(PlatformProvider):
    """A provider whose objects are found by name (a base object among them)."""

    import pydantic

    class Inputs(pydantic.BaseModel):
        name: str

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult("made", props)

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        return ["base-env"] if props.get("name") == "main" else []

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        return dynamic.ReadResult(id_, props)


def test_a_pull_request_stack_never_adopts_an_object_of_its_base() -> None:
    props = {"name": "main", BASE_IDS_KEY: {"base-env": "Railway environment"}}
    with pytest.raises(BaseObjectError, match="refusing to adopt"):
        _Named().read("", props)
    assert _Named().read("", {"name": "main"}).id == "base-env"
    assert _Named().read("", {"name": "pr-1", BASE_IDS_KEY: {"base-env": ""}}).id is None


def test_a_created_id_is_reported_only_while_the_host_serves_a_create(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report_created_id("abc123")
    assert capsys.readouterr().err == ""  # the Pulumi CLI's host: nothing
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic/neon:Project::db main"
    with serving(urn):
        report_created_id("abc123")
    [line] = capsys.readouterr().err.splitlines()
    assert parse_created_id(line) == (urn, "abc123")
    assert parse_created_id("[progress] x: y") is None
