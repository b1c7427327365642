"""`python -m localengine`: the Pulumi CLI's commands for this project, without the CLI.

    python -m localengine preview --stack dev [--json] [--show-sames]
    python -m localengine up --stack dev [--yes] [--parallel N]
    python -m localengine refresh --stack dev [--yes]
    python -m localengine destroy --stack dev [--yes]
    python -m localengine stack output [NAME] --stack dev [--json] [--show-secrets]
    python -m localengine stack export|import --stack dev [--file FILE]
    python -m localengine config set [--secret] KEY VALUE --stack dev
    python -m localengine config get KEY --stack dev
    python -m localengine state unprotect URN --stack dev

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
from localengine.engine import Engine, render_outputs
from localengine.project import Project, ProjectError, load_stack_config, read_stack_file, set_config_value
from localengine.secrets import PassphraseSecretsManager, SecretsError, passphrase_from_env
from localengine.state import StateError


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", "-s", required=True, help="the stack to operate on (dev, staging, prod...)"
    )
    parser.add_argument("--cwd", "-C", type=Path, default=Path.cwd(), help="the project directory")
    parser.add_argument(
        "--config-file", type=Path, help="use this stack settings file instead of Pulumi.<stack>.yaml"
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
        if name != "preview":
            sub.add_argument("--yes", "-y", action="store_true", help="proceed without a confirmation prompt")
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
        engine.up(preview=True, parallel=args.parallel)
    answer = input(f"Do you want to perform this {command}? (yes/no) ").strip().lower()
    return answer in ("y", "yes")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (ProjectError, SecretsError, StateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the state records what was done and what was in flight", file=sys.stderr)
        return 130


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
    engine = Engine(root, args.stack, config_file=args.config_file)
    if args.command == "preview":
        result = engine.up(
            preview=True,
            parallel=args.parallel,
            json_output=args.json,
            show_sames=args.show_sames,
            show_diff=args.diff,
        )
        return 0 if result.ok else 1
    if args.command == "up":
        if not _confirm(engine, "update", args):
            return 1
        result = engine.up(parallel=args.parallel, show_sames=args.show_sames, show_diff=args.diff)
        return 0 if result.ok else 1
    if args.command == "refresh":
        if not _confirm(engine, "refresh", args):
            return 1
        return 0 if engine.refresh(parallel=args.parallel).ok else 1
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
