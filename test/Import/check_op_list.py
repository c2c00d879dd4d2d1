"""Checks that the README's list of supported operators is the importer's op
table: the {"Op", handler, min, max} entries of lib/Target/ONNX/Ops/*.cpp.

Usage: /usr/bin/python3 check_op_list.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

root = sys.argv[1]
table = set()
for path in glob.glob(os.path.join(root, "lib/Target/ONNX/Ops/*.cpp")):
    text = open(path).read()
    table |= set(re.findall(r'^\s*\{"(\w+)",.*,\s*\d+,\s*\d+\},\s*$', text, re.M))
readme = open(os.path.join(root, "README.md")).read()
m = re.search(r"Supported operators: (.*?)\. Anything else", readme, re.S)
if not m:
    sys.exit("README.md: no 'Supported operators: ... Anything else' paragraph")
listed = [re.sub(r"\s*\(.*\)", "", s).strip() for s in m.group(1).split(",")]
problems = []
if listed != sorted(listed):
    problems.append("the README list is not sorted")
for op in sorted(table - set(listed)):
    problems.append("%s is in the op table but not in the README" % op)
for op in sorted(set(listed) - table):
    problems.append("%s is in the README but not in the op table" % op)
if problems:
    sys.exit("\n".join(problems))
print("%d supported operators" % len(table))
