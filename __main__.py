"""The Pulumi program: read the stack's `platform:` config, build the components, export the outputs."""

import pulumi

from sdk_fixes import wait_for_outputs_together
from stack import build
from stack_config import load_stack_config

wait_for_outputs_together()  # the SDK's final wait, linear in the Outputs pending (see sdk_fixes)
config = load_stack_config()  # raises with every problem (file and key path) before any resource exists
for name, value in build(config, pulumi.get_stack()).items():
    pulumi.export(name, value)
