#!/usr/bin/env bash
# Sets up, builds and runs every test: lit (dialect, importer, transforms,
# driver, bad input, execution), GoogleTest, Python bindings, ONNX node-test
# conformance, the end-to-end PyTorch model tests and the ViT main job; then
# all of them but the Python-module ones again under ASan+UBSan, unless
# LUT_SKIP_SANITIZERS=1.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh"
start=$(date +%s)
"$ROOT/scripts/build.sh" "$ROOT/build"
echo "build: $(( $(date +%s) - start )) s"
start=$(date +%s)
# ctest -j2 runs two tests at once on two cores: one thread per model
# (tests of threads set LUT_NUM_THREADS themselves).
export LUT_NUM_THREADS="${LUT_NUM_THREADS:-1}"
ctest --test-dir "$ROOT/build" --output-on-failure -j2
echo "tests: $(( $(date +%s) - start )) s"
# The lutmlir pytest summary (ctest python.pytest), for the log.
# (pytest -q ends with "N passed[, M skipped] in S.SSs"; other tests' "N passed, M failed" lines have no time.)
echo "pytest (python.pytest): $(grep -aE '^[0-9]+ passed.* in [0-9.]+s' "$ROOT/build/Testing/Temporary/LastTest.log" | tail -1)"
if [ "${LUT_SKIP_SANITIZERS:-0}" != 1 ]; then
  start=$(date +%s)
  LUT_SANITIZE=1 "$ROOT/scripts/build.sh" "$ROOT/build-asan"
  # Everything but the tests that import the Python module (an ASan-built
  # extension cannot load into the uninstrumented interpreter) and the HLS
  # node-test sweep (the same emitter runs under ASan in lit and the fuzz
  # regression corpus; the sweep would add a quarter of an hour). Leak checking
  # is off: LLVM's and protobuf's global singletons are reported as leaks at
  # exit. Everything else (ASan, UBSan) is fatal.
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$ROOT/build-asan" --output-on-failure -j2 -E '^(python|vit-main-job|hls-node-tests)'
  echo "sanitizer build+tests: $(( $(date +%s) - start )) s"
fi
