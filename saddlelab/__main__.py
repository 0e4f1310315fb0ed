import sys

from saddlelab.cli import main

sys.exit(main())
