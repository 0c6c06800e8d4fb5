"""Summarise gcov data of a --coverage build: line coverage per source file and the functions never run.

    python tools/coverage_report.py BUILD_DIR SOURCE_DIR

Runs ``gcov --json-format`` on every .gcda under BUILD_DIR and reports the
files under SOURCE_DIR (headers included, merged over translation units).
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import subprocess
import sys
import tempfile


def main(build: str, source: str) -> None:
    source = os.path.abspath(source)
    lines: dict[str, dict[int, int]] = collections.defaultdict(dict)
    functions: dict[tuple[str, str], int] = collections.defaultdict(int)
    gcdas = [os.path.abspath(os.path.join(d, f)) for d, _, fs in os.walk(build) for f in fs if f.endswith(".gcda")]
    with tempfile.TemporaryDirectory() as out:
        for gcda in gcdas:
            subprocess.run(["gcov", "--json-format", "--demangled-names", "-o", os.path.dirname(gcda), gcda],
                           cwd=out, check=True, capture_output=True)
            for name in os.listdir(out):
                with gzip.open(os.path.join(out, name)) as fh:
                    data = json.load(fh)
                os.remove(os.path.join(out, name))
                for f in data["files"]:
                    path = os.path.abspath(os.path.join(data.get("current_working_directory", ""), f["file"]))
                    if not path.startswith(source):
                        continue
                    rel = os.path.relpath(path, os.path.dirname(source))
                    for line in f["lines"]:
                        n = line["line_number"]
                        lines[rel][n] = lines[rel].get(n, 0) + line["count"]
                    for fn in f["functions"]:
                        functions[(rel, fn["demangled_name"])] += fn["execution_count"]
    total_hit = total = 0
    print(f"{'file':48} {'lines':>7} {'hit':>7} {'cover':>6}")
    for rel in sorted(lines):
        hit = sum(1 for c in lines[rel].values() if c > 0)
        total_hit, total = total_hit + hit, total + len(lines[rel])
        print(f"{rel:48} {len(lines[rel]):7} {hit:7} {100 * hit / max(1, len(lines[rel])):5.1f}%")
    print(f"{'total':48} {total:7} {total_hit:7} {100 * total_hit / max(1, total):5.1f}%")
    never = sorted((rel, fn) for (rel, fn), count in functions.items() if count == 0)
    print(f"\nfunctions never executed ({len(never)}):")
    for rel, fn in never:
        print(f"  {rel}: {fn}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
