"""etl.held_settings: the collector pause and the short GIL switch interval, held and restored
across nesting, errors and threads."""

import gc
import sys
import threading

import pytest

from etl.held_settings import SWITCH_INTERVAL_SECONDS, HeldSetting, gc_paused, quick_thread_switches


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


def test_quick_thread_switches_lower_the_interval_inside_and_restore_it_after():
    before = sys.getswitchinterval()
    try:
        with quick_thread_switches():
            assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_SECONDS, rel=0.05)
            with quick_thread_switches():
                pass
            assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_SECONDS, rel=0.05)
        assert sys.getswitchinterval() == before
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS / 5)  # a shorter one already set stays
        with quick_thread_switches():
            assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_SECONDS / 5, rel=0.05)
    finally:
        sys.setswitchinterval(before)


@pytest.mark.parametrize("interval", [0.0011, 0.0035, 0.007, 0.005])
def test_the_switch_interval_comes_back_to_the_microsecond(interval):
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(interval)
        set_to = sys.getswitchinterval()
        with quick_thread_switches():
            pass
        assert sys.getswitchinterval() == set_to
    finally:
        sys.setswitchinterval(before)


def test_a_held_setting_is_restored_once_by_the_last_holder_even_after_an_error():
    log, value = [], {"now": "original"}
    setting = HeldSetting(lambda: value["now"], lambda: value.update(now="changed"),
                          lambda before: (log.append(before), value.update(now=before)))
    with pytest.raises(RuntimeError):
        with setting.held():
            with setting.held():
                assert value["now"] == "changed"
            assert value["now"] == "changed" and not log
            raise RuntimeError("boom")
    assert value["now"] == "original" and log == ["original"]


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
