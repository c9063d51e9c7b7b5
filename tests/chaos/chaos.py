#!/usr/bin/env python3
"""Chaos run: pgentry instances migrating while they are killed, stopped, cut off and their server restarted.

Each round, on a private PostgreSQL cluster (so that restarting it disturbs no one):

  1. a fresh database and 2-5 generated migrations of varying length (pg_sleep 0-2 s, 2-4 steps, each
     step creating a table and inserting a marker row into chaos_effects); about one in five is a
     `transaction:false` section (idempotent statements, as the contract asks of them);
  2. 1-4 pgentry instances (--mode=migrate-only or --mode=run -- true, one lock mode per round), and
     0-4 faults at random times: SIGKILL or SIGTERM to a live pgentry (an orchestrator then often starts
     a replacement), pg_terminate_backend of pgentry sessions (application_name LIKE 'pgentry@%'),
     pg_ctl restart -m fast;
  3. the invariant checker, once every pgentry has exited:
       - every recorded version has all of its effects (tables and marker rows, exactly once for a
         transactional migration, at least once for a transaction:false one);
       - no transactional migration left effects without its record;
       - an instance that exited 0 left nothing pending;
       - exit codes are among those a fault explains (0, 69, 70, 128+9, 128+15), SIGTERM is obeyed
         within 5 s, nothing hangs;
       - within 10 s of the last exit no pgentry session is left (client_connection_check_interval) and
         no lock on schema_migrations or advisory lock is held;
  4. a clean run (no faults) converges: migrate-only exits 0, verify exits 0, every migration is
     recorded with its effects exactly once (at least once for transaction:false).

With --cold-start, each round is a cold-start wave instead (issue 8, items 5 and 6): the server is stopped,
--replicas (30) migrate-only instances are started together, and once every one of them has logged that it
waits for the database the server is started under them, with max_connections=12 (9 slots for their role,
which is no superuser, while each instance needs 2 to migrate). The only faults are SIGKILL and SIGTERM to
live instances (no replacements); every instance that was not killed must exit 0, besides the invariants
above.

With --pooler, every pgentry connects through a PgBouncer (pool_mode=transaction, default_pool_size=3) in
front of the cluster and every round uses --lock=table (--lock=advisory is refused there with 64); the
checker still talks to the server directly, and counts only non-idle pgentry sessions as left over (the
pooler keeps idle server connections, named after their last client).

Besides the invariants (whose breaches are the violations), the run measures exclusion: every migration
first takes an advisory key of the checker's own; when that has to wait, two sessions were applying
migrations at the same time. Such an overlap is counted, explained in a WARNING that pgentry logs at
--log-level=debug (who held the key), and then waited out, so the probe changes nothing else.

The schedule of a round (migrations, instances, faults, their times and targets) is drawn from
random.Random(f"{seed}:{round}") before the round starts, so any round can be replayed alone with
--round N; what a fault hits still depends on timing.

Usage: tests/chaos/chaos.sh [--seed 20261125] [--rounds 100] [--round N] [--build build] [--keep] [--pooler]
                            [--cold-start [--replicas 30]]
Environment: CHAOS_SEED, CHAOS_ROUNDS, BUILD_DIR, CHAOS_REPORT (a JSON summary is written there).
Needs: PostgreSQL server programs (initdb, pg_ctl; PG_CONFIG or /usr/lib/postgresql/*/bin), psql;
as root the server runs as user postgres (runuser); pgbouncer for --pooler.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import glob
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SEED = 20261125
EXCLUSION_KEY = 20261125  # the checker's advisory key; pgentry's own keys are derived from SHA-256
SETTLE_SECONDS = 10.0     # pgentry sets client_connection_check_interval = 2 s; pg_sleep lasts at most 2 s
SIGTERM_GRACE = 5.0
ROUND_DEADLINE = 120.0
ALLOWED_EXITS = {0, 69, 70, 128 + signal.SIGKILL, 128 + signal.SIGTERM}
FAULT_WEIGHTS = {"sigkill": 3, "sigterm": 3, "terminate": 3, "restart": 1}
COLD_START_FAULTS = {"sigkill", "sigterm"}  # deliberate kills; every other instance must exit 0
COLD_START_MAX_CONNECTIONS = 12             # 3 reserved for superusers: 9 slots for COLD_START_ROLE
COLD_START_ROLE = "chaos_app"
WAITING_DEADLINE = 20.0                     # for every cold-start replica to log that it waits


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the private cluster ---------------------------------------------------------------------------------


def server_bindir() -> Path:
    candidates = []
    if os.environ.get("PG_CONFIG"):
        candidates.append(Path(os.environ["PG_CONFIG"]).parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise SystemExit("chaos: initdb and pg_ctl not found (set PG_CONFIG)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment() -> dict[str, str]:
    """The environment of psql and pgentry: nothing that points elsewhere (PG*, PGENTRY_*, DATABASE_URL*)."""
    return {
        name: value
        for name, value in os.environ.items()
        if not (name.startswith("PG") or name.startswith("DATABASE_URL"))
    }


class Cluster:
    def __init__(self, workdir: Path, max_connections: int = 100):
        self.dir = workdir / "cluster"
        self.max_connections = max_connections
        self.dir.mkdir()
        self.data = self.dir / "data"
        self.bindir = server_bindir()
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.dir, postgres.pw_uid, postgres.pw_gid)
            os.chmod(workdir, 0o755)
        self.restarts = 0
        self._run_server_program(
            ["initdb", f"--pgdata={self.data}", "--auth=trust", "--username=postgres", "--no-sync",
             "--no-instructions"])

    def _server_argv(self, argv: list[str]) -> list[str]:
        argv = [str(self.bindir / argv[0])] + argv[1:]
        return ["runuser", "-u", "postgres", "--"] + argv if self.as_root else argv

    def _run_server_program(self, argv: list[str], timeout: float = 120) -> None:
        result = subprocess.run(self._server_argv(argv), env=clean_environment(), capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stdout}{result.stderr}")

    def pg_ctl_argv(self, *args: str) -> list[str]:
        return self._server_argv(["pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.dir / "server.log"),
                                  *args])

    def _start_args(self) -> list[str]:
        return ["-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                      f"-c max_connections={self.max_connections} -c log_min_messages=warning", "start"]

    def start(self) -> None:
        self._run_server_program(["pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l",
                                  str(self.dir / "server.log"), *self._start_args()])

    def start_in_background(self) -> subprocess.Popen:
        return subprocess.Popen(self.pg_ctl_argv(*self._start_args()), env=clean_environment(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart_in_background(self) -> subprocess.Popen:
        self.restarts += 1
        return subprocess.Popen(self.pg_ctl_argv("-m", "fast", "restart"), env=clean_environment(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        subprocess.run(self.pg_ctl_argv("-m", "immediate", "stop"), env=clean_environment(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str, timeout: float = 20) -> list[list[str]]:
        env = clean_environment()
        env["PGCONNECT_TIMEOUT"] = "5"
        result = subprocess.run(
            ["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
             str(self.port), "-U", "postgres", "-d", database, "-c", sql],
            env=env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"psql: {sql[:80]}: {result.stderr.strip()}")
        return [line.split("\t") for line in result.stdout.splitlines()]

    def wait_until_accepting(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            try:
                self.psql("postgres", "SELECT 1", timeout=5)
                return True
            except (RuntimeError, subprocess.TimeoutExpired):
                time.sleep(0.2)
        return False


class Pooler:
    """A PgBouncer in transaction pooling in front of the cluster (trust, as the cluster)."""

    def __init__(self, workdir: Path, cluster: Cluster):
        self.dir = workdir / "pgbouncer"
        self.dir.mkdir()
        self.port = free_port()
        (self.dir / "users.txt").write_text('"postgres" ""\n')
        ini = (f"[databases]\n* = host=127.0.0.1 port={cluster.port}\n"
               f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
               f"auth_type = trust\nauth_file = {self.dir / 'users.txt'}\npool_mode = transaction\n"
               "default_pool_size = 3\nmax_client_conn = 200\nignore_startup_parameters = extra_float_digits\n")
        if os.geteuid() == 0:
            ini += "user = postgres\n"  # pgbouncer refuses to run as root otherwise
            postgres = pwd.getpwnam("postgres")
            for path in (self.dir, self.dir / "users.txt"):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
        (self.dir / "pgbouncer.ini").write_text(ini)
        self.log = open(self.dir / "pgbouncer.log", "wb")
        self.process = subprocess.Popen(["pgbouncer", str(self.dir / "pgbouncer.ini")], stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"pgbouncer did not start, see {self.dir / 'pgbouncer.log'}")
                time.sleep(0.05)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


# --- a round's plan ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Migration:
    version: int
    transactional: bool
    steps: int
    sleep: float
    sleep_after: int

    def file_name(self) -> str:
        return f"{self.version}_chaos_{self.version}.sql"

    def tables(self) -> list[str]:
        return [f"chaos_m{self.version}_s{step}" for step in range(1, self.steps + 1)]

    def body(self) -> str:
        lines = ["-- migrate:up" + ("" if self.transactional else " transaction:false")]
        if self.transactional:
            # Held until COMMIT or ROLLBACK: exactly the migration's critical section.
            lines.append(f"SELECT chaos_exclusive_xact({self.version});")
        else:
            lines.append(f"SELECT chaos_exclusive_enter({self.version});")
        for step, table in enumerate(self.tables(), start=1):
            if_not_exists = "" if self.transactional else "IF NOT EXISTS "
            lines.append(f"CREATE TABLE {if_not_exists}{table} (id int);")
            lines.append(f"INSERT INTO chaos_effects (version, step) VALUES ({self.version}, {step});")
            if step == self.sleep_after and self.sleep > 0:
                lines.append(f"SELECT pg_sleep({self.sleep:.2f});")
        if not self.transactional:
            lines.append("SELECT chaos_exclusive_leave();")
        return "\n".join(lines) + "\n"


@dataclasses.dataclass
class Fault:
    at: float
    kind: str
    pick: float            # which target, as a fraction of the candidates alive at that time
    all_sessions: bool     # terminate: every pgentry session rather than one
    replace: bool          # sigkill/sigterm: an orchestrator starts a replacement
    replace_after: float


@dataclasses.dataclass
class Plan:
    lock: str
    migrations: list[Migration]
    starts: list[tuple[float, str]]   # (delay, mode) of the first instances
    faults: list[Fault]


def draw_plan(seed: int, round_number: int, restarts: bool) -> Plan:
    rng = random.Random(f"{seed}:{round_number}")
    lock = rng.choice(["table", "advisory"])
    migrations = []
    for index in range(rng.randint(2, 5)):
        steps = rng.randint(2, 4)
        migrations.append(Migration(
            version=round_number * 100 + index + 1,
            transactional=rng.random() >= 0.2,
            steps=steps,
            sleep=round(rng.choice([0.0, rng.uniform(0, 2), rng.uniform(0, 2)]), 2),
            sleep_after=rng.randint(1, steps)))
    starts = [(rng.uniform(0, 0.5), rng.choice(["migrate-only", "run"])) for _ in range(rng.randint(1, 4))]
    horizon = min(1.0 + sum(m.sleep for m in migrations), 6.0)
    kinds = [k for k in FAULT_WEIGHTS if restarts or k != "restart"]
    faults = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        faults.append(Fault(
            at=rng.uniform(0.05, horizon),
            kind=rng.choices(kinds, weights=[FAULT_WEIGHTS[k] for k in kinds])[0],
            pick=rng.random(),
            all_sessions=rng.random() < 0.3,
            replace=rng.random() < 0.6,
            replace_after=rng.uniform(0, 1)))
    faults.sort(key=lambda fault: fault.at)
    return Plan(lock, migrations, starts, faults)


# --- running a round ---------------------------------------------------------------------------------

# The exclusion probe every migration calls first. Taking the checker's advisory key must never have to wait:
# if it does, another session is applying a migration at the same time. The probe then counts the overlap in a
# sequence (nextval survives the rollback of a failed migration), tells who holds the key in a WARNING (pgentry
# logs server notices at --log-level=debug), and waits its turn, so that it changes nothing else.
CHECKER_SCHEMA = f"""
CREATE TABLE chaos_effects (version bigint NOT NULL, step int NOT NULL, at timestamptz DEFAULT clock_timestamp());
CREATE SEQUENCE chaos_overlaps;
CREATE FUNCTION chaos_holder() RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(format('pid %s (%s, %s since %s)', a.pid, a.application_name, a.state,
                                    to_char(a.xact_start, 'HH24:MI:SS.MS')), ', '), 'gone')
  FROM pg_locks l JOIN pg_stat_activity a USING (pid)
  WHERE l.locktype = 'advisory' AND l.granted AND l.objid = {EXCLUSION_KEY} AND l.pid <> pg_backend_pid()
$$;
CREATE FUNCTION chaos_exclusive_xact(v bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock({EXCLUSION_KEY}) THEN
    PERFORM nextval('chaos_overlaps');
    RAISE WARNING 'CHAOS-OVERLAP at %: migration % started while another session was applying one: %',
      to_char(clock_timestamp(), 'HH24:MI:SS.MS'), v, chaos_holder();
    PERFORM pg_advisory_xact_lock({EXCLUSION_KEY});
  END IF;
END $$;
CREATE FUNCTION chaos_exclusive_enter(v bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_lock({EXCLUSION_KEY}) THEN
    PERFORM nextval('chaos_overlaps');
    RAISE WARNING 'CHAOS-OVERLAP at %: migration % started while another session was applying one: %',
      to_char(clock_timestamp(), 'HH24:MI:SS.MS'), v, chaos_holder();
    PERFORM pg_advisory_lock({EXCLUSION_KEY});
  END IF;
END $$;
CREATE FUNCTION chaos_exclusive_leave() RETURNS void LANGUAGE sql AS $$ SELECT pg_advisory_unlock({EXCLUSION_KEY}) $$;
"""


@dataclasses.dataclass
class Instance:
    number: int
    mode: str
    process: subprocess.Popen
    stderr_path: Path
    started: float
    signalled: str | None = None
    sigterm_at: float | None = None
    exit_code: int | None = None


class Round:
    def __init__(self, chaos: "Chaos", number: int, plan: Plan):
        self.chaos = chaos
        self.cluster = chaos.cluster
        self.number = number
        # Session advisory locks cannot work through transaction pooling (pgentry refuses them with 64).
        self.plan = dataclasses.replace(plan, lock="table") if chaos.pooler else plan
        if chaos.cold_start:
            # The same drawn migrations; every replica starts at once, and only deliberate kills remain.
            self.plan = dataclasses.replace(
                self.plan, starts=[(0.0, "migrate-only")] * chaos.replicas,
                faults=[dataclasses.replace(f, replace=False) for f in plan.faults if f.kind in COLD_START_FAULTS])
        self.database = f"chaos_r{number}"
        self.dir = chaos.workdir / f"round-{number}"
        self.migrations_dir = self.dir / "migrations"
        self.instances: list[Instance] = []
        self.violations: list[str] = []
        self.faults_fired: collections.Counter[str] = collections.Counter()
        self.restart: subprocess.Popen | None = None
        self.overlaps = 0
        self.overlap_notes: list[str] = []

    def violation(self, text: str) -> None:
        self.violations.append(f"round {self.number}: {text}")
        log(f"VIOLATION round {self.number}: {text}")

    def pgentry_argv(self, mode: str) -> list[str]:
        url = self.chaos.pooler.url(self.database) if self.chaos.pooler else self.cluster.url(self.database,
                                                                                                 self.chaos.user)
        argv = [str(self.chaos.pgentry), f"--mode={mode}", f"--database-url={url}",
                f"--migrations-dir={self.migrations_dir}", f"--lock={self.plan.lock}", "--wait-timeout=30s",
                "--log-level=debug"]
        return argv + (["--", "true"] if mode == "run" else [])

    def start_instance(self, mode: str) -> None:
        number = len(self.instances) + 1
        stderr_path = self.dir / f"pgentry-{number}.log"
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(self.pgentry_argv(mode), env=clean_environment(), stdin=subprocess.DEVNULL,
                                       stdout=stderr, stderr=stderr, start_new_session=True)
        self.instances.append(Instance(number, mode, process, stderr_path, time.monotonic()))

    def live(self) -> list[Instance]:
        return [i for i in self.instances if i.exit_code is None]

    def reap(self) -> None:
        now = time.monotonic()
        for instance in self.live():
            code = instance.process.poll()
            if code is not None:
                instance.exit_code = 128 - code if code < 0 else code
            elif instance.sigterm_at is not None and now - instance.sigterm_at > SIGTERM_GRACE:
                self.violation(f"pgentry {instance.number} still runs {SIGTERM_GRACE:.0f} s after SIGTERM")
                instance.sigterm_at = None  # reported once
        if self.restart is not None and self.restart.poll() is not None:
            if self.restart.returncode != 0:
                raise RuntimeError(f"pg_ctl restart failed with {self.restart.returncode}")
            self.restart = None

    def pgentry_sessions(self) -> list[int]:
        rows = self.cluster.psql(
            self.database, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND application_name LIKE 'pgentry@%' ORDER BY pid", timeout=5)
        return [int(row[0]) for row in rows]

    def fire(self, fault: Fault, events: list) -> None:
        if fault.kind in ("sigkill", "sigterm"):
            candidates = self.live()
            if not candidates:
                self.faults_fired["missed"] += 1
                return
            target = candidates[min(int(fault.pick * len(candidates)), len(candidates) - 1)]
            signo = signal.SIGKILL if fault.kind == "sigkill" else signal.SIGTERM
            try:
                os.kill(target.process.pid, signo)
            except ProcessLookupError:
                self.faults_fired["missed"] += 1
                return
            target.signalled = fault.kind
            if signo == signal.SIGTERM:
                target.sigterm_at = time.monotonic()
            self.faults_fired[fault.kind] += 1
            if fault.replace:
                events.append((time.monotonic() + fault.replace_after, "start", "migrate-only"))
        elif fault.kind == "terminate":
            try:
                sessions = self.pgentry_sessions()
                if not sessions:
                    self.faults_fired["missed"] += 1
                    return
                chosen = sessions if fault.all_sessions else [
                    sessions[min(int(fault.pick * len(sessions)), len(sessions) - 1)]]
                self.cluster.psql(self.database, "SELECT pg_terminate_backend(pid) FROM unnest(ARRAY[" +
                                  ",".join(map(str, chosen)) + "]::int[]) AS pid", timeout=5)
                self.faults_fired["terminate"] += 1
                self.faults_fired["terminated sessions"] += len(chosen)
            except (RuntimeError, subprocess.TimeoutExpired):
                self.faults_fired["missed"] += 1  # the server is restarting
        elif fault.kind == "restart":
            if self.restart is not None:
                self.faults_fired["missed"] += 1
                return
            self.restart = self.cluster.restart_in_background()
            self.faults_fired["restart"] += 1

    def run(self) -> dict:
        started = time.monotonic()
        self.migrations_dir.mkdir(parents=True)
        self.cluster.psql("postgres", f"CREATE DATABASE {self.database} OWNER {self.chaos.user}")
        self.cluster.psql(self.database, f"SET ROLE {self.chaos.user};" + CHECKER_SCHEMA)
        for migration in self.plan.migrations:
            (self.migrations_dir / migration.file_name()).write_text(migration.body())

        starts = self.plan.starts
        if self.chaos.cold_start:
            self.start_under_waiting_replicas()
            starts = []
        begin = time.monotonic()
        events: list[tuple[float, str, object]] = [(begin + delay, "start", mode) for delay, mode in starts]
        events += [(begin + fault.at, "fault", fault) for fault in self.plan.faults]
        deadline = begin + ROUND_DEADLINE
        while True:
            now = time.monotonic()
            events.sort(key=lambda event: event[0])
            while events and events[0][0] <= now:
                _, kind, payload = events.pop(0)
                if kind == "start":
                    self.start_instance(payload)
                else:
                    self.fire(payload, events)
            self.reap()
            if not events and not self.live() and self.restart is None:
                break
            if now > deadline:
                for instance in self.live():
                    self.violation(f"pgentry {instance.number} ({instance.mode}) hung: killed after "
                                   f"{ROUND_DEADLINE:.0f} s")
                    instance.process.kill()
                    instance.process.wait()
                    instance.exit_code = 128 + signal.SIGKILL
                if self.restart is not None:
                    self.restart.wait()
                    self.restart = None
                events.clear()
                break
            time.sleep(0.02)

        if not self.cluster.wait_until_accepting(time.monotonic() + 60):
            raise RuntimeError("the private cluster does not accept connections after the round")
        self.check_exits()
        self.check_settled()
        self.check_effects(after_clean_run=False)
        clean = self.clean_run()
        if clean:
            self.check_effects(after_clean_run=True)
        self.overlaps = int(self.cluster.psql(
            self.database, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM chaos_overlaps")[0][0])
        for note in self.overlap_notes:
            log(f"round {self.number}: {note}")
        try:
            self.cluster.psql("postgres", f"DROP DATABASE {self.database} WITH (FORCE)")
        except RuntimeError as error:
            log(f"round {self.number}: could not drop {self.database}: {error}")
        if not self.violations and not self.overlaps and not self.chaos.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return {
            "round": self.number,
            "lock": self.plan.lock,
            "migrations": len(self.plan.migrations),
            "non_transactional": sum(not m.transactional for m in self.plan.migrations),
            "instances": len(self.instances),
            "faults": dict(self.faults_fired),
            "exit_codes": [i.exit_code for i in self.instances],
            "violations": self.violations,
            "overlaps": self.overlaps,
            "overlap_fault_kinds": sorted(k for k in self.faults_fired if k in FAULT_WEIGHTS) if self.overlaps else [],
            "seconds": round(time.monotonic() - started, 1),
        }

    def start_under_waiting_replicas(self) -> None:
        """The cold-start wave: the server stops, every replica starts, and once each one has logged that it
        waits for the database the server starts under them (the round's loop waits for pg_ctl)."""
        self.cluster.stop()
        for _, mode in self.plan.starts:
            self.start_instance(mode)
        deadline = time.monotonic() + WAITING_DEADLINE
        while not all("waiting for database" in i.stderr_path.read_text(errors="replace") for i in self.instances):
            if time.monotonic() > deadline:
                raise RuntimeError(f"round {self.number}: not every replica logged that it waits for the database")
            time.sleep(0.05)
        self.restart = self.cluster.start_in_background()

    # --- the invariant checker ---

    def check_exits(self) -> None:
        for instance in self.instances:
            text = instance.stderr_path.read_text(errors="replace")
            for line in text.splitlines():
                if "CHAOS-OVERLAP" in line:
                    self.overlap_notes.append(f"pgentry {instance.number}: {line[line.index('CHAOS-OVERLAP'):]}")
            if instance.exit_code not in ALLOWED_EXITS:
                self.violation(f"pgentry {instance.number} ({instance.mode}) exited {instance.exit_code}: "
                               f"{last_lines(text)}")
            if instance.signalled == "sigterm" and instance.exit_code == 128 + signal.SIGKILL:
                self.violation(f"pgentry {instance.number} died of SIGKILL after a SIGTERM only")
            if self.chaos.cold_start and instance.exit_code != 0 and instance.signalled is None:
                self.violation(f"pgentry {instance.number} was not killed but exited {instance.exit_code}: "
                               f"{last_lines(text)}")

    def check_settled(self) -> None:
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            sessions, locks = self.leftovers()
            if not sessions and not locks:
                return
            if time.monotonic() > deadline:
                self.violation(f"{SETTLE_SECONDS:.0f} s after the last pgentry exited: sessions {sessions}, "
                               f"locks {locks}")
                return
            time.sleep(0.2)

    def leftovers(self) -> tuple[list[list[str]], list[list[str]]]:
        sessions = self.cluster.psql(
            self.database,
            "SELECT pid, state, left(query, 60) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'pgentry@%'" + (" AND state <> 'idle'" if self.chaos.pooler else ""))
        locks = self.cluster.psql(
            self.database,
            "SELECT pid, locktype, mode, granted FROM pg_locks WHERE pid <> pg_backend_pid() AND ("
            " (locktype = 'relation' AND relation = to_regclass('schema_migrations'))"
            " OR (locktype = 'advisory' AND database = (SELECT oid FROM pg_database "
            "     WHERE datname = current_database())))")
        return sessions, locks

    def check_effects(self, after_clean_run: bool) -> None:
        has_table = self.cluster.psql(self.database, "SELECT to_regclass('schema_migrations') IS NOT NULL")
        recorded = set()
        if has_table == [["t"]]:
            recorded = {int(row[0]) for row in self.cluster.psql(self.database, "SELECT version FROM schema_migrations")}
        tables = {row[0] for row in self.cluster.psql(
            self.database, "SELECT relname FROM pg_class WHERE relname LIKE 'chaos\\_m%' AND relkind = 'r'")}
        effects = collections.Counter()
        for version, step, count in self.cluster.psql(
                self.database, "SELECT version, step, count(*) FROM chaos_effects GROUP BY 1, 2"):
            effects[(int(version), int(step))] = int(count)
        when = "after the clean run" if after_clean_run else "after the faults"
        known = {m.version for m in self.plan.migrations}
        for stray in sorted(recorded - known):
            self.violation(f"{when}: version {stray} recorded without a file")
        for migration in self.plan.migrations:
            v = migration.version
            counts = [effects[(v, step)] for step in range(1, migration.steps + 1)]
            present = [t in tables for t in migration.tables()]
            if v in recorded:
                if not all(present):
                    self.violation(f"{when}: {v} is recorded but tables {migration.tables()} exist: {present}")
                if migration.transactional and counts != [1] * migration.steps:
                    self.violation(f"{when}: {v} is recorded, its marker rows per step are {counts} (want 1 each)")
                if not migration.transactional and min(counts) < 1:
                    self.violation(f"{when}: {v} (transaction:false) is recorded, marker rows per step {counts}")
            else:
                if after_clean_run:
                    self.violation(f"{when}: {v} is not recorded")
                if migration.transactional and (any(present) or any(counts)):
                    self.violation(f"{when}: {v} is not recorded but left effects: tables {present}, "
                                   f"marker rows {counts}")
        if not after_clean_run and any(i.exit_code == 0 for i in self.instances):
            missing = sorted(known - recorded)
            if missing:
                self.violation(f"an instance exited 0 but {missing} are not recorded")

    def clean_run(self) -> bool:
        for mode in ("migrate-only", "verify"):
            argv = self.pgentry_argv(mode)
            try:
                result = subprocess.run(argv, env=clean_environment(), capture_output=True, text=True, timeout=90)
            except subprocess.TimeoutExpired:
                self.violation(f"the clean {mode} run did not finish in 90 s")
                return False
            if result.returncode != 0:
                self.violation(f"the clean {mode} run exited {result.returncode}: {last_lines(result.stderr)}")
                return False
        self.check_settled()
        return True


def last_lines(text: str, count: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-count:])


# --- the run -----------------------------------------------------------------------------------------


class Chaos:
    def __init__(self, args: argparse.Namespace):
        build = Path(args.build).resolve()
        self.pgentry = build / "pgentry"
        if not os.access(self.pgentry, os.X_OK):
            raise SystemExit(f"chaos: {self.pgentry} not found: build first or pass --build / BUILD_DIR")
        if shutil.which("psql") is None:
            raise SystemExit("chaos: psql not found")
        self.seed = args.seed
        self.keep = args.keep
        self.restarts = not args.no_restarts
        self.workdir = Path(tempfile.mkdtemp(prefix="pgentry-chaos-"))
        self.cold_start = args.cold_start
        self.replicas = args.replicas
        self.user = COLD_START_ROLE if self.cold_start else "postgres"
        self.cluster = Cluster(self.workdir, COLD_START_MAX_CONNECTIONS if self.cold_start else 100)
        self.use_pooler = args.pooler
        self.pooler: Pooler | None = None

    def run(self, rounds: list[int]) -> dict:
        started = time.monotonic()
        self.cluster.start()
        if self.cold_start:
            self.cluster.psql("postgres", f"CREATE ROLE {COLD_START_ROLE} LOGIN")
        results = []
        try:
            if self.use_pooler:
                self.pooler = Pooler(self.workdir, self.cluster)
            for number in rounds:
                plan = draw_plan(self.seed, number, self.restarts)
                result = Round(self, number, plan).run()
                results.append(result)
                faults = ", ".join(f"{k} {v}" for k, v in sorted(result["faults"].items())) or "none"
                log(f"round {number}: {result['migrations']} migrations ({result['non_transactional']} "
                    f"transaction:false), lock={result['lock']}, {result['instances']} instances, faults: {faults}; "
                    f"exits {result['exit_codes']}; violations {len(result['violations'])}, overlaps {result['overlaps']} "
                    f"({result['seconds']} s)")
        finally:
            if self.pooler:
                self.pooler.stop()
            self.cluster.stop()
        faults = collections.Counter()
        exits = collections.Counter()
        for result in results:
            faults.update(result["faults"])
            exits.update(str(code) for code in result["exit_codes"])
        violations = [v for result in results for v in result["violations"]]
        overlap_rounds = [r for r in results if r["overlaps"]]
        summary = {
            "seed": self.seed,
            "rounds": len(results),
            "violations": len(violations),
            "violation_list": violations,
            "exclusion_overlaps": sum(r["overlaps"] for r in results),
            "overlap_rounds": [{"round": r["round"], "lock": r["lock"], "overlaps": r["overlaps"],
                                "faults": r["overlap_fault_kinds"]} for r in overlap_rounds],
            "faults": dict(sorted(faults.items())),
            "server_restarts": self.cluster.restarts,
            "instances": sum(r["instances"] for r in results),
            "exit_codes": dict(sorted(exits.items(), key=lambda item: int(item[0]))),
            "migrations": sum(r["migrations"] for r in results),
            "non_transactional_migrations": sum(r["non_transactional"] for r in results),
            "locks": dict(collections.Counter(r["lock"] for r in results)),
            "seconds": round(time.monotonic() - started),
            "pooler": "pgbouncer transaction pooling" if self.use_pooler else None,
            "cold_start": f"{self.replicas} replicas, max_connections={COLD_START_MAX_CONNECTIONS}"
                          if self.cold_start else None,
            "pgentry": str(self.pgentry),
            "workdir_kept": str(self.workdir) if (violations or overlap_rounds or self.keep) else None,
        }
        if not violations and not overlap_rounds and not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", DEFAULT_SEED)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("CHAOS_ROUNDS", 100)))
    parser.add_argument("--round", type=int, action="append", help="replay only this round (repeatable)")
    parser.add_argument("--build", default=os.environ.get("BUILD_DIR",
                                                          str(Path(__file__).resolve().parents[2] / "build")))
    parser.add_argument("--keep", action="store_true", help="keep the work directory and every round's logs")
    parser.add_argument("--no-restarts", action="store_true", help="never restart the server")
    parser.add_argument("--pooler", action="store_true",
                        help="connect pgentry through PgBouncer in transaction pooling (--lock=table)")
    parser.add_argument("--cold-start", action="store_true",
                        help="each round: the server started under --replicas waiting migrate-only instances")
    parser.add_argument("--replicas", type=int, default=30, help="instances per cold-start wave (default 30)")
    args = parser.parse_args()
    if args.cold_start and args.pooler:
        parser.error("--cold-start and --pooler are separate runs")
    rounds = args.round or list(range(1, args.rounds + 1))

    chaos = Chaos(args)
    log(f"seed {args.seed}, {len(rounds)} rounds, {chaos.pgentry}, private cluster on port {chaos.cluster.port}")
    summary = chaos.run(rounds)

    print(f"chaos summary: seed {summary['seed']}, {summary['rounds']} rounds, {summary['violations']} invariant "
          f"violations, {summary['seconds']} s")
    print(f"  faults injected: {', '.join(f'{k} {v}' for k, v in summary['faults'].items()) or 'none'}")
    print(f"  pgentry instances: {summary['instances']}, exit codes: {summary['exit_codes']}")
    print(f"  migrations: {summary['migrations']} ({summary['non_transactional_migrations']} transaction:false), "
          f"locks: {summary['locks']}")
    print(f"  exclusion overlaps (a migration started while another session was still applying one): "
          f"{summary['exclusion_overlaps']} in {len(summary['overlap_rounds'])} rounds")
    for entry in summary["overlap_rounds"]:
        print(f"    round {entry['round']} (lock={entry['lock']}): {entry['overlaps']}, "
              f"faults that round: {', '.join(entry['faults'])}")
    for violation in summary["violation_list"]:
        print(f"  VIOLATION {violation}")
    if summary["workdir_kept"]:
        print(f"  logs kept in {summary['workdir_kept']}")
    mode = "--cold-start " if args.cold_start else "--pooler " if args.pooler else ""
    replay = f"tests/chaos/chaos.sh {mode}--seed {summary['seed']} " + (
        " ".join(f"--round {n}" for n in args.round) if args.round else f"--rounds {summary['rounds']}")
    print(f"  reproduce: {replay}")
    if os.environ.get("CHAOS_REPORT"):
        Path(os.environ["CHAOS_REPORT"]).write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["violations"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
