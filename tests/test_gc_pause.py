"""The collector pause of a region run: nested and side by side, restored exactly."""
import gc
import threading

from backoffice.jobs.gc_pause import gc_paused


def test_the_collector_is_paused_inside_and_restored_after_nested_pauses():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_regions_side_by_side_share_one_pause():
    inside = threading.Barrier(3)
    seen = []

    def region():
        with gc_paused():
            inside.wait()
            seen.append(gc.isenabled())
            inside.wait()

    threads = [threading.Thread(target=region) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    inside.wait()
    for t in threads:
        t.join()
    assert seen == [False, False] and gc.isenabled()


def test_an_error_inside_still_restores_the_collector():
    try:
        with gc_paused():
            raise ValueError("x")
    except ValueError:
        pass
    assert gc.isenabled()
