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
    assert 'liveness: 2 claims failed' in out


def test_early_give_up_after_silence_before_the_stop_holds(fixture_dir):
    """9 s after the stop at E=5 is not a failure by itself: without a
    silence_ms field (older guests) only the give-up is judged."""
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/check-bad'), '--check', RUN, env=ENV)
    assert 'stop5' not in ''.join(line for line in out.splitlines() if line.startswith('liveness: BAD'))


def test_tap_bounds_hold(fixture_dir):
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/tap-ok'), '--check', RUN, env=ENV)
    assert rc == 0, out
    # aligned on the guest's clock: request time + the host's 12 ms, not the guest's own stop_ms (+300)
    assert ('| smbd stopped during a write, 2 Mbit/s up, E=5 s | - | given up 15.02 s (15.02-15.02) after the stop, '
            '3/3 given up; 3/3 within 3E + E/4 + 0.5 s; silence counted >= 3E: 3/3 |') in out
    assert '| 6.1.0-57-amd64 | stopu | fixed | 2 | tap | 6.08 | 7.00 | 6.00 | +0.08 | 5.18 | 1 |' in out


def test_tap_bounds_fail(fixture_dir):
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/tap-bad'), '--check', RUN, env=ENV)
    assert rc == 1
    assert (f'liveness: BAD {RUN}: stop5: given up 17000 ms after the stop, later than 3E + E/4 + 0.5 s '
            '(16750 ms)') in out
    assert f'liveness: BAD {RUN}: stopu: given up after 5900 ms of silence, less than 3E' in out
    assert 'liveness: 2 claims failed' in out


def test_user_net_has_no_upper_bound(fixture_dir):
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/user-silence'), '--check', RUN, env=ENV)
    assert rc == 1 and 'later than' not in out
    assert f'liveness: BAD {RUN}: stopu: given up after 5900 ms of silence, less than 3E' in out


def test_missing_scenario(fixture_dir):
    env = dict(ENV, SCENARIOS='up1 up5 down1 drop stop stop5 stopu extra')
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/check-ok'), '--check', RUN, env=env)
    assert rc == 1 and f'{RUN}: no result for extra' in out


def test_without_check_reports_only(fixture_dir):
    rc, out = run_script('scenarios/liveness/report', fixture_dir('liveness/check-bad'), RUN, env=ENV)
    assert rc == 0 and 'BAD' not in out


def test_stop_rows_come_from_the_table(fixture_dir):
    """A stop scenario is a row of stops.tsv: its E sets the bound. The
    stop5 rep renamed to stop-2m (E = 1 s in the table) is now late."""
    d = fixture_dir('liveness/tap-ok')
    f = f'{d}/{RUN}.out'
    with open(f, encoding='utf-8') as fh:
        text = fh.read().replace('scenario=stop5 ', 'scenario=stop-2m ')
    with open(f, 'w', encoding='utf-8') as fh:
        fh.write(text)
    env = dict(ENV, SCENARIOS='up1 up5 down1 drop stop stop-2m stopu')
    rc, out = run_script('scenarios/liveness/report', d, '--check', RUN, env=env)
    assert rc == 1
    assert '| smbd stopped during a write, 2 Mbit/s up, E=1 s | - | given up 15.02 s' in out
    assert (f'liveness: BAD {RUN}: stop-2m rep 3: given up 15020 ms after the stop, later than 3E + E/4 + 0.5 s '
            '(3750 ms)') in out
