# SPDX-License-Identifier: GPL-2.0
"""Check echoaudit.model against the pure helpers of the series' v2 cifs_echo.h.

The v2 header replaced the first API (cifs_echo_action(server, ...), ...)
by pure functions of jiffies and of values the caller reads from the
server:

    cifs_echo_next(deadline, interval, now)
    cifs_echo_needed(other, deadline, interval, sending)
    cifs_server_silent(heard, interval, now)
    cifs_recv_timeout(interval)
    cifs_tx_progress(edge, last_edge, acked, last_acked, pending, last_look, progress)
    cifs_server_heard(lstrp, progress)

echoaudit.conformance hands a header that has cifs_echo_next() here. The
header is compiled in userspace (the same linux/jiffies.h stand-in, and a
cifsglob.h stand-in with the #defines the header names, taken from the
real cifsglob.h next to it), for HZ 100, 250 and 1000; a driver and the
model (model.echo_next, echo_needed, server_silent, recv_timeout_v2,
tx_progress, server_heard) answer the same random probes, times near the
wrap of jiffies and near each decision's edge included. Every answer must
match. A helper the check does not know is named in a note; one it calls
that is missing, or whose parameters changed, stops the check (exit 2).
"""

import os
import random
import re
import shutil
import subprocess

from . import model

HZS = (100, 250, 1000)
ULONG_MAX = (1 << 64) - 1
U64_MAX = ULONG_MAX

CALLS = {
    'cifs_echo_next': ['deadline', 'interval', 'now'],
    'cifs_echo_needed': ['other', 'deadline', 'interval', 'sending'],
    'cifs_server_silent': ['heard', 'interval', 'now'],
    'cifs_recv_timeout': ['interval'],
    'cifs_tx_progress': ['edge', 'last_edge', 'acked', 'last_acked', 'pending', 'last_look',
                         'progress'],
    'cifs_server_heard': ['lstrp', 'progress'],
}

DRIVER = r'''/* echo-audit conformance driver, v2: cifs_echo.h's pure helpers */
#include <stdio.h>
#include <string.h>
#include "cifs_echo.h"

unsigned long volatile jiffies;

int main(void)
{
	char line[512], cmd[32];
	unsigned long long a, b, c, d, e, f, g;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof(line), stdin)) {
		a = b = c = d = e = f = g = 0;
		if (sscanf(line, "%31s %llu %llu %llu %llu %llu %llu %llu", cmd, &a, &b, &c, &d, &e, &f, &g) < 1)
			continue;
		if (!strcmp(cmd, "next"))
			printf("next %lu\n", cifs_echo_next(a, b, c));
		else if (!strcmp(cmd, "needed"))
			printf("needed %d\n", (int)cifs_echo_needed(a, b, c, (bool)d));
		else if (!strcmp(cmd, "silent"))
			printf("silent %d\n", (int)cifs_server_silent(a, b, c));
		else if (!strcmp(cmd, "recv"))
			printf("recv %ld\n", (long)cifs_recv_timeout(a));
		else if (!strcmp(cmd, "tx"))
			printf("tx %lu\n", cifs_tx_progress((u64)a, (u64)b, (u64)c, (u64)d, (bool)e, f, g));
		else if (!strcmp(cmd, "heard"))
			printf("heard %lu\n", cifs_server_heard(a, b));
		else
			printf("error unknown command %s\n", cmd);
	}
	return 0;
}
'''


def is_v2(src):
    from .conformance import functions
    return 'cifs_echo_next' in functions(src)


def build(header, workdir):
    """Write the shim and the driver; return notes."""
    from .conformance import ShimError, check_calls, defines, functions, strip_comments, write_shim
    src = open(header).read()
    funcs = functions(src)
    notes = check_calls(funcs, CALLS, 'cifs_echo.h (v2)', 'echoaudit/conformance_v2.py')
    ids = set(re.findall(r'\b[A-Z][A-Z0-9_]{2,}\b', strip_comments(src)))
    local = set(re.findall(r'#\s*define\s+(\w+)', src))
    known = {'HZ', 'INITIAL_JIFFIES', 'ULONG_MAX', 'LONG_MAX', 'BUILD_BUG_ON', 'WARN_ON',
             'WARN_ON_ONCE', 'READ_ONCE', 'WRITE_ONCE'}
    need = ids - local - known
    glob_path = os.path.join(os.path.dirname(header), 'cifsglob.h')
    defs = []
    if os.path.isfile(glob_path):
        defs = defines(open(glob_path).read(), need)
    have = {re.match(r'\s*#\s*define\s+(\w+)', d).group(1) for d in defs}
    if 'SMB_ECHO_TIMEOUT_INTERVALS' in need - have:
        defs.append('#define SMB_ECHO_TIMEOUT_INTERVALS %d' % model.SMB_ECHO_TIMEOUT_INTERVALS)
        notes.append('SMB_ECHO_TIMEOUT_INTERVALS not found in %s: the model\'s %d taken'
                     % (glob_path, model.SMB_ECHO_TIMEOUT_INTERVALS))
    write_shim(workdir, src, header, 'echoaudit.conformance_v2 from %s' % glob_path,
               '\n'.join(defs) + '\n')
    with open(os.path.join(workdir, 'driver.c'), 'w') as f:
        f.write(DRIVER)
    return notes


def compile_driver(workdir, hz):
    from .conformance import ShimError
    exe = os.path.join(workdir, 'driver-v2-hz%d' % hz)
    cc = shutil.which('gcc') or shutil.which('cc')
    if not cc:
        raise ShimError('no C compiler: install gcc')
    p = subprocess.run([cc, '-std=gnu11', '-O1', '-Wall', '-Werror', '-Wno-unused-function',
                        '-DHZ=%d' % hz, '-I', workdir, '-o', exe,
                        os.path.join(workdir, 'driver.c')],
                       capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise ShimError('cifs_echo.h (v2) does not compile against the userspace shim (HZ=%d):'
                        '\n  %s' % (hz, '\n  '.join(p.stderr.strip().splitlines()[:12])))
    return exe


def u(x):
    return x & ULONG_MAX


def probes(rng, hz, n):
    """Random probes near the edges of each decision."""
    bases = (u(-300 * hz), ULONG_MAX - 10 * hz, (1 << 63) - 5 * hz, 0)
    out = []
    for _ in range(n):
        base = rng.choice(bases + (rng.getrandbits(64),))
        e = rng.choice((1, 2, 5, 60, 600, rng.randint(1, 600))) * hz + rng.choice((0, 0, 0, 1, -1))
        e = max(e, 1)
        near = rng.choice((0, 1, -1, e, e - 1, e + 1, 3 * e, 3 * e + 1, 3 * e - 1,
                           rng.randint(0, 10 * e), -rng.randint(0, 2 * e)))
        w = rng.random()
        if w < 0.25:
            out.append('next %d %d %d' % (base, e, u(base + near)))
        elif w < 0.45:
            out.append('needed %d %d %d %d' % (u(base - e + near), base, e,
                                                1 if rng.random() < 0.2 else 0))
        elif w < 0.65:
            out.append('silent %d %d %d' % (base, e, u(base + near)))
        elif w < 0.75:
            out.append('recv %d' % rng.choice((0, 1, 7, 8, 9, e, 56 * hz, 56 * hz + 8,
                                                rng.getrandbits(64))))
        elif w < 0.9:
            last = rng.getrandbits(63)
            acked_last = rng.getrandbits(63)
            sent = rng.choice((0, 1, 2896, 65536, rng.getrandbits(20)))
            read = rng.choice((0, sent // 4, sent // 4 + 1, sent, 80, rng.getrandbits(20)))
            edge = rng.choice((last + read, last, u(last - 1) if last else 0, rng.getrandbits(63)))
            acked = rng.choice((acked_last + sent, acked_last, rng.getrandbits(63)))
            pending = 1 if rng.random() < 0.7 else 0
            out.append('tx %d %d %d %d %d %d %d' % (edge, last, acked, acked_last, pending,
                                                    u(base + near), base))
        else:
            out.append('heard %d %d' % (base, u(base + near)))
    return out


def answer(line, hz):
    w = line.split()
    a = [int(x) for x in w[1:]]
    if w[0] == 'next':
        return 'next %d' % model.echo_next(*a)
    if w[0] == 'needed':
        return 'needed %d' % int(model.echo_needed(a[0], a[1], a[2], bool(a[3])))
    if w[0] == 'silent':
        return 'silent %d' % int(model.server_silent(*a))
    if w[0] == 'recv':
        return 'recv %d' % model.recv_timeout_v2(a[0], hz)
    if w[0] == 'tx':
        return 'tx %d' % model.tx_progress(a[0], a[1], a[2], a[3], bool(a[4]), a[5], a[6])
    if w[0] == 'heard':
        return 'heard %d' % model.server_heard(*a)
    raise ValueError(line)


def check(header, workdir, cases, seed, out):
    """0: every answer matches; 1: a mismatch (printed)."""
    os.makedirs(workdir, exist_ok=True)
    notes = build(header, workdir)
    rng = random.Random(seed)
    total = 0
    for hz in HZS:
        exe = compile_driver(workdir, hz)
        lines = probes(rng, hz, max(200, cases * 50))
        p = subprocess.run([exe], input='\n'.join(lines) + '\n', capture_output=True,
                           text=True, check=False)
        got = p.stdout.splitlines()
        if p.returncode != 0 or len(got) != len(lines):
            print('conformance (v2): the driver failed at HZ %d (exit %d, %d of %d answers)'
                  % (hz, p.returncode, len(got), len(lines)), file=out)
            return 1
        for line, c_ans in zip(lines, got):
            py = answer(line, hz)
            if py != c_ans:
                print('conformance (v2) MISMATCH at HZ %d: %s -> header: %s, model: %s'
                      % (hz, line, c_ans, py), file=out)
                return 1
        total += len(lines)
    for n in notes:
        print('note: %s' % n, file=out)
    print('conformance (v2): the model matches cifs_echo.h\'s %d helpers on %d probes at HZ %s'
          % (len(CALLS), total, '/'.join(str(h) for h in HZS)), file=out)
    return 0


# the selftest's mutants of a v2 header: each must make the check fail
MUTANTS_H = [
    ('daisy chain: next deadline = now + E',
     'return deadline + ((now - deadline) / interval + 1) * interval;', 'return now + interval;'),
    ('a late run catches up (burst): the next deadline is deadline + E',
     'return deadline + ((now - deadline) / interval + 1) * interval;',
     'return deadline + interval;'),
    ('the one-second skip put back (a response within E - 1 s)',
     'return !time_after(other, deadline - interval);',
     'return !time_after(other, deadline - HZ);'),
    ('an echo while a request is being sent', 'if (sending)\n\t\treturn false;',
     'if (0)\n\t\treturn false;'),
    ('threshold 2E', 'heard + SMB_ECHO_TIMEOUT_INTERVALS * interval',
     'heard + 2 * interval'),
    ('wrap-unsafe silence', 'return time_after(now, heard + SMB_ECHO_TIMEOUT_INTERVALS * interval);',
     'return now > heard + SMB_ECHO_TIMEOUT_INTERVALS * interval;'),
    ('socket wait not a fraction of the interval', 'interval / CIFS_RECV_LOOKS', 'interval'),
    ('acknowledgments count as life (v1)',
     '(edge - last_edge) * 4 > acked - last_acked &&',
     'acked > last_acked &&'),
    ('a scaled window\'s creep counts as life',
     '(edge - last_edge) * 4 > acked - last_acked &&',
     '(edge - last_edge) * 64 > acked - last_acked &&'),
    ('bytes are no sign of life', 'return time_after(progress, lstrp) ? progress : lstrp;',
     'return lstrp;'),
]
