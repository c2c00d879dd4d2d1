#!/usr/bin/env python3
"""Checks HLS C++ for constructs that Vitis HLS refuses or that break its
synthesis (docs/HLS.md, "What the emitter never writes"):

  - dynamic memory: malloc/calloc/realloc/free, new/delete, std::vector,
    alloca;
  - recursion (a cycle in the call graph of the file's functions);
  - Vivado-era `#pragma HLS resource`, and any pragma outside the current
    Vitis spelling the emitter uses;
  - ARRAY_PARTITION, ARRAY_RESHAPE or BIND_STORAGE on a function parameter
    (interface arrays take -storage_type on INTERFACE instead);
  - DATAFLOW in a function with more than one exit or with control flow
    (return, if, goto, break, continue, loops) in its body;
  - unbounded loops: while/do loops, goto, and for loops whose condition is
    not `<var> < <bound>`.

Usage: lint_hls.py DIR_OR_FILE...  (a folder: its kernel.cpp and kernel.h).
Prints one `file:line: message` per finding; exit status 1 when there is one.
"""
import os
import re
import sys

ALLOWED_PRAGMAS = {"INTERFACE", "PIPELINE", "UNROLL", "ARRAY_PARTITION", "ARRAY_RESHAPE",
                   "BIND_STORAGE", "DATAFLOW", "INLINE", "LOOP_TRIPCOUNT"}
DYNAMIC = re.compile(r"\b(malloc|calloc|realloc|free|alloca)\s*\(|\bnew\b|\bdelete\b|std::vector")
FUNC_DEF = re.compile(r"^(?:static\s+)?(?:inline\s+)?[\w:<>]+\s+(\w+)\s*\(([^)]*)\)\s*\{", re.M)
PRAGMA = re.compile(r"^\s*#\s*pragma\s+HLS\s+(\w+)(.*)$", re.I)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def functions(code):
    """(name, params, body start offset, body end offset) of each definition."""
    out = []
    for m in FUNC_DEF.finditer(code):
        depth, i = 0, m.end() - 1
        while i < len(code):
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        params = [p.strip().split("[")[0].split()[-1] for p in m.group(2).split(",") if p.strip()]
        out.append((m.group(1), params, m.end(), i))
    return out


def lint(path):
    findings = []
    raw = open(path, encoding="utf-8").read()
    code = strip_comments(raw)
    line_of = lambda off: code.count("\n", 0, off) + 1  # noqa: E731

    for m in DYNAMIC.finditer(code):
        findings.append((line_of(m.start()), f"dynamic memory ('{m.group(0).strip()}')"))
    for m in re.finditer(r"\b(while|goto)\b|\bdo\s*\{", code):
        findings.append((line_of(m.start()), f"unbounded control flow ('{m.group(0)}')"))
    for m in re.finditer(r"\bfor\s*\(([^;]*);([^;]*);", code):
        if not re.fullmatch(r"\s*\w+\s*(<|>)\s*[\w()+*/ -]+\s*", m.group(2)):
            findings.append((line_of(m.start()), f"loop without a constant bound ('{m.group(2).strip()}')"))
    for n, line in enumerate(code.splitlines(), 1):
        p = PRAGMA.match(line)
        if p:
            name = p.group(1).upper()
            if name == "RESOURCE":
                findings.append((n, "Vivado-era '#pragma HLS resource' (Vitis: BIND_STORAGE / BIND_OP)"))
            elif name not in ALLOWED_PRAGMAS:
                findings.append((n, f"'#pragma HLS {p.group(1)}' is not one the emitter may use"))

    funcs = functions(code)
    names = {f[0] for f in funcs}
    calls = {}
    for name, params, start, end in funcs:
        body = code[start:end]
        calls[name] = {c for c in re.findall(r"\b(\w+)\s*\(", body) if c in names}
        for p in re.finditer(r"#\s*pragma\s+HLS\s+(\w+)([^\n]*)", body, re.I):
            kind = p.group(1).upper()
            var = re.search(r"variable\s*=\s*(\w+)", p.group(2))
            if kind in ("ARRAY_PARTITION", "ARRAY_RESHAPE", "BIND_STORAGE") and var and var.group(1) in params:
                findings.append((line_of(start + p.start()),
                                 f"{kind} on interface array '{var.group(1)}' of {name}"))
        if re.search(r"#\s*pragma\s+HLS\s+DATAFLOW", body, re.I):
            statements = re.sub(r"#[^\n]*", lambda m: " " * len(m.group(0)), body)
            for c in re.finditer(r"\b(return|if|goto|break|continue|for|while|switch)\b", statements):
                findings.append((line_of(start + c.start()),
                                 f"DATAFLOW region {name} has control flow ('{c.group(0)}'): one exit only"))
    # Recursion: a cycle in the call graph.
    state = {}

    def visit(f, stack):
        state[f] = 1
        for g in sorted(calls.get(f, ())):
            if state.get(g) == 1:
                findings.append((0, "recursion: " + " -> ".join(stack + [f, g])))
            elif g not in state:
                visit(g, stack + [f])
        state[f] = 2

    for f in sorted(calls):
        if f not in state:
            visit(f, [])
    return [(path, n, msg) for n, msg in sorted(findings)]


def main(argv):
    if not argv:
        sys.exit(__doc__)
    files = []
    for a in argv:
        if os.path.isdir(a):
            files += [os.path.join(a, f) for f in ("kernel.cpp", "kernel.h") if os.path.exists(os.path.join(a, f))]
        else:
            files.append(a)
    if not files:
        sys.exit("lint_hls.py: no kernel.cpp or kernel.h found")
    findings = [f for path in files for f in lint(path)]
    for path, n, msg in findings:
        print(f"{path}:{n}: {msg}")
    print(f"lint_hls.py: {len(files)} file(s), {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
