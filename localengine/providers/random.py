"""pulumi-random, locally: the resources the real provider offers, with its defaults and its rule that any
input change (including `keepers`) replaces the resource. Values come from `secrets` (the OS CSPRNG), as
the real provider uses crypto/rand. RandomPassword's `result` and `bcryptHash` are made secret by the
SDK's `additional_secret_outputs`, which the engine applies.
"""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from typing import Any

import bcrypt

from localengine.props import PropertyDiff, contains_unknown, reveal
from localengine.providers import CheckFailure, LocalProvider, ProviderError

SPECIAL_DEFAULT = "!@#$%&*()-_=+[]{}<>:?"
PET_ADJECTIVES = [
    "able",
    "bold",
    "brave",
    "calm",
    "clever",
    "eager",
    "fair",
    "fine",
    "glad",
    "keen",
    "neat",
    "proud",
    "quick",
    "sharp",
    "smart",
    "still",
    "sure",
    "tidy",
    "vast",
    "warm",
    "wise",
]
PET_NAMES = [
    "badger",
    "beagle",
    "bison",
    "crane",
    "eagle",
    "ferret",
    "gecko",
    "heron",
    "ibex",
    "koala",
    "lemur",
    "lynx",
    "marten",
    "newt",
    "otter",
    "panda",
    "quail",
    "raven",
    "seal",
    "tapir",
    "wren",
]

STRING_DEFAULTS: dict[str, Any] = {
    "lower": True,
    "upper": True,
    "numeric": True,
    "special": True,
    "minLower": 0,
    "minUpper": 0,
    "minNumeric": 0,
    "minSpecial": 0,
}


def _kind(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1]


def _urn_type(urn: str) -> str:
    return urn.split("::")[2].split("$")[-1]


def generate_string(props: dict[str, Any]) -> str:
    length = int(props["length"])
    sets = []
    if props.get("upper", True):
        sets.append((string.ascii_uppercase, int(props.get("minUpper", 0))))
    if props.get("lower", True):
        sets.append((string.ascii_lowercase, int(props.get("minLower", 0))))
    if props.get("numeric", props.get("number", True)):
        sets.append((string.digits, int(props.get("minNumeric", 0))))
    if props.get("special", True):
        sets.append((props.get("overrideSpecial") or SPECIAL_DEFAULT, int(props.get("minSpecial", 0))))
    chars: list[str] = []
    for alphabet, minimum in sets:
        chars += [secrets.choice(alphabet) for _ in range(minimum)]
    pool = "".join(alphabet for alphabet, _ in sets)
    if not pool:
        raise ProviderError("at least one of upper, lower, numeric and special must be true")
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class RandomProvider(LocalProvider):
    """All `random:index/...` resources."""

    every_change_replaces = True

    def check(
        self, urn: str, olds: dict[str, Any] | None, news: dict[str, Any], seed: bytes
    ) -> tuple[dict[str, Any], list[CheckFailure]]:
        kind = _kind(_urn_type(urn))
        inputs = dict(news)
        failures: list[CheckFailure] = []
        if kind in ("RandomPassword", "RandomString"):
            for key, default in STRING_DEFAULTS.items():
                inputs.setdefault(key, default)
            if "numeric" in news and "number" not in news:
                inputs["number"] = news["numeric"]
            inputs.setdefault("number", inputs["numeric"])
            length = inputs.get("length")
            if length is None:
                failures.append(CheckFailure("length", "Missing required argument"))
            elif not contains_unknown(inputs):
                plain = reveal(inputs)
                mins = sum(int(plain.get(k, 0)) for k in ("minLower", "minUpper", "minNumeric", "minSpecial"))
                if int(plain["length"]) < 1:
                    failures.append(CheckFailure("length", "Attribute length value must be at least 1"))
                elif mins > int(plain["length"]):
                    failures.append(
                        CheckFailure("length", f"length ({plain['length']}) is less than the sum of minimums")
                    )
        elif kind == "RandomId":
            if news.get("byteLength") is None:
                failures.append(CheckFailure("byteLength", "Missing required argument"))
        elif kind == "RandomInteger":
            for key in ("min", "max"):
                if news.get(key) is None:
                    failures.append(CheckFailure(key, "Missing required argument"))
            if (
                not failures
                and not contains_unknown(news)
                and int(reveal(news)["min"]) > int(reveal(news)["max"])
            ):
                failures.append(
                    CheckFailure("max", "minimum value needs to be smaller than or equal to maximum")
                )
        elif kind == "RandomPet":
            inputs.setdefault("length", 2)
            inputs.setdefault("separator", "-")
        elif kind == "RandomShuffle" and news.get("inputs") is None:
            failures.append(CheckFailure("inputs", "Missing required argument"))
        return inputs, failures

    def create(self, urn: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kind = _kind(_urn_type(urn))
        props = reveal(news)
        outs = dict(news)
        if kind in ("RandomPassword", "RandomString"):
            result = generate_string(props)
            outs["result"] = result
            if kind == "RandomPassword":
                outs["bcryptHash"] = _bcrypt(result)
                return "none", outs
            return result, outs
        if kind == "RandomId":
            raw = secrets.token_bytes(int(props["byteLength"]))
            prefix = props.get("prefix", "")
            b64_url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            outs.update(
                b64Url=prefix + b64_url,
                b64Std=prefix + base64.b64encode(raw).decode(),
                hex=prefix + raw.hex(),
                dec=prefix + str(int.from_bytes(raw, "big")),
            )
            return b64_url, outs
        if kind in ("RandomUuid", "RandomUuid4"):
            value = str(uuid.uuid4())
            outs["result"] = value
            return value, outs
        if kind == "RandomInteger":
            number = secrets.SystemRandom().randint(int(props["min"]), int(props["max"]))
            outs["result"] = number
            return str(number), outs
        if kind == "RandomPet":
            words = [secrets.choice(PET_ADJECTIVES) for _ in range(int(props["length"]) - 1)]
            words.append(secrets.choice(PET_NAMES))
            if props.get("prefix"):
                words.insert(0, props["prefix"])
            value = props["separator"].join(words)
            return value, outs
        if kind == "RandomBytes":
            raw = secrets.token_bytes(int(props["length"]))
            outs.update(base64=base64.b64encode(raw).decode(), hex=raw.hex())
            return "none", outs
        if kind == "RandomShuffle":
            items = list(props["inputs"])
            secrets.SystemRandom().shuffle(items)
            count = props.get("resultCount")
            outs["results"] = items[: int(count)] if count else items
            return "-", outs
        raise ProviderError(f"random: resource type {kind} is not implemented by the local engine")

    def update(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> dict[str, Any]:
        raise ProviderError("random resources are replaced, never updated")

    def delete(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        return None


# The real provider hashes with Go's bcrypt.DefaultCost (10). Python's default (12) is four times the work,
# over a second on a busy machine, and every service that uses the password waits for it.
BCRYPT_COST = 10


def _bcrypt(value: str) -> str:
    # bcrypt hashes at most 72 bytes; newer bcrypt releases refuse longer input instead of truncating it.
    return str(bcrypt.hashpw(value.encode()[:72], bcrypt.gensalt(rounds=BCRYPT_COST)).decode())


__all__ = ["PropertyDiff", "RandomProvider"]
