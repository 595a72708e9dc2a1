# SPDX-License-Identifier: GPL-2.0
"""make help names every target; scripts/check --plan runs nothing and
starts with make test."""
import re
import subprocess

from reportlib import ROOT


def make_targets():
    text = open(ROOT + '/Makefile').read()
    names = set()
    for m in re.finditer(r'^TARGETS \+?= (.*)$', text, re.M):
        names.update(m.group(1).split())
    return names


def test_help_describes_every_target():
    out = subprocess.run(['make', '-s', '--no-print-directory', 'help'], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    described = set(re.findall(r'\bmake ([a-z0-9.-]+)', out))
    missing = sorted(make_targets() - described)
    assert not missing, 'make help does not describe: %s' % ' '.join(missing)
    for group in ('use', 'test', 'measure', 'upstream', 'packaging'):
        assert re.search(r'^%s$' % group, out, re.M), group


def test_check_plan_starts_with_make_test():
    p = subprocess.run([ROOT + '/scripts/check', '--plan'], cwd=ROOT, capture_output=True,
                       text=True, check=True, timeout=60)
    lines = p.stdout.splitlines()
    assert lines[0] == 'make test: make --no-print-directory test'
    assert any(' --rounds ' in x for x in lines if x.startswith('soak '))
    assert not any(x.startswith('===') for x in lines), 'a step ran'
