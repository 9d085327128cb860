#!/usr/bin/env python3
"""Runs a command as a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER) and exits with its status.

A browser does not wait for all of its processes (Chromium's renderers outlive it briefly and are
re-parented), so their CPU time never reaches the rusage of the shell that ran the browser's test.
Under this wrapper they are re-parented here and reaped, so that scripts/test.sh's CPU column (the
user+sys time of a lane's ended children) counts them. After the command ends, what is left is
reaped for up to 10 s (a process still running then is left alone).
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

if len(sys.argv) < 2:
    sys.exit("usage: reaped.py COMMAND [ARGS...]")
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
# the command in a process group of its own, so that a signal to this wrapper (scripts/test.sh
# stopping a lane) reaches all of it, the browsers it started included
main = subprocess.Popen(sys.argv[1:], start_new_session=True)


def forward(sig, _frame):
    try:
        os.killpg(main.pid, sig)
    except ProcessLookupError:
        pass


for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, forward)
# reap every child as it ends (the command and the orphans it leaves), until the command has ended
status = None
while status is None:
    pid, st = os.waitpid(-1, 0)
    if pid == main.pid:
        status = st
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        if os.waitpid(-1, os.WNOHANG)[0] == 0:
            time.sleep(0.05)
    except ChildProcessError:
        break
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
