"""`python -m localengine.providers.host_main WORKERS [MODULE ...]`: the SDK's dynamic-provider server
(`python -m pulumi.dynamic`, unchanged) serving up to WORKERS calls at once.

MODULEs (the project's modules that define dynamic resources) are imported before the server starts, while
the engine loads config and state and imports the program (a second or so), so the first call finds the
providers' modules loaded instead of importing them on the stack's critical path. Before, not beside, the
server: imports of one package from two threads at once can meet a partly initialised module.

The SDK's server has four worker threads, so a fifth provider call waits for one of four others to end.
Each create that waits for a vendor (a Railway deployment, a Supabase project) holds a thread for the
whole wait, so with four the stack's independent deployments would take turns instead of running
together. Only the thread pool handed to `grpc.server` changes, and the servicer's `Create` runs with its
URN known to its thread (`host_channel.serving`), so a provider can report the id the vendor returned while
it still waits (`host_channel.report_created_id`); the servicer is otherwise the SDK's own.
"""

from __future__ import annotations

import importlib
import runpy
import sys
from concurrent import futures
from typing import Any

import grpc

from localengine.providers.host_channel import serving


def warm(modules: list[str]) -> None:
    """Import `modules`; one that fails is left for the call that needs it to report."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # reported by the provider call that needs the module
            continue


def main() -> None:
    workers = max(4, int(sys.argv.pop(1)))
    modules, sys.argv[1:] = sys.argv[1:], []
    warm(modules)
    real_server = grpc.server

    def server(thread_pool: futures.ThreadPoolExecutor, *args: Any, **kwargs: Any) -> grpc.Server:
        thread_pool.shutdown(wait=False)
        pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="provider")
        return real_server(pool, *args, **kwargs)

    grpc.server = server
    _report_urns_of_creates()
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


def _report_urns_of_creates() -> None:
    """The SDK's server registers its servicer with `add_ResourceProviderServicer_to_server`, which takes
    the servicer's bound methods: give it a `Create` that serves its URN."""
    from pulumi.runtime.proto import provider_pb2_grpc

    register = provider_pb2_grpc.add_ResourceProviderServicer_to_server

    def register_serving_urns(servicer: Any, server: Any) -> None:
        create = servicer.Create

        def create_serving_its_urn(request: Any, context: Any) -> Any:
            with serving(request.urn):
                return create(request, context)

        servicer.Create = create_serving_its_urn
        register(servicer, server)

    provider_pb2_grpc.add_ResourceProviderServicer_to_server = register_serving_urns


if __name__ == "__main__":
    main()
