"""Railway CustomDomain against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    CustomDomainProvider,
)
from tests.providers.railway.helpers import engine, env_id
from tests.providers.railway.support import (
    Engine,
    live,
)


def test_custom_domain_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(CustomDomainProvider, emulator)
    base = {"project_id": project.id, "service_id": service.id, "environment_id": env_id(project)}
    outs = e.create({**base, "domain": "API.Kars.example.com", "target_port": 3001})
    assert outs["domain"] == "api.kars.example.com"  # normalised by check
    assert outs["dns_records"], "the DNS records to create are an output"
    assert {r["record_type"] for r in outs["dns_records"]} >= {"CNAME"}
    assert outs["verification_host"] and outs["verification_token"]

    read = e.read()
    assert read.inputs == {**base, "domain": "api.kars.example.com", "target_port": 3001}

    e.update({**base, "domain": "api.kars.example.com", "target_port": 8080})
    [row] = live(emulator, "customDomains")
    assert row["targetPort"] == 8080

    assert e.diff({**base, "domain": "www.kars.example.com", "target_port": 8080}).replaces == ["domain"]

    e.delete()
    assert live(emulator, "customDomains") == []
    e.delete()
    assert e.read().id is None
