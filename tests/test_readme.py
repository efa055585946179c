"""Every ```python block of README.md runs as written (the >>> examples run as doctests)."""

import os
import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)
PLAIN = [b for b in BLOCKS if not b.lstrip().startswith(">>>")]


def test_readme_has_examples():
    assert len(PLAIN) >= 5


@pytest.mark.parametrize("index", range(len(PLAIN)))
def test_readme_block_runs(index, tmp_path, capsys):
    matplotlib.use("Agg")
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples that write files write them here
    try:
        exec(
            compile(PLAIN[index], f"README.md python block {index}", "exec"),
            {"__name__": "__readme__"},
        )
    finally:
        os.chdir(cwd)
