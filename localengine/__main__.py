import sys

from localengine.cli import main

sys.exit(main())
