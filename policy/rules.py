"""The platform's policies, as pulumi-policy objects. A plain module: it imports pulumi_policy and nothing
of the project's, so the pack runs wherever the CLI runs it (`pulumi preview --policy-pack policy`).

Resources are matched by the type tokens our dynamic providers register
(`pulumi-python:dynamic/<vendor>:<Kind>`) and by the component they belong to, which the URN's type
segment carries (`platform:components:WebService$pulumi-python:dynamic/railway:ServiceInstance`).
Properties are the post-`check` inputs, snake_case, as the providers name them. No rule reads `__provider`
(the CLI strips top-level `__*` keys). A value unknown during preview is read like any other: the pack's
proxy raises, and pulumi-policy reports "can't run policy ... during preview" instead of passing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

# -- what the program registers ------------------------------------------------------------------------
DYNAMIC = "pulumi-python:dynamic"
RAILWAY_SERVICE = f"{DYNAMIC}/railway:Service"
RAILWAY_INSTANCE = f"{DYNAMIC}/railway:ServiceInstance"
RAILWAY_VOLUME = f"{DYNAMIC}/railway:Volume"
RAILWAY_TCP_PROXY = f"{DYNAMIC}/railway:TcpProxy"
RAILWAY_NOTIFICATION_RULE = f"{DYNAMIC}/railway:NotificationRule"
NEON_PROJECT = f"{DYNAMIC}/neon:Project"
SUPABASE_PROJECT = f"{DYNAMIC}/supabase:Project"
SUPABASE_BACKUP_POLICY = f"{DYNAMIC}/supabase:BackupPolicy"

WEB_SERVICE = "platform:components:WebService"
WORKER = "platform:components:Worker"
DATABASE = "platform:components:Database"
REDIS_CACHE = "platform:components:RedisCache"

# Images that are databases wherever they are declared (a Railway service outside our Database component).
DATABASE_IMAGES = ("postgres", "postgis", "postgres-ssl", "mysql", "mariadb", "mongo", "timescaledb")

# Vendor facts, kept here because the pack imports nothing of ours.
RAILWAY_REGIONS = ["us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a"]
NEON_REGIONS = [
    "aws-us-east-1",
    "aws-us-east-2",
    "aws-us-west-2",
    "aws-eu-central-1",
    "aws-eu-west-2",
    "aws-ap-southeast-1",
    "aws-ap-southeast-2",
    "aws-sa-east-1",
    "azure-eastus2",
    "azure-westus3",
    "azure-gwc",
]
SUPABASE_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-east-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-central-1",
    "eu-central-2",
    "ca-central-1",
    "ap-south-1",
    "sa-east-1",
]
# What each Railway volume backup schedule keeps (Railway docs: daily 6 days, weekly a month, monthly 3).
RAILWAY_BACKUP_KEEPS_DAYS = {"DAILY": 6, "WEEKLY": 30, "MONTHLY": 90}
DEFAULT_ALERT_EVENTS = ["Deployment.failed", "Deployment.crashed"]
DAY_SECONDS = 86400

# pulumi-policy's ReportViolation, `(message, urn=None)`: resource rules leave the URN to the engine.
Report = Callable[..., None]


# -- reading URNs and props ------------------------------------------------------------------------------
def ancestors(urn: str) -> list[str]:
    """The component types above a resource, outermost first, from its URN's type segment."""
    parts = urn.split("::")
    return parts[2].split("$")[:-1] if len(parts) >= 4 else []


def within(urn: str, component: str) -> bool:
    return component in ancestors(urn)


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def service_name(resource_name: str) -> str:
    """`web-instance` -> `web`: the stack file's service key, for messages."""
    for suffix in ("-instance", "-service", "-volume", "-proxy"):
        if resource_name.endswith(suffix):
            return resource_name[: -len(suffix)]
    return resource_name


def config(args: Any) -> dict[str, Any]:
    return dict(args.get_config() or {})


def image_repository(image: str) -> str:
    """`ghcr.io/railwayapp-templates/postgres-ssl:16` -> `postgres-ssl`."""
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def image_tag(image: str) -> str | None:
    """The tag of an image reference, `None` when it has none (a digest counts as a pin)."""
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def is_database_service(urn: str, props: Mapping[str, Any]) -> bool:
    if within(urn, DATABASE):
        return True
    image = props.get("image")
    return isinstance(image, str) and image_repository(image) in DATABASE_IMAGES


def total_replicas(props: Mapping[str, Any]) -> int:
    """Railway's replica count: per-region counts add up; nothing set is Railway's default of one."""
    regions = props.get("regions")
    if regions:
        return sum(int(regions[region]) for region in regions)
    replicas = props.get("replicas")
    return int(replicas) if replicas is not None else 1


# -- stateful-resources-protected -------------------------------------------------------------------------
def _protected(args: ResourceValidationArgs, report_violation: Report) -> None:
    options = config(args)
    what = None
    if args.resource_type == NEON_PROJECT:
        what = "Neon project"
    elif args.resource_type == SUPABASE_PROJECT:
        what = "Supabase project"
    elif args.resource_type == RAILWAY_VOLUME:
        if within(args.urn, REDIS_CACHE) and not options.get("cacheVolumes", False):
            return
        what = "Railway volume"
    elif args.resource_type == RAILWAY_SERVICE and is_database_service(args.urn, args.props):
        what = "Railway database service"
    if what is None or args.opts.protect:
        return
    report_violation(
        f"{what} '{args.name}' holds data and is not protected: set `protect` on it "
        "(platform:database.protect: true), so no update or destroy can delete it by accident."
    )


stateful_resources_protected = ResourceValidationPolicy(
    name="stateful-resources-protected",
    description="Stateful resources (Neon and Supabase projects, Railway volumes and database services) "
    "carry Pulumi's protect.",
    validate=_protected,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={
            "cacheVolumes": {
                "type": "boolean",
                "default": False,
                "description": "also require protect on Redis volumes (a cache, by default not data)",
            }
        }
    ),
)


# -- backups-retained -----------------------------------------------------------------------------------
def _backups(args: ResourceValidationArgs, report_violation: Report) -> None:
    options = config(args)
    min_days = int(options.get("minDays", 7))
    if args.resource_type == NEON_PROJECT:
        seconds = args.props.get("history_retention_seconds")
        if seconds is None:
            report_violation(
                f"Neon project '{args.name}' leaves its history (restore window) to the plan's default: "
                f"set platform:database.backups.retention to at least {min_days}d."
            )
        elif int(seconds) < min_days * DAY_SECONDS:
            report_violation(
                f"Neon project '{args.name}' keeps {int(seconds) / DAY_SECONDS:g} days of history, fewer "
                f"than {min_days}: set platform:database.backups.retention to at least {min_days}d."
            )
    elif args.resource_type == SUPABASE_BACKUP_POLICY:
        daily_days = int(options.get("supabaseDailyBackupDays", 7))
        pitr = args.props.get("pitr_days")
        covered = max(daily_days, int(pitr) if pitr else 0)
        if covered < min_days:
            report_violation(
                f"Supabase backup policy '{args.name}' covers {covered} days (daily backups keep "
                f"{daily_days}, point-in-time recovery {pitr or 'off'}), fewer than {min_days}: set "
                f"platform:database.backups.pointInTime to {_supabase_pitr_for(min_days)}."
            )
    elif args.resource_type == RAILWAY_VOLUME and within(args.urn, DATABASE):
        schedules = list(args.props.get("backup_schedules") or [])
        covered = max((RAILWAY_BACKUP_KEEPS_DAYS.get(str(s).upper(), 0) for s in schedules), default=0)
        if covered < min_days:
            kept = ", ".join(str(s).lower() for s in schedules) or "none"
            report_violation(
                f"Railway database volume '{args.name}' has backup schedules ({kept}) that keep {covered} "
                f"days, fewer than {min_days}: set platform:database.backups.retention to {min_days}d "
                "(the program picks the schedules that cover it)."
            )


def _supabase_pitr_for(days: int) -> str:
    for option in (7, 14, 28):
        if option >= days:
            return f"{option}d"
    return "28d (the longest Supabase offers)"


backups_retained = ResourceValidationPolicy(
    name="backups-retained",
    description="Every database can be restored from at least `minDays` days back (Neon history, Supabase "
    "PITR or daily backups, Railway volume backup schedules).",
    validate=_backups,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={
            "minDays": {"type": "integer", "minimum": 0, "default": 7},
            "supabaseDailyBackupDays": {
                "type": "integer",
                "minimum": 0,
                "default": 7,
                "description": "days Supabase keeps daily backups on the organization's plan (Pro: 7)",
            },
        }
    ),
)


# -- web-replicas-minimum ---------------------------------------------------------------------------------
def _replicas(args: ResourceValidationArgs, report_violation: Report) -> None:
    if args.resource_type != RAILWAY_INSTANCE or not within(args.urn, WEB_SERVICE):
        return
    minimum = int(config(args).get("min", 2))
    total = total_replicas(args.props)
    if total < minimum:
        service = service_name(args.name)
        report_violation(
            f"web service '{service}' ({args.name}) runs {total} replica{'s' if total != 1 else ''}, fewer "
            f"than {minimum}: set platform:services.{service}.replicas to {minimum} or more."
        )


web_replicas_minimum = ResourceValidationPolicy(
    name="web-replicas-minimum",
    description="Web services run at least `min` replicas in total, so one crash or deploy is not an outage.",
    validate=_replicas,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(properties={"min": {"type": "integer", "minimum": 1, "default": 2}}),
)


# -- healthcheck-required ---------------------------------------------------------------------------------
def _healthcheck(args: ResourceValidationArgs, report_violation: Report) -> None:
    if args.resource_type != RAILWAY_INSTANCE or not within(args.urn, WEB_SERVICE):
        return
    service = service_name(args.name)
    if service in (config(args).get("exempt") or []):
        return
    if not args.props.get("healthcheck_path"):
        report_violation(
            f"web service '{service}' ({args.name}) has no health check, so Railway routes traffic to a "
            f"deploy before it is ready: set platform:services.{service}.healthcheck to a path "
            "(e.g. /health)."
        )


healthcheck_required = ResourceValidationPolicy(
    name="healthcheck-required",
    description="Every web service has a health-check path.",
    validate=_healthcheck,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(
        properties={
            "exempt": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "web services (stack file keys) allowed without a health check",
            }
        }
    ),
)


# -- image-pinned -----------------------------------------------------------------------------------------
def _image(args: ResourceValidationArgs, report_violation: Report) -> None:
    if args.resource_type != RAILWAY_SERVICE:
        return
    image = args.props.get("image")
    if not image:
        return  # built from a repository: the commit pins it
    forbidden = [str(t).lower() for t in (config(args).get("forbiddenTags") or ["latest"])]
    tag = image_tag(str(image))
    service = service_name(args.name)
    if tag is None:
        report_violation(
            f"service '{args.name}' runs image '{image}' with no tag (Docker reads it as :latest): pin "
            f"platform:services.{service}.image to a version or digest."
        )
    elif tag.lower() in forbidden:
        report_violation(
            f"service '{args.name}' runs image '{image}': ':{tag}' moves under you; pin "
            f"platform:services.{service}.image to a version or digest."
        )


image_pinned = ResourceValidationPolicy(
    name="image-pinned",
    description="Images are pinned: no image without a tag, and no :latest.",
    validate=_image,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(
        properties={"forbiddenTags": {"type": "array", "items": {"type": "string"}, "default": ["latest"]}}
    ),
)


# -- data-residency ---------------------------------------------------------------------------------------
def _residency(args: ResourceValidationArgs, report_violation: Report) -> None:
    options = config(args)
    if args.resource_type == NEON_PROJECT:
        vendor, region, what = "neon", args.props.get("region_id"), "Neon project"
    elif args.resource_type == SUPABASE_PROJECT:
        vendor, region, what = "supabase", args.props.get("region"), "Supabase project"
    elif args.resource_type == RAILWAY_VOLUME:
        vendor, region, what = "railway", args.props.get("region"), "Railway volume"
    else:
        return
    defaults = {"railway": RAILWAY_REGIONS, "neon": NEON_REGIONS, "supabase": SUPABASE_REGIONS}
    allowed = list(options.get(vendor, defaults[vendor]))
    if region in allowed:
        return
    where = ", ".join(allowed) if allowed else "none: keep this vendor free of stateful resources"
    message = f"{what} '{args.name}' keeps its data in {region!r}; allowed {vendor} regions: {where}."
    note = (options.get("notes") or {}).get(vendor)
    if note:
        message += f" {note}"
    report_violation(message)


data_residency = ResourceValidationPolicy(
    name="data-residency",
    description="Every stateful resource keeps its data in a region its vendor is allowed to use here.",
    validate=_residency,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={
            "railway": {"type": "array", "items": {"type": "string"}, "default": RAILWAY_REGIONS},
            "neon": {"type": "array", "items": {"type": "string"}, "default": NEON_REGIONS},
            "supabase": {"type": "array", "items": {"type": "string"}, "default": SUPABASE_REGIONS},
            "notes": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "default": {},
                "description": "per vendor, a sentence added to its violations (why the list is what it is)",
            },
        }
    ),
)


# -- no-public-database -----------------------------------------------------------------------------------
def _public_database(args: ResourceValidationArgs, report_violation: Report) -> None:
    if args.resource_type != RAILWAY_TCP_PROXY or not within(args.urn, DATABASE):
        return
    if args.name in (config(args).get("allow") or []):
        return
    report_violation(
        f"TCP proxy '{args.name}' opens the database to the internet: remove platform:database.public "
        f"(run migrations inside Railway with preDeploy), or list '{args.name}' in this policy's `allow`."
    )


no_public_database = ResourceValidationPolicy(
    name="no-public-database",
    description="No database is reachable from the internet through a Railway TCP proxy unless allowed.",
    validate=_public_database,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={
            "allow": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "names of the TCP proxy resources allowed (e.g. database-proxy)",
            }
        }
    ),
)


# -- restart-policy -------------------------------------------------------------------------------------
def _restart(args: ResourceValidationArgs, report_violation: Report) -> None:
    if args.resource_type != RAILWAY_INSTANCE or not within(args.urn, WEB_SERVICE):
        return
    policy = args.props.get("restart_policy_type")
    forbidden = [str(p).upper() for p in (config(args).get("forbidden") or ["NEVER"])]
    if policy is not None and str(policy).upper() in forbidden:
        service = service_name(args.name)
        report_violation(
            f"web service '{service}' ({args.name}) has restart policy {policy}: a crash takes it down "
            f"for good; set platform:services.{service}.restart to on_failure or always."
        )


restart_policy = ResourceValidationPolicy(
    name="restart-policy",
    description="Web services restart after a crash (restart policy not NEVER).",
    validate=_restart,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(
        properties={"forbidden": {"type": "array", "items": {"type": "string"}, "default": ["NEVER"]}}
    ),
)


# -- alerts-configured (stack) ------------------------------------------------------------------------------
def _alerts(args: StackValidationArgs, report_violation: Report) -> None:
    required = list(config(args).get("events") or DEFAULT_ALERT_EVENTS)
    routed: set[str] = set()
    for resource in args.resources:
        if resource.resource_type != RAILWAY_NOTIFICATION_RULE:
            continue
        props = resource.props
        if not (props.get("emails") or props.get("webhook_url")):
            continue  # a rule with no channel tells no one
        routed.update(str(e) for e in props.get("event_types") or [])
    missing = [e for e in required if e not in routed]
    if missing:
        report_violation(
            f"no notification rule routes {', '.join(missing)} to a channel: add "
            "platform:alerts.channels (email or webhook) and keep those in platform:alerts.events."
        )


alerts_configured = StackValidationPolicy(
    name="alerts-configured",
    description="A Railway notification rule routes failed and crashed deployments to someone.",
    validate=_alerts,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={"events": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_ALERT_EVENTS}}
    ),
)


# -- redis-noeviction-with-queues (stack) --------------------------------------------------------------------
_EVICTION = re.compile(r"--maxmemory-policy\s+([A-Za-z-]+)")


def _redis_eviction(args: StackValidationArgs, report_violation: Report) -> None:
    wanted = str(config(args).get("eviction", "noeviction"))
    workers = [r for r in args.resources if within(r.urn, WORKER) and r.resource_type == RAILWAY_INSTANCE]
    if not workers:
        return
    for resource in _redis_instances(args.resources):
        start = resource.props.get("start_command") or ""
        match = _EVICTION.search(str(start))
        policy = match.group(1) if match else "noeviction"  # Redis's own default
        if policy != wanted:
            names = ", ".join(service_name(w.name) for w in workers)
            report_violation(
                f"Redis '{resource.name}' evicts with {policy} while worker(s) {names} keep job queues in "
                f"it: under memory pressure Redis would drop queued jobs; set platform:redis.eviction to "
                f"{wanted}.",
                resource.urn,
            )


def _redis_instances(resources: Iterable[Any]) -> list[Any]:
    return [r for r in resources if r.resource_type == RAILWAY_INSTANCE and within(r.urn, REDIS_CACHE)]


redis_noeviction_with_queues = StackValidationPolicy(
    name="redis-noeviction-with-queues",
    description="A stack with a worker and Redis uses noeviction (BullMQ and arq keep their queues in "
    "Redis).",
    validate=_redis_eviction,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties={"eviction": {"type": "string", "default": "noeviction"}}),
)


POLICIES = [
    stateful_resources_protected,
    backups_retained,
    web_replicas_minimum,
    healthcheck_required,
    image_pinned,
    data_residency,
    no_public_database,
    restart_policy,
    alerts_configured,
    redis_noeviction_with_queues,
]
# The pack's default; each stack's config file (policy/config/<stack>.json) sets the real levels.
DEFAULT_ENFORCEMENT = EnforcementLevel.ADVISORY
