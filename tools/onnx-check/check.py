#!/usr/bin/python3
"""Runs the ONNX checker over every .onnx file in a folder (recursively).

Each file must pass onnx.checker.check_model(model, full_check=True), which also runs strict shape
inference, so wrong shapes, unknown ops, bad attributes and broken subgraphs fail here. Prints one line
per failure and a count; exits 1 if any file fails, 2 on bad usage or an empty folder, 0 otherwise.

The test suite writes every model it exports to $UNFOLD_ONNX_EXPORT_DIR when that is set; CI runs:

    UNFOLD_ONNX_EXPORT_DIR=/tmp/unfold-onnx npx vitest run packages/onnx
    /usr/bin/python3 tools/onnx-check/check.py /tmp/unfold-onnx

Use Debian's /usr/bin/python3 with python3-onnx (onnx 1.12, which validates IR <= 8, opset <= 17);
the pyenv python3 on PATH cannot import apt packages.
"""
import os
import sys

import onnx


def onnx_files(folder):
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".onnx"):
                yield os.path.join(root, name)


def check(path):
    """None when the file passes, else the checker's message (first line)."""
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker raises several exception types; report them all the same way
        lines = str(error).strip().splitlines() or [type(error).__name__]
        return f"{type(error).__name__}: {lines[0]}"
    return None


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: /usr/bin/python3 tools/onnx-check/check.py FOLDER  (a folder holding .onnx files)", file=sys.stderr)
        return 2
    files = list(onnx_files(argv[1]))
    if not files:
        print(f"onnx-check: no .onnx files in {argv[1]}; run the tests with UNFOLD_ONNX_EXPORT_DIR set first", file=sys.stderr)
        return 2
    failures = [(path, message) for path in files for message in [check(path)] if message]
    for path, message in failures:
        print(f"FAIL {os.path.relpath(path, argv[1])}: {message}")
    print(f"onnx-check (onnx {onnx.__version__}): {len(files) - len(failures)} of {len(files)} models pass check_model(full_check=True)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
