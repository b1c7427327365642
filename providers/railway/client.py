"""Railway's public GraphQL API, one typed method per operation.

Every document sent has exactly one named operation whose name equals its root field (`mutation
serviceCreate(...) { serviceCreate(...) { ... } }`); the emulator's fault injection and request log match on
that name, and `DOCUMENTS` (every document this module can send) is validated against Railway's published
schema by the contract tests.

How the API is used here, and why:
- The endpoint gets `?source=platform-pulumi`: Railway's Cloudflare edge limits requests *without* a query
  string to 10 per second and answers 429 "error code: 1015" with no rate-limit headers.
- Errors come back with HTTP 200 as `{"errors": [...]}`; they become `RailwayApiError` carrying the
  message. "... not found" means the object is gone; "Not Authorized" is kept apart (it is also what a
  wrong token gets, so it never counts as "gone").
- Railway reads an omitted input field as "keep" and `null` as "clear". Inputs are sent without `None`
  values; a setting the user removed is cleared with the explicit `CLEAR` marker, which becomes `null`.
- Queries and idempotent mutations (updates, deletes, upserts) are sent `safe=True` so the HTTP layer may
  repeat them after a 5xx or timeout; creates are not, and an ambiguous create raises
  `AmbiguousRequestError` for the caller to look the object up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import httpx

from providers.http import AmbiguousRequestError, ApiError, HttpClient, RetryPolicy, Secret, redact
from providers.pacing import RateLimit, railway_limits, shared_pacer
from providers.railway.operations.base import DOCUMENTS
from providers.railway.operations.domain import DomainOperations
from providers.railway.operations.environment import EnvironmentOperations
from providers.railway.operations.notification_rule import NotificationRuleOperations
from providers.railway.operations.observability_dashboard import ObservabilityDashboardOperations
from providers.railway.operations.project import ProjectOperations
from providers.railway.operations.service import ServiceOperations
from providers.railway.operations.service_instance import ServiceInstanceOperations
from providers.railway.operations.tcp_proxy import TcpProxyOperations
from providers.railway.operations.variables import VariablesOperations
from providers.railway.operations.volume import VolumeOperations

DEFAULT_API_URL: Final = "https://backboard.railway.com/graphql/v2"
SOURCE_PARAM: Final = {"source": "platform-pulumi"}
VENDOR: Final = "railway"


class _Clear:
    """Sent as `null`: tells Railway to unset a setting the user removed (omission means "keep")."""

    _instance: _Clear | None = None

    def __new__(cls) -> _Clear:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "CLEAR"

    def __reduce__(self) -> str:
        return "CLEAR"


CLEAR: Final = _Clear()


def prepare_variables(value: Any) -> Any:
    """Drop `None` everywhere (= leave unchanged) and turn `CLEAR` into `null` (= unset)."""
    if value is CLEAR:
        return None
    if isinstance(value, Mapping):
        return {k: prepare_variables(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [prepare_variables(v) for v in value if v is not None]
    return value


class RailwayApiError(ApiError):
    """A GraphQL error in a 200 response (or an HTTP error) from Railway."""

    @property
    def is_not_found(self) -> bool:
        return is_not_found(self)

    @property
    def is_not_authorized(self) -> bool:
        return "not authorized" in self.message.lower()


def is_not_found(error: BaseException) -> bool:
    """Whether Railway said the object does not exist ("Project not found", "Service not found", HTTP 404)."""
    if not isinstance(error, ApiError):
        return False
    return error.status == 404 or "not found" in error.message.lower()


# Creates are never repeated blindly; everything else is safe to send twice.
UNSAFE_OPERATIONS: Final = frozenset(
    {
        "projectCreate",
        "environmentCreate",
        "serviceCreate",
        "serviceInstanceDeployV2",
        "serviceDomainCreate",
        "customDomainCreate",
        "volumeCreate",
        "tcpProxyCreate",
        "notificationRuleCreate",
        "observabilityDashboardCreate",
    }
)


class RailwayClient(
    ProjectOperations,
    EnvironmentOperations,
    ServiceOperations,
    ServiceInstanceOperations,
    VariablesOperations,
    DomainOperations,
    VolumeOperations,
    TcpProxyOperations,
    NotificationRuleOperations,
    ObservabilityDashboardOperations,
):
    """Typed access to the Railway operations the providers use. Build it in `configure()`; not picklable."""

    def __init__(
        self,
        *,
        token: Secret | None = None,
        project_token: Secret | None = None,
        api_url: str = DEFAULT_API_URL,
        transport: httpx.BaseTransport | None = None,
        sleep: Any = None,
        retry: RetryPolicy | None = None,
        rate_limits: Sequence[RateLimit] | None = None,
    ) -> None:
        headers: dict[str, Secret] = {}
        if token:
            headers["Authorization"] = Secret(f"Bearer {token.reveal()}")
        if project_token:
            headers["Project-Access-Token"] = project_token
        if not headers:
            raise ValueError("RailwayClient needs an account/workspace token or a project token")
        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        self._http = HttpClient(
            vendor=VENDOR,
            base_url=api_url,
            auth_headers=headers,
            request_id_headers=("x-railway-request-id", "x-request-id", "cf-ray"),
            transport=transport,
            retry=retry,
            default_params=SOURCE_PARAM,
            # Rate limits are per token: one pacer for every client of this token in the process.
            pacer=shared_pacer(
                VENDOR,
                api_url,
                "".join(h.reveal() for h in headers.values()),
                rate_limits if rate_limits is not None else railway_limits(),
            ),
            **extra,
        )

    def __repr__(self) -> str:
        return f"RailwayClient(api_url={self._http.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("RailwayClient is not picklable; build it in configure()")

    def close(self) -> None:
        self._http.close()

    # -- transport ---------------------------------------------------------------------------------
    def vendor_time(self, local: float) -> float | None:
        """`local` on Railway's clock (see `HttpClient.vendor_time`)."""
        return self._http.vendor_time(local)

    def execute(self, operation: str, variables: Mapping[str, Any] | None = None) -> Any:
        """Send the registered document `operation`; return the value of its root field."""
        document = DOCUMENTS[operation]
        body = {
            "query": document,
            "variables": prepare_variables(dict(variables or {})),
            "operationName": operation,
        }
        safe = operation not in UNSAFE_OPERATIONS
        try:
            response = self._http.request("POST", "", operation=operation, json_body=body, safe=safe)
        except ApiError as exc:
            raise _as_railway_error(exc) from None
        try:
            payload = response.json()
        except ValueError:
            raise RailwayApiError(
                vendor=VENDOR,
                operation=operation,
                message=f"response is not JSON: {response.text[:200]}",
                status=response.status_code,
                request_id=self._http.request_id(response),
            ) from None
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors:
            messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
            codes = [
                str(e.get("extensions", {}).get("code"))
                for e in errors
                if isinstance(e, dict)
                and isinstance(e.get("extensions"), dict)
                and e["extensions"].get("code")
            ]
            raise RailwayApiError(
                vendor=VENDOR,
                operation=operation,
                message=redact("; ".join(messages), self._http._secrets),
                status=response.status_code,
                request_id=self._http.request_id(response),
                code=codes[0] if codes else None,
                body=None,
            )
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or operation not in data:
            raise RailwayApiError(
                vendor=VENDOR,
                operation=operation,
                message="response has no data",
                status=response.status_code,
                request_id=self._http.request_id(response),
            )
        return data[operation]


def _as_railway_error(exc: ApiError) -> ApiError:
    """HTTP-level failures keep their class (AmbiguousRequestError, RateLimitedError) and gain the
    Railway not-found reading; a plain ApiError becomes a RailwayApiError."""
    if type(exc) is ApiError:
        converted = RailwayApiError(
            vendor=exc.vendor,
            operation=exc.operation,
            message=exc.message,
            status=exc.status,
            request_id=exc.request_id,
            code=exc.code,
            body=exc.body,
        )
        return converted
    return exc


__all__ = [
    "CLEAR",
    "DEFAULT_API_URL",
    "DOCUMENTS",
    "AmbiguousRequestError",
    "RailwayApiError",
    "RailwayClient",
    "is_not_found",
    "prepare_variables",
]
