"""The DBOS Transact side of scripts/bench-dbos: the same workloads as the flow workflows beside it.

Run by scripts/bench-dbos with the venv's python, one process per measurement:

  seq        --steps N                one workflow of N sequential trivial steps
  concurrent --workflows W --steps N  W workflows of N steps, all started at once in this process
  crash      --steps N --id ID        the N-step workflow under a fixed id, printing "step I" on stdout
                                      after each step (the driver SIGKILLs this process half way)
  recover    --id ID                  launch DBOS, which recovers the pending workflow; wait for it

Every step is `@DBOS.step def step(i): return i`, every workflow `@DBOS.workflow` calling it.
The system database is SQLite at --db (a file on the same disk as flow's homes), in SQLite's
default journal mode (rollback journal, synchronous=FULL: each commit is synced), as DBOS sets
it up; --wal switches the file to journal_mode=WAL first (synchronous stays FULL, so each commit
still syncs the WAL file).

Prints one JSON line on stdout (after the "step I" lines in crash mode) with monotonic times
(time.monotonic(), CLOCK_MONOTONIC, the driver's clock too):
  t0 process start (before importing dbos), t_imported, t_launched (DBOS.launch() returned),
  t_begin / t_end around the measured work, and checks (results, step counts); in seq mode also
  cpu_seconds, the process's CPU time (all threads, user + system) during the workflow.
"""

import time

T0 = time.monotonic()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

from dbos import DBOS, DBOSConfig, SetWorkflowID  # noqa: E402

T_IMPORTED = time.monotonic()

PROGRESS = False


@DBOS.step()
def step(i: int) -> int:
    return i


@DBOS.workflow()
def steps_workflow(n: int) -> int:
    total = 0
    for i in range(1, n + 1):
        total += step(i)
        if PROGRESS:
            sys.stdout.write(f"step {i}\n")
            sys.stdout.flush()
    return total


def main() -> None:
    global PROGRESS
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["seq", "concurrent", "crash", "recover"])
    p.add_argument("--db", required=True, help="SQLite file of the system database")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--workflows", type=int, default=100)
    p.add_argument("--id", default="bench-wf")
    p.add_argument("--wal", action="store_true", help="journal_mode=WAL instead of SQLite's default")
    a = p.parse_args()

    if a.wal:
        # Persistent in the file: set before DBOS opens it.
        c = sqlite3.connect(a.db)
        mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        c.close()
        assert mode == "wal", mode
    logging.getLogger("dbos").setLevel(logging.WARNING)
    config: DBOSConfig = {
        "name": "flow-bench-dbos",
        "system_database_url": "sqlite:///" + os.path.abspath(a.db),
        "log_level": "WARNING",
        "run_admin_server": False,
        # A fixed version: recovery only picks up workflows of the same application version.
        "application_version": "bench-1",
    }
    DBOS(config=config)
    DBOS.launch()
    t_launched = time.monotonic()
    out = {"mode": a.mode, "t0": T0, "t_imported": T_IMPORTED, "t_launched": t_launched,
           "journal_mode": "wal" if a.wal else "delete"}

    if a.mode == "seq":
        cpu_begin, t_begin = time.process_time(), time.monotonic()
        result = steps_workflow(a.steps)
        t_end, cpu_end = time.monotonic(), time.process_time()
        out.update(t_begin=t_begin, t_end=t_end, result=result, expected=a.steps * (a.steps + 1) // 2,
                   cpu_seconds=cpu_end - cpu_begin)
    elif a.mode == "concurrent":
        t_begin = time.monotonic()
        handles = []
        for k in range(a.workflows):
            with SetWorkflowID(f"c-{k}"):
                handles.append(DBOS.start_workflow(steps_workflow, a.steps))
        results = [h.get_result() for h in handles]
        t_end = time.monotonic()
        ok = all(r == a.steps * (a.steps + 1) // 2 for r in results)
        out.update(t_begin=t_begin, t_end=t_end, result=len(results) if ok else -1, expected=a.workflows)
    elif a.mode == "crash":
        PROGRESS = True
        with SetWorkflowID(a.id):
            steps_workflow(a.steps)
        out.update(t_begin=t_launched, t_end=time.monotonic(), result="not killed")
    elif a.mode == "recover":
        # DBOS.launch() found the pending workflow and re-enqueued it; its queue runs it.
        handle = DBOS.retrieve_workflow(a.id)
        result = handle.get_result()
        t_end = time.monotonic()
        out.update(t_begin=t_launched, t_end=t_end, result=result, expected=a.steps * (a.steps + 1) // 2)
    out["steps_recorded"] = recorded_steps(a.db)
    DBOS.destroy()
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


def recorded_steps(db: str) -> int:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT count(*) FROM operation_outputs").fetchone()[0]
    finally:
        c.close()


if __name__ == "__main__":
    main()
