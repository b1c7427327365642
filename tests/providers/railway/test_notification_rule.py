"""Railway NotificationRule against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from typing import Any

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    NotificationRuleProvider,
)
from tests.providers.railway.helpers import engine
from tests.providers.railway.support import (
    Engine,
    live,
    sent,
    variables_of,
)


def test_notification_rule_lifecycle(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(NotificationRuleProvider, emulator)
    base: dict[str, Any] = {"workspace_id": project.outs["workspace_id"], "project_id": project.id}
    e.create(
        {
            **base,
            "event_types": ["Deployment.failed", "Deployment.crashed"],
            "severities": ["CRITICAL"],
            "webhook_url": "https://hooks.example.com/railway",
            "emails": ["oncall@example.com"],
        }
    )
    [row] = live(emulator, "notificationRules")
    assert row["eventTypes"] == ["Deployment.failed", "Deployment.crashed"]

    read = e.read()
    assert read.inputs is not None
    assert read.inputs["webhook_url"] == "https://hooks.example.com/railway"
    assert read.inputs["emails"] == ["oncall@example.com"]
    assert read.inputs["severities"] == ["CRITICAL"]

    emulator.clear_requests()
    e.update(
        {**base, "event_types": ["Deployment.failed"], "webhook_url": "https://hooks.example.com/railway"}
    )
    [request] = sent(emulator, "notificationRuleUpdate")
    update_input = variables_of(request)["input"]
    assert update_input["eventTypes"] == ["Deployment.failed"]
    assert update_input["severities"] is None  # removed: cleared
    assert update_input["channelConfigs"] == [{"type": "webhook", "url": "https://hooks.example.com/railway"}]

    assert e.diff({**base, "workspace_id": "w2", "event_types": ["x.y"], "emails": ["a@b.co"]}).replaces == [
        "workspace_id"
    ]
    e.delete()
    assert live(emulator, "notificationRules") == []
    e.delete()
    assert e.read().id is None
