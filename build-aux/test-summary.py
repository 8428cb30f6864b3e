#!/usr/bin/env python3
"""Adds up meson's testlog.json files and prints 'N passed, N failed[, N skipped]'.

Exits non-zero when any test failed, timed out or errored, or when no test ran at all."""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                result = json.loads(line)["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    print(f"failed: {json.loads(line)['name']} ({result})")
    except FileNotFoundError:
        print(f"missing test log: {path}")
        failed += 1

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
