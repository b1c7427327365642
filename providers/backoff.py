"""A test-speed knob for the waits the providers choose themselves.

`PLATFORM_BACKOFF_SCALE` (a number from 0 to 1; unset means 1) multiplies the providers' own waits: the HTTP
layer's retry back-off and its jitter, the back-off between a create's attempts (`create_or_adopt`), and the
interval between polls of a vendor. It never shortens a wait the vendor asked for (`Retry-After`, a rate
limit's reset, the pacing of the vendor's published limits).

The fault matrix sets it (0.01) so that its hundreds of retries against the emulator take milliseconds
instead of seconds; nothing else sets it, and a production run leaves it unset.
"""

from __future__ import annotations

import os

BACKOFF_SCALE_ENV = "PLATFORM_BACKOFF_SCALE"


def backoff_scale() -> float:
    """The factor `PLATFORM_BACKOFF_SCALE` asks for (1 when unset); a value that is not a number from 0 to 1
    is refused with the variable's name rather than silently waiting too long or not at all."""
    raw = os.environ.get(BACKOFF_SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{BACKOFF_SCALE_ENV}={raw!r} is not a number (a factor from 0 to 1)") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{BACKOFF_SCALE_ENV}={raw!r} is outside 0-1 (it only shortens waits)")
    return value
