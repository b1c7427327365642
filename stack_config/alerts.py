"""The `platform:alerts` section: rules, thresholds and notification channels."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from components.alert_policy import DEFAULT_EVENT_TYPES, Metric
from stack_config.fields import Duration, DurationField, Model, _parse_duration, _parse_percent

# What each metric's threshold is measured in.
METRIC_UNITS: dict[str, str] = {
    "error_rate": "percent",
    "p95_latency": "duration",
    "memory": "percent",
    "cpu": "percent",
    "pool_usage": "percent",
    "queue_depth": "count",
}


class AlertRule(Model):
    metric: Metric
    above: float
    for_: DurationField = Field(Duration(300), alias="for")
    severity: Literal["critical", "warning", "info"] = "warning"
    service: str | None = Field(None, description="service the rule watches (default: every relevant one)")
    queue: str | None = Field(None, description="queue_depth: the queue's name (default: every queue)")
    expr: str | None = Field(None, description="a PromQL expression replacing the generated one")

    @field_validator("above", mode="before")
    @classmethod
    def _threshold(cls, raw: Any, info: ValidationInfo) -> Any:
        unit = METRIC_UNITS.get(str(info.data.get("metric")))
        if unit == "percent":
            return _parse_percent(raw)
        if unit == "duration":
            return _parse_duration(raw).seconds
        if unit == "count" and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            raise ValueError(f"{raw!r}: queue_depth is a count of jobs (a whole number)")
        return raw


class AlertChannels(Model):
    webhook: SecretStr | None = None
    email: list[str] = Field(default_factory=list)

    @field_validator("email")
    @classmethod
    def _email(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", e)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an email address")
        return value

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return value
        if not (info.context or {}).get("alerts_secret", False):
            raise ValueError(
                "a webhook URL is a secret: set it with `pulumi config set --secret --path "
                "'platform:alerts.channels.webhook' <url>`"
            )
        if not value.get_secret_value().startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value


class Alerts(Model):
    channels: AlertChannels = AlertChannels()
    events: list[str] = Field(default_factory=lambda: list(DEFAULT_EVENT_TYPES))
    severities: list[Literal["critical", "warning", "notice", "info"]] | None = None
    rules: list[AlertRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _routed(self) -> Alerts:
        # Railway's notification rules need somewhere to send events; the metric rules go to whatever
        # monitor loads the rules document, so they need no channel here.
        if self.events and not (self.channels.webhook or self.channels.email):
            raise ValueError("Railway events need a channel: channels.email, channels.webhook, or both")
        return self
