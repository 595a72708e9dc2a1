# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/mountopts/report and scripts/scenarios/multichannel/report
on runs recorded on 2026-12-05 (tests/data/recorded/README.md): the claims
hold on the fixed module's runs, and each claim fails when its figure is
moved."""
import re

from reportlib import run_script

MO = ('default-stock', 'default-fixed')


def edit(path, pattern, repl):
    with open(path) as f:
        text = f.read()
    new = re.sub(pattern, repl, text, count=1, flags=re.M)
    assert new != text, pattern
    with open(path, 'w') as f:
        f.write(new)


def test_mountopts_recorded_holds(fixture_dir):
    rc, out = run_script('scenarios/mountopts/report', fixture_dir('recorded/mountopts-6.1'), '--check', *MO)
    assert rc == 0, out
    assert 'mountopts: all claims hold (fixed)' in out
    assert '| default | idle echo cadence (15 intervals) | 1.008 E | 1.000 E |' in out
    assert ('| default | 16 MiB write, 8 Mbit/s up, E=1 s | 3 reconnects, 39.7 s, data identical on the server | '
            '0 reconnects, 17.9 s, data identical on the server |') in out
    assert 'given up after 7.18 s (OVER 3E + 0.3 s) | given up after 6.19 s (within 3E + 0.3 s) |' in out


def test_mountopts_each_claim_fails(fixture_dir):
    d = fixture_dir('recorded/mountopts-6.1')
    edit(d + '/default-fixed.out', r'(phase=down1 reconnects=)0', r'\g<1>2')
    edit(d + '/default-fixed.manifest', r'^16777216 \S+', '16711680 0123456789abcdef0123456789abcdef')
    # the give-up one second later
    edit(d + '/default-fixed.out', r'^(MOUNTOPTS: dmesg \[\s*)(\d+)(\.\d+\] CIFS: VFS: .*has not responded)',
         lambda m: f'{m.group(1)}{int(m.group(2)) + 1}{m.group(3)}')
    rc, out = run_script('scenarios/mountopts/report', d, '--check', *MO)
    assert rc == 1, out
    assert 'mountopts: BAD default-fixed: down1: 2 reconnects from a live server' in out
    assert 'mountopts: BAD default-fixed: up1: the data DIFFERS on the server (16711680 bytes)' in out
    assert re.search(r'BAD default-fixed: the dead server was given up after 7\.\d\d s, over 3E \+ 0\.3 s', out)
    assert 'mountopts: 3 claims failed' in out
    rc, _ = run_script('scenarios/mountopts/report', d, *MO)
    assert rc == 0


def test_mountopts_missing_run(fixture_dir):
    rc, out = run_script('scenarios/mountopts/report', fixture_dir('recorded/mountopts-6.1'), '--check',
                         'default-stock', 'default-fixed', 'seal-fixed')
    assert rc == 1
    assert 'BAD seal-fixed: the test host run failed' in out
    assert 'BAD seal-fixed: no result for up1' in out


def test_multichannel_recorded_holds(fixture_dir):
    rc, out = run_script('scenarios/multichannel/report', fixture_dir('recorded/multichannel-6.1'), '--check',
                         'stock', 'fixed')
    assert rc == 0, out
    assert 'multichannel: all claims hold (fixed)' in out
    assert ('| stock | 2 | 1: 14, 1.008 E; 2: 14, 1.008 E | 5.83 s (within 3E + 0.3 s), 6.93 s (OVER 3E + 0.3 s) | '
            '1, 1 | 0, 0 | yes, yes |') in out
    assert ('| fixed | 2 | 1: 15, 1.000 E; 2: 14, 0.999 E | 4.29 s (within 3E + 0.3 s), 5.93 s (within 3E + 0.3 s) | '
            '1, 1 | 0, 0 | yes, yes |') in out
    assert r'`CIFS: VFS: \\ has not responded in 6 seconds. Reconnecting...`' in out


def test_multichannel_each_claim_fails(fixture_dir):
    d = fixture_dir('recorded/multichannel-6.1')
    edit(d + '/fixed.out', r'rep=2 secondary_given_up=1 primary_given_up=0', 'rep=2 secondary_given_up=2 primary_given_up=1')
    # the first stall's give-up 3 s later
    edit(d + '/fixed.out', r'^(MULTICHANNEL: dmesg \[\s*)(\d+)(\.\d+\] CIFS: VFS: \\\\ has not responded)',
         lambda m: f'{m.group(1)}{int(m.group(2)) + 3}{m.group(3)}')
    edit(d + '/fixed.out', r'^MULTICHANNEL: result phase=channels extra=1', 'MULTICHANNEL: result phase=channels extra=0')
    rc, out = run_script('scenarios/multichannel/report', d, '--check', 'stock', 'fixed')
    assert rc == 1, out
    assert re.search(r'BAD fixed: stall 1: the stalled secondary was given up after 7\.\d\d s, over 3E \+ 0\.3 s', out)
    assert 'BAD fixed: stall 2: the secondary was given up 2 times, not once' in out
    assert 'BAD fixed: stall 2: the primary was given up 1 times' in out
    assert 'BAD fixed: 1 channels, not 2' in out
    assert 'BAD stock' not in out
