#!/usr/bin/env python3
"""Pools the raw measurements of bench/run.sh and writes docs/benchmarks.md.

    report.py hyperfine NAME OUT.json --command LABEL=CMDLINE ... RAW.json...   pool hyperfine rounds
    report.py samples NAME OUT.json SAMPLES.txt                                 pool "LABEL METRIC VALUE" lines
    report.py skipped NAME OUT.json                                             a benchmark that could not run
    report.py render RESULTS_DIR OUT.md [--quick=0|1] [--have-pgentry=0|1] [--pgentry=P] [--dbmate=P] [--psql=P]

A result file keeps every value ({"rows": {label: {metric: [values]}}}); medians, p90 and ratios
are computed when rendering, so ratios always compare numbers of the same run.
"""
import datetime
import json
import os
import platform
import random
import statistics
import subprocess
import sys


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def save(path, bench, rows, commands=None, skipped=False):
    with open(path, "w") as out:
        json.dump({"bench": bench, "measured_at": now(), "rows": rows, "commands": commands or {},
                   "skipped": skipped}, out, indent=1)


def pool_hyperfine(args):
    name, out, rest = args[0], args[1], args[2:]
    commands, raws = {}, []
    i = 0
    while i < len(rest):
        if rest[i] == "--command":
            label, _, line = rest[i + 1].partition("=")
            commands[label] = line
            i += 2
        else:
            raws.append(rest[i])
            i += 1
    rows = {}
    for raw in raws:
        with open(raw) as f:
            for result in json.load(f)["results"]:
                rows.setdefault(result["command"], {}).setdefault("time_s", []).extend(result["times"])
    save(out, name, rows, commands)


def pool_samples(args):
    name, out, path = args
    rows = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            label, metric, value = parts
            try:
                number = float(value)
            except ValueError:
                continue
            rows.setdefault(label.replace("~", " "), {}).setdefault(metric, []).append(number)
    save(out, name, rows)


# --- statistics -----------------------------------------------------------------------------------

def median(values):
    return statistics.median(values) if values else None


def p90(values):
    if not values:
        return None
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}×"


def ratio_ci(a, b, resamples=2000):
    """95% bootstrap interval of median(a) / median(b): how far the noise of this run could move it."""
    if len(a) < 5 or len(b) < 5:
        return None
    rng = random.Random(20240705)
    ratios = sorted(statistics.median(rng.choices(a, k=len(a))) / statistics.median(rng.choices(b, k=len(b)))
                    for _ in range(resamples))
    return ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]


def fmt_ci(ci):
    return "" if ci is None else f" ({ci[0]:.2f}–{ci[1]:.2f})"


def verdict(ok, ci=None, limit=None):
    """PASS/FAIL on the medians; "within noise" when the ratio's 95% interval straddles the limit."""
    if ok is None:
        return "not run"
    text = "**PASS**" if ok else "**FAIL**"
    if ci is not None and limit is not None and ci[0] <= limit <= ci[1]:
        text += " (within noise)"
    return text


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- rendering ------------------------------------------------------------------------------------

class Report:
    def __init__(self, results_dir, options):
        self.results_dir = results_dir
        self.options = options
        self.summary = []  # (benchmark, target, result, verdict)
        self.sections = []

    def load(self, name):
        path = os.path.join(self.results_dir, name + ".json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def values(self, result, label, metric):
        if not result or result.get("skipped"):
            return []
        return result["rows"].get(label, {}).get(metric, [])

    def add(self, title, how, body, result, summary):
        when = f"Measured {result['measured_at']}." if result else "Not measured yet (run `bench/run.sh`)."
        self.sections.append(f"## {title}\n\n{how}\n\n{when}\n\n{body}\n")
        self.summary.extend(summary)

    def not_built(self):
        return "" if self.options.get("have-pgentry") == "1" else \
            "\n\npgentry rows: not run, pgentry/pgentry-init did not build (see bench/results/build.log)."

    # 1 and 2: hyperfine tables against a psql baseline.
    def versus_psql(self, name, title, how, baseline, target):
        result = self.load(name)
        labels = [baseline, "pgentry", "dbmate"]
        base = median(self.values(result, baseline, "time_s"))
        rows = []
        base_times = self.values(result, baseline, "time_s")
        for label in labels:
            times = self.values(result, label, "time_s")
            ci = ratio_ci(times, base_times) if label != baseline else None
            rows.append([f"`{label}`", len(times), fmt(ms(median(times))), fmt(ms(p90(times))),
                         fmt_ratio(ratio(median(times), base)) + fmt_ci(ci) if times else "not run"])
        pgentry = ratio(median(self.values(result, "pgentry", "time_s")), base)
        ci = ratio_ci(self.values(result, "pgentry", "time_s"), base_times)
        ok = None if pgentry is None else pgentry <= target
        body = table(["command", "runs", "median ms", "p90 ms", f"× {baseline} (95% CI)"], rows)
        body += f"\n\nTarget: pgentry ≤ {target}× `{baseline}` → {verdict(ok, ci, target)}" + self.not_built()
        body += commands_block(result)
        self.add(title, how, body, result,
                 [(title, f"≤ {target}× {baseline}", fmt_ratio(pgentry) + fmt_ci(ci), verdict(ok, ci, target))])

    def wait(self):
        title = "3. Wait: server ready → waiter exits"
        how = ("A private cluster (initdb as postgres, `log_line_prefix='%n '`: epoch in ms) is started "
               "0.2–0.6 s (random) after the waiter, so the server comes up at a random phase of the waiter's "
               "poll interval. Delay = waiter's exit (bash `$EPOCHREALTIME` after `wait`) − the log line "
               "\"database system is ready to accept connections\". Tools alternate round by round. "
               "dbmate `wait` uses its default 1 s interval; the `pg_isready` shell loop (0.1 s sleep) is "
               "the usual wait-for-it script, for reference.")
        result = self.load("wait")
        rows = []
        for label in ["pgentry", "dbmate", "pg_isready loop"]:
            delays = self.values(result, label, "delay_ms")
            rows.append([f"`{label}`", len(delays), fmt(median(delays)), fmt(p90(delays)),
                         fmt(min(delays) if delays else None), fmt(max(delays) if delays else None)])
        pgentry = median(self.values(result, "pgentry", "delay_ms"))
        ok = None if pgentry is None else pgentry <= 100
        body = table(["waiter", "rounds", "median ms", "p90 ms", "min ms", "max ms"], rows)
        body += f"\n\nTarget: pgentry median ≤ 100 ms → {verdict(ok)}" + self.not_built()
        self.add(title, how, body, result, [(title, "median ≤ 100 ms", fmt(pgentry) + " ms" if pgentry else "–",
                                             verdict(ok))])

    def replicas(self):
        title = "4. 16 replicas at once, 1 pending migration"
        how = ("`bench/replicas.sh N pgentry --mode=migrate-only --lock=L …` starts N copies at once and "
               "waits for all (wall time of the whole, hyperfine). The database has 200 applied migrations "
               "and the directory one more; hyperfine's `--prepare` un-applies it before every run (drops "
               "its table, deletes its row). A second application would fail (the table exists), so every "
               "run exiting 0 also shows it ran exactly once. The no-op rows (nothing pending, no lock "
               "taken) show what 16 processes cost on this 2-core machine by themselves.")
        result = self.load("replicas")
        rows, summary = [], []
        noop_many = median(self.values(result, "no-op x16", "time_s"))
        for lock in ["table", "advisory", "no-op"]:
            one = self.values(result, f"{lock} x1", "time_s")
            many = self.values(result, f"{lock} x16", "time_s")
            r, ci = ratio(median(many), median(one)), ratio_ci(many, one)
            target = lock != "no-op"
            ok = None if r is None else r <= 1.5
            rows.append([f"`--lock={lock}`" if target else "no-op (reference)", len(one), fmt(ms(median(one))),
                         fmt(ms(median(many))), fmt(ms(p90(many))), fmt_ratio(r) + fmt_ci(ci),
                         fmt_ratio(ratio(median(many), noop_many)), verdict(ok, ci, 1.5) if target else ""])
            if target:
                summary.append((f"{title} (`--lock={lock}`)", "≤ 1.5× one replica", fmt_ratio(r) + fmt_ci(ci),
                                verdict(ok, ci, 1.5)))
        body = table(["lock", "runs", "1 replica median ms", "16 replicas median ms", "16 replicas p90 ms",
                      "16 ÷ 1 (95% CI)", "16 ÷ 16 no-op", "target: 16 ÷ 1 ≤ 1.5×"], rows)
        body += ("\n\n\"16 ÷ 16 no-op\" divides by 16 replicas that find nothing pending and take no lock: "
                 "what the lock and the waiting add on top of starting 16 processes (each logs in with "
                 "SCRAM) on 2 cores.")
        if result and result.get("skipped"):
            body += "\n\nNot run: pgentry did not build."
        body += commands_block(result)
        self.add(title, how, body, result, summary)

    def memory(self):
        title = "5. Memory of PID 1 while it supervises `sleep 60`"
        how = ("`unshare --pid --fork --mount-proc INIT /bin/sleep 60`; once the sleep runs (so for "
               "`pgentry --mode=launch-only` PID 1 is pgentry-init, after its exec), VmRSS from "
               "/proc/PID/status and Pss from /proc/PID/smaps_rollup of PID 1. Inits interleaved per round; "
               "medians over the rounds.")
        result = self.load("memory")
        tini = {m: median(self.values(result, "tini", m)) for m in ("vmrss_kb", "pss_kb")}
        rows, summary = [], []
        for label in INITS:
            values = {m: median(self.values(result, label, m)) for m in tini}
            ratios = {m: ratio(values[m], tini[m]) for m in tini}
            marks = {m: "" for m in tini}
            if label.startswith("pgentry"):
                for m, name in (("vmrss_kb", "VmRSS"), ("pss_kb", "Pss")):
                    ok = None if ratios[m] is None else ratios[m] <= 1.5
                    marks[m] = verdict(ok)
                    summary.append((f"{title} ({label}, {name})", "≤ 1.5× tini", fmt_ratio(ratios[m]), verdict(ok)))
            rows.append([f"`{label}`", len(self.values(result, label, "vmrss_kb")),
                         fmt(values["vmrss_kb"], 0), fmt_ratio(ratios["vmrss_kb"]), marks["vmrss_kb"],
                         fmt(values["pss_kb"], 0), fmt_ratio(ratios["pss_kb"]), marks["pss_kb"]])
        body = table(["init", "rounds", "VmRSS kB", "× tini", "target ≤ 1.5×", "Pss kB", "× tini", "target ≤ 1.5×"],
                     rows)
        body += ("\n\nReading Pss: it divides every shared page among the processes that map it. tini and "
                 "dumb-init are dynamically linked, so most of their resident pages are libc's, shared with "
                 "every other process on this host, and count for little; catatonit and pgentry-init are "
                 "static, so their Pss is their RSS. In a container, where only a handful of processes map "
                 "the image's libc, a dynamic init's Pss comes close to its RSS. VmRSS compares what each "
                 "init keeps resident.")
        self.add(title, how, body + self.not_built(), result, summary)

    def overhead(self):
        title = "6. Wrapper overhead: `INIT -- /bin/true` vs bare `/bin/true`"
        how = ("hyperfine -N over `unshare --pid --fork --mount-proc [INIT --] /bin/true` (the namespace "
               "cost is in every row), several interleaved rounds, runs pooled. Ratio = median ÷ bare median.")
        result = self.load("overhead")
        bare_times = self.values(result, "bare", "time_s")
        tini_times = self.values(result, "tini", "time_s")
        bare = median(bare_times)
        tini = ratio(median(tini_times), bare)
        rows, summary = [], []
        for label in ["bare"] + INITS:
            times = self.values(result, label, "time_s")
            r = ratio(median(times), bare)
            mark = ""
            if label.startswith("pgentry"):
                # Same bare run on both sides: "ratio ≤ tini's" is "median ≤ tini's median".
                ci = ratio_ci(times, tini_times)
                ok = None if r is None or tini is None else r <= tini
                mark = verdict(ok, ci, 1.0)
                summary.append((f"{title} ({label})", "ratio ≤ tini's",
                                f"{fmt_ratio(r)} vs {fmt_ratio(tini)}; {label} ÷ tini "
                                f"{fmt_ratio(ratio(median(times), median(tini_times)))}{fmt_ci(ci)}", mark))
            rows.append([f"`{label}`", len(times), fmt(ms(median(times)), 2), fmt(ms(p90(times)), 2),
                         fmt_ratio(r) + (fmt_ci(ratio_ci(times, bare_times)) if label != "bare" else ""), mark])
        body = table(["init", "runs", "median ms", "p90 ms", "× bare (95% CI)", "target ≤ tini's ratio"], rows)
        self.add(title, how, body + self.not_built() + commands_block(result), result, summary)

    def sigterm(self):
        title = "7. SIGTERM forwarding latency"
        how = ("`bench/signal_latency.cpp` (g++ -O2): per sample a fresh `unshare --pid --fork --mount-proc "
               "INIT -- signal_latency --child`; the child installs a SIGTERM handler and says ready on its "
               "stdout (a pipe); after 5 ms (the init back asleep) the driver takes CLOCK_MONOTONIC and "
               "kill(PID 1, SIGTERM)s; the handler's first act is to take CLOCK_MONOTONIC and write it back. "
               "Inits interleaved per round. `bare` is the child itself as PID 1 with the handler: the "
               "kernel's floor. A sample is lost when no handler ran within 3 s.")
        result = self.load("sigterm")
        tini_lat = self.values(result, "tini", "latency_us")
        tini = median(tini_lat)
        rows, summary = [], []
        for label in ["bare"] + INITS:
            lat = self.values(result, label, "latency_us")
            lost = len(self.values(result, label, "lost"))
            r = ratio(median(lat), tini)
            ci = ratio_ci(lat, tini_lat) if label != "tini" else None
            mark = ""
            if label.startswith("pgentry"):
                ok = None if r is None else (median(lat) <= tini and lost == 0)
                mark = verdict(ok, ci, 1.0)
                summary.append((f"{title} ({label})", "median ≤ tini",
                                f"{fmt(median(lat))} vs {fmt(tini)} µs: {fmt_ratio(r)}{fmt_ci(ci)}", mark))
            rows.append([f"`{label}`", len(lat), lost, fmt(median(lat)), fmt(p90(lat)), fmt_ratio(r) + fmt_ci(ci),
                         mark])
        body = table(["init", "samples", "lost", "median µs", "p90 µs", "× tini (95% CI)", "target ≤ tini"], rows)
        self.add(title, how, body + self.not_built(), result, summary)

    def orphans(self):
        title = f"8. {5000} orphans"
        how = ("`unshare --pid --fork --mount-proc INIT -- orphans 5000 FILE` (bench/orphans.cpp): the child "
               "double-forks 5000 grandchildren that exit at once (orphans of PID 1, zombies until reaped), "
               "then polls them with kill(pid, 0) (ESRCH once reaped) until none is left or 10 s pass, "
               "records the reaping lag after the last fork and how many were never reaped, and exits. "
               "hyperfine times the whole namespace until the init exits.")
        timing, reaping = self.load("orphans"), self.load("orphans-reaping")
        tini_times = self.values(timing, "tini", "time_s")
        tini = median(tini_times)
        rows, summary = [], []
        for label in INITS:
            times = self.values(timing, label, "time_s")
            lag = self.values(reaping, label, "reap_lag_ms")
            left = self.values(reaping, label, "not_reaped")
            r = ratio(median(times), tini)
            ci = ratio_ci(times, tini_times) if label != "tini" else None
            worst = max(left) if left else None
            ok = None if worst is None else worst == 0
            mark = verdict(ok)
            if label.startswith("pgentry"):
                summary.append((f"{title} ({label})", "0 zombies left",
                                f"{fmt(worst, 0)} left, {fmt_ratio(r)} tini's time", verdict(ok)))
            rows.append([f"`{label}`", len(times), fmt(median(times), 3) if times else "–", fmt_ratio(r) + fmt_ci(ci),
                         fmt(median(lag), 2), fmt(worst, 0), mark])
        body = table(["init", "runs", "median s (until PID 1 exits)", "× tini (95% CI)", "reaping lag ms (median)",
                      "not reaped (max)", "target: 0 left"], rows)
        self.add(title, how, body + self.not_built(), timing, summary)

    def render(self, out_path):
        o = self.options
        self.versus_psql(
            "noop", "1. No-op boot: 200 applied migrations, nothing pending",
            "hyperfine -N (`--warmup`, interleaved rounds, runs pooled). pgentry "
            "`--mode=migrate-only --migrations-dir=D` and `dbmate --migrations-dir D --no-dump-schema up`, "
            "each on its own database holding the 200 (dbmate's `schema_migrations` has a varchar version), "
            "vs `psql -X -Atc 'select 1'`. All over TCP to 127.0.0.1 with the same URL form and SCRAM "
            "password, SSL off.", "psql", 1.2)
        self.versus_psql(
            "fresh", "2. 200 small migrations on a fresh database",
            "Each migration is `CREATE TABLE t_N (id int PRIMARY KEY, note text); INSERT … 3 rows`. hyperfine "
            "`--prepare` drops and recreates the database before every run (not timed). `psql -X -v "
            "ON_ERROR_STOP=1 -f all.sql` runs the same SQL (the 200 up sections) in one session, in "
            "autocommit; pgentry and dbmate run one transaction per migration plus its history row.",
            "psql -f", 1.0)
        self.wait()
        self.replicas()
        self.memory()
        self.overhead()
        self.sigterm()
        self.orphans()

        lines = ["# Benchmarks", "",
                 "Written by `bench/run.sh` (do not edit by hand; run `bench/run.sh [migrate|pid1|all]` as root). "
                 "The machine is small and noisy, so every number is a median over interleaved rounds and "
                 "every verdict compares numbers measured side by side in the same run. Ratios carry a 95% bootstrap "
                 "interval (resampling each side's runs); a verdict marked \"within noise\" has its target "
                 "inside that interval, so another run may flip it.", ""]
        if o.get("quick") == "1":
            lines += ["> **BENCH_QUICK=1: a few runs only, to check the harness. These numbers are not "
                      "meaningful.**", ""]
        lines += [f"Report written {now()}.", "", "## Machine and tools", "", machine_table(o), "",
                  "## Summary", "",
                  table(["benchmark", "target", "result", "verdict"], self.summary), ""]
        lines += self.sections
        lines += ["## Reproduce", "",
                  "```sh\nbench/run.sh all        # or: migrate, pid1; BENCH_QUICK=1 for a harness check\n```",
                  "", "Raw hyperfine JSON and samples stay in `bench/results/` (git-ignored).", ""]
        os.makedirs(os.path.dirname(out_path), exist_ok=True)
        with open(out_path, "w") as out:
            out.write("\n".join(lines))


INITS = ["tini", "dumb-init", "catatonit", "pgentry-init", "pgentry"]


def ms(seconds):
    return None if seconds is None else seconds * 1000


def commands_block(result):
    if not result or not result.get("commands"):
        return ""
    lines = [f"{label}: {line}" for label, line in result["commands"].items()]
    return "\n\n<details><summary>command lines</summary>\n\n```\n" + "\n".join(lines) + "\n```\n</details>"


def command_output(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        text = (done.stdout + done.stderr).strip().splitlines()
        return text[0].strip() if text else "?"
    except (OSError, subprocess.SubprocessError):
        return "not found"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def programs(pgentry):
    """Size and linking of pgentry and the programs it execs, which explain its start-up times."""
    parts = []
    for name in ["pgentry", "pgentry-migrator", "pgentry-init"]:
        path = os.path.join(os.path.dirname(pgentry), name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            dynamic = b"/lib64/ld-linux" in f.read()  # the PT_INTERP string of a dynamic program
        libraries = ""
        if dynamic:
            done = subprocess.run(["ldd", path], capture_output=True, text=True)
            libraries = f", {len([l for l in done.stdout.splitlines() if '=>' in l])} shared libraries"
        parts.append(f"{name} {os.path.getsize(path) / 1e6:.1f} MB {'dynamic' if dynamic else 'static'}{libraries}")
    return "; ".join(parts)


def read_first_line(path):
    try:
        with open(path) as f:
            return f.readline().strip()
    except OSError:
        return "?"


def machine_table(o):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = command_output(["git", "-C", root, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    rows = [
        ["CPUs (nproc)", str(os.cpu_count())],
        ["CPU model", cpu_model()],
        ["kernel", platform.release()],
        ["load average (1, 5, 15 min)", f"{read_first_line(os.path.join(o['results'], 'loadavg.start'))} at the start, "
                                        f"{' '.join(read_first_line('/proc/loadavg').split()[:3])} at the end"],
        ["pgentry", (command_output([o["pgentry"], "--version"]) if o.get("have-pgentry") == "1" else "not built")
         + f" (commit {commit}{', with local changes' if dirty else ''})"],
        ["pgentry programs", programs(o.get("pgentry", "")) if o.get("have-pgentry") == "1" else "–"],
        ["PostgreSQL", command_output([os.path.join(os.path.dirname(o.get("psql", "psql")), "postgres"),
                                       "--version"])],
        ["psql", command_output([o.get("psql", "psql"), "--version"])],
        ["dbmate", command_output([o.get("dbmate", "dbmate"), "--version"])],
        ["tini", command_output(["tini", "--version"])],
        ["dumb-init", command_output(["dumb-init", "--version"])],
        ["catatonit", command_output(["catatonit", "--version"])],
        ["hyperfine", command_output(["hyperfine", "--version"])],
        ["g++ (helpers)", command_output(["g++", "--version"])],
    ]
    return table(["", ""], rows)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "hyperfine":
        pool_hyperfine(args)
    elif command == "samples":
        pool_samples(args)
    elif command == "skipped":
        save(args[1], args[0], {}, skipped=True)
    elif command == "render":
        options = {}
        for arg in args[2:]:
            key, _, value = arg.lstrip("-").partition("=")
            options[key] = value
        options["results"] = args[0]
        Report(args[0], options).render(args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
