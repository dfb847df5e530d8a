#!/usr/bin/env bash
# The mobile floor (DESIGN.md, "Deployment shapes"): Flet's mobile index lags PyPI, so the
# domain and store must work on these versions. A separate venv keeps the main one intact.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOOR=.venv-floor
if [ ! -f $FLOOR/.installed ] || [ pyproject.toml -nt $FLOOR/.installed ]; then
  rm -rf $FLOOR
  python3 -m venv $FLOOR
  $FLOOR/bin/pip install -q --upgrade pip
  $FLOOR/bin/pip install -q "cryptography==43.0.1" "sqlalchemy==2.0.36" "pydantic==2.9.2" \
      "pydantic-core==2.23.4" "sqlmodel==0.0.22" holidays rfc8785 pytest pytest-timeout hypothesis
  touch $FLOOR/.installed
fi
$FLOOR/bin/python - <<'PY'
import cryptography, sqlalchemy, pydantic
print("floor:", "cryptography", cryptography.__version__, "sqlalchemy", sqlalchemy.__version__,
      "pydantic", pydantic.__version__)
assert cryptography.__version__ == "43.0.1" and sqlalchemy.__version__ == "2.0.36"
PY
PYTHONPATH=. $FLOOR/bin/python -m pytest -p no:cacheprovider -q -m floor tests/domain tests/store
