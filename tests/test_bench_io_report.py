# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/bench-io/report: the order-statistics interval of the median
ratio, and the verdicts it gives on recorded-format runs."""
import math

from reportlib import load_script, run_script

bir = load_script('scenarios/bench-io/report')


def test_binom_cdf():
    assert bir.binom_cdf(0, 5) == 1 / 32
    assert bir.binom_cdf(5, 5) == 1
    assert math.isclose(bir.binom_cdf(1, 10), 11 / 1024)


def test_median_ci_ten_rounds_four_comparisons():
    # 10 rounds at a joint 95 % over 4 comparisons: [min, max], 99.8 %
    xs = [0.9, 1.1, 0.95, 1.05, 1.0, 0.97, 1.02, 0.99, 1.01, 0.635]
    lo, hi, conf = bir.median_ci(xs, 0.05 / 4)
    assert (lo, hi) == (0.635, 1.1)
    assert math.isclose(conf, 1 - 2 / 1024)


def test_median_ci_narrows_with_rounds():
    xs = list(range(1, 21))          # 20 rounds, alpha 5 %: x(6)..x(15)
    lo, hi, conf = bir.median_ci(xs, 0.05)
    assert (lo, hi) == (6, 15)
    assert conf >= 0.95
    assert 2 * bir.binom_cdf(6, 20) > 0.05     # one step narrower would miss


def test_median_ci_too_few_rounds():
    assert bir.median_ci([1, 2, 3, 4, 5], 0.05 / 10) is None
    assert bir.rounds_needed(0.05 / 10) == 9
    assert bir.rounds_needed(0.05 / 12) == 9
    assert bir.rounds_needed(0.05) == 6


def test_no_difference(fixture_dir):
    d = fixture_dir('bench-io/ten-rounds-same')
    rc, out = run_script('scenarios/bench-io/report', d)
    assert rc == 0
    assert 'seqread fixed/stock: no difference' in out
    assert 'stat fixed/stock: no difference' in out
    assert '(2 comparisons; intervals jointly at 95 %, each at 97.5 % or more)' in out
    assert open(d + '/report.md').read() == out


def test_a_cost_beyond_the_interval(fixture_dir):
    rc, out = run_script('scenarios/bench-io/report', fixture_dir('bench-io/ten-rounds-slower'))
    assert rc == 0
    assert 'seqread fixed/stock: differs, median 0.695' in out
    assert 'stat fixed/stock: no difference' in out


def test_five_rounds_give_no_verdict(fixture_dir):
    rc, out = run_script('scenarios/bench-io/report', fixture_dir('bench-io/five-rounds-arms'))
    assert rc == 0
    assert 'Arms: rebuilt = the first 0 patches of the series, p3 = the first 3 patches' in out
    assert '| job | metric | stock | fixed | rebuilt | p3 | fixed/stock | rebuilt/stock | p3/stock |' in out
    # 2 jobs x 3 modules compared: 6 comparisons, alpha 0.83 %: 8 rounds needed
    assert out.count('no verdict, 5 rounds (8 needed)') == 6


def test_no_lines(tmp_path):
    (tmp_path / 'bench-io.env').write_text('KVER=x\n')
    (tmp_path / 'run.out').write_text('nothing\n')
    rc, out = run_script('scenarios/bench-io/report', str(tmp_path))
    assert rc == 1 and 'no BENCHIO lines' in out


def test_rounds_needed_for_six_jobs():
    # the default run: 6 jobs, fixed against stock
    assert bir.rounds_needed(0.05 / 6) == 8
