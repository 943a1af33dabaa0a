#!/usr/bin/python3
"""Prints a G-code file with Printrun's printcore, as a host would.

Usage: printcore_print.py PORT BAUD FILE [--online-timeout S]

Uses printcore's public API only: printcore(port, baud) connects and starts
its reader and sender threads; `online` turns true once the firmware answered
its M105; startprint(LightGCode(lines)) streams the file with line numbers
and checksums from its print thread; `printing` turns false once the last
line was acknowledged; once the print thread has wound down (its public
`print_thread` and `send_thread` attributes, see below), disconnect().

Exit status 0 when the print ran to its end, 1 when the printer never came
online, 2 when the print was cut short (printcore went offline or lost the port).

On stdout, one JSON line with the times (epoch ms) at which startprint was
called and printing ended, so the caller can tell streaming from start-up.
"""
import argparse
import json
import sys
import time

from printrun import gcoder
from printrun.printcore import printcore

POLL_S = 0.05  # the waits below poll flags; 50 ms costs nothing next to the stream


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("port")
    parser.add_argument("baud", type=int)
    parser.add_argument("file")
    parser.add_argument("--online-timeout", type=float, default=30.0)
    return parser.parse_args()


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_S)
    return True


def main():
    args = parse_args()
    with open(args.file) as handle:
        # LightGCode keeps only the raw text per line (printcore's C line class);
        # printcore itself strips comments and numbers the lines as it sends.
        gcode = gcoder.LightGCode(handle.readlines())
    core = printcore(args.port, args.baud)
    if not wait_for(lambda: core.online, args.online_timeout):
        print(json.dumps({"error": "printer did not come online"}), flush=True)
        core.disconnect()
        return 1
    started = time.time()
    if not core.startprint(gcode):
        print(json.dumps({"error": "startprint refused"}), flush=True)
        core.disconnect()
        return 1
    # No timeout here: printcore has none for a lost ok either; the bench's
    # wrapper kills a print that hangs.
    wait_for(lambda: not core.printing, float("inf"))
    ended = time.time()
    # printing also turns false when printcore loses the port; then it is not online.
    complete = core.online and core.printer is not None
    # `printing` turns false inside printcore's print thread, which then still
    # winds down and restarts printcore's (non-daemon) sender thread on its way
    # out. A disconnect() in between stops no sender, the one started after it
    # runs forever, and Python never exits (seen once in a 200k-line run). So
    # wait until the print thread is gone and the sender is back.
    wait_for(lambda: core.print_thread is None and core.send_thread is not None, 10.0)
    core.disconnect()
    print(json.dumps({"streamStartMs": started * 1000, "streamEndMs": ended * 1000}), flush=True)
    return 0 if complete else 2


if __name__ == "__main__":
    sys.exit(main())
