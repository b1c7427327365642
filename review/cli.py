"""The command line: read an event log (or `preview --json`), write the review, exit 2 on --fail-on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from review.events import InputError, parse_text
from review.report import DEFAULT_MAX_CHARS, FAIL_CLASSES, as_json, build, markdown

DESCRIPTION = """\
The risk review of one stack's planned changes, as a pull-request comment (markdown) or JSON.

Input: the engine events Pulumi writes with `pulumi preview --event-log FILE` (set
PULUMI_DEBUG_COMMANDS=true to see the flag), one JSON object per line, or the `pulumi preview --json`
document (which has no policy results). `-` or no file reads standard input.

Exit status: 0; 1 when the input cannot be read or the arguments are wrong; 2 when a class
named by --fail-on is present.
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, so that 2 always means "a --fail-on class is present"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m review", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("input", nargs="?", default="-", help="event log or preview --json (default: stdin)")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    parser.add_argument("--stack", default="", help="stack name (default: read from the URNs)")
    parser.add_argument("--project", default="", help="project name (default: read from the URNs)")
    production = parser.add_mutually_exclusive_group()
    production.add_argument(
        "--production",
        dest="production",
        action="store_true",
        default=None,
        help="treat the stack as production: any delete is destructive (default: a stack named prod, "
        "production, or ending in -prod)",
    )
    production.add_argument("--not-production", dest="production", action="store_false")
    parser.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        help=f"largest markdown review (default {DEFAULT_MAX_CHARS}; GitHub refuses comments over 65536)",
    )
    parser.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="CLASS",
        help="exit 2 when this class is present: destructive, violations or risky (repeatable)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="the events are a refresh's (drift): a delete means the vendor no longer has the object "
        "(found by itself when steps are `refresh` steps)",
    )
    parser.add_argument("--output", "-o", type=Path, help="write the review here instead of standard output")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    fail_on = [c.strip() for value in args.fail_on for c in value.split(",") if c.strip()]
    unknown = [c for c in fail_on if c not in FAIL_CLASSES]
    if unknown:
        parser.error(f"--fail-on {', '.join(unknown)}: expected one of {', '.join(FAIL_CLASSES)}")
    if args.max_chars < 1000:
        parser.error("--max-chars must be at least 1000")
    try:
        text = sys.stdin.read() if args.input == "-" else Path(args.input).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        plan = parse_text(text)
    except InputError as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 1
    plan.refresh = plan.refresh or args.refresh
    review = build(plan, project=args.project, stack=args.stack, production=args.production)
    rendered = as_json(review) if args.format == "json" else markdown(review, args.max_chars)
    if args.format == "markdown" and len(rendered) > args.max_chars:
        print(
            f"review: the verdict and destructive changes alone take {len(rendered)} characters, more than "
            f"--max-chars {args.max_chars}; they are never cut",
            file=sys.stderr,
        )
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    present = [c for c in fail_on if review.present(c)]
    if present:
        print(f"review: {', '.join(present)} present in {review.project}/{review.stack}", file=sys.stderr)
        return 2
    return 0
