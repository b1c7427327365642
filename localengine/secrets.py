"""Passphrase secrets, compatible with the Pulumi CLI's passphrase secrets manager.

Key: PBKDF2-HMAC-SHA256 of the passphrase over an 8-byte salt, 1,000,000 iterations, 32 bytes. Values:
AES-256-GCM with a 12-byte nonce, written `v1:<base64 nonce>:<base64 ciphertext>`. A stack's
`encryptionsalt` is `v1:<base64 salt>:` followed by the encryption of the word `pulumi`, which proves a
passphrase right or wrong. (pulumi/pulumi `pkg/secrets/passphrase/manager.go`,
`sdk/go/common/resource/config/crypt.go`.)
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ITERATIONS = 1_000_000
KEY_BYTES = 32
PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
PASSPHRASE_FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE"


class SecretsError(Exception):
    pass


class PassphraseMissingError(SecretsError):
    def __init__(self) -> None:
        super().__init__(
            f"passphrase must be set with {PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV} environment variables"
        )


class IncorrectPassphraseError(SecretsError):
    def __init__(self) -> None:
        super().__init__(
            f"incorrect passphrase: set {PASSPHRASE_ENV} (or {PASSPHRASE_FILE_ENV}) to the passphrase "
            "this stack's secrets were encrypted with"
        )


def passphrase_from_env(environ: dict[str, str] | None = None) -> str:
    """The passphrase as the CLI finds it: PULUMI_CONFIG_PASSPHRASE, else PULUMI_CONFIG_PASSPHRASE_FILE."""
    env = os.environ if environ is None else environ
    if PASSPHRASE_ENV in env:
        return env[PASSPHRASE_ENV]
    path = env.get(PASSPHRASE_FILE_ENV)
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise SecretsError(f"unable to read {PASSPHRASE_FILE_ENV}: {exc}") from exc
    raise PassphraseMissingError()


@functools.lru_cache(maxsize=16)
def _derive_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, ITERATIONS, KEY_BYTES)


class Crypter:
    """Encrypts and decrypts single values with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("AES-256-GCM needs a 32 byte key")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), None)
        return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"

    def decrypt(self, ciphertext: str) -> str:
        parts = ciphertext.split(":")
        if len(parts) != 3:
            raise SecretsError("bad value: expected v1:<nonce>:<ciphertext>")
        if parts[0] != "v1":
            raise SecretsError("unknown value version")
        try:
            nonce, sealed = base64.b64decode(parts[1]), base64.b64decode(parts[2])
        except ValueError as exc:
            raise SecretsError(f"bad value: {exc}") from exc
        if len(nonce) != 12:
            raise SecretsError("bad value: nonce size is incorrect")
        try:
            return self._aead.decrypt(nonce, sealed, None).decode()
        except InvalidTag as exc:
            raise SecretsError("could not decrypt value: wrong passphrase or corrupted ciphertext") from exc


class PassphraseSecretsManager:
    """The secrets manager of one stack: its `encryptionsalt` state plus a crypter from the passphrase."""

    def __init__(self, state: str, crypter: Crypter) -> None:
        self.state = state
        self.crypter = crypter

    @classmethod
    def create(cls, passphrase: str) -> PassphraseSecretsManager:
        salt = os.urandom(8)
        crypter = Crypter(_derive_key(passphrase, salt))
        state = f"v1:{base64.b64encode(salt).decode()}:{crypter.encrypt('pulumi')}"
        return cls(state, crypter)

    @classmethod
    def from_state(cls, passphrase: str, state: str) -> PassphraseSecretsManager:
        parts = state.split(":", 2)
        if len(parts) != 3 or parts[0] != "v1":
            raise SecretsError("malformed encryptionsalt (expected v1:<salt>:v1:<nonce>:<ciphertext>)")
        try:
            salt = base64.b64decode(parts[1])
        except ValueError as exc:
            raise SecretsError(f"malformed encryptionsalt: {exc}") from exc
        crypter = Crypter(_derive_key(passphrase, salt))
        try:
            check = crypter.decrypt(parts[2])
        except SecretsError:
            raise IncorrectPassphraseError() from None
        if check != "pulumi":
            raise IncorrectPassphraseError()
        return cls(state, crypter)

    def encrypt(self, plaintext: str) -> str:
        return self.crypter.encrypt(plaintext)

    def decrypt(self, ciphertext: str) -> str:
        return self.crypter.decrypt(ciphertext)
