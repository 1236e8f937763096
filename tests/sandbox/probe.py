"""Run inside `charter run` by the sandbox tests: try one thing, exit 0 if it worked, 3 if not.

The path or port comes from PROBE_TARGET, out of the guard's sight, as a test
run by an allowed `pytest` would hold it.
"""

import os
import socket
import sys


def attempt(action: str, argument: str) -> None:
    if action == "read":
        with open(argument, "rb") as handle:
            handle.read()
    elif action == "write":
        with open(argument, "a", encoding="utf-8") as handle:
            handle.write("written by the sandbox probe\n")
    elif action == "write-outside":
        with open(os.environ["PROBE_OUTSIDE"], "w", encoding="utf-8") as handle:
            handle.write("escaped\n")
    elif action == "umount":
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.umount2(argument.encode(), 2) != 0:  # MNT_DETACH
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
    elif action == "loopback":
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        socket.create_connection(server.getsockname(), timeout=5).close()
        server.close()
    elif action == "connect":
        socket.create_connection(("127.0.0.1", int(argument)), timeout=5).close()
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    try:
        attempt(sys.argv[1], os.environ.get("PROBE_TARGET", ""))
    except OSError as exc:
        print(f"probe: {sys.argv[1]}: {exc}", file=sys.stderr)
        raise SystemExit(3) from None
    print(f"probe: {sys.argv[1]}: done")
