"""Write signatures/iocs/index.json: the shipped indicator bundles parsed once (inspector.analyze.ioc_index).
Run it after changing any bundle under signatures/iocs/; tests/test_ioc_index.py fails while it is stale.

    python scripts/build_pack_index.py [FOLDER]
"""

import sys
from pathlib import Path

from inspector.analyze.ioc_index import write
from inspector.resources import signatures_dir

folder = Path(sys.argv[1]) if len(sys.argv) > 1 else signatures_dir() / "iocs"
print(write(folder))
