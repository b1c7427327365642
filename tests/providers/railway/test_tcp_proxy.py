"""Railway TcpProxy against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    TcpProxyProvider,
)
from tests.providers.railway.helpers import engine, env_id
from tests.providers.railway.support import (
    Engine,
    live,
)


def test_tcp_proxy_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(TcpProxyProvider, emulator)
    base = {"service_id": service.id, "environment_id": env_id(project)}
    outs = e.create({**base, "application_port": 5432})
    assert outs["domain"] and isinstance(outs["proxy_port"], int)
    assert e.read().inputs == {**base, "application_port": 5432}
    assert e.diff({**base, "application_port": 6379}).replaces == ["application_port"]
    e.delete()
    assert live(emulator, "tcpProxies") == []
    e.delete()
    assert e.read().id is None
