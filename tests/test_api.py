"""The public API: sorted __all__, every name importable."""

from __future__ import annotations

import qualbst


def test_all_is_sorted_and_resolves() -> None:
    assert qualbst.__all__ == sorted(qualbst.__all__)
    for name in qualbst.__all__:
        assert getattr(qualbst, name) is not None, name


def test_unknown_attribute() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = qualbst.nope  # type: ignore[attr-defined]
