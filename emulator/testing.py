"""Run the emulator in-process (a uvicorn server on a free loopback port, in a thread) for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from emulator.core.app import EmulatorApp, Settings
from emulator.core.vendor import VendorBackend


class RunningEmulator:
    def __init__(self, app: EmulatorApp, url: str) -> None:
        self.app = app
        self.url = url

    @property
    def railway_url(self) -> str:
        return f"{self.url}/railway/graphql/v2"

    @property
    def supabase_url(self) -> str:
        return f"{self.url}/supabase"

    @property
    def neon_url(self) -> str:
        return f"{self.url}/neon/api/v2"

    def requests(self, vendor: str | None = None) -> list[dict[str, Any]]:
        with self.app._lock:
            return [dict(r) for r in self.app.requests if vendor is None or r["vendor"] == vendor]

    def clear_requests(self) -> None:
        with self.app._lock:
            self.app.requests.clear()

    def state(self) -> dict[str, Any]:
        return self.app.state()

    def inject(self, **fault: Any) -> None:
        response = httpx.post(f"{self.url}/_emulator/faults", json=fault, timeout=10)
        response.raise_for_status()

    def reset(self) -> None:
        self.app.reset()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_emulator(
    settings: Settings | None = None, vendor_classes: tuple[type[VendorBackend], ...] | None = None
) -> Iterator[RunningEmulator]:
    settings = settings or Settings(time_scale=0)
    app = EmulatorApp(settings, vendor_classes)
    port = _free_port()
    config = uvicorn.Config(
        app.asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="off", date_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    try:
        yield RunningEmulator(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
