import sys
from pathlib import Path

# walkthrough.py is a helper module shared by the tests in this folder.
sys.path.insert(0, str(Path(__file__).parent))
