"""The SDK's side of the engine: a `MockMonitor` whose RegisterResource performs the step for real.

`pulumi.runtime.set_mocks`-style settings route every registration of the unchanged program here, with its
dependencies, parent and options; registrations arrive on the SDK's executor threads, so independent
resources are handled concurrently. Resource references are not advertised, so a resource passed as an
input arrives as its id or URN, as with a monitor that lacks the feature.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf import empty_pb2
from pulumi.runtime import mocks
from pulumi.runtime.proto import engine_pb2, resource_pb2

from localengine.deployment import STACK_REFERENCE_TYPE, Deployment, Goal, make_urn
from localengine.props import from_struct, to_struct

_NO_FEATURES = {"outputValues", "resourceReferences"}


class _NoMocks(mocks.Mocks):
    def call(self, args: mocks.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        raise NotImplementedError(f"the local engine does not implement the function {args.token}")

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        raise NotImplementedError("reading existing resources (.get) is not supported by the local engine")


class EngineMonitor(mocks.MockMonitor):
    def __init__(self, deployment: Deployment) -> None:
        super().__init__(_NoMocks())
        self.deployment = deployment

    def _alias_urns(self, request: Any) -> list[str]:
        urns = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            urns.append(
                make_urn(
                    spec.stack or self.deployment.stack,
                    spec.project or self.deployment.project,
                    parent,
                    spec.type or request.type,
                    spec.name or request.name,
                )
            )
        return urns

    def RegisterResource(self, request: Any) -> Any:
        goal = Goal(
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent,
            inputs=from_struct(request.object),
            protect=bool(request.protect),
            dependencies=list(dict.fromkeys(request.dependencies)),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            provider=request.provider,
            version=request.version,
            delete_before_replace=request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
            ignore_changes=list(request.ignoreChanges),
            replace_on_changes=list(request.replaceOnChanges),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            retain_on_delete=bool(request.retainOnDelete),
            alias_urns=self._alias_urns(request),
        )
        urn, id_, outputs = self.deployment.register(goal)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=to_struct(outputs))

    def ReadResource(self, request: Any) -> Any:
        """A read of an existing resource: only the built-in StackReference is supported (its state is
        another stack's outputs); `.get` of a vendor object is not."""
        if request.type != STACK_REFERENCE_TYPE:
            raise NotImplementedError(
                f"reading existing resources (.get of {request.type}) is not supported by the local engine"
            )
        urn, outputs = self.deployment.read_stack_reference(
            name=request.name,
            parent=request.parent,
            stack=request.id,
            dependencies=list(dict.fromkeys(request.dependencies)),
        )
        return resource_pb2.ReadResourceResponse(urn=urn, properties=to_struct(outputs))

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.deployment.register_outputs(request.urn, from_struct(request.outputs))
        return empty_pb2.Empty()

    def SupportsFeature(self, request: Any) -> Any:
        has_support = request.id not in _NO_FEATURES
        return type("SupportsFeatureResponse", (object,), {"hasSupport": has_support})

    def GetDeploymentInfo(self, request: Any) -> Any:
        info = super().GetDeploymentInfo(request)
        features = [
            f
            for f in info.supportedFeatures
            if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES
        ]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)


class EngineLog:
    """The SDK's `Engine` service: `pulumi.log` calls become diagnostics."""

    SEVERITIES = {
        engine_pb2.DEBUG: "debug",
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self, sink: Any, stack_urn: str = "") -> None:
        self.sink = sink
        self.stack_urn = stack_urn

    @contextlib.contextmanager
    def program_output(self) -> Iterator[None]:
        """While the program runs, what it prints becomes diagnostics on the stack, as the Pulumi language
        host makes them (stdout `info`, stderr `info#err`), so it never mixes with `preview --json`."""
        out = _LineWriter(lambda line: self.sink.diagnostic("info", line + "\n", self.stack_urn))
        err = _LineWriter(lambda line: self.sink.diagnostic("info#err", line + "\n", self.stack_urn))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                yield
            finally:
                out.flush_line()
                err.flush_line()

    def Log(self, request: Any) -> Any:
        severity = self.SEVERITIES.get(request.severity, "info")
        if severity != "debug":
            self.sink.diagnostic(severity, request.message, request.urn)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request: Any) -> Any:
        return engine_pb2.SetRootResourceResponse()


class _LineWriter(io.TextIOBase):
    """A text stream that hands each complete line to `emit` (thread-safe: the program prints from the
    SDK's executor threads too)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._buffer = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._buffer += text
            *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def flush_line(self) -> None:
        with self._lock:
            rest, self._buffer = self._buffer, ""
        if rest:
            self._emit(rest)
