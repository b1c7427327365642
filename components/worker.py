"""Worker: a Railway service without public networking; a cron worker runs on a schedule."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.railway_app import RailwayAppArgs, build_railway_app


@dataclass
class WorkerArgs(RailwayAppArgs):
    cron_schedule: str | None = None
    """Five-field cron: Railway starts the process on schedule and expects it to exit (one replica)."""


class Worker(pulumi.ComponentResource):
    service_id: pulumi.Output[str]
    deployment_id: pulumi.Output[str]

    def __init__(self, name: str, args: WorkerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:Worker", name, None, opts)
        if args.cron_schedule and sum(args.regions.values()) != 1:
            raise ValueError(f"{name}: a cron worker runs exactly one replica")
        self.service, self.instance = build_railway_app(self, name, args, cron_schedule=args.cron_schedule)
        self.service_id = self.service.id
        self.deployment_id = self.instance.deployment_id
        self.register_outputs({"service_id": self.service_id, "deployment_id": self.deployment_id})
