"""Railway ServiceDomain against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    ServiceDomainProvider,
)
from tests.providers.railway.helpers import engine, env_id
from tests.providers.railway.support import (
    Engine,
    live,
)


def test_service_domain_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(ServiceDomainProvider, emulator)
    base = {"service_id": service.id, "environment_id": env_id(project)}
    outs = e.create({**base, "target_port": 8080})
    assert outs["domain"].endswith(".up.railway.app")
    assert outs["url"] == f"https://{outs['domain']}"
    read = e.read()
    assert read.inputs == {**base, "target_port": 8080}

    e.update({**base, "target_port": 3001})
    [row] = live(emulator, "serviceDomains")
    assert row["targetPort"] == 3001 and row["domain"] == outs["domain"]
    assert e.outs["domain"] == outs["domain"]

    assert sorted(e.diff({"service_id": "s2", "environment_id": "e2"}).replaces or []) == [
        "environment_id",
        "service_id",
    ]

    e.delete()
    assert live(emulator, "serviceDomains") == []
    e.delete()
    assert e.read().id is None


def test_a_lost_create_answer_adopts_the_domain_railway_made_since_without_listing_first(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    e = engine(ServiceDomainProvider, emulator)
    base = {"service_id": service.id, "environment_id": env_id(project)}
    older = engine(ServiceDomainProvider, emulator).create(base)  # made well before: never adopted
    emulator.app.clock.advance(60)  # Railway's clock runs a minute ahead of ours: its Date says so
    emulator.clear_requests()
    emulator.inject(vendor="railway", operation="serviceDomainCreate", status=504, when="after", count=1)
    outs = e.create(base)
    operations = [r["operation"] for r in emulator.requests()]
    assert operations[0] == "serviceDomainCreate"  # no listing before the create
    assert operations.count("serviceDomainCreate") == 1  # never sent twice
    rows = live(emulator, "serviceDomains")
    assert len(rows) == 2 and outs["domain"] != older["domain"]
    assert outs["domain"] in {row["domain"] for row in rows}


def test_made_since_keeps_what_the_vendor_stamped_after_the_create_was_sent() -> None:
    from providers.adoption import made_since

    listing = [
        {"id": "old", "createdAt": "2026-12-01T10:00:00.000Z"},
        {"id": "new", "createdAt": "2026-12-01T10:05:01.500Z"},
    ]
    sent_at = 1_000_000.0
    vendor_offset = 1_796_119_500.0 - sent_at  # the vendor's clock read 10:05:00 when we sent it
    find = made_since(sent_at, lambda: listing, lambda local: local + vendor_offset)
    assert [item["id"] for item in find()] == ["new"]
    unknown = made_since(sent_at, lambda: listing, lambda _local: None)
    with pytest.raises(RuntimeError, match="state no time"):
        unknown()
