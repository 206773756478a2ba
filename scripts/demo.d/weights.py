"""The record's weights as flow changed them, read back from the fixture's request log (every
Route53 ChangeResourceRecordSets flow sent, oldest first; the seed's own calls are not logged).

    python3 weights.py ENDPOINT SEED.json [--expect blue=100,green=0]

Prints one line per accepted change and the weights at the end; with --expect, exits 1 when the
final weights differ.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_api import FixtureError, call  # noqa: E402


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--expect"):
        sys.exit(__doc__)
    endpoint, seed_file = argv[:2]
    with open(seed_file) as f:
        seed = json.load(f)
    record = seed["record"]
    weights = {"blue": seed["blue"]["weight"], "green": seed["green"]["weight"]}
    try:
        log = call(endpoint, "GET", "/_fixture/requests?service=route53&operation=ChangeResourceRecordSets")
    except FixtureError as e:
        print(f"fixture: {e}", file=sys.stderr)
        return 2

    print(f"  seeded            blue {weights['blue']:3}  green {weights['green']:3}")
    for i, req in enumerate(log["requests"], 1):
        if req.get("status") != 200:  # rejected or faulted: Route53 applied nothing
            print(f"  change {i}: rejected ({req.get('error') or req.get('fault') or req.get('status')})")
            continue
        for ch in req.get("changes", []):
            if ch.get("name") == record and ch.get("set_identifier") in weights and ch["action"] == "UPSERT":
                weights[ch["set_identifier"]] = ch["weight"]
        print(f"  change {i} {req['change_id']}: blue {weights['blue']:3}  green {weights['green']:3}")
    final = f"blue={weights['blue']},green={weights['green']}"
    print(f"  final             blue {weights['blue']:3}  green {weights['green']:3}")

    if len(argv) == 4 and final != argv[3]:
        print(f"expected {argv[3]}, found {final}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
