#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal as a person at a terminal would: types a line, reads
the screen, and checks what appeared and how the command exited.

usage: pty_session.py --type LINE --expect TEXT [--expect TEXT...] --exit N [--delay S] -- CMD...
"""
import argparse, os, pty, select, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--type", required=True, help="what to type (a newline is added)")
ap.add_argument("--expect", action="append", default=[], help="text that must appear (any of a|b)")
ap.add_argument("--exit", type=int, required=True, help="the exit code the command must end with")
ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before typing")
ap.add_argument("--timeout", type=float, default=20.0)
ap.add_argument("cmd", nargs="+")
a = ap.parse_args()

pid, fd = pty.fork()
if pid == 0:
    os.execvp(a.cmd[0], a.cmd)
time.sleep(a.delay)
os.write(fd, a.type.encode() + b"\n")
screen, end = b"", time.time() + a.timeout
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            screen += os.read(fd, 4096)
        except OSError:
            break
_, status = os.waitpid(pid, 0)
for want in a.expect:
    if not any(alt.encode() in screen for alt in want.split("|")):
        sys.exit(f"pty_session: {want!r} not on the screen: {screen!r}")
if os.waitstatus_to_exitcode(status) != a.exit:
    sys.exit(f"pty_session: exit {os.waitstatus_to_exitcode(status)}, want {a.exit}: {screen!r}")
