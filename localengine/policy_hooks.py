"""Where a run meets its policy packs: started with the deployment, AnalyzeStack after the program, the
`Policies:` section before the outputs. Kept apart from `engine.py` so the engine's part is three calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localengine.deployment import PROVIDER_PREFIX, Deployment, EngineError
from localengine.display import Display
from localengine.events import LoggedDisplay
from localengine.policy import PolicyHost, Violation
from localengine.project import StackConfig

if TYPE_CHECKING:
    from localengine.engine import Engine


def start_policies(engine: Engine, display: Display, config: StackConfig, *, preview: bool) -> PolicyHost:
    """The run's packs, started and configured (a bad pack or config file raises before anything runs)."""
    host = PolicyHost(engine.policy_packs, preview=preview)
    if isinstance(display, LoggedDisplay):
        log = display.event_log

        def on_violation(v: Violation) -> None:
            log.policy(
                urn=v.urn,
                message=v.message,
                policy_name=v.policy,
                pack_name=v.pack,
                pack_version=v.pack_version,
                enforcement_level=v.level,
            )

        host.on_violation = on_violation
    host.start(
        project=engine.project.name,
        stack=engine.stack,
        config=config.values,
        diagnostic=display.diagnostic,
        log=display.log,
    )
    if isinstance(display, LoggedDisplay):
        display.policy_packs.update({pack.name: pack.version for pack in host.packs})
    return host


def analyze_stack(deployment: Deployment) -> None:
    """AnalyzeStack on the new state's outputs, as the CLI does once every step succeeded."""
    host = deployment.analyzer
    if not isinstance(host, PolicyHost) or deployment.errors:
        return
    snapshot = deployment.snapshot()
    providers = {r.urn: r for r in snapshot.resources if r.type.startswith(PROVIDER_PREFIX)}
    try:
        host.analyze_stack(snapshot.resources, providers)
    except EngineError as exc:
        deployment.errors.append(exc)


def show_policies(display: Display, deployment: Deployment) -> list[str]:
    """Print the `Policies:` section; the run's error when a mandatory policy was violated."""
    host = deployment.analyzer
    if not isinstance(host, PolicyHost):
        return []
    display.print()
    for line in host.report_lines():
        display.print(line)
    blocking = host.mandatory()
    if not blocking:
        return []
    return [f"{len(blocking)} mandatory policy violation{'s' if len(blocking) != 1 else ''}"]
