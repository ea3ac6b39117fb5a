"""Every CLI command and every setting is documented in docs/settings.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_cli_command_and_setting_is_documented():
    from xinfang import cli

    text = (ROOT / "docs" / "settings.md").read_text()
    parser_src = (ROOT / "xinfang" / "cli.py").read_text()
    commands = re.findall(r'add_parser\(\s*"([a-z-]+)"', parser_src)
    assert commands and all(f"xinfang {c}" in text for c in commands), commands
    settings_src = (ROOT / "config" / "settings" / "base.py").read_text()
    names = set(re.findall(r'"(XINFANG_[A-Z_]+)"', settings_src)) | set(
        re.findall(r'"(XINFANG_[A-Z_]+)"', (ROOT / "config" / "env.py").read_text())
    )
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert missing == []
    assert cli.main  # the console script's entry point exists
