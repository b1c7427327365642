"""What every Railway resource shares: credentials from `configure()`, limits, the provider base class, and
clean-up/adoption helpers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

import pulumi
from pulumi import dynamic
from pydantic import ConfigDict

from providers.adoption import create_or_adopt
from providers.base import (
    INPUTS_CONFIG,
    CredentialsMissingError,
    PlatformProvider,
    Setting,
    report_progress,
    strip_provider,
    unless_gone,
)
from providers.http import ApiError, Secret
from providers.pacing import railway_limits
from providers.railway.client import DEFAULT_API_URL, RailwayApiError, RailwayClient, is_not_found

API_TOKEN = Setting("railway:token", "RAILWAY_API_TOKEN", secret=True)


PROJECT_TOKEN = Setting("railway:projectToken", "RAILWAY_TOKEN", secret=True)


API_URL = Setting("railway:apiUrl", "RAILWAY_API_URL", default=DEFAULT_API_URL)


# The plan's rate limits (see providers/pacing.py; defaults: Pro).
REQUESTS_PER_SECOND = Setting("railway:requestsPerSecond", "RAILWAY_REQUESTS_PER_SECOND")


REQUESTS_PER_HOUR = Setting("railway:requestsPerHour", "RAILWAY_REQUESTS_PER_HOUR")


# Railway Metal regions (docs `deployments/regions.md`). There is no Canadian region.
KNOWN_REGIONS: tuple[str, ...] = (
    "us-west2",
    "us-east4-eqdc4a",
    "europe-west4-drams3a",
    "asia-southeast1-eqsg3a",
)


MAX_TOTAL_REPLICAS = 50  # the Railway CLI's MAX_TOTAL_REPLICAS


MAX_HEALTHCHECK_TIMEOUT_SECONDS = 3600


MAX_RESTART_RETRIES = 100


DEFAULT_DEPLOY_TIMEOUT = 900.0


RestartPolicyType = Literal["ALWAYS", "NEVER", "ON_FAILURE"]


Builder = Literal["HEROKU", "NIXPACKS", "PAKETO", "RAILPACK"]


BackupSchedule = Literal["DAILY", "WEEKLY", "MONTHLY"]


Severity = Literal["CRITICAL", "INFO", "NOTICE", "WARNING"]


_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DeploymentFailedError(Exception):
    """A Railway deployment ended FAILED, CRASHED or REMOVED."""

    def __init__(self, deployment_id: str, status: str, log_tail: list[str], subject: str) -> None:
        self.deployment_id = deployment_id
        self.status = status
        self.log_tail = log_tail
        lines = "\n".join(f"  {line}" for line in log_tail) or "  (no log lines)"
        super().__init__(f"{subject}: deployment {deployment_id} ended {status}; last log lines:\n{lines}")


# -- shared provider plumbing ----------------------------------------------------------------------
class RailwayProvider(PlatformProvider):
    """Credentials from `configure()`, a lazily built client, and the diff/read helpers all resources use."""

    # Optional inputs that Railway fills in when unset (e.g. the workspace): unset is no change.
    computed_if_unset: ClassVar[frozenset[str]] = frozenset()

    # Test hooks: nothing waits in tests. Dropped when pickled, like everything set on the instance.
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        self._config = req.config
        self._railway: RailwayClient | None = None

    def client(self) -> RailwayClient:
        cached: RailwayClient | None = getattr(self, "_railway", None)
        if cached is not None:
            return cached
        config = getattr(self, "_config", None)
        token = API_TOKEN.read(config)
        project_token = PROJECT_TOKEN.read(config)
        if not token and not project_token:
            raise CredentialsMissingError(
                API_TOKEN.missing_message()
                + f" (or, for one environment only, {PROJECT_TOKEN.config_key} / {PROJECT_TOKEN.env_var})"
            )
        client = RailwayClient(
            token=Secret(token) if token else None,
            project_token=Secret(project_token) if project_token else None,
            api_url=API_URL.read(config) or DEFAULT_API_URL,
            sleep=self.sleep,
            rate_limits=railway_limits(
                REQUESTS_PER_SECOND.read_number(config), REQUESTS_PER_HOUR.read_number(config)
            ),
        )
        self._railway = client
        return client

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        news = dict(news)
        for key in self.computed_if_unset:
            if news.get(key) is None and olds.get(key) is not None:
                news[key] = olds[key]
        return super().diff(_id, olds, news)

    def inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The input keys of `props` (outputs hold inputs plus computed values)."""
        keys = self.Inputs.model_fields.keys()
        return {k: v for k, v in strip_provider(props).items() if k in keys and v is not None}

    def parse(self, props: Mapping[str, Any]) -> Any:
        return self.Inputs.model_validate(self.inputs(props))

    def read_result(self, id_: str, inputs: dict[str, Any], computed: dict[str, Any]) -> dynamic.ReadResult:
        clean = {k: v for k, v in inputs.items() if v is not None}
        return dynamic.ReadResult(id_, {**clean, **computed}, clean)


def _gone_is_fine(call: Callable[[], Any]) -> None:
    """Run a delete; "not found" means somebody already did it."""
    unless_gone(call, is_not_found)


def _cleanup(call: Callable[[], Any], note: list[str]) -> None:
    """Undo a half-made create; what cannot be undone is named in the error the user sees."""
    try:
        call()
    except Exception as exc:
        if not is_not_found(exc):
            note.append(f"cleanup failed ({exc}); remove it by hand")


def _raise_after_cleanup(original: BaseException, what: str, note: list[str]) -> None:
    suffix = f" [{what}: {'; '.join(note)}]" if note else f" [{what} was removed again]"
    if isinstance(original, ApiError):
        original.message += suffix
        raise original
    raise RuntimeError(f"{original}{suffix}") from original


def _adopt_or_retry(
    create: Callable[[], dict[str, Any]],
    find: Callable[[], list[dict[str, Any]]],
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Create once. If the answer was lost (timeout, cut connection, 5xx), look the object up instead of
    creating it twice: found once, it is ours; not found, the create never happened and is sent again
    (after the wait the vendor asked for); found more than once, the user must choose."""
    return create_or_adopt(create, find, what, sleep=sleep)


def _or_adopt_existing(
    create: Callable[[], dict[str, Any]],
    conflict: str,
    find: Callable[[], list[dict[str, Any]]],
    what: str,
) -> Callable[[], dict[str, Any]]:
    """`create`, except that a refusal because the object already exists (`conflict` in Railway's
    message) adopts it when it is on our own service: an earlier run made it and lost the answer before
    recording it. Held by anything else, the refusal stands."""

    def attempt() -> dict[str, Any]:
        try:
            return create()
        except RailwayApiError as exc:
            if conflict not in exc.message:
                raise
            found = find()
            if len(found) != 1:
                raise
            report_progress(what, f"adopted {found[0].get('id')}, made earlier but not recorded")
            return found[0]

    return attempt


def _strict() -> ConfigDict:
    return INPUTS_CONFIG


def _secret_inputs(props: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    """Secret values stay secret in the state's inputs too (additional_secret_outputs covers only outputs)."""
    return {k: pulumi.Output.secret(v) if k in secrets and v is not None else v for k, v in props.items()}


def _oldest_environment(environments: list[dict[str, Any]], preferred_name: str | None = None) -> str | None:
    """The default environment: the one named as asked, else the oldest (as the Terraform provider does)."""
    if preferred_name:
        for env in environments:
            if env.get("name") == preferred_name:
                return str(env["id"])
    if not environments:
        return None
    oldest = min(environments, key=lambda e: str(e.get("createdAt") or ""))
    return str(oldest["id"])


# ==========================================================================================================
# Service
# ==========================================================================================================
def _check_variable_names(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    bad = [name for name in value if not _VARIABLE_NAME.match(name)]
    if bad:
        raise ValueError(
            f"invalid variable names {sorted(bad)}: use letters, digits and _ (not first a digit)"
        )
    return value
