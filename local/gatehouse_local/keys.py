"""`make rotate-key` / `make drop-previous-key`: rotate the JWT signing keys.

Deployed (`JWT_SECRET_ARN` set, with AWS credentials): the Secrets Manager secret. Locally: the
local run's `.local/jwt-secret` (a running `make start` picks the new key up within
SIGNING_KEY_CACHE_SECONDS, or at once for a token whose kid it does not know yet).
Prints the key ids, never a key.
"""

from __future__ import annotations

import argparse
import os

from gatehouse_local.environment import ensure_state_dir, local_jwt_secret


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gatehouse_local.keys", description=__doc__)
    parser.add_argument("action", choices=["rotate", "drop-previous"])
    arguments = parser.parse_args(argv)
    os.environ.setdefault("TABLE_NAME", "gatehouse-local")
    if not os.environ.get("JWT_SECRET_ARN"):
        if os.environ.get("JWT_SECRET"):
            raise SystemExit(
                "JWT_SECRET is set: the local run signs with that fixed key, which cannot rotate"
            )
        local_jwt_secret()
        os.environ["JWT_SECRET_FILE"] = str((ensure_state_dir() / "jwt-secret").resolve())
    # Imported here: the gatehouse package reads its settings when it is imported.
    from gatehouse.security import signing_key

    source = signing_key.configured_source()
    if arguments.action == "rotate":
        ring = signing_key.rotate_signing_key(source)
    else:
        ring = signing_key.drop_previous_signing_key(source)
    previous = ring.previous.kid if ring.previous else "none"
    print(f"signing keys: current {ring.current.kid}, previous {previous}")


if __name__ == "__main__":
    main()
