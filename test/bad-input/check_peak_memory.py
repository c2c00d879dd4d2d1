#!/usr/bin/python3
"""Run a command and bound its peak memory and time (lit helper).

Usage: check_peak_memory.py MAX_EXTRA_MIB MAX_SECONDS -- COMMAND [ARGS...]

Runs `COMMAND --version` first to measure the baseline peak RSS of the tool
(the shared libraries every run maps), then COMMAND itself. Fails if COMMAND
dies by a signal, peaks more than MAX_EXTRA_MIB above the baseline, or takes
longer than MAX_SECONDS. Passes COMMAND's stderr through and prints
"check_peak_memory.py: exit N, T s, peak P MiB (baseline B MiB)".
"""

import resource
import subprocess
import sys
import time


def peak_mib(cmd):
    """Peak RSS of `cmd` in MiB, its exit code, its stderr and its run time."""
    # Each measurement in a fresh child of a fresh child, so that
    # RUSAGE_CHILDREN holds that run's peak only.
    code = ("import resource, subprocess, sys, time\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,"
            " stderr=subprocess.PIPE)\n"
            "dt = time.monotonic() - t\n"
            "sys.stderr.buffer.write(p.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, dt)\n")
    p = subprocess.run([sys.executable, "-c", code] + cmd, capture_output=True, text=True)
    kb, rc, dt = p.stdout.split()
    return int(kb) / 1024.0, int(rc), p.stderr, float(dt)


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    max_extra, max_s, cmd = float(sys.argv[1]), float(sys.argv[2]), sys.argv[4:]
    base, _, _, _ = peak_mib([cmd[0], "--version"])
    peak, rc, err, dt = peak_mib(cmd)
    sys.stderr.write(err)
    print("check_peak_memory.py: exit %d, %.2f s, peak %.0f MiB (baseline %.0f MiB)"
          % (rc, dt, peak, base), file=sys.stderr)
    problems = []
    if rc < 0 or rc >= 128:
        problems.append("died (exit %d)" % rc)
    if peak - base > max_extra:
        problems.append("peaked %.0f MiB above the baseline (limit %.0f)" % (peak - base, max_extra))
    if dt > max_s:
        problems.append("took %.1f s (limit %.1f)" % (dt, max_s))
    if problems:
        print("check_peak_memory.py: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
