import time

from pairup.engine.stopwatch import Stopwatch


def test_stopwatch_adds_up_each_phase_over_its_runs():
    watch = Stopwatch()
    with watch("solving"):
        time.sleep(0.01)
    with watch("scoring"):
        pass
    with watch("solving"):
        time.sleep(0.01)
    assert set(watch.seconds) == {"solving", "scoring"}
    assert watch.seconds["solving"] >= 0.02
    assert watch.seconds["scoring"] < watch.seconds["solving"]


def test_stopwatch_counts_a_phase_that_raised():
    watch = Stopwatch()
    try:
        with watch("certifying"):
            raise RuntimeError("dual infeasible")
    except RuntimeError:
        pass
    assert list(watch.seconds) == ["certifying"]
