"""The emulator's ASGI app: vendor dispatch plus the control plane under `/_emulator/`.

Every vendor request goes through the same steps: resolve the operation name, added latency, injected
faults ("before" faults answer instead of the vendor), the vendor's auth and rate limits, the vendor's
handler, "after" faults (the vendor did the work, the client sees the fault), the request log, and the
state file.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.core.clock import Clock
from emulator.core.vendor import EmuRequest, EmuResponse, VendorBackend

# Vendor packages, in URL-prefix order. A package not written yet is skipped.
VENDOR_CLASSES = (
    "emulator.railway:RailwayBackend",
    "emulator.supabase:SupabaseBackend",
    "emulator.neon:NeonBackend",
)


@dataclass
class Settings:
    state_file: Path | None = None
    latency_ms: float = 0.0
    time_scale: float = 1.0
    token: str | None = None  # accept only this token; None accepts any non-empty one
    vendor_options: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Fault:
    vendor: str
    operation: str | None = None  # None matches every operation of the vendor
    count: int = 1
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: int | None = None
    latency_ms: float = 0.0
    when: str = "before"  # "before": answer instead of the vendor; "after": the vendor acts, then this
    effect: str | None = None  # vendor-specific (e.g. Neon "operation_failed", Railway "deployment_failed")
    params: dict[str, Any] = field(default_factory=dict)
    # Cut the connection instead of answering: with `when: after` the vendor has acted and the client sees
    # its connection drop mid-response (the lost answer); with `before` the vendor never saw the request.
    cut: bool = False

    def matches(self, vendor: str, operation: str) -> bool:
        return self.count > 0 and self.vendor == vendor and self.operation in (None, operation)


class EmulatorApp:
    def __init__(
        self, settings: Settings | None = None, vendor_classes: tuple[type[VendorBackend], ...] | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.clock = Clock(self.settings.time_scale)
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self.vendors: dict[str, VendorBackend] = {}
        for cls in vendor_classes if vendor_classes is not None else _default_vendor_classes():
            backend = cls(self)
            self.vendors[backend.name] = backend
        self._load()
        self.asgi = self._build_asgi()

    @property
    def token(self) -> str | None:
        return self.settings.token

    def vendor_option(self, vendor: str, key: str, default: Any = None) -> Any:
        return self.settings.vendor_options.get(vendor, {}).get(key, default)

    # -- persistence -------------------------------------------------------------------------------------
    def _load(self) -> None:
        path = self.settings.state_file
        if not path or not path.exists():
            return
        data = json.loads(path.read_text() or "{}")
        for name, backend in self.vendors.items():
            if name in data:
                backend.load_state(data[name])

    def save(self) -> None:
        path = self.settings.state_file
        if not path:
            return
        data = {name: backend.dump_state() for name, backend in self.vendors.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)

    def reset(self) -> None:
        with self._lock:
            for backend in self.vendors.values():
                backend.reset()
            self.requests.clear()
            self.faults.clear()
            self.save()

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {name: backend.public_state() for name, backend in self.vendors.items()}

    # -- vendor dispatch -----------------------------------------------------------------------------------
    def _take_faults(self, vendor: str, operation: str) -> list[Fault]:
        taken = []
        for fault in self.faults:
            if fault.matches(vendor, operation):
                fault.count -= 1
                taken.append(fault)
        self.faults = [f for f in self.faults if f.count > 0]
        return taken

    async def dispatch(self, backend: VendorBackend, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = request.url.path[len(backend.prefix) :] or "/"
        emu = EmuRequest(
            method=request.method.upper(),
            path=path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            raw_body=raw,
            raw_query=request.url.query,
        )
        emu.operation = backend.resolve_operation(emu)
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        with self._lock:
            faults = self._take_faults(backend.name, emu.operation)
        for fault in faults:
            if fault.latency_ms and fault.when != "after":
                await asyncio.sleep(fault.latency_ms / 1000)
        with self._lock:
            cut_before = [f for f in faults if f.cut and f.when == "before"]
            if cut_before:
                return _CutConnection()
            response = self._handle_locked(backend, emu, faults)
        # An "after" fault's latency comes once the vendor has acted: a client that times out meanwhile
        # leaves the object made (the ambiguous-create case).
        for fault in faults:
            if fault.latency_ms and fault.when == "after":
                await asyncio.sleep(fault.latency_ms / 1000)
        if any(f.cut and f.when == "after" for f in faults):
            return _CutConnection()
        headers = dict(response.headers)
        # The vendor's own clock, as every HTTP server states it (RFC 9110 `Date`): clients compare the
        # times the vendor writes (`createdAt`) with it, and an advanced emulator clock must agree.
        headers.setdefault("date", formatdate(self.clock.now(), usegmt=True))
        # A body of None is an empty response (e.g. Supabase's 201 from a bulk secret upsert), not `null`.
        content = b"" if response.body is None else json.dumps(response.body)
        return Response(
            content=content,
            status_code=response.status,
            headers=headers,
            media_type=None if response.body is None else "application/json",
        )

    def _handle_locked(self, backend: VendorBackend, emu: EmuRequest, faults: list[Fault]) -> EmuResponse:
        response: EmuResponse | None = None
        for fault in faults:
            if fault.effect:
                emu.effects.append({"effect": fault.effect, **fault.params})
        before = [f for f in faults if f.when == "before" and f.status]
        if before:
            response = self._fault_response(backend, emu, before[0])
        if response is None:
            response = backend.before(emu)
        if response is None:
            response = backend.handle(emu)
            after = [f for f in faults if f.when == "after" and f.status]
            if after:
                response = self._fault_response(backend, emu, after[0])
        backend.decorate(emu, response)
        self.requests.append(
            {
                "vendor": backend.name,
                "method": emu.method,
                "path": emu.path,
                "query": emu.query,
                "status": response.status,
                "operation": emu.operation,
                "request": emu.body,
                "response": response.body,
            }
        )
        if backend.is_mutation(emu):
            self.save()
        return response

    def _fault_response(self, backend: VendorBackend, emu: EmuRequest, fault: Fault) -> EmuResponse:
        assert fault.status is not None
        response = backend.fault_response(emu, fault.status, fault.body)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        response.headers.update(fault.headers)
        return response

    # -- the ASGI app --------------------------------------------------------------------------------------
    def _build_asgi(self) -> Starlette:
        routes: list[Route] = [
            Route("/_emulator/requests", self._requests, methods=["GET", "DELETE"]),
            Route("/_emulator/state", self._state, methods=["GET"]),
            Route("/_emulator/faults", self._faults, methods=["GET", "POST", "DELETE"]),
            Route("/_emulator/reset", self._reset, methods=["POST"]),
            Route("/_emulator/settings", self._settings, methods=["GET", "POST"]),
            Route("/_emulator/clock", self._clock, methods=["POST"]),
            Route("/_emulator/health", self._health, methods=["GET"]),
        ]
        for backend in self.vendors.values():

            async def endpoint(request: Request, backend: VendorBackend = backend) -> Response:
                return await self.dispatch(backend, request)

            methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            routes.append(Route(backend.prefix, endpoint, methods=methods))
            routes.append(Route(backend.prefix + "/{rest:path}", endpoint, methods=methods))
        return Starlette(routes=routes)

    async def _requests(self, request: Request) -> Response:
        with self._lock:
            if request.method == "DELETE":
                self.requests.clear()
                return JSONResponse({"cleared": True})
            vendor = request.query_params.get("vendor")
            items = [r for r in self.requests if not vendor or r["vendor"] == vendor]
            return JSONResponse(items)

    async def _state(self, _request: Request) -> Response:
        return JSONResponse(self.state())

    async def _faults(self, request: Request) -> Response:
        with self._lock:
            if request.method == "GET":
                return JSONResponse([f.__dict__ for f in self.faults])
            if request.method == "DELETE":
                self.faults.clear()
                return JSONResponse({"cleared": True})
        payload = await request.json()
        items = payload if isinstance(payload, list) else [payload]
        added = []
        for item in items:
            if not isinstance(item, dict) or item.get("vendor") not in self.vendors:
                return JSONResponse(
                    {"message": f"fault needs 'vendor', one of {sorted(self.vendors)}"}, status_code=400
                )
            try:
                fault = Fault(**item)
            except TypeError as exc:
                return JSONResponse({"message": f"bad fault: {exc}"}, status_code=400)
            if fault.when not in ("before", "after"):
                return JSONResponse({"message": "fault 'when' must be 'before' or 'after'"}, status_code=400)
            added.append(fault)
        with self._lock:
            self.faults.extend(added)
        return JSONResponse([f.__dict__ for f in added], status_code=201)

    async def _reset(self, _request: Request) -> Response:
        self.reset()
        return JSONResponse({"reset": True})

    async def _settings(self, request: Request) -> Response:
        if request.method == "POST":
            payload = await request.json()
            with self._lock:
                if "time_scale" in payload:
                    self.settings.time_scale = float(payload["time_scale"])
                    self.clock.time_scale = self.settings.time_scale
                if "latency_ms" in payload:
                    self.settings.latency_ms = float(payload["latency_ms"])
                for vendor, options in (payload.get("vendors") or {}).items():
                    self.settings.vendor_options.setdefault(vendor, {}).update(options)
        return JSONResponse(
            {
                "time_scale": self.settings.time_scale,
                "latency_ms": self.settings.latency_ms,
                "vendors": self.settings.vendor_options,
            }
        )

    async def _clock(self, request: Request) -> Response:
        payload = await request.json()
        with self._lock:
            self.clock.advance(float(payload.get("advance_seconds", 0)))
        return JSONResponse({"now": self.clock.now()})

    async def _health(self, _request: Request) -> Response:
        return JSONResponse({"ok": True, "vendors": sorted(self.vendors)})


class _QuietCut(logging.Filter):
    """The server logs a response left unfinished as an error; for a cut we injected, that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietCut())


class _CutConnection(Response):
    """Starts a response, then drops the connection: the client gets no answer (httpx RemoteProtocolError)."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1048576")]}
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        # Returning with the body unfinished makes the server close the connection.


def _default_vendor_classes() -> list[type[VendorBackend]]:
    classes = []
    for spec in VENDOR_CLASSES:
        module_name, class_name = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        classes.append(getattr(module, class_name))
    return classes


def create_app(settings: Settings | None = None) -> Starlette:
    return EmulatorApp(settings).asgi
