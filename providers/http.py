"""The HTTP layer every vendor client stands on.

One `HttpClient` per vendor and credential: explicit timeouts, a User-Agent naming the project, retries with
exponential backoff and jitter (tenacity), rate-limit headers honoured, and errors that carry the vendor's
message, the HTTP status, the request id and the operation name, never the token.

Which failures are retried:
- 429 always (the server did nothing), waiting `Retry-After`, else `X-RateLimit-Reset`, else backoff; a bare
  429 with no headers (Railway's Cloudflare edge) is backed off too.
- Statuses a vendor declares "nothing ran" (`always_retry_statuses`, e.g. Neon's 423 Locked) always.
- 5xx, read timeouts and dropped connections only when the request is safe to repeat (`safe=True`: reads,
  and writes the caller knows to be idempotent). A create is never repeated blindly: an ambiguous failure
  raises `AmbiguousRequestError`, and the caller looks the object up instead of creating it twice.
- Connection failures before anything was sent (connect errors, connect timeouts) are always retried.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import tenacity

from providers.backoff import backoff_scale
from providers.pacing import Pacer, ScopedPacer

USER_AGENT = "platform-pulumi/0.1 (+https://github.com/platform-pulumi; dynamic providers)"
REDACTED = "[redacted]"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

log = logging.getLogger("platform.http")


class ApiError(Exception):
    """A vendor API call failed. Carries what a user needs to act, and nothing secret."""

    def __init__(
        self,
        *,
        vendor: str,
        operation: str,
        message: str,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        body: Any = None,
    ) -> None:
        self.vendor = vendor
        self.operation = operation
        self.message = message
        self.status = status
        self.request_id = request_id
        self.code = code
        self.body = body
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [f"{self.vendor} {self.operation} failed"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        text = ": ".join(parts) + f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions cross process boundaries (gRPC, pickling); keep the keyword-only constructor working.
        return (_rebuild_api_error, (type(self), self.__dict__.copy()))

    @property
    def is_not_found(self) -> bool:
        return self.status == 404

    # Seconds the vendor asked to wait (`Retry-After` of a 503/429), for callers that retry themselves.
    retry_after: float | None = None


def _rebuild_api_error(cls: type[ApiError], state: dict[str, Any]) -> ApiError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


class RateLimitedError(ApiError):
    """429 after every retry was spent."""


class AmbiguousRequestError(ApiError):
    """An unsafe request may or may not have taken effect (timeout or 5xx). Look the object up."""


class Secret:
    """A credential that never shows itself: not in repr, str, logs or pickles."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("credentials are not picklable; read them in configure() instead")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The TLS settings httpx would make for each client (certifi's roots, or SSL_CERT_FILE/SSL_CERT_DIR),
    made once per process: loading the CA bundle costs ~60 ms of CPU, and providers build a client on every
    call (the SDK unpickles a fresh provider for each)."""
    return httpx.create_ssl_context()


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def redact_value(value: Any, secrets: Iterable[str]) -> Any:
    """`redact` applied to every string inside a parsed JSON body (a vendor may echo the credential)."""
    secrets = list(secrets)
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {k: redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, secrets) for v in value]
    return value


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 30.0
    # A server asking for more than this is not waited on; the error reaches the user instead.
    max_retry_after: float = 300.0


@dataclass
class _Retryable(Exception):
    """Internal: a response or transport failure that the retry loop may try again."""

    reason: str
    wait_hint: float | None = None
    response: httpx.Response | None = None
    error: Exception | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from `Retry-After` (seconds or HTTP date) or `X-RateLimit-Reset`.

    `X-RateLimit-Reset` is sent by vendors as epoch seconds, epoch milliseconds, seconds-until-reset or an
    ISO date; all four are understood.
    """
    now = time.time() if now is None else now
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(retry_after) if retry_after else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - now)
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            value = float(reset)
        except ValueError:
            from datetime import datetime

            try:
                return max(0.0, datetime.fromisoformat(reset.replace("Z", "+00:00")).timestamp() - now)
            except ValueError:
                return None
        if value > 1e12:  # epoch milliseconds
            return max(0.0, value / 1000 - now)
        if value > 1e9:  # epoch seconds
            return max(0.0, value - now)
        return max(0.0, value)  # seconds until reset
    return None


def _retry_after_only(headers: Mapping[str, str]) -> dict[str, str]:
    value = headers.get("retry-after")
    return {"retry-after": value} if value else {}


ErrorParser = Callable[[httpx.Response], tuple[str, str | None]]


def default_error_parser(response: httpx.Response) -> tuple[str, str | None]:
    """(message, code) from a JSON error body, or the start of the text."""
    try:
        body = response.json()
    except ValueError:
        return (response.text.strip()[:500] or response.reason_phrase or "no body"), None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body.get("msg")
        if isinstance(message, dict):
            message = message.get("message")
        if message:
            code = body.get("code")
            return str(message), (str(code) if code not in (None, "") else None)
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict)), None
    return json.dumps(body)[:500], None


class HttpClient:
    """A vendor's HTTP endpoint with one credential.

    Not picklable on purpose: providers build it in `configure()`, so it never reaches Pulumi state.
    """

    def __init__(
        self,
        *,
        vendor: str,
        base_url: str,
        auth_headers: Mapping[str, Secret],
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        always_retry_statuses: Iterable[int] = (),
        request_id_headers: Iterable[str] = ("x-request-id",),
        error_parser: ErrorParser = default_error_parser,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        default_params: Mapping[str, str] | None = None,
        pacer: Pacer | ScopedPacer | None = None,
    ) -> None:
        self.vendor = vendor
        self._pacer = pacer
        self.base_url = base_url.rstrip("/")
        self._auth_headers = dict(auth_headers)
        self._retry = retry or RetryPolicy()
        self._always_retry = frozenset(always_retry_statuses)
        self._request_id_headers = tuple(h.lower() for h in request_id_headers)
        self._parse_error = error_parser
        self._sleep = sleep
        self._vendor_clock = threading.local()  # the vendor's clock offset, per thread (`vendor_time`)
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
            params=dict(default_params or {}),
            verify=_ssl_context(),
        )

    def __repr__(self) -> str:
        return f"HttpClient(vendor={self.vendor!r}, base_url={self.base_url!r})"

    def _note_vendor_clock(self, headers: Mapping[str, str]) -> None:
        stated = headers.get("date")
        if not stated:
            return
        try:
            vendor_now = email.utils.parsedate_to_datetime(stated).timestamp()
        except (TypeError, ValueError, IndexError):
            return
        self._vendor_clock.offset = vendor_now - time.time()

    def vendor_time(self, local: float) -> float | None:
        """`local` (epoch seconds on this machine) on the vendor's clock, by the `Date` of the last answer
        this thread received; None before any. `Date` has whole seconds, so this is up to a second (plus
        the answer's travel) early, never late: "made since" by it includes the moment itself."""
        offset: float | None = getattr(self._vendor_clock, "offset", None)
        return None if offset is None else local + offset

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("HttpClient is not picklable; build it in configure()")

    def close(self) -> None:
        self._client.close()

    @property
    def _secrets(self) -> list[str]:
        values = [s.reveal() for s in self._auth_headers.values()]
        # "Bearer <token>": a vendor echoing the credential echoes the token alone, so hide that too.
        bare = [v.split(" ", 1)[1] for v in values if " " in v]
        return sorted(values + bare, key=len, reverse=True)

    def request_id(self, response: httpx.Response) -> str | None:
        for name in self._request_id_headers:
            if name in response.headers:
                return response.headers[name]
        return None

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        safe: bool | None = None,
        ok_statuses: Iterable[int] = (),
    ) -> httpx.Response:
        """Send one request, retrying as the module docstring says. Returns the final 2xx response
        (or one whose status is in `ok_statuses`); raises `ApiError` otherwise."""
        method = method.upper()
        if safe is None:
            safe = method in ("GET", "HEAD", "OPTIONS")
        accepted = frozenset(ok_statuses)
        url = self.base_url + path
        headers = {name: secret.reveal() for name, secret in self._auth_headers.items()}
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}

        pacer = self._pacer.for_scope(operation) if isinstance(self._pacer, ScopedPacer) else self._pacer

        def attempt() -> httpx.Response:
            try:
                if pacer is not None:
                    pacer.before_request(self._sleep)  # the vendor's rate limits (see pacing.py)
                try:
                    response = self._client.request(
                        method, url, json=json_body, params=clean_params or None, headers=headers
                    )
                finally:
                    if pacer is not None:
                        pacer.request_done()
                if pacer is not None:
                    pacer.after_response(response.headers)
                self._note_vendor_clock(response.headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Nothing reached the server: always safe to try again.
                raise _Retryable("connection failed", error=exc) from None
            except httpx.TransportError as exc:
                if safe:
                    raise _Retryable("transport error", error=exc) from None
                raise AmbiguousRequestError(
                    vendor=self.vendor,
                    operation=operation,
                    message=f"no answer ({type(exc).__name__}); the request may or may not have taken effect",
                ) from None
            status = response.status_code
            if status < 400 or status in accepted:
                return response
            if status == 429:
                raise _Retryable(
                    "rate limited", wait_hint=parse_retry_after(response.headers), response=response
                )
            if status in self._always_retry:
                raise _Retryable(
                    f"HTTP {status}",
                    wait_hint=parse_retry_after(_retry_after_only(response.headers)),
                    response=response,
                )
            if status >= 500 and safe:
                raise _Retryable(f"HTTP {status}", response=response)
            raise self._error(operation, response, ambiguous=status >= 500)

        backoff = tenacity.wait_exponential_jitter(
            multiplier=self._retry.initial_wait, max=self._retry.max_wait
        )

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hint = exc.wait_hint if isinstance(exc, _Retryable) else None
            if hint is not None:
                # Honour the server, plus a little jitter so parallel workers do not return in lockstep.
                return hint + random.uniform(0, 0.25) * backoff_scale()
            return float(backoff(state)) * backoff_scale()

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            reason = exc.reason if isinstance(exc, _Retryable) else "error"
            log.info(
                "%s %s: %s, retrying (attempt %d of %d)",
                self.vendor,
                operation,
                reason,
                state.attempt_number + 1,
                self._retry.attempts,
            )

        def give_up_on_long_wait(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if not isinstance(exc, _Retryable):
                return False
            return exc.wait_hint is None or exc.wait_hint <= self._retry.max_retry_after

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self._retry.attempts),
            wait=wait,
            retry=give_up_on_long_wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as final:
            raise self._from_retryable(operation, final, safe) from None

    def _from_retryable(self, operation: str, final: _Retryable, safe: bool) -> ApiError:
        if final.response is not None:
            if final.response.status_code == 429:
                return self._error(operation, final.response, cls=RateLimitedError)
            return self._error(
                operation, final.response, ambiguous=final.response.status_code >= 500 and not safe
            )
        message = redact(f"{final.reason}: {type(final.error).__name__}: {final.error}", self._secrets)
        return ApiError(vendor=self.vendor, operation=operation, message=message)

    def _error(
        self,
        operation: str,
        response: httpx.Response,
        *,
        ambiguous: bool = False,
        cls: type[ApiError] | None = None,
    ) -> ApiError:
        message, code = self._parse_error(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        error_cls = cls or (AmbiguousRequestError if ambiguous else ApiError)
        error = error_cls(
            vendor=self.vendor,
            operation=operation,
            message=redact(message, self._secrets),
            status=response.status_code,
            request_id=self.request_id(response),
            code=code,
            body=redact_value(body, self._secrets),
        )
        # What the vendor asked of this answer: `Retry-After`, or for a 429 the rate window's reset. On any
        # other status `X-RateLimit-Reset` (sent with every answer) says when the window resets, not when to
        # retry: honouring it made a 500 wait up to five minutes a try.
        headers = response.headers if response.status_code == 429 else _retry_after_only(response.headers)
        error.retry_after = parse_retry_after(headers)
        return error
