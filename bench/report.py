#!/usr/bin/env python3
"""Pools the raw measurements of bench/run.sh and writes docs/benchmarks.md from the cases' own headers.

    report.py hyperfine NAME OUT.json --command LABEL=CMDLINE ... RAW.json...   pool hyperfine rounds
    report.py samples NAME OUT.json SAMPLES.txt          add "LABEL METRIC VALUE" lines to this run's OUT.json
    report.py skipped NAME OUT.json                                             a case that could not run
    report.py render CASES_DIR RESULTS_DIR OUT.md [--quick=0|1] [--have-pgentry=0|1] [--pgentry=P] [--dbmate=P]
                     [--psql=P]

A result file keeps every value ({"rows": {label: {metric: [values]}}}); medians, p90 and ratios
are computed when rendering, so ratios always compare numbers of the same run.

A case (bench/cases/NN-NAME.sh) declares, in "# key: value" lines at its top:
    title     the section's heading
    group     migrate (run inside pg_virtualenv) or pid1
    method    how it is measured (lines joined)
    rows      the labels, in order (shell words: quote a label with spaces)
    baseline  the label the "ratio" column divides by
    metric    NAME UNIT [scale=F] [digits=N] [label=TEXT] [stats=n,median,p90,min,max,ratio] [n=HEADER]
              one per measured quantity, shown in this order
    target    LABEL METRIC STAT OP VALUE [x REF]: LABEL's STAT (n, median, p90, min, max) of METRIC is OP
              (<=, >=, ==) VALUE, or VALUE times REF's same statistic. One per target: a summary row each.
    note      text after the table (lines joined)
"""
import datetime
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def save(path, bench, rows, commands=None, skipped=False):
    with open(path, "w") as out:
        json.dump({"bench": bench, "measured_at": now(), "rows": rows, "commands": commands or {},
                   "skipped": skipped}, out, indent=1)


def load_result(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


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
    """Adds to what this run already saved under NAME (run.sh removes a case's result before measuring)."""
    name, out, path = args
    before = load_result(out) or {"rows": {}, "commands": {}}
    rows = before["rows"]
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
    save(out, name, rows, before.get("commands"))


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


# --- the cases' headers ---------------------------------------------------------------------------

class Metric:
    def __init__(self, words):
        self.name, self.unit = words[0], words[1]
        options = dict(word.split("=", 1) for word in words[2:])
        self.scale = float(options.get("scale", 1))
        self.digits = int(options.get("digits", 1))
        self.label = options.get("label", "")
        self.stats = options.get("stats", "n,median,p90").split(",")
        self.n_header = options.get("n", "runs")


class Target:
    OPS = {"<=": ("≤", lambda a, b: a <= b), ">=": ("≥", lambda a, b: a >= b), "==": ("=", lambda a, b: a == b)}

    def __init__(self, words):
        self.label, self.metric, self.stat, self.op, value = words[:5]
        self.value = float(value)
        self.ref = words[6] if len(words) == 7 and words[5] == "x" else None
        if self.op not in self.OPS or self.stat not in STATS or (len(words) != 5 and not self.ref):
            raise ValueError("target: LABEL METRIC STAT OP VALUE [x REF], not: " + " ".join(words))

    def text(self, metric):
        symbol = self.OPS[self.op][0]
        what = " ".join(part for part in (metric.label if metric else "", {"n": "samples"}.get(self.stat, self.stat))
                        if part)
        if self.ref:
            return f"{what} {symbol} {self.value:.1f}× {self.ref}"
        unit = f" {metric.unit}" if metric and metric.unit and self.stat != "n" else ""
        return f"{what} {symbol} {self.value:g}{unit}"


class Case:
    def __init__(self, path):
        self.name = os.path.basename(path)[:-3]
        fields = {}
        with open(path) as f:
            for line in f:
                if not line.startswith("#"):
                    break  # the header is the comments the file starts with
                if not line.startswith("# ") or ": " not in line:
                    continue
                key, _, value = line[2:].rstrip("\n").partition(": ")
                fields.setdefault(key, []).append(value.strip())
        missing = [key for key in ("title", "group", "method", "rows", "metric") if key not in fields]
        if missing:
            raise ValueError(f"{path}: no {', '.join(missing)} in its header")
        self.title = " ".join(fields["title"])
        self.group = fields["group"][0]
        self.method = " ".join(fields["method"])
        self.note = " ".join(fields.get("note", []))
        self.rows = shlex.split(" ".join(fields["rows"]))
        self.baseline = " ".join(fields.get("baseline", [])) or None
        self.metrics = [Metric(shlex.split(line)) for line in fields["metric"]]
        self.targets = [Target(shlex.split(line)) for line in fields.get("target", [])]

    def metric(self, name):
        return next((m for m in self.metrics if m.name == name), None)


def load_cases(cases_dir):
    return [Case(os.path.join(cases_dir, name)) for name in sorted(os.listdir(cases_dir)) if name.endswith(".sh")]


# --- rendering ------------------------------------------------------------------------------------

STATS = {
    "n": len,
    "median": median,
    "p90": p90,
    "min": lambda v: min(v) if v else None,
    "max": lambda v: max(v) if v else None,
}


class Rendered:
    """One case's section and summary rows, from its header and its result file."""

    def __init__(self, number, case, result):
        self.case, self.result = case, result
        self.heading = f"{number}. {case.title}"

    def values(self, label, metric):
        if not self.result or self.result.get("skipped"):
            return []
        return self.result["rows"].get(label, {}).get(metric, [])

    def ran(self, label):
        """Whether the label has any sample: a label without a "lost" sample lost none, one absent did not run."""
        if not self.result or self.result.get("skipped"):
            return False
        return any(self.result["rows"].get(label, {}).values())

    def stat(self, label, metric, stat):
        values = self.values(label, metric)
        if stat == "n":
            return len(values) if self.ran(label) else None
        return STATS[stat](values)

    def shown(self, metric, value, stat):
        if value is None:
            return "–"
        if stat == "n":
            return str(value)
        return fmt(value * metric.scale, metric.digits)

    def table(self):
        header, rows = [self.case.group == "pid1" and "init" or "command"], []
        for metric in self.case.metrics:
            for stat in metric.stats:
                name = {"n": metric.n_header, "ratio": f"× {self.case.baseline} (95% CI)"}.get(
                    stat, f"{stat} {metric.unit}".strip())
                header.append(" ".join(part for part in (metric.label, name) if part))
        for label in self.case.rows:
            if not self.ran(label):
                rows.append([f"`{label}`", "not run"] + [""] * (len(header) - 2))
                continue
            row = [f"`{label}`"]
            for metric in self.case.metrics:
                for stat in metric.stats:
                    if stat == "ratio":
                        row.append(self.ratio_text(label, metric.name, "median", self.case.baseline))
                    else:
                        row.append(self.shown(metric, self.stat(label, metric.name, stat), stat))
            rows.append(row)
        return table(header, rows)

    def ratio_text(self, label, metric, stat, ref):
        r = ratio(self.stat(label, metric, stat), self.stat(ref, metric, stat))
        if r is None:
            return "–"
        ci = ratio_ci(self.values(label, metric), self.values(ref, metric)) if label != ref and stat == "median" \
            else None
        return fmt_ratio(r) + fmt_ci(ci)

    def judge(self, target):
        """(result text, verdict) of one target."""
        metric = self.case.metric(target.metric)
        value = self.stat(target.label, target.metric, target.stat)
        if target.stat == "n" and value is None and self.ran(target.label):
            value = 0
        if target.ref:
            ref = self.stat(target.ref, target.metric, target.stat)
            r = ratio(value, ref)
            if r is None:
                return "–", verdict(None)
            ci = ratio_ci(self.values(target.label, target.metric), self.values(target.ref, target.metric)) \
                if target.stat == "median" else None
            ok = Target.OPS[target.op][1](r, target.value)
            shown = f"{self.shown(metric, value, target.stat)} vs {self.shown(metric, ref, target.stat)}" \
                    f"{' ' + metric.unit if metric and metric.unit else ''}: {fmt_ratio(r)}{fmt_ci(ci)}"
            return shown, verdict(ok, ci, target.value)
        if value is None:
            return "–", verdict(None)
        ok = Target.OPS[target.op][1](value * (metric.scale if metric and target.stat != "n" else 1), target.value)
        unit = f" {metric.unit}" if metric and metric.unit and target.stat != "n" else ""
        return self.shown(metric, value, target.stat) + unit, verdict(ok)

    def summary(self):
        rows = []
        for target in self.case.targets:
            result, mark = self.judge(target)
            rows.append((f"{self.heading} (`{target.label}`)", target.text(self.case.metric(target.metric)),
                         result, mark))
        return rows

    def section(self, have_pgentry):
        result = self.result
        if result and result.get("skipped"):
            when = f"Not run ({result['measured_at']}): see the log of `bench/run.sh`."
        elif result:
            when = f"Measured {result['measured_at']}."
        else:
            when = f"Not measured yet (run `bench/run.sh {self.case.name}`)."
        body = self.table()
        if self.case.targets:
            body += "\n\nTargets:\n\n" + "\n".join(
                f"- `{t.label}` {t.text(self.case.metric(t.metric))} → {self.judge(t)[1]}" for t in self.case.targets)
        if self.case.note:
            body += "\n\n" + self.case.note
        if not have_pgentry:
            body += "\n\npgentry rows: not run, pgentry/pgentry-init did not build (see bench/results/build.log)."
        body += commands_block(result)
        return f"## {self.heading}\n\n_{self.case.name}.sh_: {self.case.method}\n\n{when}\n\n{body}\n"


def render(cases_dir, results_dir, out_path, o):
    rendered = [Rendered(number, case, load_result(os.path.join(results_dir, case.name + ".json")))
                for number, case in enumerate(load_cases(cases_dir), 1)]
    lines = ["# Benchmarks", "",
             "Written by `bench/run.sh` from the cases in `bench/cases/` (do not edit by hand; run "
             "`bench/run.sh [migrate|pid1|all|CASE]` as root). The machine is small and noisy, so every number is "
             "a median over interleaved rounds and every verdict compares numbers measured side by side in the "
             "same run. Ratios carry a 95% bootstrap interval (resampling each side's runs); a verdict marked "
             "\"within noise\" has its target inside that interval, so another run may flip it.", ""]
    if o.get("quick") == "1":
        lines += ["> **Quick mode (`--quick`): a few runs only, to check the harness. These numbers are not "
                  "meaningful.**", ""]
    lines += [f"Report written {now()}.", "", "## Machine and tools", "", machine_table(o), "",
              "## Summary", "",
              table(["benchmark", "target", "result", "verdict"], [row for r in rendered for row in r.summary()]),
              ""]
    lines += [r.section(o.get("have-pgentry") == "1") for r in rendered]
    lines += ["## Reproduce", "",
              "```sh\nbench/run.sh all        # or: migrate, pid1, a case's name; --quick for a harness check\n```",
              "", "Raw hyperfine JSON and samples stay in `bench/results/` (git-ignored).", ""]
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as out:
        out.write("\n".join(lines))


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
    here = os.path.dirname(pgentry)
    for name in ["pgentry", "pgentry-migrator", "pgentry-init"]:
        # Next to pgentry, or installed as an image has them (launch/handoff.cpp, sibling_program).
        path = next((p for p in [os.path.join(here, name), os.path.join(here, "..", "libexec", "pgentry", name)]
                     if os.path.exists(p)), None)
        if path is None:
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
        for arg in args[3:]:
            key, _, value = arg.lstrip("-").partition("=")
            options[key] = value
        options["results"] = args[1]
        render(args[0], args[1], args[2], options)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
