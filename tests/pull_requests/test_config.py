"""`platform:pullRequest`: the section's values and its errors (stack file and key, all at once)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack_config import StackConfigError, parse_stack_config

REPO = Path(__file__).resolve().parents[2]


def _staging(**pull_request: Any) -> dict[str, str]:
    config = yaml.safe_load((REPO / "Pulumi.staging.yaml").read_text())["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    raw["platform:pullRequest"] = json.dumps(pull_request)
    return raw


def test_defaults_base_staging_and_three_days() -> None:
    config = parse_stack_config(_staging(number=7, image="ghcr.io/acme/api:pr-7"), stack="pr-7")
    pr = config.pull_request
    assert pr is not None and config.is_pull_request
    assert (pr.number, pr.base, pr.image, pr.expires.days) == (7, "staging", "ghcr.io/acme/api:pr-7", 3)


def test_a_stack_without_the_section_is_not_a_pull_request() -> None:
    raw = _staging()
    del raw["platform:pullRequest"]
    assert parse_stack_config(raw, stack="staging").pull_request is None


def test_every_problem_named_with_the_stack_file_and_key() -> None:
    raw = _staging(number=0, base="pr-7", image="Not An Image", expires="90d", colour="blue")
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(raw, stack="pr-7")
    problems = caught.value.problems
    where = [p.split(": ", 2)[1] for p in problems]
    assert where == [
        "platform:pullRequest.number",
        "platform:pullRequest.base",
        "platform:pullRequest.image",
        "platform:pullRequest.expires",
        "platform:pullRequest.colour",
    ], problems
    assert all(p.startswith("Pulumi.pr-7.yaml: ") for p in problems)
    assert "is this stack itself" in problems[1]


def test_an_image_for_a_stack_without_image_services_is_refused() -> None:
    raw = _staging(number=7, image="ghcr.io/acme/api:pr-7")
    services = json.loads(raw["platform:services"])
    for svc in services.values():
        svc.pop("image")
        svc["repo"] = "acme/api"
    raw["platform:services"] = json.dumps(services)
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(raw, stack="pr-7")
    joined = "\n".join(caught.value.problems)
    assert "platform:pullRequest.image: no service of this stack is built from an image" in joined
    assert "platform:pullRequest.branch: is required" in joined
