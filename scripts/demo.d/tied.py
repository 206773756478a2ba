"""Runs a command tied to the demo's shell: if that shell dies, even by SIGKILL, the command gets
SIGTERM (Linux's parent-death signal, which survives exec), so nothing the demo started outlives
it. flow stops cleanly on SIGTERM, as on Ctrl-C.

    python3 tied.py CMD [ARG...]      # execs CMD in this process: same PID, same exit code
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv):
    if not argv:
        sys.exit(__doc__)
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        print(f"tied.py: prctl failed (errno {ctypes.get_errno()}); running untied", file=sys.stderr)
    elif os.getppid() != parent:  # the shell died before prctl took effect
        sys.exit(143)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
