# SPDX-License-Identifier: GPL-2.0
"""The model against the series' v2 cifs_echo.h (pure helpers), where a
prepared tree has one: $ECHOAUDIT_HEADER, or fs/smb/client/cifs_echo.h of
this checkout (make module). Skipped otherwise, and for a header of the
first API (scripts/echo-audit/test checks that one)."""

import io
import os
import shutil

import pytest

from conftest import ROOT
from echoaudit import conformance, conformance_v2


def header():
    for h in (os.environ.get('ECHOAUDIT_HEADER'), os.path.join(ROOT, 'fs/smb/client/cifs_echo.h')):
        if h and os.path.isfile(h):
            return h
    return None


H = header()
pytestmark = [
    pytest.mark.skipif(H is None, reason='no prepared cifs_echo.h (make module, or ECHOAUDIT_HEADER)'),
    pytest.mark.skipif(shutil.which('gcc') is None, reason='no gcc'),
]


def test_model_matches_v2_header(tmp_path):
    if not conformance_v2.is_v2(open(H).read()):
        pytest.skip('%s is of the first API' % H)
    out = io.StringIO()
    assert conformance.check(H, str(tmp_path / 'conf'), 8, 'pytest', out=out) == 0, out.getvalue()


@pytest.mark.parametrize('name,old,new', conformance_v2.MUTANTS_H, ids=[m[0] for m in conformance_v2.MUTANTS_H])
def test_v2_header_mutant_is_caught(tmp_path, name, old, new):
    if not conformance_v2.is_v2(open(H).read()):
        pytest.skip('%s is of the first API' % H)
    d = tmp_path / 'tree'
    d.mkdir()
    src = os.path.dirname(H)
    for f in ('cifs_echo.h', 'cifsglob.h'):
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), d)
    s = (d / 'cifs_echo.h').read_text()
    assert old in s, 'the header no longer has %r: update the mutant' % old
    (d / 'cifs_echo.h').write_text(s.replace(old, new, 1))
    out = io.StringIO()
    assert conformance.check(str(d / 'cifs_echo.h'), str(tmp_path / 'conf'), 8, 'pytest',
                             out=out) == 1, out.getvalue()
