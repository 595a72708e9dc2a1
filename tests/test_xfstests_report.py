# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/xfstests/report: xfstests stock beside fixed, and the
verdict that no test passing with stock fails with ours."""
import os

import pytest

from reportlib import load_script, run_script

REPORT = 'scenarios/xfstests/report'


def args(d, *mods):
    a = ['--exclude', os.path.join(d, 'exclude.txt'), '--title', 'xfstests tier check']
    for m in mods or ('stock', 'fixed'):
        a += ['--' + m, os.path.join(d, 'console-%s.log' % m)]
    return a


def test_same_results_pass(fixture_dir):
    d = fixture_dir('xfstests/same')
    rc, out = run_script(REPORT, *args(d))
    assert rc == 0, out
    assert '| cifs/001 | pass 15 s | pass 14 s |' in out
    assert '| generic/009 | FAIL | FAIL |' in out
    assert '| generic/008 | not run | not run |' in out
    assert '| stock | 4 | 2 | 1 | 1 | 0 | 0 | 1 | 600 s | PASS, 700 s wall |' in out
    assert '- generic/013: hangs or runs past' in out
    assert '- generic/008: xfs_io fzero  failed (old kernel/wrong fs?)' in out
    assert 'verdict: PASS: no test that passes with stock fails with ours (2 tests' in out


def test_regression_fails_and_names_the_test(fixture_dir):
    rc, out = run_script(REPORT, *args(fixture_dir('xfstests/regress')))
    assert rc == 1
    assert 'BAD  generic/002 passes with stock but is FAIL with ours' in out
    # fixed passing what stock fails is no regression
    assert 'generic/009 passes' not in out
    assert out.rstrip().endswith('verdict: FAIL')


def test_budget_killed_is_a_failure_not_reached_is_not(fixture_dir):
    rc, out = run_script(REPORT, *args(fixture_dir('xfstests/budget')))
    assert rc == 1
    assert '| generic/002 | pass 3 s | killed at budget |' in out
    assert '| generic/008 | pass 5 s | not reached |' in out
    assert 'BAD  generic/002 passes with stock but is killed at budget with ours' in out
    assert 'generic/008 passes' not in out
    assert 'did not end' in out


def test_fixed_test_host_failure_fails(fixture_dir):
    rc, out = run_script(REPORT, *args(fixture_dir('xfstests/hostfail')))
    assert rc == 1
    assert "BAD  ours' test host failed (exit 1) where stock's passed" in out
    assert '| fixed | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 620 s | FAIL (exit 1), 720 s wall |' in out


def test_one_module_has_nothing_to_compare(fixture_dir):
    rc, out = run_script(REPORT, *args(fixture_dir('xfstests/same'), 'fixed'))
    assert rc == 0, out
    assert '| test | fixed |' in out
    assert 'verdict: PASS (nothing to compare' in out


def test_bad_input_names_the_fix(tmp_path):
    rc, out = run_script(REPORT)
    assert rc == 2 and 'give --stock LOG, --fixed LOG or both' in out
    rc, out = run_script(REPORT, '--stock', str(tmp_path / 'missing.log'))
    assert rc == 2 and 'cannot read' in out


def test_no_start_marker_fails(tmp_path):
    log = tmp_path / 'console-fixed.log'
    log.write_text('TESTHOST: FAIL mount mount.cifs exited 32\nTESTHOST_RC 1\n')
    rc, out = run_script(REPORT, '--fixed', str(log))
    assert rc == 1
    assert 'BAD  the fixed run never started check' in out


@pytest.mark.parametrize('rest, want', [
    ('15s', ('pass', 15)),
    (' 15s ...  14s', ('pass', 14)),
    ('      [not run] this test requires a valid $SCRATCH_DEV', ('notrun', None)),
    ('- output mismatch (see x)', ('fail', None)),
    ('[failed, exit status 1]- output mismatch (see x)', ('fail', None)),
    ('_check_dmesg: something found (see x)', ('fail', None)),
    ('[expunged]', ('excluded', None)),
    (' 15s ... ', ('killed', None)),
])
def test_classify(rest, want):
    r = load_script(REPORT).classify(rest)
    assert r[:2] == want


def test_faults_table_and_stall_verdict(fixture_dir):
    rc, out = run_script(REPORT, *args(fixture_dir('xfstests/faults')))
    assert rc == 0, out
    assert ('| fault | during | at | secs | stock: reconnects, "not responded" | '
            'fixed: reconnects, "not responded" |') in out
    assert '| stall | generic/002 | +3 s | 10 s | 1, 1 | 0, 0 |' in out
    assert '| kill | generic/009 | +3 s | 25 s | 1, 1 (check ended first) | 1, 1 |' in out
    rc, out = run_script(REPORT, *args(fixture_dir('xfstests/faults-stall-reconnect')))
    assert rc == 1
    assert 'BAD  ours gave the server up during the 10 s stall in generic/002 (1 reconnects, 1 "has not responded")' in out
