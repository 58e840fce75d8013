"""Make the example's ``host_crm`` package importable without installing it.

The example is deliberately not a distribution: it is a host application's
source tree.  pytest loads this file before collecting ``tests/``.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
