# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/umount-race/report: the recorded boots of 2026-12-05
(tests/data/recorded/README.md) and made-up tries for the window's edges."""
from reportlib import load_script, run_script

REPORT = load_script('scenarios/umount-race/report')


def trace(t, ev, xid, fid, rc=None):
    return (t, ev, xid, fid, rc)


def a_try(umount_at, trace_events, answered=None):
    dm = [(10.0, 'umount-race: try 1 loss'),
          (13.0, 'CIFS: VFS: \\\\10.0.2.2 has not responded in 3 seconds. Reconnecting...')]
    if answered is not None:
        dm.append((13.0 + answered, 'umount-race: try 1 answered'))
    dm.append((13.0 + umount_at, 'umount-race: try 1 umount begin'))
    return {'k': 1, 'shape': 'x', 'rc': '0', 'hit': False, 'dmesg': dm, 'trace': trace_events}


def retried(fid, tries, answer=None):
    """a deferred close failing at the give-up, then serverclose_work's tries"""
    ev = [trace(11.0, 'enter', 7, fid), trace(13.0, 'err', 7, fid, -11)]
    for i in range(tries):
        ev.append(trace(13.0 + 0.28 * i, 'enter', 0, fid))
    if answer is not None:
        ev.append(answer)
    return ev


def test_umount_inside_the_retries_is_pending():
    a = REPORT.analyse(a_try(0.5, retried('0x1', 3)))
    assert a['pending'] == 1 and a['still'] and a['eagain'] == 1
    assert abs(a['umount'] - 0.5) < 1e-9


def test_umount_after_the_fourth_try_is_not_pending():
    a = REPORT.analyse(a_try(1.2, retried('0x1', 4), answered=1.15))
    assert a['pending'] == 0 and not a['still']
    assert abs(a['serverclose_end'] - (0.84 + 0.25)) < 1e-9
    assert abs(a['answered'] - 1.15) < 1e-9


def test_a_close_answered_after_the_reconnect_ends_the_retries():
    a = REPORT.analyse(a_try(0.7, retried('0x1', 2, trace(13.8, 'err', 0, '0x1', -9))))
    assert a['pending'] == 1 and abs(a['serverclose_end'] - 0.8) < 1e-9
    a = REPORT.analyse(a_try(0.7, retried('0x1', 2, trace(13.6, 'done', 0, '0x1'))))
    assert a['pending'] == 0


def test_closes_of_other_mounts_are_not_counted():
    ev = retried('0x1', 4) + [trace(11.0, 'enter', 5, '0x9'), trace(19.0, 'done', 5, '0x9')]
    a = REPORT.analyse(a_try(0.5, ev))
    assert a['eagain'] == 1 and a['pending'] == 1


def test_recorded_boots(fixture_dir):
    d = fixture_dir('recorded/umount-race-6.1')
    rc, out = run_script('scenarios/umount-race/report', d)
    assert rc == 0, out
    assert '| sign-fixed-1 | 4 | 0.5 | n/a | 0.57 s | still retrying after the umount | 3 | 3 | yes (umount exit 139) |' in out
    assert 'yes (umount exit 139)' in out
    assert 'umount-race: sign 0.5: stock 1/2, fixed 1/1' in out
