"""The library must not import Streamlit (the app is a thin layer over it)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_regen_does_not_import_streamlit():
    modules = sorted(p.stem for p in (ROOT / "regen").glob("*.py") if not p.stem.startswith("__"))
    code = "import sys\n" + "".join(f"import regen.{m}\n" for m in modules) + "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert len(modules) >= 8
