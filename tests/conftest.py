# SPDX-License-Identifier: GPL-2.0
"""The fast tier's fixtures (make test); the helpers are in reportlib.py."""
import os
import shutil

import pytest

from reportlib import DATA

@pytest.fixture
def fixture_dir(tmp_path):
    """fixture_dir('bench-io/ten-rounds-same') -> a copy of it to write in."""
    def copy(rel):
        dst = tmp_path / rel.replace('/', '_')
        shutil.copytree(os.path.join(DATA, rel), dst)
        return str(dst)
    return copy
