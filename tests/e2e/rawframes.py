#!/usr/bin/env python3
"""Speaks raw protocol frames to an agent over OpenSSH's own client, for
scenarios that send what no honest controller sends.

  rawframes.py send PORT KEY FILE...
Each FILE's bytes are one frame body, sent behind its 4-byte length (a file
whose name ends in .raw is sent as is, length and all). Prints each answer's
body as one JSON line, then "session ended" when the agent closes.
"""
import json
import struct
import subprocess
import sys


def main():
    if len(sys.argv) < 5 or sys.argv[1] != "send":
        sys.exit(__doc__)
    port, key, files = sys.argv[2], sys.argv[3], sys.argv[4:]
    data = b""
    for name in files:
        body = open(name, "rb").read()
        data += body if name.endswith(".raw") else struct.pack(">I", len(body)) + body
    ssh = ["ssh", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
           "-s", "127.0.0.1", "daybook"]
    out = subprocess.run(ssh, input=data, stdout=subprocess.PIPE, timeout=120).stdout
    at = 0
    while at + 4 <= len(out):
        (n,) = struct.unpack(">I", out[at:at + 4])
        frame = json.loads(out[at + 4:at + 4 + n])
        print(json.dumps(frame.get("body"), sort_keys=True, separators=(",", ":")))
        at += 4 + n
    print("session ended")


if __name__ == "__main__":
    main()
