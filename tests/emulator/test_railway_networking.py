"""Railway emulator: service and custom domains, TCP proxies, volumes and backups, notification rules."""

from __future__ import annotations

import re
from typing import Any

from emulator.testing import RunningEmulator
from tests.emulator.railway_support import create_project, create_service, gql, gql_error

SERVICE_DOMAIN = "id domain suffix targetPort environmentId serviceId projectId syncStatus"
DOMAIN_CREATE = (
    "mutation serviceDomainCreate($input: ServiceDomainCreateInput!) "
    f"{{ serviceDomainCreate(input: $input) {{ {SERVICE_DOMAIN} }} }}"
)
DOMAIN_UPDATE = (
    "mutation serviceDomainUpdate($input: ServiceDomainUpdateInput!) { serviceDomainUpdate(input: $input) }"
)
DOMAINS = (
    "query domains($projectId: String!, $environmentId: String!, $serviceId: String!) "
    "{ domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) "
    f"{{ serviceDomains {{ {SERVICE_DOMAIN} }} customDomains {{ id domain targetPort }} }} }}"
)
CUSTOM_DOMAIN = (
    "id domain targetPort serviceId environmentId projectId status { verified verificationDnsHost "
    "verificationToken certificateStatus dnsRecords { recordType hostlabel zone fqdn requiredValue "
    "currentValue status purpose } }"
)
CUSTOM_CREATE = (
    "mutation customDomainCreate($input: CustomDomainCreateInput!) "
    f"{{ customDomainCreate(input: $input) {{ {CUSTOM_DOMAIN} }} }}"
)
CUSTOM_READ = (
    f"query customDomain($id: String!, $projectId: String!) {{ customDomain(id: $id, projectId: $projectId) "
    f"{{ {CUSTOM_DOMAIN} }} }}"
)
PROXY = "id applicationPort proxyPort domain environmentId serviceId"
VOLUME_INSTANCE = "id volumeId environmentId serviceId mountPath region sizeMB state"
VOLUME_CREATE = (
    "mutation volumeCreate($input: VolumeCreateInput!) { volumeCreate(input: $input) { id name projectId "
    f"volumeInstances {{ edges {{ node {{ {VOLUME_INSTANCE} }} }} }} }} }}"
)
RULE = "id workspaceId projectId eventTypes severities channels { id config }"


def _domains(
    emulator: RunningEmulator, project_id: str, environment_id: str, service_id: str
) -> dict[str, Any]:
    ids = {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id}
    found: dict[str, Any] = gql(emulator, DOMAINS, ids)["domains"]
    return found


def test_service_domain_create_update_delete(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, "Web App")
    created = gql(emulator, DOMAIN_CREATE, {"input": {"serviceId": service_id, "environmentId": production}})[
        "serviceDomainCreate"
    ]
    assert re.fullmatch(r"web-app-production-[0-9a-f]{4}\.up\.railway\.app", created["domain"])
    assert created["suffix"] == "up.railway.app"
    assert created["targetPort"] is None
    assert created["projectId"] == project_id
    base = {"serviceDomainId": created["id"], "serviceId": service_id, "environmentId": production}
    gql(emulator, DOMAIN_UPDATE, {"input": {**base, "domain": "shop-api.up.railway.app", "targetPort": 8080}})
    read = _domains(emulator, project_id, production, service_id)["serviceDomains"]
    assert [(d["domain"], d["targetPort"]) for d in read] == [("shop-api.up.railway.app", 8080)]
    # targetPort omitted: kept; null: cleared.
    gql(emulator, DOMAIN_UPDATE, {"input": {**base, "domain": "shop-api.up.railway.app"}})
    assert _domains(emulator, project_id, production, service_id)["serviceDomains"][0]["targetPort"] == 8080
    gql(emulator, DOMAIN_UPDATE, {"input": {**base, "domain": "shop-api.up.railway.app", "targetPort": None}})
    assert _domains(emulator, project_id, production, service_id)["serviceDomains"][0]["targetPort"] is None
    assert "Invalid domain" in gql_error(
        emulator, DOMAIN_UPDATE, {"input": {**base, "domain": "shop.example.com"}}
    )
    delete = "mutation serviceDomainDelete($id: String!) { serviceDomainDelete(id: $id) }"
    assert gql(emulator, delete, {"id": created["id"]}) == {"serviceDomainDelete": True}
    assert _domains(emulator, project_id, production, service_id)["serviceDomains"] == []
    assert gql_error(emulator, delete, {"id": created["id"]}) == "ServiceDomain not found"


def test_custom_domain_dns_records_verification_and_target_port(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    ids = {"projectId": project_id, "environmentId": production, "serviceId": service_id}
    created = gql(
        emulator, CUSTOM_CREATE, {"input": {**ids, "domain": "app.example.com", "targetPort": 3001}}
    )["customDomainCreate"]
    assert created["domain"] == "app.example.com"
    assert created["targetPort"] == 3001
    status = created["status"]
    assert status["verified"] is False
    assert status["certificateStatus"] == "CERTIFICATE_STATUS_TYPE_VALIDATING_OWNERSHIP"
    records = {r["recordType"]: r for r in status["dnsRecords"]}
    cname = records["DNS_RECORD_TYPE_CNAME"]
    assert (cname["hostlabel"], cname["zone"], cname["fqdn"]) == ("app", "example.com", "app.example.com")
    assert cname["requiredValue"].endswith(".up.railway.app")
    txt = records["DNS_RECORD_TYPE_TXT"]
    assert txt["requiredValue"] == status["verificationToken"]
    assert status["verificationDnsHost"] == txt["fqdn"] == "_railway-verify.app.example.com"
    # At time scale 0 the emulated owner's DNS "propagates" by the next look, and TLS is issued.
    read = gql(emulator, CUSTOM_READ, {"id": created["id"], "projectId": project_id})["customDomain"]
    assert read["status"]["verified"] is True
    assert read["status"]["certificateStatus"] == "CERTIFICATE_STATUS_TYPE_VALID"
    update = (
        "mutation customDomainUpdate($id: String!, $environmentId: String!, $targetPort: Int) "
        "{ customDomainUpdate(id: $id, environmentId: $environmentId, targetPort: $targetPort) }"
    )
    gql(emulator, update, {"id": created["id"], "environmentId": production, "targetPort": 8080})
    assert _domains(emulator, project_id, production, service_id)["customDomains"][0]["targetPort"] == 8080
    taken = gql_error(emulator, CUSTOM_CREATE, {"input": {**ids, "domain": "app.example.com"}})
    assert "already in use" in taken
    assert "Invalid domain" in gql_error(
        emulator, CUSTOM_CREATE, {"input": {**ids, "domain": "not a domain"}}
    )
    delete = "mutation customDomainDelete($id: String!) { customDomainDelete(id: $id) }"
    gql(emulator, delete, {"id": created["id"]})
    assert gql_error(emulator, CUSTOM_READ, {"id": created["id"], "projectId": project_id}) == (
        "CustomDomain not found"
    )


def test_tcp_proxy_create_list_delete(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    create = (
        "mutation tcpProxyCreate($input: TCPProxyCreateInput!) "
        f"{{ tcpProxyCreate(input: $input) {{ {PROXY} }} }}"
    )
    proxy = gql(
        emulator,
        create,
        {"input": {"serviceId": service_id, "environmentId": production, "applicationPort": 5432}},
    )["tcpProxyCreate"]
    assert re.fullmatch(r"[a-z]+\.proxy\.rlwy\.net", proxy["domain"])
    assert 10000 <= proxy["proxyPort"] <= 65000
    assert proxy["applicationPort"] == 5432
    listing = (
        f"query tcpProxies($serviceId: String!, $environmentId: String!) "
        f"{{ tcpProxies(serviceId: $serviceId, environmentId: $environmentId) {{ {PROXY} }} }}"
    )
    assert gql(emulator, listing, {"serviceId": service_id, "environmentId": production})["tcpProxies"] == [
        proxy
    ]
    delete = "mutation tcpProxyDelete($id: String!) { tcpProxyDelete(id: $id) }"
    assert gql(emulator, delete, {"id": proxy["id"]}) == {"tcpProxyDelete": True}
    assert gql(emulator, listing, {"serviceId": service_id, "environmentId": production})["tcpProxies"] == []


def test_volume_create_update_backups_delete(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    volume = gql(
        emulator,
        VOLUME_CREATE,
        {
            "input": {
                "projectId": project_id,
                "environmentId": production,
                "serviceId": service_id,
                "mountPath": "/data",
            }
        },
    )["volumeCreate"]
    instances = [edge["node"] for edge in volume["volumeInstances"]["edges"]]
    assert len(instances) == 1
    volume_instance = instances[0]
    assert volume_instance["environmentId"] == production
    assert volume_instance["serviceId"] == service_id
    assert volume_instance["mountPath"] == "/data"
    assert volume_instance["region"] == "us-west2"
    assert volume_instance["state"] == "READY"
    assert volume_instance["sizeMB"] > 0
    renamed = gql(
        emulator,
        "mutation volumeUpdate($volumeId: String!, $input: VolumeUpdateInput!) "
        "{ volumeUpdate(volumeId: $volumeId, input: $input) { id name } }",
        {"volumeId": volume["id"], "input": {"name": "pgdata"}},
    )["volumeUpdate"]
    assert renamed == {"id": volume["id"], "name": "pgdata"}
    gql(
        emulator,
        "mutation volumeInstanceUpdate($volumeId: String!, $environmentId: String, "
        "$input: VolumeInstanceUpdateInput!) { volumeInstanceUpdate(volumeId: $volumeId, "
        "environmentId: $environmentId, input: $input) }",
        {
            "volumeId": volume["id"],
            "environmentId": production,
            "input": {"mountPath": "/var/lib/postgresql/data"},
        },
    )
    read = gql(
        emulator,
        "query volumeInstance($id: String!) "
        f"{{ volumeInstance(id: $id) {{ {VOLUME_INSTANCE} volume {{ name }} }} }}",
        {"id": volume_instance["id"]},
    )["volumeInstance"]
    assert read["mountPath"] == "/var/lib/postgresql/data"
    assert read["volume"] == {"name": "pgdata"}
    schedule_update = (
        "mutation volumeInstanceBackupScheduleUpdate($volumeInstanceId: String!, "
        "$kinds: [VolumeInstanceBackupScheduleKind!]!) { volumeInstanceBackupScheduleUpdate("
        "volumeInstanceId: $volumeInstanceId, kinds: $kinds) }"
    )
    schedule_list = (
        "query volumeInstanceBackupScheduleList($volumeInstanceId: String!) "
        "{ volumeInstanceBackupScheduleList(volumeInstanceId: $volumeInstanceId) "
        "{ id kind cron name retentionSeconds } }"
    )
    ids = {"volumeInstanceId": volume_instance["id"]}
    gql(emulator, schedule_update, {**ids, "kinds": ["DAILY", "WEEKLY"]})
    schedules = gql(emulator, schedule_list, ids)["volumeInstanceBackupScheduleList"]
    assert sorted(s["kind"] for s in schedules) == ["DAILY", "WEEKLY"]
    assert all(s["cron"] and s["retentionSeconds"] > 0 for s in schedules)
    gql(emulator, schedule_update, {**ids, "kinds": ["MONTHLY"]})
    assert [s["kind"] for s in gql(emulator, schedule_list, ids)["volumeInstanceBackupScheduleList"]] == [
        "MONTHLY"
    ]
    another = gql_error(
        emulator,
        VOLUME_CREATE,
        {
            "input": {
                "projectId": project_id,
                "environmentId": production,
                "serviceId": service_id,
                "mountPath": "/x",
            }
        },
    )
    assert "already has a volume" in another
    delete = "mutation volumeDelete($volumeId: String!) { volumeDelete(volumeId: $volumeId) }"
    assert gql(emulator, delete, {"volumeId": volume["id"]}) == {"volumeDelete": True}
    state = emulator.state()["railway"]
    assert state["volumes"] == state["volumeInstances"] == state["backupSchedules"] == []


def test_volume_without_environment_id_goes_to_every_environment_and_null_to_none(
    emulator: RunningEmulator,
) -> None:
    project_id, _ = create_project(emulator)
    gql(
        emulator,
        "mutation environmentCreate($input: EnvironmentCreateInput!) "
        "{ environmentCreate(input: $input) { id } }",
        {"input": {"projectId": project_id, "name": "staging"}},
    )
    everywhere = gql(emulator, VOLUME_CREATE, {"input": {"projectId": project_id, "mountPath": "/data"}})
    assert len(everywhere["volumeCreate"]["volumeInstances"]["edges"]) == 2
    nowhere = gql(
        emulator,
        VOLUME_CREATE,
        {"input": {"projectId": project_id, "mountPath": "/data", "environmentId": None}},
    )
    assert nowhere["volumeCreate"]["volumeInstances"]["edges"] == []


def test_notification_rule_create_update_list_delete(emulator: RunningEmulator) -> None:
    project_id, _ = create_project(emulator)
    workspace_id = gql(
        emulator, "query project($id: String!) { project(id: $id) { workspaceId } }", {"id": project_id}
    )["project"]["workspaceId"]
    create = (
        "mutation notificationRuleCreate($input: CreateNotificationRuleInput!) "
        f"{{ notificationRuleCreate(input: $input) {{ {RULE} }} }}"
    )
    rule = gql(
        emulator,
        create,
        {
            "input": {
                "workspaceId": workspace_id,
                "projectId": project_id,
                "eventTypes": ["Deployment.failed", "Deployment.crashed"],
                "severities": ["CRITICAL"],
                "channelConfigs": [{"type": "webhook", "url": "https://hooks.example.com/railway"}],
            }
        },
    )["notificationRuleCreate"]
    assert rule["eventTypes"] == ["Deployment.failed", "Deployment.crashed"]
    assert rule["channels"][0]["config"] == {"type": "webhook", "url": "https://hooks.example.com/railway"}
    update = (
        "mutation notificationRuleUpdate($id: String!, $input: UpdateNotificationRuleInput!) "
        f"{{ notificationRuleUpdate(id: $id, input: $input) {{ {RULE} }} }}"
    )
    updated = gql(emulator, update, {"id": rule["id"], "input": {"severities": ["CRITICAL", "WARNING"]}})[
        "notificationRuleUpdate"
    ]
    assert updated["severities"] == ["CRITICAL", "WARNING"]
    assert updated["eventTypes"] == rule["eventTypes"]  # omitted: kept
    listing = (
        "query notificationRules($workspaceId: String!, $projectId: String) "
        f"{{ notificationRules(workspaceId: $workspaceId, projectId: $projectId) {{ {RULE} }} }}"
    )
    listed = gql(emulator, listing, {"workspaceId": workspace_id, "projectId": project_id})[
        "notificationRules"
    ]
    assert [r["id"] for r in listed] == [rule["id"]]
    bad_channel = gql_error(
        emulator,
        create,
        {
            "input": {
                "workspaceId": workspace_id,
                "eventTypes": ["Deployment.failed"],
                "channelConfigs": [{"url": "x"}],
            }
        },
    )
    assert "type" in bad_channel
    delete = "mutation notificationRuleDelete($id: String!) { notificationRuleDelete(id: $id) }"
    assert gql(emulator, delete, {"id": rule["id"]}) == {"notificationRuleDelete": True}
    assert gql(emulator, listing, {"workspaceId": workspace_id, "projectId": None})["notificationRules"] == []
