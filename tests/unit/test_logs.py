"""The log filter masks long digit runs (CCCD, account numbers) whatever line carries them."""

from __future__ import annotations

import logging
import sys

from web.logs import MaskNumbers


def test_cccd_and_account_numbers_are_masked_in_messages_and_tracebacks():
    try:
        raise ValueError("account 9876501234 refused")
    except ValueError:
        args = ("062150987654", "2026-12-03")
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "cccd %s on %s", args, sys.exc_info())
    assert MaskNumbers().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert "062150987654" not in text and "9876501234" not in text
    assert "cccd ************ on 2026-12-03" in text and "account ********** refused" in text
