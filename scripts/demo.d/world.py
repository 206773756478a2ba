"""What the seed made, for people and for flow.

    python3 world.py explain SEED.json     # a short description of the blue/green world
    python3 world.py params SEED.json WAIT POLL > params.json   # the canary's --params file
"""

import json
import sys


def explain(seed):
    b, g = seed["blue"], seed["green"]
    kind = "alias A records to each ALB" if seed["record_type"] == "alias" else "CNAME records"
    lines = [
        f"  region          {seed['region']} (emulated by moto on 127.0.0.1; nothing leaves this machine)",
        f"  hosted zone     {seed['zone_name']} ({seed['zone_id']})",
        f"  record          {seed['record']}: two weighted {kind}",
        f"                    set 'blue'  -> {b['alb_dns']}  weight {b['weight']}",
        f"                    set 'green' -> {g['alb_dns']}  weight {g['weight']}",
        f"  ECS cluster     {seed['cluster']}: services 'blue' and 'green', "
        f"{len(g['task_arns'])} RUNNING tasks each",
        f"  target groups   'blue' ({len(b['targets'])} targets), 'green' ({len(g['targets'])} targets);"
        " their health follows the apps below",
        f"  alarm           {', '.join(seed['alarms'])} (green's 5xx count), state OK",
        f"  apps            blue  {b['url']}   (GET / answers 'blue')",
        f"                  green {g['url']}   (GET / answers 'green')",
    ]
    print("\n".join(lines))


def params(seed, wait, poll):
    # Short waits so the whole rollout takes seconds; a real one watches minutes per step.
    return {
        "zone": seed["zone_name"].rstrip("."),
        "record": seed["record"].rstrip("."),
        "cluster": seed["cluster"],
        "service": seed["green"]["service"],
        "target_group": seed["green"]["tg_name"],
        "health_url": seed["green"]["url"],
        "alarms": seed["alarms"],
        "wait": wait,
        "poll": poll,
        "task_timeout": 10.0,
    }


def main(argv):
    if len(argv) < 2 or argv[0] not in ("explain", "params"):
        sys.exit(__doc__)
    with open(argv[1]) as f:
        seed = json.load(f)
    if argv[0] == "explain":
        explain(seed)
    else:
        print(json.dumps(params(seed, float(argv[2]), float(argv[3])), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
