# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/liveness/report: the table and the --check verdict of
scripts/scenarios/liveness/run (what make check runs on the full tier)."""
from reportlib import run_script

ENV = {'SCENARIOS': 'up1 up5 down1 drop stop stop5 stopu', 'UP_MIB': '4'}
RUN = '6.1.0-57-amd64-fixed'


def test_check_holds(fixture_dir):
    d = fixture_dir('liveness/check-ok')
    rc, out = run_script('scenarios/liveness/report', d, '--check', RUN, env=ENV)
    assert rc == 0, out
    assert 'liveness: all claims hold' in out
    assert '| 4 MiB write, 8 Mbit/s up, E=1 s | - | 0 reconnects, done in 4.6 s, data identical |' in out
    assert 'given up 3.11 s after the stop (3E +0.11 s), 2.21 s after the last ack' in out
    assert 'given up 15.02 s after the stop (3E +0.02 s)' in out
    assert '0 of 3 drops reconnected' in out


def test_check_fails_each_claim(fixture_dir):
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/check-bad'), '--check', RUN, env=ENV)
    assert rc == 1
    assert f'liveness: BAD {RUN}: up5: the data is not identical' in out
    assert f'liveness: BAD {RUN}: drop rep 2: 1 reconnects from a live server' in out
    assert f'liveness: BAD {RUN}: stop5: given up 9000 ms after the stop, before 3E - E/4 (-0.5 s)' in out
    assert 'liveness: 3 claims failed' in out


def test_missing_scenario(fixture_dir):
    env = dict(ENV, SCENARIOS='up1 up5 down1 drop stop stop5 stopu extra')
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/check-ok'), '--check', RUN, env=env)
    assert rc == 1 and f'{RUN}: no result for extra' in out


def test_without_check_reports_only(fixture_dir):
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/check-bad'), RUN, env=ENV)
    assert rc == 0 and 'BAD' not in out
