#!/usr/bin/env python3
"""Fault injection for trove: a full disk, kills at random points, a read-only
case, odd sources, a symlink export, a zip bomb, a skip flood, two ingests at
once. Each test runs TRIALS times (or once per case it names) against a built
`trove` binary and checks that the case is never left inconsistent: after
every fault, every read command works, and the case holds either all of a run
or none of it, with searches agreeing with the store.

    cargo build --release
    python3 scripts/faults.py --trove target/release/trove --trials 20

Prints a table of trials and failures per test (and the failures' details);
exits 1 if any trial failed. Tests that need root (mounting a small or a
read-only tmpfs) fall back where they can (a read-only case by permissions)
and say so, or are skipped with the reason. Everything is generated here.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango").split()


def write_jsonl(path, count, prefix, seed):
    """`count` messages, strictly increasing times, ids `{prefix}{n}`."""
    rng = random.Random(seed)
    start = 1_600_000_000
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + n * 60))
            out.write(json.dumps({
                "id": f"{prefix}{n}", "sender": f"user{n % 53}",
                "conversation": f"{prefix}room{n % 5}", "timestamp": stamp,
                "text": " ".join(rng.choice(WORDS) for _ in range(10)),
            }) + "\n")


class Trove:
    def __init__(self, binary):
        self.binary = binary

    def run(self, *args, timeout=600, **kwargs):
        return subprocess.run([self.binary, *args], capture_output=True, text=True,
                              timeout=timeout, **kwargs)

    def counts(self, case):
        """(stats messages, search total for all messages, search total for
        `alpha`) or a string saying what failed."""
        stats = self.run("stats", "--case", case, "--json")
        if stats.returncode != 0:
            return f"stats exit {stats.returncode}: {stats.stderr.strip()[:200]}"
        messages = json.loads(stats.stdout)["messages"]
        totals = []
        for query in ("", "alpha"):
            found = self.run("search", query, "--case", case, "--json", "--limit", "1")
            if found.returncode != 0:
                return f"search exit {found.returncode}: {found.stderr.strip()[:200]}"
            out = json.loads(found.stdout)
            if any("search index reflects" in w for w in out.get("warnings", [])):
                return f"search trails the case: {out['warnings']}"
            totals.append(out["total"])
        return (messages, totals[0], totals[1])


def can_mount(work):
    """Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN)."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return False
    probe = os.path.join(work, "mount-probe")
    os.makedirs(probe, exist_ok=True)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe],
                          capture_output=True)
    if made.returncode != 0:
        return False
    umount(probe)
    return True


def mount_tmpfs(path, megabytes):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", path], check=True)


def umount(path):
    subprocess.run(["umount", path], check=False)


class Suite:
    def __init__(self, trove, work, trials, messages):
        self.trove = trove
        self.work = work
        self.trials = trials
        self.messages = messages
        self.rows = []
        self.details = []

    def record(self, name, trials, failures, note=""):
        self.rows.append((name, trials, len(failures), note))
        self.details.extend(f"{name}: {f}" for f in failures)

    # A base case of N messages and a second input of N more.
    def prepare(self):
        self.first = os.path.join(self.work, "first.jsonl")
        self.second = os.path.join(self.work, "second.jsonl")
        write_jsonl(self.first, self.messages, "a", 1)
        write_jsonl(self.second, self.messages, "b", 2)
        self.base = os.path.join(self.work, "base")
        out = self.trove.run("ingest", self.first, "--case", self.base, "--format", "jsonl")
        if out.returncode != 0:
            sys.exit(f"cannot build the base case: {out.stderr}")
        self.before = self.trove.counts(self.base)
        both = os.path.join(self.work, "both")
        shutil.copytree(self.base, both)
        self.trove.run("ingest", self.second, "--case", both, "--format", "jsonl")
        self.after = self.trove.counts(both)
        shutil.rmtree(both)

    def whole_or_nothing(self, case, code, stderr):
        """A failure text, or None when the case holds all or none of the run."""
        counts = self.trove.counts(case)
        if isinstance(counts, str):
            return counts
        if code == 0 and counts != self.after:
            return f"exit 0 but {counts}, expected {self.after}"
        if code != 0 and counts not in (self.before, self.after):
            return f"exit {code}, case holds {counts}: neither {self.before} nor {self.after}"
        if code != 0 and counts == self.after and "repair" not in stderr:
            return f"exit {code} though the run was kept, and nothing said so: {stderr[:200]}"
        if code == 101 or "panicked at" in stderr:
            return f"panic: {stderr[:300]}"
        return None

    def disk_full(self):
        if not can_mount(self.work):
            self.record("disk full (small tmpfs)", 0, [],
                        "skipped: mounting a small tmpfs needs root (CAP_SYS_ADMIN)")
            return
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(self.base)
                   for f in fs) // (1 << 20) + 1
        failures, trials, kept = [], 0, 0
        mount = os.path.join(self.work, "small")
        # Sizes from "the base barely fits" to "the run fits" (it writes
        # about three times its input), spread over the trials: every step
        # of the run meets a full disk somewhere.
        span = 4 * (os.path.getsize(self.second) >> 20) + 8
        for n in range(self.trials):
            megabytes = size + 1 + n * span // max(self.trials - 1, 1)
            mount_tmpfs(mount, megabytes)
            try:
                case = os.path.join(mount, "case")
                shutil.copytree(self.base, case)
                out = self.trove.run("ingest", self.second, "--case", case, "--format", "jsonl",
                                     "--no-space-check")
                trials += 1
                kept += out.returncode == 0
                problem = self.whole_or_nothing(case, out.returncode, out.stderr)
                if problem:
                    failures.append(f"{megabytes} MB: {problem}")
                # The estimate refuses before writing anything.
                checked = self.trove.run("ingest", self.second, "--case", case, "--format",
                                         "jsonl")
                if checked.returncode != 0 and "not enough free space" not in checked.stderr \
                        and "disk is full" not in checked.stderr \
                        and "No space" not in checked.stderr \
                        and "duplicates" not in checked.stdout:
                    failures.append(f"{megabytes} MB, estimated: {checked.stderr[:200]}")
            finally:
                umount(mount)
        self.record("disk full (small tmpfs)", trials, failures,
                    f"{kept} runs fitted and were kept, {trials - kept} kept nothing")

    def kills(self, sig, name):
        # How long a run takes, to spread the kills over all of it.
        probe = os.path.join(self.work, "probe")
        shutil.copytree(self.base, probe)
        began = time.monotonic()
        self.trove.run("ingest", self.second, "--case", probe, "--format", "jsonl")
        span = time.monotonic() - began
        shutil.rmtree(probe)
        rng = random.Random(7 if sig == signal.SIGKILL else 8)
        failures, kept = [], 0
        for n in range(self.trials):
            case = os.path.join(self.work, f"kill{n}")
            shutil.copytree(self.base, case)
            process = subprocess.Popen(
                [self.trove.binary, "ingest", self.second, "--case", case, "--format", "jsonl"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(rng.uniform(0, span * 1.1))
            process.send_signal(sig)
            _, stderr = process.communicate(timeout=600)
            code = process.returncode
            kept += self.trove.counts(case) == self.after
            if sig == signal.SIGKILL:
                # Killed, it could not say anything; the next open must cope.
                counts = self.trove.counts(case)
                if isinstance(counts, str):
                    failures.append(f"trial {n}: {counts}")
                elif counts not in (self.before, self.after):
                    failures.append(f"trial {n}: case holds {counts}")
            else:
                problem = self.whole_or_nothing(case, 0 if code == 0 else code, stderr)
                # -SIGINT: the signal came before trove set its handler,
                # before anything was opened.
                said = (code == 130 and "nothing of this run was kept" in stderr) or (
                    code in (0, -signal.SIGINT))
                if problem:
                    failures.append(f"trial {n}: {problem}")
                elif not said:
                    failures.append(f"trial {n}: exit {code} without saying what happened: "
                                    f"{stderr[:200]}")
            shutil.rmtree(case)
        self.record(name, self.trials, failures,
                    f"run takes {span:.1f} s; {kept} ended with the run kept, "
                    f"{self.trials - kept} with nothing of it")

    def read_only(self):
        failures = []
        case = os.path.join(self.work, "ro", "case")
        os.makedirs(os.path.dirname(case), exist_ok=True)
        mount = None
        if can_mount(self.work):
            mount = os.path.dirname(case)
            mount_tmpfs(mount, 200)
            shutil.copytree(self.base, case)
            subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
            how = "read-only tmpfs"
        else:
            shutil.copytree(self.base, case)
            for d, dirs, files in os.walk(case):
                for f in files:
                    os.chmod(os.path.join(d, f), 0o444)
                os.chmod(d, 0o555)
            how = "no write permission"
        try:
            found = self.trove.run("search", "alpha", "--case", case, "--json", "--limit", "1")
            first = json.loads(found.stdout)["hits"][0]["id"] if found.returncode == 0 else None
            commands = [
                ["stats"], ["search", "alpha"], ["search", "alpha", "--json"],
                ["show", first or "x"], ["people"], ["verify"],
                ["export", "--query", "alpha", "--format", "csv", "--out",
                 os.path.join(self.work, "read-only-export.csv")],
            ]
            for command in commands:
                out = self.trove.run(*command, "--case", case)
                if out.returncode != 0 and not (command[0] == "verify" and out.returncode == 1):
                    failures.append(f"{' '.join(command)}: exit {out.returncode}: "
                                    f"{out.stderr.strip()[:200]}")
                elif "cannot be written" not in out.stderr:
                    failures.append(f"{' '.join(command)}: no read-only note")
            if self.trove.counts(case) != self.before:
                failures.append(f"counts {self.trove.counts(case)}, expected {self.before}")
            note = self.trove.run("note", "add", first or "x", "hello", "--case", case)
            if note.returncode == 0 or "read-only" not in note.stderr:
                failures.append(f"a note on a read-only case: exit {note.returncode}: "
                                f"{note.stderr.strip()[:200]}")
            trials = len(commands) + 2
        finally:
            if mount:
                umount(mount)
            else:
                for d, dirs, files in os.walk(case):
                    os.chmod(d, 0o755)
        self.record("read-only case", trials, failures, how)

    def odd_sources(self):
        failures = []
        kinds = ["fifo", "link to /dev/zero", "folder"]
        for kind in kinds:
            folder = os.path.join(self.work, "odd", kind.replace(" ", "-").replace("/", ""))
            os.makedirs(folder)
            source = os.path.join(folder, "chat.jsonl")
            shutil.copy(self.first, source)
            case = os.path.join(folder, "case")
            self.trove.run("ingest", source, "--case", case, "--format", "jsonl")
            os.remove(source)
            if kind == "fifo":
                os.mkfifo(source)
            elif kind == "folder":
                os.mkdir(source)
            else:
                os.symlink("/dev/zero", source)
            try:
                out = self.trove.run("verify", "--case", case, "--json", timeout=30)
                if "not_a_file" not in out.stdout:
                    failures.append(f"{kind}: verify did not say not_a_file: {out.stdout[:200]}")
            except subprocess.TimeoutExpired:
                failures.append(f"{kind}: verify hung")
        self.record("odd source at verify (FIFO, /dev/zero, folder)", len(kinds), failures)

    def symlink_export(self):
        folder = os.path.join(self.work, "export")
        os.makedirs(os.path.join(folder, "files"))
        secret = os.path.join(self.work, "secret")
        os.makedirs(secret)
        with open(os.path.join(secret, "passwd"), "w") as f:
            f.write("root:x:0:0:outside the export")
        os.symlink(secret, os.path.join(folder, "photos"))
        with open(os.path.join(folder, "result.json"), "w") as f:
            json.dump({"name": "Chat", "type": "personal_chat", "id": 42, "messages": [
                {"id": 1, "type": "message", "date": "2023-11-14T23:13:20",
                 "date_unixtime": "1700000000", "from": "Alice", "from_id": "user1",
                 "photo": "photos/passwd", "text": "look"}]}, f)
        failures = []
        inputs = [os.path.join(folder, "result.json"), folder]
        for n, source in enumerate(inputs):
            case = os.path.join(self.work, f"linkcase{n}")
            out = self.trove.run("ingest", source, "--case", case, "--copy-media", "--json")
            copied = []
            for d, _, files in os.walk(os.path.join(case, "media")):
                copied += [open(os.path.join(d, f), "rb").read() for f in files]
            if any(b"outside the export" in c for c in copied):
                failures.append(f"{source}: a file outside the export was copied")
            if out.returncode != 0:
                failures.append(f"{source}: exit {out.returncode}: {out.stderr[:200]}")
        self.record("symlink out of an export (--copy-media)", len(inputs), failures)

    def zip_bomb(self):
        bomb = os.path.join(self.work, "bomb.zip")
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run([sys.executable, os.path.join(here, "make-overlap-bomb.py"), bomb],
                       check=True)
        failures = []
        began = time.monotonic()
        out = self.trove.run("ingest", bomb, "--case", os.path.join(self.work, "bombcase"),
                             timeout=60)
        took = time.monotonic() - began
        if out.returncode == 0 or took >= 1.0:
            failures.append(f"exit {out.returncode} after {took:.2f} s: {out.stderr[:200]}")
        self.record("overlapping-entry zip bomb", 1, failures, f"refused in {took:.2f} s")

    def skip_flood(self):
        flood = os.path.join(self.work, "flood.jsonl")
        lines = 2_000_000
        with open(flood, "w") as f:
            f.write('{"ts": "2020-01-01T10:00:00Z", "user": "ann", "text": "hi"}\n')
            f.write("x\n" * lines)
        # wait4 gives this child's own peak, not the largest of all so far.
        process = subprocess.Popen(
            [self.trove.binary, "ingest", flood, "--case", os.path.join(self.work, "floodcase"),
             "--format", "jsonl", "--accept-skips", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stdout = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peak_mb = usage.ru_maxrss / 1024

        class Out:
            pass
        out = Out()
        out.stdout, out.returncode = stdout, process.returncode
        failures = []
        report = json.loads(out.stdout) if out.returncode == 0 else {}
        if report.get("skipped_total") != lines:
            failures.append(f"skipped_total {report.get('skipped_total')}, expected {lines}")
        if peak_mb > 200:
            failures.append(f"peak memory {peak_mb:.0f} MB")
        if len(out.stdout) > 2_000_000:
            failures.append(f"--json printed {len(out.stdout)} bytes")
        self.record(f"skip flood ({lines:,} bad lines)", 1, failures,
                    f"peak RSS {peak_mb:.0f} MB, --json {len(out.stdout) // 1000} KB")

    def concurrent(self):
        failures = []
        for n in range(max(self.trials // 4, 1)):
            case = os.path.join(self.work, f"together{n}")
            shutil.copytree(self.base, case)
            one = subprocess.Popen([self.trove.binary, "ingest", self.second, "--case", case,
                                    "--format", "jsonl"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            time.sleep(0.05)
            two = self.trove.run("ingest", self.first, "--case", case, "--format", "jsonl",
                                 "--label", "again")
            _, first_err = one.communicate(timeout=600)
            if one.returncode != 0:
                failures.append(f"trial {n}: the first ingest failed: {first_err[:200]}")
            if two.returncode != 0:
                failures.append(f"trial {n}: the second failed: {two.stderr[:200]}")
            elif "waiting: another ingest" not in two.stderr:
                failures.append(f"trial {n}: the second did not say it waited")
            if self.trove.counts(case) != self.after:
                failures.append(f"trial {n}: {self.trove.counts(case)}")
            shutil.rmtree(case)
        self.record("two ingests at once", max(self.trials // 4, 1), failures)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trove", default="target/release/trove")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--only", help="run only the tests whose name contains this")
    parser.add_argument("--messages", type=int, default=100_000,
                        help="messages in the base case and in the run faults hit")
    args = parser.parse_args()
    trove = Trove(os.path.abspath(args.trove))
    with tempfile.TemporaryDirectory(prefix="trove-faults-") as work:
        suite = Suite(trove, work, args.trials, args.messages)
        suite.prepare()
        tests = [
            ("disk", suite.disk_full),
            ("kill", lambda: suite.kills(signal.SIGKILL, "kill -9 during an ingest")),
            ("sigint", lambda: suite.kills(signal.SIGINT, "SIGINT during an ingest")),
            ("read-only", suite.read_only),
            ("odd", suite.odd_sources),
            ("symlink", suite.symlink_export),
            ("zip", suite.zip_bomb),
            ("flood", suite.skip_flood),
            ("concurrent", suite.concurrent),
        ]
        for key, test in tests:
            if args.only and args.only not in key:
                continue
            began = time.monotonic()
            test()
            print(f"  {suite.rows[-1][0]}: {time.monotonic() - began:.0f} s", file=sys.stderr)
    width = max(len(r[0]) for r in suite.rows)
    print(f"{'test':<{width}}  trials  failures  note")
    for name, trials, failures, note in suite.rows:
        print(f"{name:<{width}}  {trials:>6}  {failures:>8}  {note}")
    for detail in suite.details:
        print(f"FAILED {detail}")
    return 1 if suite.details else 0


if __name__ == "__main__":
    sys.exit(main())
