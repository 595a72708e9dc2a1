# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/bench/report: echo times from the test host's console, the
table, and the fixed module's claims (bench --check, what make check runs).
The packets' side (NAME.pcap, host clock) is echo-audit's capture reader,
tested by its selftest; here the host times are the guest's, shifted."""
from reportlib import load_script

br = load_script('scenarios/bench/report')
D = 'bench/two-modules'
OFFSET = 1764720000.05


def runs_of(d):
    env = br.load_env(d)
    runs = [br.parse_run(d, n) for n in env['RUNS'].split()]
    for r in runs:
        r['echo_host'] = [t + OFFSET for t in (r['echo_trace'] or r['echo_guest'])]
        br.analyse(r, env)
    return env, {r['name'].rsplit('-', 1)[1]: r for r in runs}


def test_parse_and_table(fixture_dir):
    env, runs = runs_of(fixture_dir(D))
    fixed, stock = runs['fixed'], runs['stock']
    assert fixed['guest_source'] == 'trace events' and stock['guest_source'] == 'debug log'
    assert abs(fixed['idle_guest']['mean'] - 1.0) < 0.005
    assert abs(stock['idle_guest']['mean'] - 1.008) < 0.005
    assert stock['slow_guest']['skipped'] == 10 and fixed['slow_guest']['skipped'] == 0
    assert abs(fixed['detect'] - 0.2) < 0.01
    t = br.table('6.1.0-56-amd64', list(runs.values()), env)
    assert '| slow link: echoes skipped (gap >= 1.5 E) | 10 | 0 |' in t
    assert '| recovery: old file identical / new file written | yes / yes | yes / yes |' in t


def test_check_fixed_holds(fixture_dir):
    env, runs = runs_of(fixture_dir(D))
    assert br.check([runs['fixed']], env) == []


def test_check_stock_fails(fixture_dir):
    env, runs = runs_of(fixture_dir(D))
    problems = br.check([runs['stock']], env)
    assert any('no cifs:smb3_echo_sent trace events' in p for p in problems)
    assert any('too few echoes on the slow link' in p for p in problems)


def test_check_catches_a_reconnect_and_a_late_detection(fixture_dir):
    env, runs = runs_of(fixture_dir(D))
    r = runs['fixed']
    r['reconnects_alive'], r['detect'] = 1, 7.5
    problems = br.check([r], env)
    assert any('1 reconnects from a live server' in p for p in problems)
    assert any('given up on +7.50 s after 3E' in p for p in problems)


def test_result_with_a_kernel_message_glued_on(fixture_dir):
    # 2026-12-06's CI: "CIFS: Serverclose failed 4 times, giving up" was
    # printed into the guest's result line on the serial console
    d = fixture_dir(D)
    env = br.load_env(d)
    name = env['RUNS'].split()[0]
    path = '%s/%s.tlog' % (d, name)
    lines = open(path).read().splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if ' BENCH: result recovery_read yes' in line)
    lines[i] = lines[i].rstrip('\n') + '[  116.079441] CIFS: Serverclose failed 4 times, giving up\n'
    open(path, 'w').write(''.join(lines))
    assert br.parse_run(d, name)['results']['recovery_read'] == 'yes'
