"""Key rotation: re-encrypt every stored credential under the newest key, all or nothing.

Every secret is decrypted (with whichever configured key fits) and encrypted again before anything is written;
one that no key opens stops the rotation with a clear error and the table is left exactly as it was. The new
ciphertexts and a `secrets.rotated` audit row are then written in one transaction. After it, the old keys can
be dropped from $PIPEDRIVE_ETL_SECRET_KEYS.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import audit
from ..warehouse import Warehouse
from .keys import Keyring
from .store import TABLE


@dataclass(frozen=True)
class RotationResult:
    credentials: int  # rows re-encrypted
    keys: int  # keys configured; the first one now encrypts everything


def rotate_keys(warehouse: Warehouse, keyring: Keyring, *, actor: str | None = None) -> RotationResult:
    with warehouse.transaction():
        rows = warehouse.fetchall(f"select kind, name, encrypted_access_token, encrypted_refresh_token "
                                  f"from {TABLE} order by kind, name")
        rotated = []
        for kind, name, access, refresh in rows:
            what = f"the {kind} credential {name!r}"
            rotated.append((kind, name, keyring.rotate(access, what=what),
                            keyring.rotate(refresh, what=what) if refresh is not None else None))
        for kind, name, access, refresh in rotated:
            warehouse.execute(f"update {TABLE} set encrypted_access_token = ?, encrypted_refresh_token = ? "
                              "where kind = ? and name = ?", [access, refresh, kind, name])
        audit.record(warehouse, actor=actor, action="secrets.rotated",
                     details={"credentials": len(rotated), "keys": keyring.size})
    return RotationResult(credentials=len(rotated), keys=keyring.size)
