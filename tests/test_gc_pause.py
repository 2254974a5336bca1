import gc
import threading

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


def test_one_thread_ending_its_pause_does_not_resume_collection_under_another():
    other_inside, other_may_leave = threading.Event(), threading.Event()

    def other_batch():
        with gc_paused():
            other_inside.set()
            other_may_leave.wait(5)

    other = threading.Thread(target=other_batch)
    with gc_paused():
        other.start()
        assert other_inside.wait(5)
    assert not gc.isenabled()  # the other thread is still inside its pause
    other_may_leave.set()
    other.join(5)
    assert gc.isenabled()
