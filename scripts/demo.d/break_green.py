"""--fail: breaks green once the rollout has sent it PERCENT % of the traffic, the way a bad
release shows itself under real load.

    python3 break_green.py ENDPOINT REGION PERCENT

Watches the fixture's request log for an accepted Route53 change giving set 'green' PERCENT,
then makes the green app answer 500 (so its target group's health checks fail too: the fixture
links them) and sets the alarm green-5xx to ALARM. Gives up after 60 s.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_api import FixtureError, call  # noqa: E402


def green_reached(endpoint, percent):
    log = call(endpoint, "GET", "/_fixture/requests?service=route53&operation=ChangeResourceRecordSets")
    return any(ch.get("set_identifier") == "green" and ch.get("weight") == percent
               for req in log["requests"] if req.get("status") == 200 for ch in req.get("changes", []))


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    endpoint, region, percent = argv[0], argv[1], int(argv[2])
    deadline = time.monotonic() + 60
    try:
        while not green_reached(endpoint, percent):
            if time.monotonic() > deadline:
                print(f"demo: green never reached {percent} %; nothing broken", file=sys.stderr)
                return 1
            time.sleep(0.1)
        call(endpoint, "POST", "/_fixture/app", {"name": "green", "status": 500})
        call(endpoint, "POST", "/_fixture/alarm",
             {"name": "green-5xx", "state": "ALARM", "region": region, "reason": "demo --fail: green answers 500"})
    except FixtureError as e:
        print(f"demo: could not break green: {e}", file=sys.stderr)
        return 1
    print(f"\n>>> demo --fail: green now has {percent} % of the traffic; it starts answering 500 and its alarm"
          " green-5xx goes to ALARM\n", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
