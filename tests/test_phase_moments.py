"""The phase fit's sums (`engine.listen.phase.moments`) number each onset's beat as the float (x + 0.5) // 1.0,
not round(x): the same floats as round's, also for onsets half-way between two beats (where the two can differ,
and which lie outside NEAR of both)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.listen.phase import NEAR, TIGHT, Moments, moments


def rounded_moments(ts, rs, now, base, period, curve):
    """The sums as written with round(): beat number k = round((t - base) / period)."""
    near, tight = NEAR * period, TIGHT * period
    count, beats = 0, set()
    on_beat = s0 = s1 = s2 = s3 = s4 = t0 = t1 = t2 = 0.0
    for ti, r in zip(ts, rs):
        k = round((ti - base) * (1.0 / period))
        e = ti - base - k * period
        if -near < e < near:
            count += 1
            beats.add(k)
            d, rk = ti - now, r * k
            rkk = rk * k
            s0, s1, s2 = s0 + r, s1 + rk, s2 + rkk
            t0, t1, t2 = t0 + r * d, t1 + rk * d, t2 + rkk * d
            if curve:
                s3, s4 = s3 + rkk * k, s4 + rkk * k * k
            if -tight < e < tight:
                on_beat += r
    return Moments(count, len(beats), on_beat, s0, s1, s2, s3, s4, t0, t1, t2)


# beat offsets from the grid: on it, near it, and exactly or about half-way between two beats
OFFSETS = st.sampled_from([0.0, 0.01, -0.02, 0.1, -0.149, 0.151, 0.3, 0.499999, 0.5, -0.5, 0.500001, -0.37])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(period=st.sampled_from([0.25, 0.4, 0.5, 0.6, 1 / 3, 0.75]),
       base=st.floats(-2.0, 2.0, allow_nan=False),
       onsets=st.lists(st.tuples(st.integers(-32, 2), OFFSETS, st.floats(0.1, 3.0)), min_size=1, max_size=40),
       curve=st.sampled_from([0.0, 0.1]))
def test_moments_equal_the_rounded_sums(period, base, onsets, curve):
    onsets.sort()
    ts = [base + (k + off) * period for k, off, _ in onsets]
    rs = [r for *_, r in onsets]
    now = ts[-1] + 0.01
    got = moments(ts, rs, now, base, period, curve)
    want = rounded_moments(ts, rs, now, base, period, curve)
    assert got == want              # to the bit
