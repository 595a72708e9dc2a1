# SPDX-License-Identifier: GPL-2.0
"""The reports on recorded runs (tests/data/recorded/README.md): what a real
test host printed must still be read the way the run judged it."""
import os

from reportlib import DATA, run_script

LIVENESS_ENV = {'SCENARIOS': 'up1 up5 down1 drop stop stop5 stopu', 'UP_MIB': '4'}


def test_soak_recorded_holds(fixture_dir):
    rc, out = run_script('scenarios/soak/report', fixture_dir('recorded/soak-6.1'))
    assert rc == 0, out
    assert ('soak 6.1.0-57-amd64 against samba: E=2s, 4 faults, 145 files / 38010880 bytes verified '
            'on the server (size and md5)') in out
    assert '  kill           1 faults,   1 reconnects, writer waited at most 12.8 s' in out


def test_soak_recorded_fails_when_a_file_is_lost(fixture_dir):
    d = fixture_dir('recorded/soak-6.1')
    with open(d + '/soak.lines') as f:
        name = next(line.split()[1] for line in f if line.startswith('written '))
    with open(d + '/share.manifest') as f:
        lines = f.readlines()
    kept = [line for line in lines if not line.rstrip('\n').endswith(' soak/' + name)]
    assert len(kept) == len(lines) - 1
    with open(d + '/share.manifest', 'w') as f:
        f.writelines(kept)
    rc, out = run_script('scenarios/soak/report', d)
    assert rc == 1 and 'LOST %s: missing' % name in out


def test_liveness_recorded_holds(fixture_dir):
    run = '6.12.118+deb13-amd64-fixed'
    rc, out = run_script('scenarios/liveness/report', fixture_dir('recorded/liveness-6.12'), '--check', run,
                         env=LIVENESS_ENV)
    assert rc == 0, out
    assert 'liveness: all claims hold' in out
    assert '| 4 MiB write, 8 Mbit/s up, E=1 s | - | 0 reconnects, done in 4.8 s, data identical' in out
    assert 'given up 6.14 s after the stop (3E +0.14 s), 5.59 s after the last ack' in out


def test_xfstests_recorded_holds():
    d = os.path.join(DATA, 'recorded', 'xfstests-6.1')
    rc, out = run_script('scenarios/xfstests/report', '--exclude', os.path.join(d, 'exclude.txt'),
                         '--stock', os.path.join(d, 'console-stock.log'),
                         '--fixed', os.path.join(d, 'console-fixed.log'))
    assert rc == 0, out
    assert '| generic/009 | FAIL | FAIL |' in out
    assert '| stock | 7 | 6 | 1 | 0 | 0 | 0 | 1 | 125 s | PASS, 198 s wall |' in out
    assert 'verdict: PASS: no test that passes with stock fails with ours (6 tests' in out
