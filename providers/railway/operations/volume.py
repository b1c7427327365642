"""Railway volumes and their backup schedules: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    VOLUME_INSTANCE,
    Operations,
    nodes_of,
    register_document,
)

# Volumes
register_document(
    "mutation volumeCreate($input: VolumeCreateInput!) { volumeCreate(input: $input) { id name projectId "
    f"volumeInstances {{ edges {{ node {{ {VOLUME_INSTANCE} }} }} }} }} }}"
)
register_document(
    "query volumeInstance($id: String!) "
    f"{{ volumeInstance(id: $id) {{ {VOLUME_INSTANCE} volume {{ id name }} }} }}"
)
register_document(
    "mutation volumeInstanceUpdate($volumeId: String!, $environmentId: String, "
    "$input: VolumeInstanceUpdateInput!) { volumeInstanceUpdate(volumeId: $volumeId, "
    "environmentId: $environmentId, input: $input) }"
)
register_document("mutation volumeDelete($volumeId: String!) { volumeDelete(volumeId: $volumeId) }")
register_document(
    "query volumeInstanceBackupScheduleList($volumeInstanceId: String!) "
    "{ volumeInstanceBackupScheduleList(volumeInstanceId: $volumeInstanceId) { id kind cron name } }"
)
register_document(
    "mutation volumeInstanceBackupScheduleUpdate($volumeInstanceId: String!, "
    "$kinds: [VolumeInstanceBackupScheduleKind!]!) { volumeInstanceBackupScheduleUpdate("
    "volumeInstanceId: $volumeInstanceId, kinds: $kinds) }"
)


class VolumeOperations(Operations):
    """RailwayClient's methods for volumes and their backup schedules."""

    def volume_create(
        self,
        *,
        project_id: str,
        mount_path: str,
        service_id: str | None = None,
        environment_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        volume: dict[str, Any] = self.execute(
            "volumeCreate",
            {
                "input": {
                    "projectId": project_id,
                    "serviceId": service_id,
                    # Always passed: without it Railway creates no volume instance (TF provider issue #61).
                    "environmentId": environment_id,
                    "mountPath": mount_path,
                    "region": region,
                }
            },
        )
        volume["volumeInstances"] = nodes_of(volume.get("volumeInstances"))
        return volume

    def project_volumes(self, project_id: str) -> list[dict[str, Any]]:
        volumes = nodes_of(self.execute("project", {"id": project_id}).get("volumes"))
        for volume in volumes:
            volume["volumeInstances"] = nodes_of(volume.get("volumeInstances"))
        return volumes

    def volume_instance(self, volume_instance_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("volumeInstance", {"id": volume_instance_id})
        return result

    def volume_instance_update(
        self, *, volume_id: str, environment_id: str, mount_path: str | None = None
    ) -> bool:
        return bool(
            self.execute(
                "volumeInstanceUpdate",
                {"volumeId": volume_id, "environmentId": environment_id, "input": {"mountPath": mount_path}},
            )
        )

    def volume_delete(self, volume_id: str) -> bool:
        return bool(self.execute("volumeDelete", {"volumeId": volume_id}))

    def volume_instance_backup_schedules(self, volume_instance_id: str) -> list[dict[str, Any]]:
        return list(
            self.execute("volumeInstanceBackupScheduleList", {"volumeInstanceId": volume_instance_id}) or []
        )

    def volume_instance_backup_schedule_update(self, volume_instance_id: str, kinds: list[str]) -> bool:
        return bool(
            self.execute(
                "volumeInstanceBackupScheduleUpdate", {"volumeInstanceId": volume_instance_id, "kinds": kinds}
            )
        )
