# SPDX-License-Identifier: GPL-2.0
"""The one error echo-audit reports for bad input (exit status 2)."""


class BadInput(Exception):
    """Input the tool cannot use: the message names the problem and the fix."""

    def __init__(self, message, tool_missing=False):
        super().__init__(message)
        self.tool_missing = tool_missing
