"""`python -m localengine.providers.host_main WORKERS`: the SDK's dynamic-provider server
(`python -m pulumi.dynamic`, unchanged) serving up to WORKERS calls at once.

The SDK's server has four worker threads, so a fifth provider call waits for one of four others to end.
Each create that waits for a vendor (a Railway deployment, a Supabase project) holds a thread for the
whole wait, so with four the stack's independent deployments would take turns instead of running
together. Only the thread pool handed to `grpc.server` changes; the servicer is the SDK's own.
"""

from __future__ import annotations

import runpy
import sys
from concurrent import futures
from typing import Any

import grpc


def main() -> None:
    workers = max(4, int(sys.argv.pop(1)))
    real_server = grpc.server

    def server(thread_pool: futures.ThreadPoolExecutor, *args: Any, **kwargs: Any) -> grpc.Server:
        thread_pool.shutdown(wait=False)
        pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="provider")
        return real_server(pool, *args, **kwargs)

    grpc.server = server
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
