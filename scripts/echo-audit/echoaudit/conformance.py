# SPDX-License-Identifier: GPL-2.0
"""Check echoaudit.model against the real C helpers of cifs_echo.h.

(A header of the series' v2, with cifs_echo_next() and the other pure
helpers, is checked by echoaudit.conformance_v2 instead; what follows is
the first API's check.)

    python3 -m echoaudit.conformance --header DIR/cifs_echo.h [--cases N]
                                     [--workdir DIR] [--seed S]

The header is compiled in userspace with a small shim, generated from what
the header itself uses:

- linux/jiffies.h: time_after() and friends, HZ (the harness is built for
  HZ 100, 250 and 1000), max/min/max_t/min_t, jiffies <-> msecs;
- cifsglob.h: struct TCP_Server_Info with exactly the fields cifs_echo.h
  reads (server->NAME), declared with their types from the real
  cifsglob.h next to the header; the enums and #defines the header names
  (enum statusEnum, SMB_ECHO_TIMEOUT_INTERVALS, ...) copied from it.

A field the Python model does not know (a new input of the header, e.g.
the progress of the connection) is declared and held at 0, and the report
says so; a type the shim cannot stand in for, a helper whose parameters
changed, or a compile error stop the check with a message naming it.

A driver (C) and the model (Python) then play the same random timelines,
calling the helpers the way the kernel does: echo work runs
(cifs_echo_action, cifs_echo_next_deadline, then cifs_echo_sent on what
->echo() returned, cifs_echo_delay); bytes of a response read
(cifs_server_received) and whole replies (judged by cifs_server_verdict,
the bytes read, then lstrp at the end of the PDU); the receive path's look
at our bytes and at the server before it waits in the socket
(cifs_server_tx_progress, cifs_server_verdict, cifs_server_deadline,
cifs_recv_timeout); state and interval changes, reconnects
(cifs_server_connected), from INITIAL_JIFFIES, from just before jiffies
wraps and from random points. The timelines are of an idle mount: what we
send is acknowledged at once (snd_una == write_seq at every look, so
tx_pending stays false). Random single probes then call every helper with
arbitrary field values (lprogress apart from lstrp, tx_pending set,
snd_una short of write_seq). Every answer must match; the action names are
the constants of enum cifs_echo_action, read from the header. With the
KUnit file next to the header, its timer-wheel model (wheel_shift,
wheel_fire) is compiled too and compared with model.wheel_fire.

Exit status: 0 all match, 1 a mismatch (the first one is printed), 2 the
shim could not be built against this header (the reason is printed).
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys

from . import model

HZS = (100, 250, 1000)
ULONG_MAX = (1 << 64) - 1
U32_MAX = (1 << 32) - 1

# what the driver calls, with the parameters it passes (every helper of the
# header must be here: one that is not is named in a note)
CALLS = {
    'cifs_echo_action': ['server', 'can_echo', 'now'],
    'cifs_echo_sent': ['rc'],
    'cifs_echo_next_deadline': ['server', 'now'],
    'cifs_echo_delay': ['deadline', 'now'],
    'cifs_server_deadline': ['server', 'can_echo', 'deadline'],
    'cifs_server_verdict': ['server', 'can_echo', 'now'],
    'cifs_server_received': ['server', 'now'],
    'cifs_server_tx_progress': ['server', 'una', 'end', 'now'],
    'cifs_recv_timeout': ['server', 'can_echo', 'now'],
    'cifs_server_connected': ['server', 'now'],
}
# the fields the model has, by the header's names
MODEL_FIELDS = ('tcpStatus', 'echo_interval', 'echo_deadline', 'lstrp', 'neg_start',
                'lprogress', 'tx_una', 'tx_pending')
VERDICT_NAMES = {'CIFS_SERVER_ALIVE': model.SERVER_ALIVE,
                 'CIFS_SERVER_NEG_TIMEOUT': model.SERVER_NEG_TIMEOUT,
                 'CIFS_SERVER_UNRESPONSIVE': model.SERVER_UNRESPONSIVE}
# enum cifs_echo_action: the driver prints the constant's name
ACTION_NAMES = {'CIFS_ECHO_SEND': model.ECHO_SEND,
                'CIFS_ECHO_SKIP_EARLY': model.ECHO_SKIP_EARLY,
                'CIFS_ECHO_SKIP_STATE': model.ECHO_SKIP_STATE,
                'CIFS_ECHO_SKIP_CANNOT': model.ECHO_SKIP_CANNOT,
                'CIFS_ECHO_SKIP_UNANSWERED': model.ECHO_SKIP_UNANSWERED,
                'CIFS_ECHO_SKIP_FAILED': model.ECHO_SKIP_FAILED}

INT_TYPES = {
    'unsigned long': 'unsigned long', 'long': 'long', 'unsigned int': 'unsigned int',
    'int': 'int', 'unsigned short': 'unsigned short', 'short': 'short', 'bool': 'bool',
    'unsigned char': 'unsigned char', 'char': 'char', 'size_t': 'size_t',
    'u8': 'uint8_t', 'u16': 'uint16_t', 'u32': 'uint32_t', 'u64': 'uint64_t',
    's8': 'int8_t', 's16': 'int16_t', 's32': 'int32_t', 's64': 'int64_t',
    '__u8': 'uint8_t', '__u16': 'uint16_t', '__u32': 'uint32_t', '__u64': 'uint64_t',
    '__s32': 'int32_t', '__s64': 'int64_t', 'time64_t': 'int64_t', 'ktime_t': 'int64_t',
    'unsigned long long': 'unsigned long long', 'long long': 'long long',
}
ATOMIC_TYPES = {'atomic_t': 'int', 'atomic64_t': 'long long', 'atomic_long_t': 'long'}

JIFFIES_H = r'''/* userspace stand-in for <linux/jiffies.h> and friends (echo-audit) */
#ifndef _SHIM_JIFFIES_H
#define _SHIM_JIFFIES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <errno.h>
typedef uint8_t u8; typedef uint16_t u16; typedef uint32_t u32; typedef uint64_t u64;
typedef int8_t s8; typedef int16_t s16; typedef int32_t s32; typedef int64_t s64;
typedef uint8_t __u8; typedef uint16_t __u16; typedef uint32_t __u32; typedef uint64_t __u64;
typedef int32_t __s32; typedef int64_t __s64; typedef int64_t time64_t; typedef int64_t ktime_t;
typedef struct { int counter; } atomic_t;
typedef struct { long long counter; } atomic64_t;
typedef struct { long counter; } atomic_long_t;
#define atomic_read(v) ((v)->counter)
#define atomic64_read(v) ((v)->counter)
#define atomic_long_read(v) ((v)->counter)
#ifndef HZ
#error "build with -DHZ=..."
#endif
extern unsigned long volatile jiffies;
#define INITIAL_JIFFIES ((unsigned long)(unsigned int)(-300 * HZ))
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define time_in_range(a, b, c) (time_after_eq(a, b) && time_before_eq(a, c))
#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_after_jiffies(a) time_before(jiffies, a)
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define clamp_t(t, v, lo, hi) min_t(t, max_t(t, v, lo), hi)
#define likely(x) (x)
#define unlikely(x) (x)
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))
#define BUILD_BUG_ON(x) ((void)sizeof(char[1 - 2 * !!(x)]))
#define WARN_ON(x) (x)
#define WARN_ON_ONCE(x) (x)
static inline unsigned int jiffies_to_msecs(unsigned long j)
{ return (unsigned int)(j * (1000 / HZ)); }
static inline unsigned long msecs_to_jiffies(unsigned int m)
{ return ((unsigned long)m * HZ + 999) / 1000; }
static inline unsigned long usecs_to_jiffies(unsigned int u)
{ return ((unsigned long)u * HZ + 999999) / 1000000; }
#endif
'''


class ShimError(Exception):
    """The shim cannot be built against this header: why, and what to do."""


# ----------------------------------------------------------- the header


def write_shim(workdir, src, header, origin, glob_body):
    """The userspace stand-ins a cifs_echo.h is compiled with: linux/jiffies.h,
    an empty header for each other <...> it includes, a cifsglob.h holding
    @glob_body, and the header itself (both conformance checks)."""
    os.makedirs(os.path.join(workdir, 'linux'), exist_ok=True)
    with open(os.path.join(workdir, 'linux', 'jiffies.h'), 'w') as f:
        f.write(JIFFIES_H)
    for inc in re.findall(r'#\s*include\s*<([^>]+)>', src):
        p = os.path.join(workdir, inc)
        if not os.path.exists(p):
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'w') as f:
                f.write('/* empty stand-in (echo-audit) */\n#include <linux/jiffies.h>\n')
    with open(os.path.join(workdir, 'cifsglob.h'), 'w') as f:
        f.write('/* generated by %s */\n' % origin)
        f.write('#ifndef _SHIM_CIFSGLOB_H\n#define _SHIM_CIFSGLOB_H\n#include <linux/jiffies.h>\n')
        f.write(glob_body + '#endif\n')
    shutil.copy(header, os.path.join(workdir, 'cifs_echo.h'))

def strip_comments(src):
    src = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), src, flags=re.S)
    return re.sub(r'//[^\n]*', '', src)


def functions(src):
    """name -> (return type, [parameter names], [parameter declarations])"""
    out = {}
    for m in re.finditer(r'static\s+inline\s+(?P<ret>[^;{()]*?)\b(?P<name>\w+)\s*\('
                         r'(?P<params>[^)]*)\)\s*\{', strip_comments(src), re.S):
        decls = [p.strip() for p in m.group('params').split(',') if p.strip()]
        names = [re.findall(r'\w+', d)[-1] if d != 'void' else '' for d in decls]
        out[m.group('name')] = (m.group('ret').strip(), [n for n in names if n], decls)
    return out


def enum_names(src, name):
    m = re.search(r'enum\s+%s\s*\{(?P<body>.*?)\}' % re.escape(name), strip_comments(src), re.S)
    if not m:
        return None
    names, value = [], -1
    for item in m.group('body').split(','):
        item = item.strip()
        if not item:
            continue
        n, _, v = item.partition('=')
        value = int(v.strip(), 0) if v.strip() else value + 1
        names.append((n.strip(), value))
    return names


def struct_fields(glob_src, struct='TCP_Server_Info'):
    """The member declarations of struct @struct in cifsglob.h: name -> type."""
    src = strip_comments(glob_src)
    m = re.search(r'struct\s+%s\s*\{' % struct, src)
    if not m:
        raise ShimError('cifsglob.h has no struct %s' % struct)
    i, depth = m.end(), 1
    while depth and i < len(src):
        depth += {'{': 1, '}': -1}.get(src[i], 0)
        i += 1
    body = src[m.end():i - 1]
    # drop nested blocks (unions, structs) but keep their members' names
    fields = {}
    for decl in re.split(r';', body):
        decl = re.sub(r'#\w+[^\n]*', '', decl)
        decl = ' '.join(decl.replace('{', ' ').replace('}', ' ').split())
        if not decl:
            continue
        decl = re.sub(r'\s*:\s*\d+$', '', decl)
        for part in decl.split(','):
            mm = re.match(r'(?P<type>.*?)(?P<ptr>[\s\*]+)(?P<name>\w+)\s*(?P<arr>\[[^\]]*\])?$',
                          part.strip())
            if mm and mm.group('type'):
                t = mm.group('type').strip()
                if '*' in mm.group('ptr'):
                    t += ' *'
                if mm.group('arr'):
                    t += ' ' + mm.group('arr')
                fields[mm.group('name')] = t
                base_type = mm.group('type').strip()
            elif mm is None and fields and re.match(r'^\**\w+$', part.strip()):
                fields[part.strip().lstrip('*')] = base_type
    return fields


def defines(glob_src, names):
    out = []
    lines = glob_src.splitlines()
    for n in sorted(names):
        for i, line in enumerate(lines):
            if re.match(r'\s*#\s*define\s+%s\b' % re.escape(n), line):
                block = [line]
                while block[-1].rstrip().endswith('\\') and i + len(block) < len(lines):
                    block.append(lines[i + len(block)])
                out.append('\n'.join(block))
                break
    return out


def check_calls(funcs, calls, what, driver):
    """Refuse a header whose helpers the driver @driver cannot call as @calls
    says; return a note naming the helpers it does not call."""
    for name, params in calls.items():
        if name not in funcs:
            raise ShimError('%s has no %s(): the conformance driver calls it; if it was '
                            'renamed or merged, teach %s (CALLS) and the model'
                            % (what, name, driver))
        if funcs[name][1] != params:
            raise ShimError('%s\'s %s now takes (%s), the driver passes (%s): a new '
                            'input of the decision; add it to the model and to the driver '
                            '(%s, CALLS) before the check can compare them'
                            % (what, name, ', '.join(funcs[name][2]), ', '.join(params), driver))
    unknown = sorted(set(funcs) - set(calls))
    if unknown:
        return ['helpers of %s the check does not call: %s' % (what, ', '.join(unknown))]
    return []


def build_shim(header, workdir, test_c=None):
    """Write the shim and the driver into @workdir; return (info, notes)."""
    src = open(header).read()
    glob_path = os.path.join(os.path.dirname(header), 'cifsglob.h')
    if not os.path.isfile(glob_path):
        raise ShimError('%s is missing: the shim takes the types of the fields cifs_echo.h reads '
                        'from it (prepare the tree: scripts/target/prepare --kver KVER)' % glob_path)
    glob_src = open(glob_path).read()
    funcs = functions(src)
    notes = check_calls(funcs, CALLS, 'cifs_echo.h', 'echoaudit/conformance.py')
    used = sorted(set(re.findall(r'server->(\w+)', strip_comments(src))))
    sfields = struct_fields(glob_src)
    decls, setters = [], []
    enums_needed = set()
    for f in used:
        t = sfields.get(f)
        if t is None:
            raise ShimError('cifs_echo.h reads server->%s, which struct TCP_Server_Info in %s '
                            'does not declare (a header out of step with its cifsglob.h?)'
                            % (f, glob_path))
        if t in INT_TYPES:
            decls.append('\t%s %s;' % (t, f))
            setters.append('\t\tif (!strcmp(f, "%s")) { srv.%s = (%s)v; continue; }' % (f, f, t))
        elif t in ATOMIC_TYPES:
            decls.append('\t%s %s;' % (t, f))
            setters.append('\t\tif (!strcmp(f, "%s")) { srv.%s.counter = (%s)v; continue; }'
                           % (f, f, ATOMIC_TYPES[t]))
        elif t.startswith('enum '):
            decls.append('\t%s %s;' % (t, f))
            enums_needed.add(t.split()[1])
            setters.append('\t\tif (!strcmp(f, "%s")) { srv.%s = (%s)v; continue; }' % (f, f, t))
        elif t.endswith('*'):
            decls.append('\t%s %s;' % (t, f))
        else:
            raise ShimError('cifs_echo.h reads server->%s of type "%s", for which the userspace '
                            'shim has no stand-in: add one to echoaudit/conformance.py '
                            '(INT_TYPES / ATOMIC_TYPES / JIFFIES_H)' % (f, t))
    extra = [f for f in used if f not in MODEL_FIELDS]
    if extra:
        notes.append('fields cifs_echo.h reads that the model does not know, held at 0 in every '
                     'case (their effect is not checked): %s' % ', '.join(extra))
    enum_src = []
    for en in sorted(enums_needed):
        m = re.search(r'enum\s+%s\s*\{.*?\};' % re.escape(en), strip_comments(glob_src), re.S)
        if not m:
            raise ShimError('cifsglob.h does not define enum %s, the type of a field '
                            'cifs_echo.h reads' % en)
        enum_src.append(m.group(0))
    ids = set(re.findall(r'\b[A-Z][A-Z0-9_]{2,}\b', strip_comments(src)))
    local = set(re.findall(r'#\s*define\s+(\w+)', src))
    enum_consts = set(re.findall(r'\b(\w+)\b', ' '.join(enum_src)))
    known = {'HZ', 'INITIAL_JIFFIES', 'ULONG_MAX', 'LONG_MAX', 'BUILD_BUG_ON', 'WARN_ON',
             'WARN_ON_ONCE', 'READ_ONCE', 'WRITE_ONCE'}
    defs = defines(glob_src, ids - local - enum_consts - known)
    write_shim(workdir, src, header, 'echoaudit.conformance from %s' % glob_path,
               '\n'.join(enum_src) + '\n' + '\n'.join(defs) + '\n' +
               'struct TCP_Server_Info {\n%s\n};\n' % '\n'.join(decls))
    wheel = ''
    if test_c and os.path.isfile(test_c):
        tsrc = strip_comments(open(test_c).read())
        bodies = []
        for fn in ('wheel_shift', 'wheel_fire'):
            m = re.search(r'static\s+[\w\s]+?\b%s\s*\([^)]*\)\s*\{' % fn, tsrc)
            if not m:
                bodies = []
                notes.append('%s has no %s(): the timer-wheel model is not checked' % (test_c, fn))
                break
            i, depth = m.end(), 1
            while depth:
                depth += {'{': 1, '}': -1}.get(tsrc[i], 0)
                i += 1
            bodies.append(tsrc[m.start():i])
        if bodies:
            wheel = '#define HAVE_WHEEL 1\n' + '\n'.join(bodies) + '\n'
    statuses = enum_names(glob_src, 'statusEnum')
    verdicts = enum_names(src, 'cifs_server_verdict')
    actions = enum_names(src, 'cifs_echo_action')
    if not statuses or not verdicts or not actions:
        raise ShimError('cannot read enum statusEnum (cifsglob.h), enum cifs_server_verdict or '
                        'enum cifs_echo_action (cifs_echo.h)')
    for en, have, known in (('cifs_echo_action', actions, ACTION_NAMES),
                            ('cifs_server_verdict', verdicts, VERDICT_NAMES)):
        new = sorted(set(n for n, _ in have) - set(known))
        gone = sorted(set(known) - set(n for n, _ in have))
        if new or gone:
            raise ShimError('enum %s of cifs_echo.h %s: teach the model and '
                            'echoaudit/conformance.py (%s)'
                            % (en, ' and '.join(x for x in (
                                new and 'has new constants %s' % ', '.join(new),
                                gone and 'no longer has %s' % ', '.join(gone)) if x),
                               'ACTION_NAMES' if en == 'cifs_echo_action' else 'VERDICT_NAMES'))
    names = '\n'.join('\t[%s] = "%s",' % (n, n) for n, _ in actions)
    with open(os.path.join(workdir, 'driver.c'), 'w') as f:
        f.write(DRIVER % {'setters': '\n'.join(setters), 'wheel': wheel, 'action_names': names})
    return {'statuses': statuses, 'verdicts': verdicts, 'actions': actions, 'fields': used}, notes


DRIVER = r'''/* echo-audit conformance driver: cifs_echo.h's helpers on commands */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cifs_echo.h"

unsigned long volatile jiffies;
static struct TCP_Server_Info srv;
/* enum cifs_echo_action by its constants' names (the header prints none) */
static const char *const action_names[] = {
%(action_names)s
};

static const char *action_name(enum cifs_echo_action act)
{
	if ((unsigned int)act >= sizeof(action_names) / sizeof(action_names[0]) ||
	    !action_names[act])
		return "?";
	return action_names[act];
}
%(wheel)s
int main(void)
{
	char line[512], cmd[32], f[64];
	unsigned long a, b, v;
	long c;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "set %%63s %%lu", f, &v) == 2) {
%(setters)s
			printf("error unknown field %%s\n", f);
			continue;
		}
		c = 0;
		if (sscanf(line, "%%31s %%lu %%lu %%ld", cmd, &a, &b, &c) < 1)
			continue;
		if (!strcmp(cmd, "reset")) {
			memset(&srv, 0, sizeof(srv));
		} else if (!strcmp(cmd, "run")) {
			/* cifs_echo_request(): decide, send (->echo() returns c), requeue */
			unsigned long next = cifs_echo_next_deadline(&srv, b);
			enum cifs_echo_action act = cifs_echo_action(&srv, a, b);

			if (act == CIFS_ECHO_SEND)
				act = cifs_echo_sent((int)c);
			srv.echo_deadline = next;
			printf("run %%s %%lu %%lu\n", action_name(act), next,
			       cifs_echo_delay(next, b));
		} else if (!strcmp(cmd, "recv")) {
			/* the receive path reads bytes of a response, not its end */
			printf("recv %%d\n", (int)cifs_server_verdict(&srv, a, b));
			cifs_server_received(&srv, b);
		} else if (!strcmp(cmd, "reply")) {
			/* a whole response: judged with the previous sign of life,
			 * its bytes read, then lstrp at the end of the PDU */
			int before = (int)cifs_server_verdict(&srv, a, b);

			cifs_server_received(&srv, b);
			srv.lstrp = b;
			printf("reply %%d %%d\n", before, (int)cifs_server_verdict(&srv, a, b));
		} else if (!strcmp(cmd, "check")) {
			/* server_unresponsive(): look at our bytes (all acknowledged:
			 * snd_una == write_seq == c), judge, bound the socket wait */
			unsigned long dl = 0;
			int d;

			cifs_server_tx_progress(&srv, (u32)c, (u32)c, b);
			d = (int)cifs_server_deadline(&srv, a, &dl);
			printf("check %%d %%d %%lu %%ld\n", (int)cifs_server_verdict(&srv, a, b), d,
			       d ? dl : 0UL, cifs_recv_timeout(&srv, a, b));
		} else if (!strcmp(cmd, "connected")) {
			cifs_server_connected(&srv, a);
			printf("connected\n");
		} else if (!strcmp(cmd, "probe")) {
			printf("probe %%s %%lu %%lu %%d %%ld\n",
			       action_name(cifs_echo_action(&srv, a, b)),
			       cifs_echo_next_deadline(&srv, b), cifs_echo_delay(srv.echo_deadline, b),
			       (int)cifs_server_verdict(&srv, a, b), cifs_recv_timeout(&srv, a, b));
		} else if (!strcmp(cmd, "tx")) {
			/* a look at snd_una (b) and write_seq (c) at a */
			cifs_server_tx_progress(&srv, (u32)b, (u32)c, a);
			printf("tx %%lu %%lu %%d\n", (unsigned long)srv.lprogress,
			       (unsigned long)srv.tx_una, (int)srv.tx_pending);
#ifdef HAVE_WHEEL
		} else if (!strcmp(cmd, "wheel")) {
			printf("wheel %%u %%lu\n", wheel_shift(a), wheel_fire(b, a));
#endif
		} else {
			printf("error unknown command %%s\n", cmd);
		}
	}
	return 0;
}
'''


def compile_driver(workdir, hz):
    exe = os.path.join(workdir, 'driver-hz%d' % hz)
    cc = shutil.which('gcc') or shutil.which('cc')
    if not cc:
        raise ShimError('no C compiler: install gcc')
    proc = subprocess.run([cc, '-std=gnu11', '-O1', '-Wall', '-Wno-unused-function',
                           '-Werror=implicit-function-declaration', '-Werror=incompatible-pointer-types',
                           '-DHZ=%d' % hz, '-I', workdir, '-o', exe,
                           os.path.join(workdir, 'driver.c')],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        errs = [x for x in proc.stderr.splitlines() if 'error' in x][:6]
        raise ShimError('cifs_echo.h does not compile against the userspace shim (HZ=%d):\n  %s\n'
                        'It uses something the shim lacks: add it to JIFFIES_H in '
                        'echoaudit/conformance.py (the shim is in %s)'
                        % (hz, '\n  '.join(errs or proc.stderr.splitlines()[:6]), workdir))
    return exe


# --------------------------------------------------------------- the model

class PyDriver:
    """The same commands, answered by echoaudit.model."""

    def __init__(self, hz, statuses, verdicts, actions):
        self.hz = hz
        self.status_of = {v: n for n, v in statuses}
        self.verdict_num = {VERDICT_NAMES[n]: v for n, v in verdicts}
        self.action_const = {ACTION_NAMES[n]: n for n, _ in actions}
        self.s = model.Server()

    def set(self, f, v):
        if f == 'tcpStatus':
            self.s.tcpStatus = self.status_of.get(v, 'unknown')
        elif f == 'tx_una':
            self.s.tx_una = v & U32_MAX
        elif f == 'tx_pending':
            self.s.tx_pending = bool(v)
        elif f in MODEL_FIELDS:
            setattr(self.s, f, v)

    def verdict(self, can_echo, now):
        return self.verdict_num[model.server_verdict(self.s, can_echo, now, self.hz)]

    def do(self, line):
        w = line.split()
        s = self.s
        if w[0] == 'set':
            self.set(w[1], int(w[2]))
            return None
        a = int(w[1]) if len(w) > 1 else 0
        b = int(w[2]) if len(w) > 2 else 0
        c = int(w[3]) if len(w) > 3 else 0
        if w[0] == 'reset':
            self.s = model.Server(tcpStatus=self.status_of[0])
            return None
        if w[0] == 'run':
            nxt = model.echo_next_deadline(s, b)
            act = model.echo_action(s, bool(a), b)
            if act == model.ECHO_SEND:
                act = model.echo_sent(c)
            s.echo_deadline = nxt
            return 'run %s %d %d' % (self.action_const[act], nxt, model.echo_delay(nxt, b))
        if w[0] == 'recv':
            v = self.verdict(bool(a), b)
            model.server_received(s, b)
            return 'recv %d' % v
        if w[0] == 'reply':
            before = self.verdict(bool(a), b)
            model.server_received(s, b)
            s.lstrp = b
            return 'reply %d %d' % (before, self.verdict(bool(a), b))
        if w[0] == 'check':
            model.server_tx_progress(s, c & U32_MAX, c & U32_MAX, b)
            d, dl = model.server_deadline(s, bool(a), self.hz)
            rt = model.recv_timeout(s, bool(a), b, self.hz)
            return 'check %d %d %d %d' % (self.verdict(bool(a), b), self.verdict_num[d],
                                          dl if dl is not None else 0, rt)
        if w[0] == 'connected':
            model.server_connected(s, a)
            return 'connected'
        if w[0] == 'probe':
            return 'probe %s %d %d %d %d' % (
                self.action_const[model.echo_action(s, bool(a), b)],
                model.echo_next_deadline(s, b), model.echo_delay(s.echo_deadline, b),
                self.verdict(bool(a), b), model.recv_timeout(s, bool(a), b, self.hz))
        if w[0] == 'tx':
            model.server_tx_progress(s, b & U32_MAX, c & U32_MAX, a)
            return 'tx %d %d %d' % (s.lprogress, s.tx_una, int(s.tx_pending))
        if w[0] == 'wheel':
            return 'wheel %d %d' % (model.wheel_shift(a), model.wheel_fire(b, a))
        raise ValueError(line)


def u(x):
    return x & ULONG_MAX


def timeline(rng, hz, status_num, steps, with_wheel):
    """One random timeline as driver commands, played on the model too so
    that the next run comes when the model says the work would fire."""
    e_s = rng.choice((1, 2, 5, 60, 600, rng.randint(1, 600)))
    e = e_s * hz
    start = rng.choice((u(-300 * hz), ULONG_MAX - 10 * hz, rng.getrandbits(64),
                        (1 << 63) - 5 * hz, 0))
    cmds = ['reset', 'set tcpStatus %d' % status_num['CifsGood'], 'set echo_interval %d' % e,
            'set echo_deadline %d' % u(start + e), 'connected %d' % start]
    py = model.Server(tcpStatus=model.CIFS_GOOD, echo_interval=e, echo_deadline=u(start + e))
    model.server_connected(py, start)
    now = start
    seq = rng.getrandbits(32)     # write_seq: all of it acknowledged at each look
    for _ in range(steps):
        r = rng.random()
        can = 1 if rng.random() > 0.05 else 0
        if r < 0.42:
            # the work fires at its deadline plus the wheel's rounding and
            # latency; sometimes much later (a stall), sometimes early
            late = rng.choice((0, rng.randint(0, 2 * hz), rng.randint(0, 8 * e), -rng.randint(1, e),
                               rng.choice((-1, 1, e - 1, e, e + 1))))
            t = u(py.echo_deadline + late)
            if model.time_before(t, now):
                t = u(now + rng.randint(0, hz))
            now = t
            # what ->echo() returns: sent, no echo credit, or an error
            rc = rng.choice((0,) * 8 + (-model.EAGAIN,) * 2 + (-12, -5, -32, -rng.randint(1, 200)))
            if model.echo_action(py, bool(can), now) == model.ECHO_SEND and rc == 0:
                seq = (seq + 72) & U32_MAX
            py.echo_deadline = model.echo_next_deadline(py, now)
            cmds.append('run %d %d %d' % (can, now, rc))
        elif r < 0.62:
            now = u(now + rng.randint(0, 4 * e))
            model.server_received(py, now)
            py.lstrp = now
            cmds.append('reply %d %d' % (can, now))
        elif r < 0.72:
            # bytes of a long response: a sign of life, not a whole PDU
            now = u(now + rng.randint(0, 2 * e))
            model.server_received(py, now)
            cmds.append('recv %d %d' % (can, now))
        elif r < 0.85:
            x = rng.random()
            if x < 0.5:
                # the jiffies around a limit: where an off-by-one shows; the
                # silence counts from the last sign of life, not from lstrp
                base = (u(py.neg_start + model.NEG_TIMEOUT_S * hz)
                        if py.tcpStatus == model.CIFS_IN_NEGOTIATE else
                        u((py.lprogress if x < 0.35 else py.lstrp) +
                          model.SMB_ECHO_TIMEOUT_INTERVALS * py.echo_interval))
                t = u(base + rng.randint(-2, 2))
            else:
                t = u(now + rng.randint(-e, 4 * e))
            model.server_tx_progress(py, seq, seq, t)
            cmds.append('check %d %d %d' % (can, t, seq))
        elif r < 0.90:
            st = rng.choice(model.STATES)
            py.tcpStatus = st
            cmds.append('set tcpStatus %d' % status_num[st])
            if st == model.CIFS_IN_NEGOTIATE:
                cmds.append('set neg_start %d' % now)
                py.neg_start = now
        elif r < 0.92:
            e = rng.randint(1, 600) * hz
            py.echo_interval = e
            cmds.append('set echo_interval %d' % e)
        elif r < 0.94:
            model.server_connected(py, now)
            cmds.append('connected %d' % now)
        else:
            # anything at all, including what an idle mount never has: our
            # bytes pending, the last sign of life apart from lstrp
            for f in ('echo_deadline', 'lstrp', 'neg_start', 'lprogress'):
                v = rng.getrandbits(64)
                setattr(py, f, v)
                cmds.append('set %s %d' % (f, v))
            py.tx_una, py.tx_pending = rng.getrandbits(32), rng.random() < 0.5
            cmds += ['set tx_una %d' % py.tx_una, 'set tx_pending %d' % py.tx_pending]
            cmds.append('probe %d %d' % (can, rng.getrandbits(64)))
            una = rng.choice((py.tx_una, rng.getrandbits(32)))
            end = rng.choice((una, u(una + rng.randint(1, 1 << 20)) & U32_MAX,
                              rng.getrandbits(32)))
            t = rng.getrandbits(64)
            model.server_tx_progress(py, una, end, t)
            cmds.append('tx %d %d %d' % (t, una, end))
            cmds.append('probe %d %d' % (can, rng.getrandbits(64)))
    if with_wheel:
        for _ in range(50):
            delta = rng.choice((rng.randint(0, 70), rng.randint(0, 5000), rng.randint(0, 1 << 26),
                                rng.randint(0, 16 * 60 * hz)))
            cmds.append('wheel %d %d' % (delta, rng.randint(0, 1 << 40)))
    return cmds


def check(header, workdir, cases, seed, test_c=None, out=sys.stdout):
    if os.path.isdir(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir)
    # the series' v2 header: pure helpers (cifs_echo_next(), ...), checked
    # by echoaudit.conformance_v2
    from . import conformance_v2
    if conformance_v2.is_v2(open(header).read()):
        return conformance_v2.check(header, workdir, cases, seed, out)
    info, notes = build_shim(header, workdir, test_c)
    for n in notes:
        print('conformance: note: %s' % n, file=out)
    status_num = {n: v for n, v in info['statuses']}
    for s in model.STATES:
        if s not in status_num:
            raise ShimError('enum statusEnum has no %s any more: the model\'s states need updating'
                            % s)
    total = 0
    with_wheel = '#define HAVE_WHEEL' in open(os.path.join(workdir, 'driver.c')).read()
    for hz in HZS:
        exe = compile_driver(workdir, hz)
        rng = random.Random('%s-%d' % (seed, hz))
        for case in range(cases):
            cmds = timeline(rng, hz, status_num, 400, with_wheel and case == 0)
            proc = subprocess.run([exe], input='\n'.join(cmds) + '\n', capture_output=True,
                                  text=True, check=False)
            c_out = proc.stdout.splitlines()
            py = PyDriver(hz, info['statuses'], info['verdicts'], info['actions'])
            py_out = [x for x in (py.do(c) for c in cmds) if x is not None]
            for i, (a, b) in enumerate(zip(c_out, py_out)):
                if a != b:
                    # the command that gave this answer
                    k, j = -1, -1
                    for j, c in enumerate(cmds):
                        if c.split()[0] not in ('set', 'reset'):
                            k += 1
                        if k == i:
                            break
                    print('conformance: MISMATCH at HZ=%d, case %d (seed %s), command %d: %s\n'
                          '  C helpers:    %s\n  Python model: %s\n  state before: %s'
                          % (hz, case, seed, j, cmds[j], a, b,
                             '; '.join(cmds[max(0, j - 6):j])), file=out)
                    return 1
            if len(c_out) != len(py_out) or proc.returncode != 0:
                print('conformance: MISMATCH at HZ=%d, case %d: %d answers from C, %d from the '
                      'model (driver exit %d: %s)' % (hz, case, len(c_out), len(py_out),
                                                      proc.returncode, proc.stderr.strip()[:200]),
                      file=out)
                return 1
            total += len(py_out)
    print('conformance: %d decisions on %d random timelines (HZ %s) match the C helpers of %s%s'
          % (total, cases * len(HZS), '/'.join(str(h) for h in HZS), header,
             ' and the KUnit timer-wheel model' if with_wheel else ''), file=out)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog='conformance')
    p.add_argument('--header', required=True, help='fs/smb/client/cifs_echo.h of a prepared tree')
    p.add_argument('--test-c', help='cifs_echo_test.c (default: next to the header)')
    p.add_argument('--workdir', default='build/echo-audit/conformance')
    p.add_argument('--cases', type=int, default=40)
    p.add_argument('--seed', default='echo-audit')
    a = p.parse_args(argv)
    if not os.path.isfile(a.header):
        print('conformance: error: %s is missing: prepare a tree with the series first '
              '(make module, or scripts/target/prepare --kver KVER)' % a.header, file=sys.stderr)
        return 2
    test_c = a.test_c or os.path.join(os.path.dirname(a.header), 'cifs_echo_test.c')
    try:
        return check(a.header, a.workdir, a.cases, a.seed, test_c)
    except ShimError as e:
        print('conformance: error: %s' % e, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
