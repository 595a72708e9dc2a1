# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/soak/report: the soak's verdict (scripts/scenarios/soak/run
and --verify): every synced file on the server as written, one reconnect per
fault longer than 3E, none for a shorter stall, every fault accounted for."""
import os

import pytest

from reportlib import run_script

REPORT = 'scenarios/soak/report'


def test_good_run_holds(fixture_dir):
    rc, out = run_script(REPORT, fixture_dir('soak/ok'))
    assert rc == 0, out
    assert ('soak 6.1.0-57-amd64 against samba: E=2s, 4 faults, 1 files / 4 bytes verified on the server '
            '(size and md5), 2 writes failed during faults (not counted), 312s') in out
    assert '  stall-short    1 faults,   0 reconnects, writer waited at most 1.5 s, recovered within 0.9 s' in out
    assert '  loss           1 faults,   1 reconnects, writer waited at most 3.6 s, recovered within 1.8 s' in out
    assert 'LOST' not in out and 'BAD' not in out


def test_each_loss_fails(fixture_dir):
    for case, want in (('lost', "LOST w-1: md5 differs from the writer's e2fc714c4727ee9395f324cd2e7f331f"),
                       ('gone', 'LOST w-1: missing'),
                       ('short', 'LOST w-1: 3 bytes, the writer wrote 4')):
        rc, out = run_script(REPORT, fixture_dir('soak/' + case))
        assert rc == 1, case
        assert want in out, (case, out)
        assert '1 files reported written and synced are not on the server as written' in out


def test_reconnect_counts_fail(fixture_dir):
    rc, out = run_script(REPORT, fixture_dir('soak/storm'))
    assert rc == 1
    assert 'BAD  fault 3 (kill): 2 reconnects, expected 1' in out
    assert "the client's kernel log during those faults:" in out
    rc, out = run_script(REPORT, fixture_dir('soak/stall-reconnect'))
    assert rc == 1
    assert 'BAD  fault 1 (stall-short): 1 reconnects, expected 0' in out
    assert "BAD  fault 1 (stall-short): 1 'has not responded' messages, expected at most 0" in out


@pytest.mark.parametrize('env_line, want', [
    ('ROUNDS=2', 'BAD  4 fault results in the console, expected 8'),
    ("KINDS='kill loss'", 'BAD  4 fault results in the console, expected 2'),
])
def test_fault_count_follows_rounds_and_kinds(fixture_dir, env_line, want):
    d = fixture_dir('soak/ok')
    with open(os.path.join(d, 'soak.env'), 'a') as f:
        f.write(env_line + '\n')
    rc, out = run_script(REPORT, d)
    assert rc == 1 and want in out


def test_not_a_run_directory(tmp_path):
    rc, out = run_script(REPORT, str(tmp_path))
    assert rc == 1 and 'no soak.env there' in out
