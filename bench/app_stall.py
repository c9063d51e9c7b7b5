"""The app of bench/cases/10-app-stall.sh: one session querying `users` every 100 ms, as an old replica does.

    python3 app_stall.py CONNINFO SECONDS OUT

Runs for SECONDS, then writes "max_ms p99_ms queries" of its queries' latencies to OUT. The interval counts
from each query's start, so a stalled query is not followed by a burst. Needs psycopg2 (Debian's
python3-psycopg2: run it with /usr/bin/python3).
"""
import sys
import time

import psycopg2


def main(conninfo, seconds, out):
    session = psycopg2.connect(conninfo)
    session.autocommit = True
    cursor = session.cursor()
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        cursor.execute("SELECT count(*) FROM users WHERE id < 100")
        cursor.fetchall()
        latencies.append((time.monotonic() - started) * 1000)
        time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))
    session.close()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    with open(out, "w") as f:
        f.write(f"{latencies[-1]:.1f} {p99:.1f} {len(latencies)}\n")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3])
