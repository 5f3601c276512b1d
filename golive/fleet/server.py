"""What the fleet's fork server imports before anything else (workers.start_server preloads it).

The fork server shares the caller's standard output and error, so whoever reads them (a pipe,
a CI step capturing the command) waits until it has ended; and an interpreter holding the
SDK's modules takes seconds to tear itself down. Once the caller is gone the server has nothing
left to do or to save, so it ends at once. Its workers end with `os._exit` already.
"""

import atexit
import os

atexit.register(os._exit, 0)
