"""Fixtures shared by all test packages."""

from __future__ import annotations

from pathlib import Path

import pytest

# CI clones the repository with ``shared/`` beside it: /work/main and /work/shared.
SHARED_DIR = Path(__file__).resolve().parents[1] / ".." / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` directory beside the repository (fixtures, design notes)."""
    return SHARED_DIR
