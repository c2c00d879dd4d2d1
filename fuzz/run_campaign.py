#!/usr/bin/python3
"""Run a fuzz campaign on lut-onnx-fuzzer: structured mutants, then libFuzzer.

Usage: run_campaign.py --fuzzer BIN --work DIR [--seconds S] [--mutants N]
                       [--rounds R] [--jobs J] [--lutc LUTC] [--seed K]

1. Seeds: every ONNX node test of libonnx-testdata, the models under
   examples/ and test/bad-input/Inputs/, and the regression corpus.
2. In each of R rounds (default 1): mutate_onnx.py writes N structured
   mutants of the seeds (with a new random seed per round), the fuzzer runs
   each once, then libFuzzer mutates the whole corpus (seeds + mutants + what
   it finds) for S/R seconds with -jobs=J workers. With --lutc, every
   structured mutant is also compiled by that (release) lutc, which must
   exit 0, 1 or 3 and never die by a signal.
3. Prints the executions, the coverage (libFuzzer's "cov" and "ft") and
   any crash, timeout, leak or out-of-memory artifact it left in
   DIR/artifacts/; exits 1 if there is one (a finding), else 0.

A finding is fixed, then its artifact is copied into
fuzz/corpus/regression/ (with its expected outcome in expected.txt) so that
the test suite runs it on every build.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NODE_TESTS = "/usr/share/libonnx-testdata/data/node"


def collect_seeds(dest):
    os.makedirs(dest, exist_ok=True)
    n = 0
    sources = glob.glob(os.path.join(NODE_TESTS, "*", "model.onnx"))
    sources += glob.glob(os.path.join(ROOT, "examples", "**", "*.onnx"), recursive=True)
    sources += glob.glob(os.path.join(ROOT, "test", "bad-input", "Inputs", "*.onnx"))
    sources += glob.glob(os.path.join(HERE, "corpus", "regression", "*.onnx"))
    for src in sorted(sources):
        if os.path.getsize(src) > (1 << 20):
            continue  # large models make slow seeds; the examples' small ones suffice
        tag = os.path.basename(os.path.dirname(src)) + "-" + os.path.basename(src)
        shutil.copyfile(src, os.path.join(dest, tag))
        n += 1
    return n


def run_lutc(lutc, files, work):
    """Compiles each file with the release lutc; returns the ones that died."""
    bad = []
    out = os.path.join(work, "lutc-out.so")
    for f in files:
        try:
            p = subprocess.run([lutc, f, "-o", out, "--memory-limit=64M"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        except subprocess.TimeoutExpired:
            bad.append((f, "timeout"))
            continue
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode not in (0, 1, 3) or "Stack dump" in err or "PLEASE submit" in err:
            bad.append((f, "exit %d" % p.returncode))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fuzzer", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--mutants", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--lutc", help="also compile every structured mutant with this lutc")
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    args = ap.parse_args()

    work = os.path.abspath(args.work)
    corpus = os.path.join(work, "corpus")
    artifacts = os.path.join(work, "artifacts") + "/"
    data = os.path.join(work, "data")
    for d in (corpus, artifacts, data):
        os.makedirs(d, exist_ok=True)
    # Files that fuzzed external-data locations may name.
    with open(os.path.join(data, "data.bin"), "wb") as f:
        f.write(bytes(range(256)) * 16)
    os.makedirs(os.path.join(data, "adir"), exist_ok=True)
    seeds = collect_seeds(os.path.join(work, "seeds"))
    print("run_campaign.py: %d seed models, random seed %d" % (seeds, args.seed), flush=True)

    env = dict(os.environ, LUT_FUZZ_DATA_DIR=data)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    total_runs, cov, ft = 0, 0, 0
    lutc_bad = []
    per_round = max(1, args.seconds // args.rounds)
    for rnd in range(args.rounds):
        mutants = os.path.join(work, "mutants-%d" % rnd)
        subprocess.run([sys.executable, os.path.join(HERE, "mutate_onnx.py"), "--out", mutants,
                        "--count", str(args.mutants), "--seed", str(args.seed + rnd),
                        os.path.join(work, "seeds")], check=True)
        if args.lutc:
            files = sorted(glob.glob(os.path.join(mutants, "*.onnx")))
            lutc_bad += run_lutc(args.lutc, files, work)
            print("run_campaign.py: round %d: %d mutants compiled by %s, %d died"
                  % (rnd, len(files), args.lutc, len(lutc_bad)), flush=True)
        cmd = [args.fuzzer, corpus, os.path.join(work, "seeds"), mutants,
               "-max_total_time=%d" % per_round, "-timeout=30", "-rss_limit_mb=4096",
               "-max_len=65536", "-print_final_stats=1", "-artifact_prefix=" + artifacts,
               "-seed=%d" % (args.seed + rnd)]
        if args.jobs > 1:
            cmd += ["-fork=%d" % args.jobs, "-ignore_crashes=1", "-ignore_timeouts=1",
                    "-ignore_ooms=1"]
        print("run_campaign.py: round %d: %s" % (rnd, " ".join(cmd)), flush=True)
        # libFuzzer's status lines ("pulse", "INITED", "DONE", reports) are
        # shown as they come; everything goes to DIR/fuzz-<round>.log.
        lines = []
        with open(os.path.join(work, "fuzz-%d.log" % rnd), "w") as logf:
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, errors="replace")
            for line in p.stdout:
                logf.write(line)
                lines.append(line)
                if re.search(r"pulse|INITED|DONE|ERROR|SUMMARY|deadly|Timeout|out-of-memory", line):
                    print("  " + line.rstrip(), flush=True)
            p.wait()
        log = "".join(lines)
        m = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
        total_runs += int(m[-1]) if m else 0
        c = re.findall(r"cov: (\d+) ft: (\d+)", log)
        if c:
            cov, ft = max(cov, int(c[-1][0])), max(ft, int(c[-1][1]))
        if p.returncode != 0 and args.jobs == 1:
            print(log[-4000:])
            break

    found = sorted(f for f in os.listdir(artifacts)
                   if f.startswith(("crash-", "timeout-", "leak-", "oom-")))
    print("run_campaign.py: %d executions, coverage cov=%d ft=%d, %d artifacts, %d lutc deaths"
          % (total_runs, cov, ft, len(found), len(lutc_bad)))
    for f in found:
        print("  finding: " + os.path.join(artifacts, f))
    for f, why in lutc_bad:
        print("  lutc %s: %s" % (why, f))
    return 1 if found or lutc_bad else 0


if __name__ == "__main__":
    sys.exit(main())
