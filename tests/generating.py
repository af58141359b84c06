"""Helper for tests on synthetic projects: ``cnc-kg generate`` run as the real command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CNC_KG = str(Path(sys.executable).parent / "cnc-kg")


def generate_cli(out: Path, triples: int, seed: int) -> None:
    """Write a synthetic project of about ``triples`` data triples into ``out``."""
    done = subprocess.run([CNC_KG, "--root", str(REPO), "generate", "--triples", str(triples),
                           "--seed", str(seed), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
