"""AppSecrets: the application's secret variables, generated (pulumi-random) or given as secret config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_random as random


def connection_password(
    owner: pulumi.ComponentResource, name: str, rotation: str | None
) -> random.RandomPassword:
    """`<name>-password`, a child of `owner`, for a database or cache; change `rotation` to rotate it."""
    # Letters and digits only: the password goes into connection URIs unescaped.
    return random.RandomPassword(
        f"{name}-password",
        length=32,
        special=False,
        keepers={"rotation": rotation or ""},
        opts=pulumi.ResourceOptions(parent=owner),
    )


@dataclass
class GeneratedSecretArgs:
    length: int = 48
    special: bool = False
    rotation: str | None = None
    """Keeper: change it (e.g. to a date) to generate a new value on the next `up`."""


@dataclass
class AppSecretsArgs:
    generated: Mapping[str, GeneratedSecretArgs] = field(default_factory=dict)
    given: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Values from secret stack config; they are wrapped as secrets whatever the caller passed."""


class AppSecrets(pulumi.ComponentResource):
    values: dict[str, pulumi.Output[str]]
    """Every secret by name, each a Pulumi secret."""

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:AppSecrets", name, None, opts)
        both = set(args.generated) & set(args.given)
        if both:
            raise ValueError(f"{name}: {sorted(both)} are both generated and given")
        self.passwords: dict[str, random.RandomPassword] = {}
        self.values = {}
        for key, spec in sorted(args.generated.items()):
            password = random.RandomPassword(
                f"{name}-{key.lower().replace('_', '-')}",
                length=spec.length,
                special=spec.special,
                keepers={"rotation": spec.rotation or ""},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.passwords[key] = password
            self.values[key] = pulumi.Output.secret(password.result)
        for key, value in sorted(args.given.items()):
            self.values[key] = pulumi.Output.secret(value)
        self.register_outputs({"names": sorted(self.values)})
