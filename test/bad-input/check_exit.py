#!/usr/bin/python3
"""Run a command and check how it failed (used by the lit tests in this directory).

Usage: check_exit.py KIND -- COMMAND [ARGS...]

KIND is
  invalid      the input is not a valid ONNX model: exit code must be non-zero
               and not 3 (3 means "valid model, unsupported feature", which
               the conformance runner counts as a skip, so a broken model must
               never get it);
  unsupported  a valid model lut-mlir does not support: exit code exactly 3 and
               a message starting with "error: unsupported";
  error        any non-zero exit code.
In every case a crash fails: death by a signal, an exit code >= 128, or an LLVM
stack dump / "PLEASE submit a bug report" banner on stderr.  The command's
stderr is passed through so that FileCheck can also look at it.
"""

import signal
import subprocess
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--" or sys.argv[1] not in ("invalid", "unsupported", "error"):
        sys.exit(__doc__)
    kind, cmd = sys.argv[1], sys.argv[3:]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.decode("utf-8", "replace")
    sys.stderr.write(err)
    rc = p.returncode
    problems = []
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = str(-rc)
        problems.append("crashed with signal %s" % name)
    elif rc >= 128:
        problems.append("exit code %d looks like a crash" % rc)
    if "Stack dump:" in err or "PLEASE submit a bug report" in err:
        problems.append("printed a stack dump")
    if rc == 0:
        problems.append("succeeded, but should have failed")
    elif kind == "invalid" and rc == 3:
        problems.append("exit code 3 (unsupported) for an invalid model; expected a plain error")
    elif kind == "unsupported" and rc != 3:
        problems.append("exit code %d; expected 3 (unsupported)" % rc)
    elif kind == "unsupported" and "error: unsupported" not in err:
        problems.append("exit code 3 without an 'error: unsupported' message")
    if problems:
        print("check_exit.py: %s: %s" % (" ".join(cmd), "; ".join(problems)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
