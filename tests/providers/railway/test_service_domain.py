"""Railway ServiceDomain against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

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
