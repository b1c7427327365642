"""The platform policy pack. Building `PolicyPack` starts its gRPC server, prints the port and serves
until the engine ends the process, so nothing imports this module: tests import `rules`."""

import rules
from pulumi_policy import PolicyPack

PolicyPack(
    name="platform",
    policies=rules.POLICIES,
    enforcement_level=rules.DEFAULT_ENFORCEMENT,
    description="Platform rules for Railway, Neon and Supabase stacks.",
)
