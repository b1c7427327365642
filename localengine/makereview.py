"""`make review [STACK=prod]`: the review a pull request would get for the stack, against the emulator.

    python -m localengine.makereview [--stack prod] [--port 4010] [--time-scale 0.01]

The emulator is found or started as `make up` does (EMULATOR_URL honoured). The stack's preview runs with
the policy pack (`--policy-pack policy --policy-pack-config policy/config/<stack>.json`, when the pack
is there) and writes its engine events to `.state/events-<stack>.jsonl`; `python -m review` turns them into
`.state/review-<stack>.md`, whose path and verdict are printed. A failing preview (an error, a mandatory
violation) still gets its review: that is when it matters most.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from localengine.makeup import DEFAULT_PORT, DEFAULT_TIME_SCALE, ensure_emulator, use_emulator
from localengine.state import state_dir


def policy_flags(root: Path, stack: str) -> list[str]:
    """The policy pack and the stack's config, as the CLI takes them (none without a pack)."""
    if not (root / "policy" / "PulumiPolicy.yaml").exists():
        return []
    flags = ["--policy-pack", "policy"]
    config = root / "policy" / "config" / f"{stack}.json"
    if config.exists():
        flags += ["--policy-pack-config", str(config.relative_to(root))]
    return flags


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localengine.makereview", description=__doc__)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", DEFAULT_PORT)))
    parser.add_argument("--time-scale", type=float, default=DEFAULT_TIME_SCALE)
    parser.add_argument("--cwd", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    root = args.cwd.resolve()
    url, how = ensure_emulator(root, args.port, args.time_scale)
    print(f"emulator: {url} {how}")
    use_emulator(url)
    folder = state_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    events = folder / f"events-{args.stack}.jsonl"
    review = folder / f"review-{args.stack}.md"
    flags = policy_flags(root, args.stack)
    if flags:
        print(f"policy pack: policy (config {flags[3] if len(flags) > 2 else 'none: its defaults'})")
    else:
        print("policy pack: none (no policy/PulumiPolicy.yaml)")
    print(flush=True)
    preview = [sys.executable, "-m", "localengine", "preview", "--stack", args.stack, "--cwd", str(root)]
    preview_exit = subprocess.call([*preview, *flags, "--event-log", str(events)], cwd=root)
    if not events.exists() or not events.read_text().strip():
        print(f"error: the preview wrote no engine events to {events}", file=sys.stderr)
        return 1
    reviewed = subprocess.run(
        [sys.executable, "-m", "review", str(events), "--stack", args.stack, "--output", str(review)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if reviewed.returncode != 0:
        print(reviewed.stderr, end="", file=sys.stderr)
        return 1
    verdict = review.read_text().splitlines()[1]
    print(f"\nreview of the {args.stack} preview (preview exit {preview_exit}): {_relative(review, root)}")
    print(f"    {verdict}")
    return 0


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
