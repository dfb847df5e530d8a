"""The hybrid logical clock."""

from __future__ import annotations

import pytest

from app.domain.hlc import MAX_DRIFT_MS, ClockSkewError, Hlc, pack, physical_ms


def test_hlc_is_monotonic_even_when_wall_clock_goes_back() -> None:
    wall = [1000]
    clock = Hlc(lambda: wall[0])
    a = clock.now()
    wall[0] = 500
    b = clock.now()
    assert b > a and physical_ms(b) == 1000


def test_hlc_receive_moves_past_remote() -> None:
    clock = Hlc(lambda: 1000)
    clock.receive(pack(1500, 3))
    assert clock.now() > pack(1500, 3)


def test_hlc_refuses_remote_far_in_the_future() -> None:
    clock = Hlc(lambda: 1000)
    with pytest.raises(ClockSkewError) as err:
        clock.receive(pack(1000 + MAX_DRIFT_MS + 1))
    assert "ahead" in err.value.text("en")
    assert clock.last == 0
