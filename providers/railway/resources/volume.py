"""Railway Volume (with backup schedules): its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator

from providers.base import (
    resource_props,
    unless_gone,
)
from providers.pending_create import PendingCreate, report_created_id
from providers.railway.base import (
    KNOWN_REGIONS,
    BackupSchedule,
    RailwayProvider,
    _adopt_or_retry,
    _cleanup,
    _gone_is_fine,
    _or_adopt_existing,
    _raise_after_cleanup,
    _strict,
)
from providers.railway.client import is_not_found


# ==========================================================================================================
# Volume
# ==========================================================================================================
class VolumeInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    mount_path: str = Field(pattern=r"^/")
    region: str | None = None
    backup_schedules: list[BackupSchedule] | None = None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in KNOWN_REGIONS:
            raise ValueError(
                f"unknown Railway region {value!r}; Railway's regions are {', '.join(KNOWN_REGIONS)}"
            )
        return value

    @field_validator("backup_schedules")
    @classmethod
    def _schedules(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each backup schedule at most once")
        return sorted(value, key=("DAILY", "WEEKLY", "MONTHLY").index) if value is not None else None


class VolumeProvider(RailwayProvider):
    Inputs = VolumeInputs
    replace_keys = frozenset({"project_id", "service_id", "environment_id", "region"})
    computed_if_unset = frozenset({"region"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: VolumeInputs = self.parse(props)
        client = self.client()

        def attached() -> list[dict[str, Any]]:
            return self._attached(inputs)

        volume = _adopt_or_retry(
            _or_adopt_existing(
                lambda: client.volume_create(
                    project_id=inputs.project_id,
                    service_id=inputs.service_id,
                    environment_id=inputs.environment_id,
                    mount_path=inputs.mount_path,
                    region=inputs.region,
                ),
                "already has a volume attached",
                attached,
                f"the volume of service {inputs.service_id}",
            ),
            attached,
            f"the volume of service {inputs.service_id}",
            self.sleep,
        )
        volume_id = str(volume["id"])
        report_created_id(volume_id)
        try:
            instances = volume.get("volumeInstances") or []
            instance = next((i for i in instances if i.get("environmentId") == inputs.environment_id), None)
            if instance is None:
                raise RuntimeError(
                    f"Railway created volume {volume_id} without an instance in environment "
                    f"{inputs.environment_id}"
                )
            if inputs.backup_schedules:
                client.volume_instance_backup_schedule_update(
                    str(instance["id"]), list(inputs.backup_schedules)
                )
        except Exception as exc:
            note: list[str] = []
            _cleanup(lambda: client.volume_delete(volume_id), note)
            _raise_after_cleanup(exc, f"volume {volume_id}", note)
            raise
        outs = {
            **self.inputs(props),
            "region": instance.get("region") or inputs.region,
            "volume_instance_id": instance["id"],
            "name": volume.get("name"),
            "size_mb": instance.get("sizeMB"),
        }
        return dynamic.CreateResult(volume_id, outs)

    def _attached(self, inputs: VolumeInputs) -> list[dict[str, Any]]:
        # Railway attaches at most one volume to a service in an environment.
        return [
            v
            for v in self.client().project_volumes(inputs.project_id)
            if any(
                i.get("serviceId") == inputs.service_id and i.get("environmentId") == inputs.environment_id
                for i in v.get("volumeInstances") or []
            )
        ]

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: VolumeInputs = self.parse(olds)
        new: VolumeInputs = self.parse(news)
        client = self.client()
        instance_id = str(olds["volume_instance_id"])
        if new.mount_path != old.mount_path:
            client.volume_instance_update(
                volume_id=id_, environment_id=new.environment_id, mount_path=new.mount_path
            )
        if (new.backup_schedules or []) != (old.backup_schedules or []):
            client.volume_instance_backup_schedule_update(instance_id, list(new.backup_schedules or []))
        kept = {k: olds.get(k) for k in ("region", "volume_instance_id", "name", "size_mb")}
        return dynamic.UpdateResult({**self.inputs(news), **{k: v for k, v in kept.items() if v is not None}})

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        # One request: the environment's config has the volume (region, size) and its mount (path, backup
        # schedules) on the service.
        old = self.inputs(props)
        env = unless_gone(lambda: self.client().environment(old["environment_id"]), is_not_found)
        if env is None:
            return dynamic.ReadResult(None, {})
        config = env.get("config") or {}
        volume = (config.get("volumes") or {}).get(id_)
        mount = None
        for service_id, service in (config.get("services") or {}).items():
            if id_ in (service.get("volumeMounts") or {}):
                mount, mounted_on = service["volumeMounts"][id_], service_id
                break
        if not volume or volume.get("isDeleted"):
            return dynamic.ReadResult(None, {})
        if mount is None:
            # Detached: its service was deleted, and Railway keeps the volume. Keep it in state with no
            # service, so the next `up` replaces it (and deletes it) instead of leaving it orphaned.
            mount, mounted_on = {}, ""
        inputs = {**old, "mount_path": mount.get("mountPath") or old["mount_path"], "service_id": mounted_on}
        if "region" in old:
            inputs["region"] = volume.get("region") or old["region"]
        if "backup_schedules" in old:
            kinds = set(mount.get("backupSchedules") or [])
            inputs["backup_schedules"] = [k for k in ("DAILY", "WEEKLY", "MONTHLY") if k in kinds]
        computed = {
            "region": volume.get("region") or props.get("region"),
            "volume_instance_id": props.get("volume_instance_id"),
            "name": props.get("name"),
            "size_mb": volume.get("sizeMB") or props.get("size_mb"),
        }
        return self.read_result(id_, inputs, {k: v for k, v in computed.items() if v is not None})

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        return [str(v["id"]) for v in self._attached(self.parse(props))]

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """What `read` holds (the mount and backup schedules as Railway has them: the create may not have
        set the schedules yet), plus the instance and name only the volume listing gives."""
        result = read(id_, props)
        if not result.id:
            return result
        inputs: VolumeInputs = self.parse(props)
        volume: dict[str, Any] = next(
            (v for v in self.client().project_volumes(inputs.project_id) if v.get("id") == id_), {}
        )
        instance: dict[str, Any] = next(
            (
                i
                for i in volume.get("volumeInstances") or []
                if i.get("environmentId") == inputs.environment_id
            ),
            {},
        )
        extra = {"volume_instance_id": instance.get("id"), "name": volume.get("name")}
        if instance.get("sizeMB") is not None:
            extra["size_mb"] = instance.get("sizeMB")
        outs = {**(result.outs or {}), **{k: v for k, v in extra.items() if v is not None}}
        return dynamic.ReadResult(id_, outs, result.inputs)

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"the volume of service {props.get('service_id')}"

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().volume_delete(id_))


@dataclass
class VolumeArgs:
    project_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    mount_path: pulumi.Input[str]
    region: pulumi.Input[str] | None = None
    backup_schedules: pulumi.Input[list[str]] | None = None


class Volume(dynamic.Resource, module="railway", name="Volume"):
    mount_path: pulumi.Output[str]
    region: pulumi.Output[str]
    backup_schedules: pulumi.Output[list[str] | None]
    volume_instance_id: pulumi.Output[str]
    name: pulumi.Output[str]
    size_mb: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: VolumeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("volume_instance_id", "name", "size_mb"))
        super().__init__(VolumeProvider(), resource_name, props, opts)
