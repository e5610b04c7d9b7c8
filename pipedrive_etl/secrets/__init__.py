"""Pipedrive credentials at rest: Fernet keys from the environment, the encrypted token store, key rotation.

- `load_keyring(env)` / `Keyring` / `generate_key()` / `SecretKeyError` (keys.py): $PIPEDRIVE_ETL_SECRET_KEYS.
- `TokenStore` (store.py): `state.pipedrive_auth`, OAuth connections and API tokens, ciphertext only.
- `StoredTokenProvider` (provider.py): a `pipedrive.auth.TokenProvider` that stores and audits its refreshes.
- `rotate_keys` (rotation.py): everything re-encrypted under the newest key, in one transaction.
- `pipedrive-etl secrets generate-key | rotate | store-api-token | list` (commands.py).
"""

from .keys import SECRET_KEYS_ENV, Keyring, SecretKeyError, generate_key, load_keyring
from .provider import StoredTokenProvider
from .rotation import RotationResult, rotate_keys
from .store import MissingCredentialsError, StoredCredential, TokenStore, stored_credentials

__all__ = ["SECRET_KEYS_ENV", "Keyring", "MissingCredentialsError", "RotationResult", "SecretKeyError",
           "StoredCredential", "StoredTokenProvider", "TokenStore", "generate_key", "load_keyring",
           "rotate_keys", "stored_credentials"]
