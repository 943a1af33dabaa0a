#!/usr/bin/python3
"""Runs one command and reports what it cost as a whole process.

Usage: measure.py --out RESULT.json --timeout SECONDS [--pid-file F] -- COMMAND [ARGS...]

The command's CPU seconds (user + sys) and peak RSS come from
getrusage(RUSAGE_CHILDREN) after it has been waited for, so they include
start-up (interpreter, imports, TypeScript compilation) and every descendant
it waited for. Wall time is measured here around the whole run.

SIGTERM and SIGINT sent to this wrapper are forwarded to the command, so a
caller can stop a long-running command (the virtual printer) and still get its
numbers. After --timeout seconds the command's process group gets SIGTERM,
then SIGKILL 5 s later, and the result says timedOut. --pid-file gets the
command's pid (also its process group id), so a caller whose wrapper got stuck
can still end the command by id.
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--pid-file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command given")
    return args


def stop_group(child):
    """Ends the whole process group: wrappers such as npx leave grandchildren."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, None)):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def main():
    args = parse_args()
    started_at = time.time()
    start = time.monotonic()
    # A session of its own, so a timeout can end the command's whole tree.
    child = subprocess.Popen(args.command, start_new_session=True)
    if args.pid_file:
        with open(args.pid_file, "w") as out:
            out.write(str(child.pid))

    def forward(signum, _frame):
        try:
            child.send_signal(signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    timed_out = False
    try:
        child.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        stop_group(child)
    wall = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = child.returncode
    result = {
        "exitCode": code if code is not None and code >= 0 else None,
        "signal": -code if code is not None and code < 0 else None,
        "timedOut": timed_out,
        "startedAtMs": started_at * 1000,
        "wallS": wall,
        "userS": usage.ru_utime,
        "sysS": usage.ru_stime,
        "maxRssKb": usage.ru_maxrss,
    }
    with open(args.out, "w") as out:
        json.dump(result, out)
    sys.exit(0 if code == 0 and not timed_out else 1)


if __name__ == "__main__":
    main()
