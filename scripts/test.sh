#!/usr/bin/env bash
# Runs every test: the full suite on the pinned dependencies, then the domain and store
# tests again on the mobile floor (cryptography 43.0.1, SQLAlchemy 2.0.36, pydantic 2.9).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -p no:cacheprovider "$@"
bash scripts/floor.sh
