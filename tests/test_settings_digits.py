"""A setting of whole days read from the environment refuses "²" with its own message
(revB #8): ``str.isdigit()`` accepts it and ``int()`` then raised a bare "invalid literal".

Planted fault: ``_tb_min.isdigit()`` back in config/settings/base.py: the message is int()'s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value", ["²", "٣", "16", "-1", ""])
def test_take_back_min_days_refuses_what_is_not_0_to_15_days(value):
    env = {**os.environ, "XINFANG_TAKE_BACK_MIN_DAYS": value, "DJANGO_SETTINGS_MODULE": ""}
    out = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode != 0
    assert "XINFANG_TAKE_BACK_MIN_DAYS must be a whole number of days 0..15" in out.stderr
