"""Policy packs, hosted as the Pulumi CLI (>= 3.208) hosts them.

Each pack runs in its own process, started the CLI's way: `python -u -m pulumi.policy <engine address>
<pack dir>` in the pack's folder (with the pack's virtualenv when `PulumiPolicy.yaml` names one), with
`PULUMI_CONFIG` (the stack's decrypted config as JSON), `PULUMI_PROJECT`, `PULUMI_STACK`, `PULUMI_DRY_RUN`
and `PULUMI_ORGANIZATION`. It prints its port; the engine then speaks the analyzer protocol to it
(`pulumi.runtime.proto.analyzer_pb2`): GetAnalyzerInfo, Configure with the reconciled config
(`policy_config.py`), and for each custom resource, after the provider's `check`, Remediate (every pack)
then Analyze (every pack) on the same properties, as the CLI marshals them: secrets kept, unknowns kept,
top-level `__*` keys (`__provider`) stripped except for Remediate. AnalyzeStack runs at the end on every
resource's outputs, unless a step failed. The process is ended when the run is done.

A mandatory violation fails `preview` (after the whole preview, exit 1) and stops that resource in `up`;
advisory ones are shown only. The display's `Policies:` section and the event log's `policyEvent`s say
what each pack found.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from localengine.deployment import PROVIDER_PREFIX, EngineError, Goal
from localengine.policy_config import (
    LEVELS,
    PolicyConfig,
    PolicyConfigError,
    PolicyMeta,
    load_config_file,
    parse_config,
    reconcile,
)
from localengine.props import from_struct, to_struct
from localengine.state import ResourceState

START_TIMEOUT_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 120.0
ORGANIZATION = "organization"  # what the CLI passes on a DIY backend
LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
LEVEL_VALUES = {name: value for value, name in LEVEL_NAMES.items()}
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass
class Violation:
    pack: str
    pack_version: str
    policy: str
    level: str  # advisory | mandatory | remediate (a remediation that still fails counts as mandatory)
    message: str
    urn: str = ""
    type: str = ""
    severity: str = ""

    @property
    def mandatory(self) -> bool:
        return self.level in ("mandatory", "remediate")


@dataclass
class PackSpec:
    """One `--policy-pack DIR`, with its `--policy-pack-config FILE` if given."""

    path: Path
    config_file: Path | None = None


def pair_specs(packs: list[Path], configs: list[Path]) -> list[PackSpec]:
    """The CLI pairs `--policy-pack-config` flags with `--policy-pack` flags by position."""
    if configs and len(configs) != len(packs):
        raise PolicyConfigError(
            f"{len(configs)} --policy-pack-config flag(s) for {len(packs)} --policy-pack flag(s): give one "
            "config file per pack, in the same order"
        )
    return [PackSpec(p.resolve(), configs[i].resolve() if configs else None) for i, p in enumerate(packs)]


class _EngineService(engine_pb2_grpc.EngineServicer):
    """The engine address given to packs: their `pulumi.log` calls become the run's diagnostics."""

    SEVERITIES = {engine_pb2.INFO: "info", engine_pb2.WARNING: "warning", engine_pb2.ERROR: "error"}

    def __init__(self, diagnostic: Callable[[str, str, str], None]) -> None:
        self.diagnostic = diagnostic

    def Log(self, request: Any, context: Any) -> Any:
        severity = self.SEVERITIES.get(request.severity)
        if severity is not None:
            self.diagnostic(severity, request.message, request.urn)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.SetRootResourceResponse()


def _python_for(pack_dir: Path, runtime: Any) -> str:
    """The pack's interpreter: its virtualenv's when `PulumiPolicy.yaml` names one, else ours."""
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = (options or {}).get("virtualenv") if isinstance(options, dict) else None
    if venv:
        base = Path(venv) if Path(venv).is_absolute() else pack_dir / venv
        for candidate in (base / "bin" / "python", base / "Scripts" / "python.exe"):
            if candidate.exists():
                return str(candidate)
    return sys.executable


class PolicyPack:
    """One running pack: its process, its channel, what it said about itself."""

    def __init__(self, spec: PackSpec) -> None:
        self.spec = spec
        self.dir = spec.path
        manifest = self.dir / "PulumiPolicy.yaml"
        if not manifest.is_file():
            raise PolicyConfigError(f"{self.dir}: not a policy pack (no PulumiPolicy.yaml)")
        try:
            self.manifest = yaml.safe_load(manifest.read_text()) or {}
        except yaml.YAMLError as exc:
            raise PolicyConfigError(f"{manifest}: not valid YAML: {exc}") from None
        runtime = self.manifest.get("runtime")
        name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if name != "python":
            raise PolicyConfigError(f"{manifest}: runtime {name!r}: the local engine runs Python packs only")
        self.given = load_config_file(spec.config_file) if spec.config_file else {}
        self.name = ""
        self.version = str(self.manifest.get("version") or "")
        self.supports_config = False
        self.policies: list[PolicyMeta] = []
        self.initial: dict[str, PolicyConfig] = {}
        self.config: dict[str, PolicyConfig] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.stderr: list[str] = []
        self.on_stderr: Callable[[str], None] | None = None

    # -- start ----------------------------------------------------------------------------------------
    def start(
        self, *, engine_address: str, project: str, stack: str, config: dict[str, str], preview: bool
    ) -> None:
        env = dict(os.environ)
        env.update(
            {
                "PULUMI_CONFIG": json.dumps(config),
                "PULUMI_PROJECT": project,
                "PULUMI_STACK": stack,
                "PULUMI_DRY_RUN": "true" if preview else "false",
                "PULUMI_ORGANIZATION": ORGANIZATION,
            }
        )
        python = _python_for(self.dir, self.manifest.get("runtime"))
        self.process = subprocess.Popen(
            [python, "-u", "-m", "pulumi.policy", engine_address, str(self.dir)],
            cwd=self.dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self._load_info()
        self.config = reconcile(
            self.policies, self.initial, self.given, str(self.spec.config_file or self.dir)
        )
        self._configure()

    def _read_port(self) -> int:
        assert self.process is not None and self.process.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self.process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT_SECONDS)
        except queue.Empty:
            line = b""
        try:
            return int(line.decode().strip())
        except ValueError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
            tail = "\n".join(self.stderr[-20:]) or "(nothing on stderr)"
            self.close()
            raise PolicyConfigError(
                f"policy pack {self.dir} failed to start (no port printed; exit code "
                f"{self.process.returncode}):\n{tail}"
            ) from None

    def _pump_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.stderr.append(line)
            if self.on_stderr is not None and line:
                self.on_stderr(line)

    def _call(self, method: str, request: Any) -> Any:
        assert self.stub is not None
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as exc:
            detail = exc.details() if hasattr(exc, "details") else str(exc)
            raise EngineError(f"policy pack {self.name or self.dir} failed in {method}: {detail}") from None

    def _load_info(self) -> None:
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        self.name = info.name
        self.version = self.version or info.version
        self.supports_config = info.supportsConfig
        self.policies = []
        for p in info.policies:
            schema = None
            if info.supportsConfig:
                schema = json_format.MessageToDict(p.configSchema) if p.HasField("configSchema") else {}
                # As the CLI does: `enforcementLevel` is always a valid key of a policy's config.
                schema.setdefault("properties", {})["enforcementLevel"] = {
                    "type": "string",
                    "enum": list(LEVELS),
                }
            self.policies.append(
                PolicyMeta(
                    name=p.name,
                    description=p.description,
                    enforcement_level=LEVEL_NAMES.get(p.enforcementLevel, "advisory"),
                    config_schema=schema,
                    severity=SEVERITY_NAMES.get(p.severity, ""),
                    policy_type="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
                    display_name=p.displayName,
                )
            )
        self.policies.sort(key=lambda p: p.name)
        initial = {
            key: {
                **({"enforcementLevel": LEVEL_NAMES[v.enforcementLevel]} if v.enforcementLevel else {}),
                **json_format.MessageToDict(v.properties),
            }
            for key, v in info.initialConfig.items()
        }
        self.initial = parse_config(initial, f"policy pack {self.name} initial config")

    def _configure(self) -> None:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, config in self.config.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVEL_VALUES.get(config.enforcement_level, analyzer_pb2.ADVISORY)
            if config.properties:
                entry.properties.update(config.properties)
        self._call("Configure", request)

    # -- calls ------------------------------------------------------------------------------------------
    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> list[Any]:
        return list(self._call("Remediate", request).remediations)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> list[Any]:
        return list(self._call("Analyze", request).diagnostics)

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> list[Any]:
        return list(self._call("AnalyzeStack", request).diagnostics)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None and self.process.poll() is None:
            # PolicyPack() sleeps until interrupted: SIGINT lets it stop its server cleanly.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _without_internal_keys(props: dict[str, Any]) -> dict[str, Any]:
    """What the CLI sends to Analyze and AnalyzeStack: `SkipInternalKeys` drops top-level `__*` keys."""
    return {k: v for k, v in props.items() if not k.startswith("__")}


def _options(goal: Goal) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=goal.protect,
        ignoreChanges=list(goal.ignore_changes),
        deleteBeforeReplace=bool(goal.delete_before_replace),
        deleteBeforeReplaceDefined=goal.delete_before_replace is not None,
        additionalSecretOutputs=list(goal.additional_secret_outputs),
        aliases=list(goal.alias_urns),
        parent=goal.parent,
    )
    options.customTimeouts.SetInParent()
    return options


def _state_options(state: ResourceState) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=state.protect,
        ignoreChanges=list(state.ignore_changes),
        # Pulumi's state does not record deleteBeforeReplace (ResourceV3 has no such key): not defined.
        deleteBeforeReplace=False,
        deleteBeforeReplaceDefined=False,
        additionalSecretOutputs=list(state.additional_secret_outputs),
        parent=state.parent,
    )
    options.customTimeouts.SetInParent()
    return options


def _provider(state: ResourceState | None) -> analyzer_pb2.AnalyzerProviderResource | None:
    if state is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=state.type,
        urn=state.urn,
        name=state.urn.rsplit("::", 1)[-1],
        properties=to_struct(_without_internal_keys(state.inputs)),
    )


class PolicyHost:
    """Every pack of a run: started together, asked in order, ended together; what they found."""

    def __init__(self, specs: list[PackSpec], *, preview: bool) -> None:
        self.preview = preview
        self.packs = [PolicyPack(spec) for spec in specs]
        self.violations: list[Violation] = []
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self.on_violation: Callable[[Violation], None] | None = None

    def start(
        self,
        *,
        project: str,
        stack: str,
        config: dict[str, str],
        diagnostic: Callable[[str, str, str], None],
        log: Callable[[str], None],
    ) -> None:
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(_EngineService(diagnostic), self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        for pack in self.packs:
            pack.on_stderr = log
        try:
            with futures.ThreadPoolExecutor(max_workers=max(1, len(self.packs))) as pool:
                running = [
                    pool.submit(
                        pack.start,
                        engine_address=f"127.0.0.1:{port}",
                        project=project,
                        stack=stack,
                        config=config,
                        preview=self.preview,
                    )
                    for pack in self.packs
                ]
                for future in running:
                    future.result()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for pack in self.packs:
            pack.close()
        if self._server is not None:
            self._server.stop(0)
            self._server = None

    # -- findings ---------------------------------------------------------------------------------------
    def _record(self, pack: PolicyPack, diagnostics: list[Any], urn: str, type_: str) -> list[Violation]:
        found = []
        for d in diagnostics:
            violation = Violation(
                pack=d.policyPackName or pack.name,
                pack_version=pack.version,
                policy=d.policyName,
                level=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                message=d.message,
                urn=d.urn or urn,
                type=type_ if (d.urn or urn) == urn else (d.urn or "").split("::")[2].split("$")[-1],
                severity=SEVERITY_NAMES.get(d.severity, ""),
            )
            found.append(violation)
        with self._lock:
            self.violations.extend(found)
        for violation in found:
            if self.on_violation is not None:
                self.on_violation(violation)
        return found

    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.mandatory]

    # -- the engine's hooks -------------------------------------------------------------------------------
    def analyze(
        self, urn: str, goal: Goal, inputs: dict[str, Any], provider: ResourceState | None
    ) -> dict[str, Any]:
        """Remediate (every pack, in order) then Analyze (every pack) one resource's checked inputs; the
        inputs to use (remediated). In `up`, a mandatory violation stops the resource."""
        if goal.type.startswith(PROVIDER_PREFIX):
            return inputs
        provider_message = _provider(provider)
        props = dict(inputs)
        for pack in self.packs:
            request = analyzer_pb2.AnalyzeRequest(
                type=goal.type, urn=urn, name=goal.name, properties=to_struct(props), options=_options(goal)
            )
            if provider_message is not None:
                request.provider.CopyFrom(provider_message)
            for remediation in pack.remediate(request):
                if remediation.HasField("properties") and remediation.properties.fields:
                    props = from_struct(remediation.properties)
        found: list[Violation] = []
        for pack in self.packs:
            request = analyzer_pb2.AnalyzeRequest(
                type=goal.type,
                urn=urn,
                name=goal.name,
                properties=to_struct(_without_internal_keys(props)),
                options=_options(goal),
            )
            if provider_message is not None:
                request.provider.CopyFrom(provider_message)
            found += self._record(pack, pack.analyze(request), urn, goal.type)
        blocking = [v for v in found if v.mandatory]
        if blocking and not self.preview:
            names = ", ".join(sorted({v.policy for v in blocking}))
            raise EngineError(
                f"{urn}: mandatory policy violation{'s' if len(blocking) > 1 else ''} ({names}); "
                "not created or changed (see Policies)",
                urn,
            )
        return props

    def analyze_stack(self, resources: list[ResourceState], providers: dict[str, ResourceState]) -> None:
        """AnalyzeStack on every resource's outputs (`resources` as the new state holds them)."""
        request = analyzer_pb2.AnalyzeStackRequest()
        for state in resources:
            if state.delete:
                continue
            entry = request.resources.add(
                type=state.type,
                urn=state.urn,
                name=state.urn.rsplit("::", 1)[-1],
                properties=to_struct(_without_internal_keys(state.outputs)),
                options=_state_options(state),
                parent=state.parent,
                dependencies=list(state.dependencies),
            )
            provider = _provider(providers.get(state.provider.rsplit("::", 1)[0])) if state.provider else None
            if provider is not None:
                entry.provider.CopyFrom(provider)
            for key, urns in state.property_dependencies.items():
                if urns:
                    entry.propertyDependencies[key].urns.extend(urns)
        for pack in self.packs:
            self._record(pack, pack.analyze_stack(request), "", "")

    # -- display ------------------------------------------------------------------------------------------
    def report_lines(self) -> list[str]:
        """The `Policies:` section, as the CLI prints it."""
        lines = ["Policies:"]
        for pack in self.packs:
            mine = [v for v in self.violations if v.pack == pack.name]
            mark = "❌" if any(v.mandatory for v in mine) else ("⚠️" if mine else "✅")
            lines.append(f"    {mark} {pack.name}@v{pack.version} (local: {_relative(pack.dir)})")
            for v in sorted(mine, key=lambda v: (not v.mandatory, v.policy, v.urn)):
                level = "mandatory" if v.mandatory else "advisory"
                severity = f" [severity: {v.severity}]" if v.severity else ""
                where = f"  ({v.type}: {v.urn.rsplit('::', 1)[-1]})" if v.urn else ""
                lines.append(f"        - [{level}]{severity}  {v.policy}{where}")
                lines += [f"          {line}" for line in v.message.splitlines()]
        return lines


def _relative(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)
