"""`python -m emulator serve --port N [--state FILE] [--latency-ms N] [--time-scale X] [--token T]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from emulator.core.app import EmulatorApp, Settings


def _railway_schema_note(app: EmulatorApp) -> str:
    railway = app.vendors.get("railway")
    choice = getattr(railway, "schema_choice", None)
    if choice is None:
        return "railway schema: unknown"
    kind = "Railway's published schema" if choice.published else "the emulator's subset schema"
    return f"railway serves {kind} from {choice.path}"


def _app(args: argparse.Namespace) -> EmulatorApp:
    return EmulatorApp(
        Settings(
            state_file=args.state,
            latency_ms=args.latency_ms,
            time_scale=args.time_scale,
            token=args.token,
            vendor_options={"railway": {"schema_file": args.railway_schema}} if args.railway_schema else {},
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the Railway, Supabase and Neon emulators on one port")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4010)
    serve.add_argument(
        "--state", type=Path, help="JSON file the emulator keeps its objects in across restarts"
    )
    serve.add_argument("--latency-ms", type=float, default=0.0, help="added to every vendor request")
    serve.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="1 = the vendors' real timings, 0 = every async transition completes on the next poll",
    )
    serve.add_argument("--token", help="accept only this token (default: any non-empty token)")
    serve.add_argument(
        "--railway-schema",
        help="Railway's published SDL to serve whole (default: $RAILWAY_SCHEMA_FILE, else "
        "../shared/api/railway-schema.graphql beside the repository when present, else the emulator's "
        "own subset; 'subset' forces the subset)",
    )
    args = parser.parse_args(argv)
    if args.time_scale < 0:
        parser.error("--time-scale must be >= 0")
    if args.latency_ms < 0:
        parser.error("--latency-ms must be >= 0")
    try:
        app = _app(args)
    except FileNotFoundError as error:
        parser.error(str(error))
    print(
        f"emulator: http://{args.host}:{args.port} "
        "(railway /railway/graphql/v2, supabase /supabase, neon /neon/api/v2; "
        f"vendors: {', '.join(app.vendors)}; {_railway_schema_note(app)})",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app.asgi, host=args.host, port=args.port, log_level="warning", date_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
