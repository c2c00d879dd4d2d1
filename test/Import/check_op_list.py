"""Checks that the README's list of supported operators is the importer's op
table: the {"Op", handler, min, max} entries of lib/Target/ONNX/Ops/*.cpp,
with the first opset in parentheses when it is not 7, and 17 as the last.

Usage: /usr/bin/python3 check_op_list.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

root = sys.argv[1]
table = {}
for path in glob.glob(os.path.join(root, "lib/Target/ONNX/Ops/*.cpp")):
    for op, lo, hi in re.findall(r'^\s*\{"(\w+)",.*,\s*(\d+),\s*(\d+)\},\s*$',
                                 open(path).read(), re.M):
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
