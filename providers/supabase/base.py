"""What every Supabase resource shares: credentials from `configure()`, the provider base classes (projects
and per-project settings), and connection helpers.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, ClassVar, cast
from urllib.parse import quote

import httpx
from pulumi import dynamic
from pydantic import BaseModel, field_validator

from providers.base import (
    INPUTS_CONFIG,
    PlatformProvider,
    PollPolicy,
    Setting,
    poll_until,
    require_secret,
    strip_provider,
    unless_gone,
    validate_or_raise,
)
from providers.http import DEFAULT_TIMEOUT, ApiError
from providers.pacing import supabase_limits
from providers.supabase.client import (
    DEFAULT_API_URL,
    STATUS_ACTIVE,
    STATUS_FAILED,
    STATUS_GONE,
    SupabaseClient,
)
from providers.supabase.client import (
    PoolerConfig as PoolerObject,
)
from providers.supabase.client import (
    Project as ProjectObject,
)

ACCESS_TOKEN = Setting("supabase:accessToken", "SUPABASE_ACCESS_TOKEN", secret=True)


API_URL = Setting("supabase:apiUrl", "SUPABASE_API_URL", default=DEFAULT_API_URL)


REQUESTS_PER_MINUTE = Setting("supabase:requestsPerMinute", "SUPABASE_REQUESTS_PER_MINUTE")  # see pacing.py


# `PATCH .../database/password` has minLength 4; the same floor applies at create (TF validates it too).
MIN_PASSWORD_LENGTH = 4


DEFAULT_CREATE_TIMEOUT_SECONDS = 900.0


REF_PATTERN = r"^[a-z]{20}$"


DIRECT_PORT = 5432


DATABASE_NAME = "postgres"


DATABASE_USER = "postgres"


# How long a failed create waits for its project to become deletable (Supabase refuses while it comes up).
CLEANUP_TIMEOUT_SECONDS = 600.0


class ProjectFailedError(Exception):
    """The project reached a status it will not recover from on its own."""


# -- shared provider machinery -------------------------------------------------------------------------
class SupabaseProvider(PlatformProvider):
    """Credentials, the client, and the waits every Supabase resource shares.

    `sleep`, `clock`, `http_timeout` and `poll_policy` are class defaults that tests override per instance;
    like everything `configure()` sets, they never reach the pickled provider.
    """

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)
    http_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
    # Backs off to 15 s, then polls at 10% of the time waited from 90% of the typical time on: a project
    # that takes two minutes to come up costs about 13 polls and is seen within 12 s of being ready.
    poll_policy: PollPolicy = PollPolicy(initial_interval=2.0, max_interval=15.0, factor=1.5, timeout=900.0)
    # Supabase: a new project is up "usually under two minutes"; its services start about 15 s after.
    typical_project_seconds: ClassVar[float] = 120.0
    typical_services_seconds: ClassVar[float] = 15.0
    # Services whose health a settings write waits for (settings resources override it).
    services: ClassVar[tuple[str, ...]] = ()

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        self._config = req.config
        self._api: SupabaseClient | None = None

    def _client(self) -> SupabaseClient:
        api = getattr(self, "_api", None)
        if api is not None:
            return api
        lock = self.__dict__.setdefault("_api_lock", threading.Lock())
        with lock:
            api = getattr(self, "_api", None)
            if api is None:
                config = getattr(self, "_config", None)
                token = require_secret(ACCESS_TOKEN, config)
                base_url = API_URL.read(config) or DEFAULT_API_URL
                api = SupabaseClient(
                    token=token,
                    base_url=base_url,
                    sleep=self.sleep,
                    timeout=self.http_timeout,
                    rate_limits=supabase_limits(REQUESTS_PER_MINUTE.read_number(config)),
                )
                self._api = api
            return api

    def _policy(self, timeout: float | None = None) -> PollPolicy:
        return self.poll_policy if timeout is None else replace(self.poll_policy, timeout=timeout)

    def _wait_for_project(
        self, api: SupabaseClient, ref: str, *, subject: str, timeout: float | None = None
    ) -> ProjectObject:
        """Poll until ACTIVE_HEALTHY; fail fast on a status the project will not leave by itself."""

        def fetch() -> ProjectObject:
            project = api.get_project(ref)
            if project is None:
                raise ProjectFailedError(f"{subject}: the project no longer exists (404)")
            return project

        def done(project: ProjectObject) -> bool:
            status = project["status"]
            if status in STATUS_FAILED:
                raise ProjectFailedError(f"{subject}: the project is {status}, it will not become healthy")
            return status == STATUS_ACTIVE

        return poll_until(
            fetch,
            done,
            subject=subject,
            describe=lambda p: p["status"],
            policy=self._policy(timeout),
            sleep=self.sleep,
            clock=self.clock,
            expected=self.typical_project_seconds,
        )

    def _wait_for_services(self, api: SupabaseClient, ref: str, *, subject: str) -> None:
        """The project healthy, then the services this resource writes to (`services`)."""
        self._wait_for_project(api, ref, subject=subject)
        if not self.services:
            return
        poll_until(
            lambda: api.get_services_health(ref, self.services),
            lambda health: bool(health) and all(h.get("status") == STATUS_ACTIVE for h in health),
            subject=subject,
            describe=lambda health: ", ".join(f"{h.get('name')} {h.get('status')}" for h in health),
            policy=self._policy(),
            sleep=self.sleep,
            clock=self.clock,
            expected=self.typical_services_seconds,
        )


def _primary_pooler(api: SupabaseClient, ref: str) -> PoolerObject | None:
    """The shared pooler's entry for the project's primary database (read replicas have their own)."""
    return next((p for p in api.get_pooler_config(ref) if p.get("database_type") == "PRIMARY"), None)


def _direct_uri(password: str, host: str) -> str:
    """The connection URI straight to the project's database (not through the pooler)."""
    return f"postgresql://{DATABASE_USER}:{quote(password, safe='')}@{host}:{DIRECT_PORT}/{DATABASE_NAME}"


def _check_ref(value: str) -> str:
    if not re.fullmatch(REF_PATTERN, value):
        raise ValueError("a Supabase project ref is exactly 20 lowercase letters (e.g. abcdefghijklmnopqrst)")
    return value


# -- settings resources: shared shape ------------------------------------------------------------------
class _SettingProvider(SupabaseProvider):
    """A per-project setting: `project_ref` replaces, writes wait for healthy services, reads that 404
    mean the project (and so the setting) is gone."""

    replace_keys = frozenset({"project_ref"})
    kind: ClassVar[str] = "setting"
    create_is_idempotent = True  # a write of the project's setting, which exists with the project

    def _subject(self, ref: str) -> str:
        return f"Supabase {self.kind} for {ref}"

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Write the setting; return the computed outputs (merged over the inputs by the caller)."""
        raise NotImplementedError

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        """Current inputs as the API reports them (only what this resource manages)."""
        raise NotImplementedError

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        """Undo the setting on delete (back to the vendor default or what was there before)."""
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = validate_or_raise(self.Inputs, props)
        ref = cast(str, inputs.model_dump()["project_ref"])
        api = self._client()
        self._wait_for_services(api, ref, subject=self._subject(ref))
        computed = self._apply(api, ref, inputs, None)
        return dynamic.CreateResult(ref, {**self._dump(inputs), **computed})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs = validate_or_raise(self.Inputs, news)
        ref = cast(str, inputs.model_dump()["project_ref"])
        api = self._client()
        self._wait_for_services(api, ref, subject=self._subject(ref))
        computed = self._apply(api, ref, inputs, strip_provider(olds))
        return dynamic.UpdateResult({**self._dump(inputs), **computed})

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = strip_provider(props)
        ref = old.get("project_ref") or id_
        api = self._client()
        current = unless_gone(lambda: self._fetch(api, ref, old))
        if current is None:
            return dynamic.ReadResult(None, {})
        merged = {**self._input_part(old), **current}
        inputs = {k: v for k, v in merged.items() if v is not None and k in self.Inputs.model_fields}
        return dynamic.ReadResult(id_, {**old, **current}, inputs=inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        old = strip_provider(props)
        ref = old.get("project_ref") or id_
        api = self._client()
        try:
            project = api.get_project(ref)
            if project is None or project["status"] in STATUS_GONE:
                return
            self._wait_for_services(api, ref, subject=self._subject(ref))
            self._restore(api, ref, old)
        except ApiError as exc:
            if exc.is_not_found:
                return
            raise

    def _dump(self, inputs: BaseModel) -> dict[str, Any]:
        return inputs.model_dump(mode="json", exclude_none=True)

    def _input_part(self, old: Mapping[str, Any]) -> dict[str, Any]:
        return {k: old[k] for k in self.Inputs.model_fields if k in old}


class _RefInputs(BaseModel):
    model_config = INPUTS_CONFIG

    project_ref: str

    @field_validator("project_ref")
    @classmethod
    def _ref(cls, value: str) -> str:
        return _check_ref(value)
