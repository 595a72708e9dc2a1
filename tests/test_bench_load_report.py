# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/bench-load/report: figures per phase and the --check verdict."""
from reportlib import load_script, run_script

blr = load_script('scenarios/bench-load/report')


def test_pct():
    assert blr.pct([], 90) is None
    assert blr.pct([1, 2, 3, 4, 5], 50) == 3
    assert abs(blr.pct(list(range(11)), 90) - 9) < 1e-9


def test_phase_figures(fixture_dir):
    d = fixture_dir('bench-load/fixed-ok')
    run = blr.parse_run(d, '6.1.0-57-amd64-fixed-1')
    assert run['fail'] is None and run['mode'] == 'fixed'
    load = blr.phase_stats(run, 'load', 2.0)
    assert load['sent'] == 15 and load['refused'] == 0
    assert abs(load['gap_med'] - 2.0) < 1e-6
    assert abs(load['rtt_med'] - 0.04) < 1e-6
    assert load['mib'] == 1856 and load['reconnects'] == 0
    r190 = blr.phase_stats(run, 'rtt190', 2.0)
    assert abs(r190['gap_med'] - 4.0) < 1e-6 and r190['refused'] == 8
    dead = blr.phase_stats(run, 'dead190', 2.0)
    assert abs(dead['detect'] - 6.02) < 0.01


def test_check_passes(fixture_dir):
    rc, out = run_script('scenarios/bench-load/report', '--check', fixture_dir('bench-load/fixed-ok'))
    assert rc == 0, out
    assert 'bench-load --check: ok' in out
    assert '## rtt190: idle, RTT 1.9E' in out


def test_check_fails_on_a_reconnect(fixture_dir):
    rc, out = run_script('scenarios/bench-load/report', '--check', fixture_dir('bench-load/fixed-reconnects'))
    assert rc == 1
    assert ("bench-load --check: FAIL 6.1.0-57-amd64-fixed-1 rtt190: 1 reconnects, "
            "1 'has not responded' from a live server") in out


def test_no_env(tmp_path):
    rc, out = run_script('scenarios/bench-load/report', str(tmp_path))
    assert rc == 2 and 'has no bench-load.env' in out
