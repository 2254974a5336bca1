import gc

import pytest

from etl.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_back_after():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_leave_it_to_the_outer_one_and_errors_restore_it():
    with pytest.raises(RuntimeError):
        with gc_paused():
            with gc_paused():
                pass
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
