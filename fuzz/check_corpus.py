#!/usr/bin/python3
"""Compile every file of a regression corpus with lutc and check its outcome.

Usage: check_corpus.py LUTC CORPUS_DIR

CORPUS_DIR/expected.txt has one line per file: FILE EXIT-CODE [SUBSTRING].
Each file is compiled (`lutc FILE -o TMP.so`); it must exit with EXIT-CODE
(0, 1 or 3), print SUBSTRING on stderr when one is given, and never die by a
signal, print a stack dump or take more than 120 s. A file in the folder
without a line in expected.txt is an error too, so that every finding is
recorded with its outcome. Prints one line per file and a summary.
"""

import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lutc, corpus = sys.argv[1:]
    expected = {}
    with open(os.path.join(corpus, "expected.txt")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split(" ", 2)
            expected[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    files = sorted(f for f in os.listdir(corpus) if f not in ("expected.txt", "README.md"))
    failures = []
    for name in files:
        if name not in expected:
            failures.append("%s: not listed in expected.txt" % name)
            continue
        rc_want, text = expected[name]
        with tempfile.TemporaryDirectory() as tmp:
            try:
                p = subprocess.run([lutc, os.path.join(corpus, name), "-o", os.path.join(tmp, "m.so")],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=120)
            except subprocess.TimeoutExpired:
                failures.append("%s: timed out" % name)
                continue
        err = p.stderr.decode("utf-8", "replace")
        problems = []
        if p.returncode < 0 or p.returncode >= 128:
            problems.append("died (exit %d)" % p.returncode)
        elif p.returncode != rc_want:
            problems.append("exit %d, expected %d" % (p.returncode, rc_want))
        if "Stack dump" in err or "PLEASE submit" in err or "ERROR: AddressSanitizer" in err \
                or "runtime error:" in err:
            problems.append("crash report on stderr")
        if text and text not in err:
            problems.append("stderr lacks %r" % text)
        if problems:
            failures.append("%s: %s\n    stderr: %s" % (name, "; ".join(problems), err.strip()[:500]))
        else:
            print("ok %s: exit %d" % (name, p.returncode))
    for name in sorted(set(expected) - set(files)):
        failures.append("%s: listed in expected.txt but missing" % name)
    print("check_corpus.py: %d files, %d failures" % (len(files), len(failures)))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
