#!/usr/bin/env python3
"""Send one QMP command to a running QEMU and print the reply as JSON.

Usage: qmp.py SOCKET COMMAND [ARGUMENTS-JSON]

Exit status: 0 on a "return" reply, 1 on an "error" reply, 2 when the
socket cannot be reached or the arguments are not valid JSON.
"""
import json
import socket
import sys
import time


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    path, command = argv[1], argv[2]
    try:
        arguments = json.loads(argv[3]) if len(argv) > 3 else {}
    except json.JSONDecodeError as err:
        print(f"qmp.py: arguments are not JSON: {err}", file=sys.stderr)
        return 2

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 10
    while True:
        try:
            sock.connect(path)
            break
        except OSError as err:
            if time.monotonic() > deadline:
                print(f"qmp.py: cannot reach {path}: {err}", file=sys.stderr)
                return 2
            time.sleep(0.2)
    stream = sock.makefile("rw")

    def reply():
        # Events arrive interleaved with replies; skip them.
        while True:
            line = stream.readline()
            if not line:
                raise EOFError("QEMU closed the QMP socket")
            msg = json.loads(line)
            if "return" in msg or "error" in msg or "QMP" in msg:
                return msg

    reply()  # greeting
    stream.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
    stream.flush()
    reply()
    stream.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
    stream.flush()
    msg = reply()
    print(json.dumps(msg.get("return", msg.get("error"))))
    return 1 if "error" in msg else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
