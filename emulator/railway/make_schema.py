"""Write `schema.graphql`, the emulator's own SDL: the subset of Railway's published schema it serves.

Run `python -m emulator.railway.make_schema [path/to/railway-schema.graphql]` (default
`../shared/api/railway-schema.graphql`) after adding a root field or an object field to `SELECTION`.
Object types keep only the fields listed here (what the emulator resolves); every input, enum and scalar
they reach is copied whole, so any document valid against Railway's schema for these fields is valid here.
The contract test `tests/contract/test_railway_emulator_sdl.py` checks the result against the vendor file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    TypeNode,
    parse,
    print_ast,
)

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent.parent / "shared" / "api" / "railway-schema.graphql"
BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}

CONNECTION = ["edges", "pageInfo"]
EDGE = ["cursor", "node"]

# fmt: off
# Object type -> the fields the emulator serves (same names, arguments and types as Railway's).
SELECTION: dict[str, list[str]] = {
    "Query": [
        "me", "workspace", "project", "projects", "environment", "environments", "service", "serviceInstance",
        "serviceInstanceLimits", "deployment", "deployments", "deploymentLogs", "buildLogs", "variables",
        "domains", "customDomain", "tcpProxies", "volumeInstance", "volumeInstanceBackupScheduleList",
        "notificationRules", "regions", "projectToken", "observabilityDashboards",
        "variablesForServiceDeployment", "deploymentTriggers", "environmentStagedChanges",
    ],
    "Mutation": [
        "projectCreate", "projectUpdate", "projectDelete", "environmentCreate", "environmentRename",
        "environmentDelete", "serviceCreate", "serviceUpdate", "serviceConnect", "serviceDisconnect",
        "serviceDelete", "serviceInstanceUpdate", "serviceInstanceLimitsUpdate", "serviceInstanceDeploy",
        "serviceInstanceDeployV2", "serviceInstanceRedeploy", "deploymentRedeploy", "deploymentRemove",
        "variableUpsert", "variableCollectionUpsert", "variableDelete", "serviceDomainCreate",
        "serviceDomainUpdate", "serviceDomainDelete", "customDomainCreate", "customDomainUpdate",
        "customDomainDelete", "tcpProxyCreate", "tcpProxyDelete", "volumeCreate", "volumeUpdate",
        "volumeDelete", "volumeInstanceUpdate", "volumeInstanceBackupScheduleUpdate",
        "notificationRuleCreate", "notificationRuleUpdate", "notificationRuleDelete", "projectTokenCreate",
        "projectTokenDelete", "observabilityDashboardCreate", "observabilityDashboardUpdate",
        "observabilityDashboardReset", "projectScheduleDelete", "deploymentRestart",
        "deploymentTriggerCreate", "deploymentTriggerUpdate", "deploymentTriggerDelete",
        "environmentStageChanges", "environmentPatchCommit", "environmentPatchCommitStaged",
    ],
    "User": ["id", "name", "email", "username", "createdAt", "workspaces", "apiTokenRateLimit"],
    "Workspace": [
        "id", "name", "createdAt", "updatedAt", "preferredRegion", "allowDeprecatedRegions",
        "apiTokenRateLimit", "projects", "projectCount",
    ],
    "Variable": [
        "id", "name", "environmentId", "environment", "serviceId", "service", "pluginId", "isSealed",
        "references", "createdAt", "updatedAt",
    ],
    "ApiTokenRateLimit": ["remainingPoints", "resetsAt"],
    "Project": [
        "id", "name", "description", "isPublic", "prDeploys", "botPrEnvironments", "focusedPrEnvironments",
        "createdAt", "updatedAt", "deletedAt", "expiredAt", "baseEnvironmentId", "baseEnvironment",
        "primaryEnvironmentId", "workspaceId", "workspace", "teamId", "isTempProject", "environments",
        "services", "volumes", "deployments", "deploymentTriggers",
    ],
    "Environment": [
        "id", "name", "projectId", "isEphemeral", "canAccess", "createdAt", "updatedAt", "deletedAt",
        "sourceEnvironment", "config", "configEtag", "serviceInstances", "volumeInstances", "meta",
        "unmergedChangesCount", "deployments", "deploymentTriggers", "variables",
    ],
    "EnvironmentMeta": [
        "baseBranch", "branch", "latestSuccessfulGitHubDeploymentId", "prCommentId", "prNumber", "prRepo",
        "prTitle", "skippedResourceIds",
    ],
    "EnvironmentPatch": [
        "id", "environmentId", "environment", "patch", "status", "message", "createdAt", "updatedAt",
        "appliedAt", "lastAppliedError",
    ],
    "DeploymentTrigger": [
        "id", "branch", "checkSuites", "environmentId", "projectId", "provider", "repository", "serviceId",
        "baseEnvironmentOverrideId", "validCheckSuites",
    ],
    "Service": [
        "id", "name", "icon", "projectId", "project", "createdAt", "updatedAt", "deletedAt", "templateId",
        "templateServiceId", "groupId", "isRestricted", "serviceInstances", "deployments", "repoTriggers",
        "hasHiddenRegistryCredentialsFromTemplate",
    ],
    "ServiceInstance": [
        "id", "serviceId", "serviceName", "service", "environmentId", "buildCommand", "builder",
        "cronSchedule", "nextCronRunAt", "dockerfilePath", "drainingSeconds", "overlapSeconds",
        "healthcheckPath", "healthcheckTimeout", "ipv6EgressEnabled", "isUpdatable", "nixpacksPlan",
        "numReplicas", "preDeployCommand", "railwayConfigFile", "region", "restartPolicyMaxRetries",
        "restartPolicyType", "rootDirectory", "sleepApplication", "source", "startCommand", "upstreamUrl",
        "watchPatterns", "domains", "latestDeployment", "activeDeployments", "createdAt", "updatedAt",
        "deletedAt",
    ],
    "ServiceSource": ["image", "repo"],
    "Deployment": [
        "id", "status", "statusUpdatedAt", "createdAt", "updatedAt", "projectId", "environmentId",
        "environment", "serviceId", "service", "snapshotId", "staticUrl", "url", "canRedeploy", "canRollback",
        "deploymentStopped", "meta", "instances", "suggestAddServiceDomain",
    ],
    "DeploymentDeploymentInstance": ["id", "status"],
    "Log": ["message", "severity", "timestamp", "attributes", "tags"],
    "LogAttribute": ["key", "value"],
    "LogTags": [
        "deploymentId", "deploymentInstanceId", "environmentId", "pluginId", "projectId", "serviceId",
        "snapshotId",
    ],
    "AllDomains": ["customDomains", "serviceDomains"],
    "ServiceDomain": [
        "id", "domain", "suffix", "environmentId", "serviceId", "projectId", "targetPort", "syncStatus",
        "createdAt", "updatedAt", "deletedAt",
    ],
    "CustomDomain": [
        "id", "domain", "environmentId", "serviceId", "projectId", "targetPort", "syncStatus", "status",
        "isRailwayDomain", "createdAt", "updatedAt", "deletedAt",
    ],
    "CustomDomainStatus": [
        "dnsRecords", "verificationDnsHost", "verificationToken", "verified", "certificateStatus",
        "certificateStatusDetailed", "certificateErrorMessage", "certificateErrorType",
        "certificateRetryable", "cdnProvider", "certificates",
    ],
    "CertificatePublicData": ["domainNames", "expiresAt", "fingerprintSha256", "issuedAt", "keyType"],
    "DNSRecords": [
        "currentValue", "fqdn", "hostlabel", "purpose", "recordType", "requiredValue", "status", "zone",
    ],
    "TCPProxy": [
        "id", "applicationPort", "proxyPort", "domain", "environmentId", "serviceId", "syncStatus",
        "createdAt", "updatedAt", "deletedAt",
    ],
    "Volume": ["id", "name", "projectId", "project", "createdAt", "volumeInstances"],
    "VolumeInstance": [
        "id", "volumeId", "volume", "environmentId", "environment", "serviceId", "service", "mountPath",
        "region", "sizeMB", "currentSizeMB", "state", "isPendingDeletion", "externalId", "createdAt",
        "deletedAt",
    ],
    "VolumeInstanceBackupSchedule": ["id", "name", "kind", "cron", "retentionSeconds", "createdAt"],
    "NotificationRule": [
        "id", "workspaceId", "projectId", "environmentId", "serviceId", "eventTypes", "severities",
        "ephemeralEnvironments", "channels", "createdAt", "updatedAt",
    ],
    "NotificationChannel": ["id", "config", "workspaceId", "createdAt", "updatedAt"],
    "Region": ["id", "name", "region", "country", "location", "workspaceId", "deploymentConstraints"],
    "RegionDeploymentConstraints": ["deprecationInfo"],
    "RegionDeprecationInfo": ["isDeprecated", "replacementRegion"],
    "ProjectToken": [
        "id", "name", "displayToken", "projectId", "project", "environmentId", "environment", "createdAt",
    ],
    # `ObservabilityDashboardItem.monitors` is left out: monitors cannot be made through the public API,
    # and their config is a union this generator does not copy.
    "ObservabilityDashboard": ["id", "items"],
    "ObservabilityDashboardItemInstance": ["id", "displayConfig", "dashboardItem"],
    "ObservabilityDashboardItem": ["id", "name", "description", "type", "config"],
    "ObservabilityDashboardItemConfig": [
        "httpMetric", "logsFilter", "measurements", "projectUsageProperties", "resourceIds",
    ],
    "PageInfo": ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"],
}
# fmt: on
for _connection in (
    "QueryProjectsConnection",
    "QueryEnvironmentsConnection",
    "QueryDeploymentsConnection",
    "WorkspaceProjectsConnection",
    "ProjectEnvironmentsConnection",
    "ProjectServicesConnection",
    "ProjectVolumesConnection",
    "EnvironmentServiceInstancesConnection",
    "EnvironmentVolumeInstancesConnection",
    "ServiceServiceInstancesConnection",
    "ServiceDeploymentsConnection",
    "VolumeVolumeInstancesConnection",
    "QueryObservabilityDashboardsConnection",
    "QueryDeploymentTriggersConnection",
    "EnvironmentDeploymentTriggersConnection",
    "EnvironmentDeploymentsConnection",
    "ProjectDeploymentTriggersConnection",
    "ProjectDeploymentsConnection",
    "ServiceRepoTriggersConnection",
    "EnvironmentVariablesConnection",
):
    SELECTION[_connection] = CONNECTION
    SELECTION[_connection + "Edge"] = EDGE


def _named(type_node: TypeNode) -> str:
    while isinstance(type_node, NonNullTypeNode | ListTypeNode):
        type_node = type_node.type
    return type_node.name.value  # type: ignore[attr-defined]


def subset(source: str) -> str:
    document = parse(source)
    definitions = {d.name.value: d for d in document.definitions if hasattr(d, "name") and d.name}
    kept: dict[str, Any] = {}
    pending: list[str] = []

    def need(name: str, reason: str) -> None:
        if name in BUILTIN_SCALARS or name in kept or name in pending:
            return
        node = definitions.get(name)
        if node is None:
            raise SystemExit(f"{name} (needed by {reason}) is not in the vendor schema")
        if isinstance(node, ObjectTypeDefinitionNode) and name not in SELECTION:
            raise SystemExit(f"object type {name} (needed by {reason}) has no entry in SELECTION")
        pending.append(name)

    for name in SELECTION:
        need(name, "SELECTION")
    while pending:
        name = pending.pop()
        node = definitions[name]
        if isinstance(node, ObjectTypeDefinitionNode):
            by_name = {f.name.value: f for f in node.fields or ()}
            missing = [f for f in SELECTION[name] if f not in by_name]
            if missing:
                raise SystemExit(f"{name} has no field(s) {missing} in the vendor schema")
            fields: list[FieldDefinitionNode] = [by_name[f] for f in sorted(SELECTION[name])]
            for field in fields:
                need(_named(field.type), f"{name}.{field.name.value}")
                for arg in field.arguments or ():
                    need(_named(arg.type), f"{name}.{field.name.value}({arg.name.value})")
            kept[name] = ObjectTypeDefinitionNode(
                name=node.name,
                description=node.description,
                interfaces=(),
                directives=(),
                fields=tuple(fields),
            )
        elif isinstance(node, InputObjectTypeDefinitionNode):
            inputs: tuple[InputValueDefinitionNode, ...] = tuple(node.fields or ())
            for input_field in inputs:
                need(_named(input_field.type), f"{name}.{input_field.name.value}")
            kept[name] = node
        elif isinstance(node, EnumTypeDefinitionNode | ScalarTypeDefinitionNode):
            kept[name] = node
        else:
            raise SystemExit(f"{name}: unexpected definition kind {node.kind}")

    order = ["Query", "Mutation", *sorted(n for n in kept if n not in ("Query", "Mutation"))]
    body = print_ast(DocumentNode(definitions=tuple(kept[n] for n in order)))
    return _comment_header() + "schema {\n  query: Query\n  mutation: Mutation\n}\n\n" + body + "\n"


def _comment_header() -> str:
    return (
        "# The Railway emulator's own schema: the part of Railway's public GraphQL API\n"
        "# (https://backboard.railway.com/graphql/v2) that the emulator serves, with Railway's names,\n"
        "# arguments and types. Generated by `python -m emulator.railway.make_schema` from the published\n"
        "# schema; object types carry only the fields the emulator resolves; inputs, enums and scalars are\n"
        "# whole.\n\n"
    )


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    (HERE / "schema.graphql").write_text(subset(source.read_text()))
    print(f"wrote {HERE / 'schema.graphql'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
