#!/usr/bin/env python3
"""Check a published ansinh ledger export with nothing but Python's standard library.

Usage: python3 verify_ledger.py so-cai.jsonl[.gz]

Each line is one journal entry as JSON. For every entry the script recomputes
SHA-256 over the canonical form (keys sorted, no spaces, UTF-8; amounts in integer đồng;
"previous_hash" = the hash of the entry before, 64 zeros for the first) and checks that the
entry balances (postings sum to zero), that its "hash" matches, and that no entry is missing.
Exit code 0: the chain holds; 1: the first broken entry is named.
"""

import gzip
import hashlib
import json
import sys

FIELDS = ("seq", "occurred_on", "recorded_at", "description", "reference", "postings")


def main(path):
    opener = gzip.open if path.endswith(".gz") else open
    previous, expected, count = "0" * 64, None, 0
    with opener(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            entry = json.loads(line)
            count += 1
            seq = entry["seq"]
            problem = None
            if expected is not None and seq != expected:
                problem = f"missing entry #{expected}"
            elif entry["previous_hash"] != previous:
                problem = "previous_hash does not match the entry before"
            elif sum(amount for _account, amount in entry["postings"]) != 0:
                problem = "entry does not balance"
            else:
                body = {name: entry[name] for name in FIELDS}
                body["previous_hash"] = previous
                canonical = json.dumps(
                    body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                )
                digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
                if digest != entry["hash"]:
                    problem = "content changed (hash does not match)"
            if problem:
                print(f"BROKEN at entry #{seq}: {problem}")
                return 1
            previous, expected = entry["hash"], seq + 1
    print(f"OK: {count} entries; last hash {previous}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
