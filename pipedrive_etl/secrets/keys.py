"""The encryption keys: Fernet keys from one environment variable, newest first, used as a MultiFernet.

`PIPEDRIVE_ETL_SECRET_KEYS="<newest>,<older>,..."`: everything is encrypted with the first key and decrypted
with whichever key fits, so a new key goes in front, the old ones stay behind it until `pipedrive-etl secrets
rotate` has re-encrypted everything, and only then are they dropped. Messages name the variable and the
position of a bad key, never key material; a `Keyring` does not show its keys in a repr either.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ..config import ConfigError

SECRET_KEYS_ENV = "PIPEDRIVE_ETL_SECRET_KEYS"


class SecretKeyError(ConfigError):
    """The keys are missing or invalid, or none of them decrypts a stored secret. Nothing was changed."""


def generate_key() -> str:
    """A new random Fernet key (32 bytes, url-safe base64), to put in front of the variable."""
    return Fernet.generate_key().decode()


class Keyring:
    """The configured keys. `encrypt` uses the newest; `decrypt` and `rotate` accept any."""

    def __init__(self, keys: list[str], *, source: str = SECRET_KEYS_ENV) -> None:
        if not keys:
            raise SecretKeyError(f"{source} holds no key; create one: `pipedrive-etl secrets generate-key`")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                raise SecretKeyError(
                    f"{source}: key {position} of {len(keys)} is not a valid Fernet key (32 url-safe "
                    "base64-encoded bytes, as `pipedrive-etl secrets generate-key` prints)") from None
        self._fernet = MultiFernet(fernets)
        self.size = len(keys)
        self.source = source

    def __repr__(self) -> str:
        return f"Keyring({self.size} key{'s' if self.size != 1 else ''} from {self.source})"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str, *, what: str, ttl: int | None = None) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode(), ttl=ttl).decode()
        except InvalidToken:
            raise self._undecryptable(what) from None

    def rotate(self, ciphertext: str, *, what: str) -> str:
        """The same secret, encrypted again under the newest key."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise self._undecryptable(what) from None

    def _undecryptable(self, what: str) -> SecretKeyError:
        return SecretKeyError(
            f"{what} cannot be decrypted with any of the {self.size} key(s) in {self.source}: the key it "
            f"was encrypted with is missing or the variable holds a wrong key. Put the previous key back "
            f"after the new one (newest first); run `pipedrive-etl secrets rotate` before removing a key.")


def load_keyring(env: Mapping[str, str] | None = None) -> Keyring:
    """The keys from $PIPEDRIVE_ETL_SECRET_KEYS (comma-separated, newest first); a clear error if unusable."""
    env = os.environ if env is None else env
    raw = env.get(SECRET_KEYS_ENV, "")
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        raise SecretKeyError(
            f"{SECRET_KEYS_ENV} is not set: Pipedrive tokens are stored encrypted and need a key. Create "
            f"one with `pipedrive-etl secrets generate-key` and set {SECRET_KEYS_ENV} to it.")
    return Keyring(keys)
