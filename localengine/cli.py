"""`python -m localengine`: the Pulumi CLI's commands for this project, without the CLI.

    python -m localengine preview --stack dev [--json] [--show-sames] [--event-log FILE]
    python -m localengine up --stack dev [--yes] [--parallel N]
    python -m localengine preview|up --stack prod --policy-pack policy [--policy-pack-config FILE]
    python -m localengine refresh --stack dev [--yes] [--preview-only] [--expect-no-changes]
    python -m localengine destroy --stack dev [--yes]
    python -m localengine stack output [NAME] --stack dev [--json] [--show-secrets]
    python -m localengine stack export|import --stack dev [--file FILE]
    python -m localengine stack init pr-7 --copy-config-from staging [--base-config-file F] [--config-file F]
    python -m localengine stack rm pr-7 [--yes] [--force] [--preserve-config]
    python -m localengine config set [--secret] KEY VALUE --stack dev
    python -m localengine config get KEY --stack dev
    python -m localengine state unprotect URN --stack dev
    python -m localengine cancel --stack dev        (clear the lock a killed run left)

State lives in `$PLATFORM_STATE_DIR` (default `.state/` in the project); secrets are encrypted with
PULUMI_CONFIG_PASSPHRASE (or the file PULUMI_CONFIG_PASSPHRASE_FILE), as with the CLI's passphrase provider.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from localengine.deployment import UNBOUNDED
from localengine.display import format_value
from localengine.engine import Engine, Result, render_outputs
from localengine.policy import pair_specs
from localengine.policy_config import PolicyConfigError
from localengine.project import Project, ProjectError, load_stack_config, read_stack_file, set_config_value
from localengine.secrets import PassphraseSecretsManager, SecretsError, passphrase_from_env
from localengine.stacks import init_stack, remove_stack
from localengine.state import StateError


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", "-s", required=True, help="the stack to operate on (dev, staging, prod...)"
    )
    parser.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the project directory")
    parser.add_argument(
        "--config-file", type=Path, help="use this stack settings file instead of Pulumi.<stack>.yaml"
    )


def _add_policy_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-pack",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="run the policy pack in DIR (repeatable), as `pulumi preview --policy-pack`",
    )
    parser.add_argument(
        "--policy-pack-config",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="JSON config of the pack at the same position (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m localengine",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("preview", "show what `up` would do"),
        ("up", "create or update the stack's resources"),
        ("refresh", "read every resource back from its vendor and update the state"),
        ("destroy", "delete every resource of the stack"),
    ):
        sub = commands.add_parser(name, help=help_text)
        _add_common(sub)
        sub.add_argument(
            "--parallel",
            "-p",
            type=int,
            default=UNBOUNDED,
            help="at most P resource operations at once (default: unbounded, as Pulumi)",
        )
        sub.add_argument(
            "--event-log", type=Path, help="write the run's engine events to FILE, as JSON lines (as Pulumi)"
        )
        if name in ("preview", "up"):
            _add_policy_flags(sub)
        if name != "preview":
            sub.add_argument("--yes", "-y", action="store_true", help="proceed without a confirmation prompt")
        if name in ("preview", "up", "refresh"):
            sub.add_argument(
                "--expect-no-changes",
                action="store_true",
                help=f"fail (exit {EXIT_CHANGES}) if the run has changes to make or made any",
            )
        if name == "refresh":
            sub.add_argument(
                "--preview-only", action="store_true", help="only show the drift; leave the state as it is"
            )
        if name in ("preview",):
            sub.add_argument(
                "--json", "-j", action="store_true", help="write the `pulumi preview --json` document"
            )
        if name in ("preview", "up"):
            sub.add_argument("--show-sames", action="store_true", help="also show unchanged resources")
            sub.add_argument(
                "--diff", action="store_true", help="show old and new values of each changed property"
            )
    stack = commands.add_parser("stack", help="stack outputs")
    stack_commands = stack.add_subparsers(dest="stack_command", required=True)
    output = stack_commands.add_parser("output", help="print the stack's outputs")
    output.add_argument("name", nargs="?")
    _add_common(output)
    output.add_argument("--json", "-j", action="store_true")
    output.add_argument("--show-secrets", action="store_true")
    export = stack_commands.add_parser("export", help="write the stack's state as `pulumi stack export` does")
    _add_common(export)
    export.add_argument("--file", type=Path, help="write to FILE instead of stdout")
    import_ = stack_commands.add_parser("import", help="replace the stack's state with a `stack export`")
    _add_common(import_)
    import_.add_argument("--file", type=Path, help="read FILE instead of stdin")
    init = stack_commands.add_parser(
        "init", help="create a stack (`--copy-config-from` copies a stack's config)"
    )
    init.add_argument("new_stack", metavar="STACK")
    init.add_argument(
        "--copy-config-from", metavar="BASE", help="copy this stack's config, secrets re-encrypted"
    )
    init.add_argument(
        "--base-config-file", type=Path, help="BASE's settings file (default Pulumi.<BASE>.yaml)"
    )
    init.add_argument(
        "--config-file", type=Path, help="write STACK's settings here (default Pulumi.<STACK>.yaml)"
    )
    init.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the project directory")
    remove = stack_commands.add_parser("rm", help="remove a stack that has no resources left")
    remove.add_argument("old_stack", metavar="STACK")
    remove.add_argument("--yes", "-y", action="store_true")
    remove.add_argument("--force", "-f", action="store_true", help="even with resources left in its state")
    remove.add_argument("--preserve-config", action="store_true", help="keep Pulumi.<STACK>.yaml")
    remove.add_argument(
        "--config-file", type=Path, help="STACK's settings file (default Pulumi.<STACK>.yaml)"
    )
    remove.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the project directory")
    config = commands.add_parser("config", help="read and write Pulumi.<stack>.yaml")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    config_set = config_commands.add_parser("set", help="set a value (`--secret` encrypts it)")
    config_set.add_argument("key")
    config_set.add_argument("value")
    config_set.add_argument("--secret", action="store_true")
    config_set.add_argument("--path", action="store_true", help="KEY is a property path (a.b[0].c)")
    _add_common(config_set)
    config_get = config_commands.add_parser("get", help="print a value (secrets decrypted)")
    config_get.add_argument("key")
    _add_common(config_get)
    cancel = commands.add_parser("cancel", help="clear the stack's lock (left by a run that was killed)")
    _add_common(cancel)
    cancel.add_argument("--yes", "-y", action="store_true", help="(accepted, as `pulumi cancel --yes`)")
    state = commands.add_parser("state", help="edit the stack's state")
    state_commands = state.add_subparsers(dest="state_command", required=True)
    for verb in ("protect", "unprotect"):
        sub = state_commands.add_parser(verb, help=f"{verb} a resource (URN, or * for all)")
        sub.add_argument("urn")
        _add_common(sub)
    return parser


def _confirm(engine: Engine, command: str, args: argparse.Namespace) -> bool:
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        print(
            "error: --yes must be passed in to proceed when running in non-interactive mode", file=sys.stderr
        )
        return False
    if command == "up":
        previewed = engine.up(preview=True, parallel=args.parallel)
        if engine.policy_packs and not previewed.ok:
            return False
    answer = input(f"Do you want to perform this {command}? (yes/no) ").strip().lower()
    return answer in ("y", "yes")


# `--expect-no-changes` and there were changes: the exit status the Pulumi CLI gives.
EXIT_CHANGES = 7


def _exit_code(result: Result, args: argparse.Namespace) -> int:
    if not result.ok:
        return 1
    if getattr(args, "expect_no_changes", False) and result.changes():
        planned = args.command == "preview" or getattr(args, "preview_only", False)
        what = "were proposed" if planned else "occurred"
        print(f"error: no changes were expected but changes {what}", file=sys.stderr)
        return EXIT_CHANGES
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (ProjectError, SecretsError, PolicyConfigError, StateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the state records what was done and what was in flight", file=sys.stderr)
        return 130


def _cancel(root: Path, stack: str) -> int:
    from localengine.locking import cancel

    project = Project.load(root)
    holder = cancel(project.root, project.name, stack)
    if holder is None:
        print(f"stack '{stack}' is not locked")
    else:
        print(f"the lock on stack '{stack}' was cleared ({holder.describe()})")
    return 0


def _stack_init_or_rm(args: argparse.Namespace) -> int:
    project = Project.load(args.cwd)
    if args.stack_command == "init":
        if args.config_file:
            project.config_files[args.new_stack] = args.config_file.resolve()
        path = init_stack(
            project,
            args.new_stack,
            copy_config_from=args.copy_config_from,
            base_config_file=args.base_config_file,
        )
        copied = f" (config copied from {args.copy_config_from})" if args.copy_config_from else ""
        print(f"Created stack '{args.new_stack}'{copied}: {path}")
        return 0
    if args.config_file:
        project.config_files[args.old_stack] = args.config_file.resolve()
    if not args.yes and not sys.stdin.isatty():
        print(
            "error: --yes must be passed in to proceed when running in non-interactive mode", file=sys.stderr
        )
        return 1
    if not args.yes and input(f"Do you want to remove stack '{args.old_stack}'? (yes/no) ").strip() != "yes":
        return 1
    remove_stack(project, args.old_stack, force=args.force, preserve_config=args.preserve_config)
    print(f"Stack '{args.old_stack}' has been removed!")
    return 0


def _run(args: argparse.Namespace) -> int:
    root = args.cwd
    if args.command == "config":
        project = Project.load(root)
        if args.config_file:
            project.config_files[args.stack] = args.config_file.resolve()
        if args.config_command == "set":
            set_config_value(
                project, args.stack, args.key, args.value, secret=args.secret, path_key=args.path
            )
            return 0
        salt = read_stack_file(project, args.stack).get("encryptionsalt")
        manager = PassphraseSecretsManager.from_state(passphrase_from_env(), salt) if salt else None
        values = load_stack_config(project, args.stack, manager).values
        key = args.key if ":" in args.key else f"{project.name}:{args.key}"
        if key not in values:
            print(f"error: configuration key '{key}' not found for stack '{args.stack}'", file=sys.stderr)
            return 1
        print(values[key])
        return 0
    if args.command == "cancel":
        return _cancel(root, args.stack)
    if args.command == "stack" and args.stack_command in ("init", "rm"):
        return _stack_init_or_rm(args)
    engine = Engine(
        root,
        args.stack,
        config_file=args.config_file,
        event_log=getattr(args, "event_log", None),
        policy_packs=pair_specs(getattr(args, "policy_pack", []), getattr(args, "policy_pack_config", [])),
    )
    if args.command == "preview":
        result = engine.up(
            preview=True,
            parallel=args.parallel,
            json_output=args.json,
            show_sames=args.show_sames,
            show_diff=args.diff,
        )
        return _exit_code(result, args)
    if args.command == "up":
        if not _confirm(engine, "update", args):
            return 1
        # As `pulumi up` does (unless --skip-preview): with policy packs, a preview first, and no update
        # when a mandatory policy fails in it.
        if engine.policy_packs and args.yes and not engine.up(preview=True, parallel=args.parallel).ok:
            return 1
        result = engine.up(parallel=args.parallel, show_sames=args.show_sames, show_diff=args.diff)
        return _exit_code(result, args)
    if args.command == "refresh":
        if not args.preview_only and not _confirm(engine, "refresh", args):
            return 1
        result = engine.refresh(parallel=args.parallel, preview_only=args.preview_only)
        return _exit_code(result, args)
    if args.command == "destroy":
        if not _confirm(engine, "destroy", args):
            return 1
        return 0 if engine.destroy(parallel=args.parallel).ok else 1
    if args.command == "stack" and args.stack_command == "export":
        text = json.dumps(engine.export_state(), indent=4) + "\n"
        if args.file:
            args.file.write_text(text)
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "stack" and args.stack_command == "import":
        raw = args.file.read_text() if args.file else sys.stdin.read()
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            print(f"error: could not read the deployment as JSON: {exc}", file=sys.stderr)
            return 1
        engine.import_state(document)
        print("Import complete.")
        return 0
    if args.command == "stack":
        outputs = render_outputs(engine.outputs(), show_secrets=args.show_secrets)
        if args.name:
            if args.name not in outputs:
                print(f"error: current stack does not have output property '{args.name}'", file=sys.stderr)
                return 1
            value = outputs[args.name]
            print(json.dumps(value, indent=2) if args.json or not isinstance(value, str) else value)
            return 0
        if args.json:
            print(json.dumps(outputs, indent=2, sort_keys=True))
        else:
            print("Current stack outputs" + (f" ({len(outputs)}):" if outputs else " (0):"))
            for key in sorted(outputs):
                value = outputs[key]
                print(f"    {key}: {value if isinstance(value, str) else format_value(value)}")
        return 0
    if args.command == "state":
        if not engine.set_protect(args.urn, args.state_command == "protect"):
            print(f"error: no resource with URN {args.urn} in stack {args.stack}", file=sys.stderr)
            return 1
        return 0
    return 2
