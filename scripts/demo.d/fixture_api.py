"""The fixture's control API (/_fixture/...) from Python's standard library only: curl may be
missing on a fresh machine, python3 never is (moto needs it).

    python3 fixture_api.py ENDPOINT METHOD PATH [JSON]    # prints the JSON answer

An HTTP error prints the fixture's {"error": ...} on stderr and exits 1.
"""

import json
import sys
import urllib.error
import urllib.request

# The fixture listens on 127.0.0.1: never send its calls through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FixtureError(RuntimeError):
    pass


def call(endpoint, method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(endpoint + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace").strip()
        raise FixtureError(f"{method} {path} answered {e.code}: {detail}") from None
    except urllib.error.URLError as e:
        raise FixtureError(f"{method} {path}: {e.reason}") from None


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    endpoint, method, path = argv[:3]
    body = json.loads(argv[3]) if len(argv) == 4 else None
    try:
        print(json.dumps(call(endpoint, method, path, body)))
    except FixtureError as e:
        print(f"fixture: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
