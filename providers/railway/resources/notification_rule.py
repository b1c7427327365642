"""Railway NotificationRule: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator, model_validator

from providers.adoption import new_since
from providers.base import (
    resource_props,
    unless_gone,
    with_secret_outputs,
)
from providers.pending_create import PendingCreate, made_since_started
from providers.railway.base import (
    _EMAIL,
    RailwayProvider,
    Severity,
    _adopt_or_retry,
    _gone_is_fine,
    _secret_inputs,
    _strict,
)
from providers.railway.client import CLEAR, is_not_found


# ==========================================================================================================
# NotificationRule
# ==========================================================================================================
class NotificationRuleInputs(BaseModel):
    model_config = _strict()
    workspace_id: str = Field(min_length=1)
    project_id: str | None = Field(default=None, min_length=1)
    event_types: list[str] = Field(min_length=1)
    severities: list[Severity] | None = None
    webhook_url: str | None = None
    emails: list[str] | None = None

    @field_validator("event_types")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if not e or any(c.isspace() for c in e)]
        if bad:
            raise ValueError(f"event types are names such as 'Deployment.failed', got {bad}")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("webhook_url must be an https:// URL")
        return value

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str] | None) -> list[str] | None:
        bad = [e for e in value or [] if not _EMAIL.match(e)]
        if bad:
            raise ValueError(f"not email addresses: {bad}")
        return value

    @model_validator(mode="after")
    def _channel(self) -> NotificationRuleInputs:
        if not self.webhook_url and not self.emails:
            raise ValueError("a notification rule needs a channel: webhook_url or emails")
        return self

    def channel_configs(self) -> list[dict[str, Any]]:
        # NotificationChannelConfig is an untyped JSON scalar; this shape follows the one public example.
        configs: list[dict[str, Any]] = []
        if self.webhook_url:
            configs.append({"type": "webhook", "url": self.webhook_url})
        configs.extend({"type": "email", "email": e} for e in self.emails or [])
        return configs


class NotificationRuleProvider(RailwayProvider):
    Inputs = NotificationRuleInputs
    replace_keys = frozenset({"workspace_id", "project_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: NotificationRuleInputs = self.parse(props)
        client = self.client()

        def rules() -> list[dict[str, Any]]:
            return client.notification_rules(workspace_id=inputs.workspace_id, project_id=inputs.project_id)

        # Rules have no name: a lost answer is resolved by the rule that appeared since the create was sent.
        before = [str(r["id"]) for r in rules()]
        rule = _adopt_or_retry(
            lambda: client.notification_rule_create(
                workspace_id=inputs.workspace_id,
                project_id=inputs.project_id,
                event_types=inputs.event_types,
                severities=list(inputs.severities) if inputs.severities else None,
                channel_configs=inputs.channel_configs(),
            ),
            new_since(before, rules),
            f"a new notification rule of project {inputs.project_id}",
            self.sleep,
        )
        return dynamic.CreateResult(str(rule["id"]), self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: NotificationRuleInputs = self.parse(olds)
        new: NotificationRuleInputs = self.parse(news)
        severities: Any = None
        if old.severities != new.severities:
            severities = list(new.severities) if new.severities else CLEAR
        self.client().notification_rule_update(
            id_,
            event_types=new.event_types if new.event_types != old.event_types else None,
            severities=severities,
            channel_configs=new.channel_configs() if new.channel_configs() != old.channel_configs() else None,
        )
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        rules = unless_gone(
            lambda: self.client().notification_rules(
                workspace_id=old["workspace_id"], project_id=old.get("project_id")
            ),
            is_not_found,
        )
        if rules is None:
            return dynamic.ReadResult(None, {})
        rule = next((r for r in rules if r.get("id") == id_), None)
        if rule is None:
            return dynamic.ReadResult(None, {})
        configs = [c.get("config") or {} for c in rule.get("channels") or []]
        webhook = next((c.get("url") for c in configs if str(c.get("type", "")).lower() == "webhook"), None)
        emails = [
            c.get("email") for c in configs if str(c.get("type", "")).lower() == "email" and c.get("email")
        ]
        inputs = {
            **old,
            "event_types": rule.get("eventTypes") or old["event_types"],
            "severities": rule.get("severities") or None,
            "webhook_url": webhook,
            "emails": emails or None,
        }
        return self.read_result(id_, inputs, {})

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        # Rules have no name: one for the same events, made since the create started, is ours.
        inputs: NotificationRuleInputs = self.parse(props)
        rules = self.client().notification_rules(
            workspace_id=inputs.workspace_id, project_id=inputs.project_id
        )
        same = [r for r in rules if sorted(r.get("eventTypes") or []) == sorted(inputs.event_types)]
        return made_since_started(same, pending, f"notification rule of project {inputs.project_id}")

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"notification rule for {', '.join(props.get('event_types') or [])}"

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().notification_rule_delete(id_))


@dataclass
class NotificationRuleArgs:
    workspace_id: pulumi.Input[str]
    event_types: pulumi.Input[list[str]]
    project_id: pulumi.Input[str] | None = None
    severities: pulumi.Input[list[str]] | None = None
    webhook_url: pulumi.Input[str] | None = None
    emails: pulumi.Input[list[str]] | None = None


class NotificationRule(dynamic.Resource, module="railway", name="NotificationRule"):
    workspace_id: pulumi.Output[str]
    project_id: pulumi.Output[str | None]
    event_types: pulumi.Output[list[str]]
    severities: pulumi.Output[list[str] | None]
    webhook_url: pulumi.Output[str | None]
    emails: pulumi.Output[list[str] | None]

    def __init__(
        self, resource_name: str, args: NotificationRuleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = _secret_inputs(resource_props(args), ["webhook_url"])
        super().__init__(
            NotificationRuleProvider(), resource_name, props, with_secret_outputs(opts, ["webhook_url"])
        )
