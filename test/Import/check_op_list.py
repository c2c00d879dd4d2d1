"""Checks that the README's list of supported operators is the importer's op
table: the {"Op", handler, min, max} entries of lib/Target/ONNX/Ops/*.cpp,
with the first opset in parentheses when it is not 7, and 17 as the last.
The lutmlir domain's table (Ops/LutmlirOps.cpp) is separate: each of its
operators must be named in the README's importer section.

Usage: /usr/bin/python3 check_op_list.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

root = sys.argv[1]
table, lutmlir = {}, []
entry = re.compile(r'^\s*\{"(\w+)",.*,\s*(\d+),\s*(\d+)\},\s*$', re.M)
for path in glob.glob(os.path.join(root, "lib/Target/ONNX/Ops/*.cpp")):
    found = entry.findall(open(path).read())
    if os.path.basename(path) == "LutmlirOps.cpp":
        lutmlir += [op for op, _, _ in found]
        continue
    for op, lo, hi in found:
        table[op] = (int(lo), int(hi))
readme = open(os.path.join(root, "README.md")).read()
m = re.search(r"Supported operators \(in opsets 7–17, from the opset given "
              r"otherwise\): (.*?)\. Anything else", readme, re.S)
if not m:
    sys.exit("README.md: no 'Supported operators (...): ... Anything else' paragraph")
listed = {}
for item in m.group(1).split(","):
    name, first = re.fullmatch(r"\s*(\w+)(?:\s*\((\d+|inference)\))?\s*", item).groups()
    listed[name] = (int(first) if first and first.isdigit() else 7, 17)
problems = []
importer = readme[readme.index("## The importer"):]
for op in lutmlir:
    if "`%s`" % op not in importer[:2000]:
        problems.append("lutmlir domain operator %s is not named in the README's importer section" % op)
if list(listed) != sorted(listed):
    problems.append("the README list is not sorted")
for op in sorted(set(table) | set(listed)):
    if op not in listed:
        problems.append("%s is in the op table but not in the README" % op)
    elif op not in table:
        problems.append("%s is in the README but not in the op table" % op)
    elif table[op] != listed[op]:
        problems.append("%s: opsets %s in the op table, %s in the README"
                        % (op, table[op], listed[op]))
if problems:
    sys.exit("\n".join(problems))
print("%d supported operators" % len(table))
