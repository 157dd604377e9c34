#!/usr/bin/env python3
# Reads meson's testlog.json and prints "N passed, N failed, N skipped" over
# the test cases that the test programs reported in TAP. Exits 1 if any test
# case or test program failed.

import json
import re
import sys

passed = failed = skipped = 0
failed_programs = []

with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        result = json.loads(line)
        cases_failed = 0
        cases = 0
        for out in (result.get("stdout") or "").splitlines():
            if re.match(r"^ok \d+", out):
                cases += 1
                if re.search(r"#\s*SKIP", out, re.IGNORECASE):
                    skipped += 1
                else:
                    passed += 1
            elif re.match(r"^not ok \d+", out):
                cases += 1
                if re.search(r"#\s*TODO", out, re.IGNORECASE):
                    passed += 1
                else:
                    cases_failed += 1
            elif re.match(r"^1\.\.0\b.*SKIP", out, re.IGNORECASE):
                skipped += 1
        program_ok = result.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
        if not program_ok:
            failed_programs.append(result.get("name", "?"))
            cases_failed = max(cases_failed, 1)
        elif cases == 0 and result.get("result") == "OK":
            # A plain test program (no TAP): one case.
            passed += 1
        failed += cases_failed

if failed_programs:
    print("failed: " + ", ".join(failed_programs))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
