import sys

from golive.cli import exit_cleanly_on_sigterm, main

exit_cleanly_on_sigterm()
sys.exit(main())
