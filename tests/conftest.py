"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: the team's shared reference folder, beside the repository (absent in some checkouts)
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference"


@pytest.fixture
def reference_dir() -> Path:
    """``../shared/reference``; the test is skipped when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is not available in this checkout")
    return REFERENCE
