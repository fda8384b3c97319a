"""Checks compiler/import/OnnxOpVersions.def against the op schemas of the
installed ONNX library: for every op of the table, its versions up to the
newest opset that library knows must be exactly the schemas' since-versions
(a later opset's versions are checked where cnnc is tested at that opset,
against ONNX Runtime)."""
import re
import sys

import onnx.defs


def main():
    table = {}
    with open(sys.argv[1]) as f:
        for m in re.finditer(r"^ONNX_OP\((\w+), ([0-9, ]+)\)$", f.read(), re.M):
            versions = [int(v) for v in m.group(2).split(",")]
            if m.group(1) in table or versions != sorted(set(versions)):
                print(f"{m.group(1)}: listed twice or versions not ascending")
                return 1
            table[m.group(1)] = versions
    known = onnx.defs.onnx_opset_version()
    schemas = {}
    for s in onnx.defs.get_all_schemas_with_history():
        if s.domain in ("", "ai.onnx"):
            schemas.setdefault(s.name, set()).add(s.since_version)
    bad = 0
    for op, versions in sorted(table.items()):
        listed = [v for v in versions if v <= known]
        defined = sorted(v for v in schemas.get(op, ()) if v <= known)
        if listed != defined:
            print(f"{op}: table {listed}, ONNX {onnx.__version__} {defined}")
            bad += 1
    print(f"{len(table)} ops, versions to opset {known}: {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
