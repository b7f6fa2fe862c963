#!/usr/bin/env python3
"""ScratchNet side by side with the course's NumPy code and with PyTorch (CPU), in one session.

    python3 bench/compare.py [--only PATTERN[,PATTERN...]] [--all] [--quick] [--repeat N]
                             [--no-numpy] [--no-torch] [--markdown] [--json FILE] [--gemm]
                             [--data-dir DIR] [--scratchnet BIN] [--python PY] [--threads N]

Prints numbers, never a verdict: a table of workload | ScratchNet | NumPy | PyTorch |
NumPy/ScratchNet | PyTorch/ScratchNet | ScratchNet max RSS | final test accuracies | notes.
A ratio above 1 means ScratchNet took less time. Python standard library only: the three
implementations run as subprocesses (the release `scratchnet` binary, bench/numpy/run.py and
bench/torch/run.py), each workload's three runs one after the other ("interleaved"), `--repeat`
times with the order rotated, and each cell is the median over the repeats.

What is timed (see bench/README.md):
  * whole hands-on runs: training + evaluation seconds as each program measures them around its
    own loop (ScratchNet: history.json trainingSeconds + evaluationSeconds; NumPy/PyTorch:
    seconds_training + seconds_evaluating). Start-up, data loading, reports are excluded.
  * per-step / per-evaluation: the mean over N timed repetitions after W warm-up ones. NumPy
    and PyTorch time each repetition; ScratchNet's `train` reports only totals, so its number is
    (total of an N+W run - total of a W run) / N, from two `scratchnet train` processes.
  * per-epoch: 600 steps of 100 drawn with replacement from all 60,000 images, then the 10,000
    test images, once, cold (ScratchNet `train --iterations 600`, PyTorch cnn-epoch). NumPy's
    is derived from its step and evaluation times: 600 x step + evaluation.
  * NumPy's conv-net hands-ons are run for fewer iterations and extrapolated linearly
    (marked in the notes).
"""
import argparse
import fnmatch
import gzip
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMPY_RUN = os.path.join(ROOT, "bench", "numpy", "run.py")
TORCH_RUN = os.path.join(ROOT, "bench", "torch", "run.py")
PYGEMM = os.path.join(ROOT, "bench", "pygemm.py")
IMPLS = ["scratchnet", "numpy", "torch"]
LABEL = {"scratchnet": "ScratchNet", "numpy": "NumPy", "torch": "PyTorch"}


# ------------------------------------------------------------------------------------------
# Workloads
# ------------------------------------------------------------------------------------------
class W:
    """One row of the table.

    kind: "run" (a whole hands-on), "step", "eval" (per repetition), "epoch".
    sn:   ScratchNet arguments: for "run" (hands-on name, variant id, extra args); otherwise
          the `scratchnet train` network/optimizer arguments.
    py:   the arguments of bench/numpy/run.py and bench/torch/run.py (shared conventions).
    """

    def __init__(self, id, part, kind, title, sn, py, default=True, quick=False, cnn=False,
                 iterations=None, reps=None, warmup=None, net=None):
        self.id, self.part, self.kind, self.title = id, part, kind, title
        self.sn, self.py = sn, py
        self.default, self.quick, self.cnn = default, quick, cnn
        self.iterations = iterations  # full iteration count of a "run" (for extrapolation)
        self.reps, self.warmup = reps, warmup
        self.net = net


MLP_TRAIN = ["--hidden", "40,20", "--activation", "relu", "--init", "he", "--optimizer", "sgd", "--lr", "0.1"]
CNN_LAYERS = {
    "simple": "conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10",
    "double": "conv:10x7x7/p1,relu,maxpool:2,conv:20x3x3/p1,relu,maxpool:2,affine:100,relu,affine:10",
    "deep": ("conv:16x3x3/p1,relu,conv:16x3x3/p1,relu,maxpool:2,conv:32x3x3/p1,relu,conv:32x3x3/p2,relu,"
             "maxpool:2,conv:64x3x3/p1,relu,conv:64x3x3/p1,relu,maxpool:2,affine:50,relu,dropout:0.5,"
             "affine:10,dropout:0.5"),
}
CNN_INIT = {"simple": ["--init", "gaussian", "--init-std", "0.01"],
            "double": ["--init", "gaussian", "--init-std", "0.01"], "deep": ["--init", "he"]}


def cnn_train_args(net):
    return ["--layers", CNN_LAYERS[net]] + CNN_INIT[net] + ["--optimizer", "adam", "--lr", "0.001"]


def build_workloads():
    ws = []
    # Part 1: the 784-40-20-10 MLP
    ws.append(W("mlp-step", 1, "step", "784-40-20-10 training iteration (batch 100, SGD)",
                MLP_TRAIN, ["mlp-step"], quick=True, reps=1000, warmup=20))
    ws.append(W("mlp-eval", 1, "eval", "784-40-20-10 evaluation of the 10,000 test images",
                MLP_TRAIN, ["mlp-eval"], quick=True, reps=30, warmup=2))
    # Part 1/2: hands-on 2_2 (every variant; relu-he is Part 1's whole run)
    vg = [("relu-he", "relu-he", []), ("sigmoid-gaussian", "sigmoid-gauss", []),
          ("relu-gaussian", "relu-gauss", []), ("sigmoid-xavier", "sigmoid-xavier", []),
          ("sigmoid-he", "sigmoid-he", []), ("relu-he-100-80", "relu-he", ["--hidden", "100,80"]),
          ("relu-he-300-100", "relu-he", ["--hidden", "300,100"])]
    for sid, pid, extra in vg:
        ws.append(W("2_2/" + sid, 1 if sid == "relu-he" else 2, "run",
                    "2_2 vanishing gradient, %s, 2000 it. (eval every 10)" % sid,
                    ("vanishing-gradient", sid, []), ["vanishing-gradient", "--variant", pid] + extra,
                    quick=sid == "relu-he", iterations=2000))
    # 2_3 batch normalization: with BN (numpy's batch-normalization) and without (2_2 net at lr 0.01)
    for sid, py in [("sigmoid-xavier", ["vanishing-gradient", "--variant", "sigmoid-xavier", "--lr", "0.01",
                                        "--iterations", "1000"]),
                    ("sigmoid-xavier-bn", ["batch-normalization", "--variant", "sigmoid-xavier"]),
                    ("relu-he", ["vanishing-gradient", "--variant", "relu-he", "--lr", "0.01", "--iterations", "1000"]),
                    ("relu-he-bn", ["batch-normalization", "--variant", "relu-he"])]:
        ws.append(W("2_3/" + sid, 2, "run", "2_3 batch normalization, %s, 1000 it." % sid,
                    ("batch-normalization", sid, []), py, iterations=1000))
    # 2_4 optimizers: every variant
    opts = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    for o in opts + [o + "-bn" for o in opts]:
        py = ["optimizers", "--optimizer", o.replace("-bn", "")] + (["--batchnorm"] if o.endswith("-bn") else [])
        ws.append(W("2_4/" + o, 2, "run", "2_4 optimizers, %s, 1000 it." % o, ("optimizers", o, []), py,
                    quick=o == "adam", iterations=1000))
    for sid, extra in [("rmsprop-lr0.1", ["--lr", "0.1"]), ("rmsprop-lr0.0001", ["--lr", "0.0001"]),
                       ("rmsprop-decay0.01", ["--decay-rate", "0.01"]), ("rmsprop-decay1", ["--decay-rate", "1"])]:
        ws.append(W("2_4/" + sid, 2, "run", "2_4 optimizers, %s, 1000 it." % sid, ("optimizers", sid, []),
                    ["optimizers", "--optimizer", "rmsprop"] + extra, iterations=1000))
    # Part 3: 2_5 overfitting
    for v in ["none", "l2", "l1", "dropout", "dropout-l1"]:
        ws.append(W("2_5/" + v, 3, "run", "2_5 overfitting (300 images, 784-[100x6]-10), %s, 1000 it." % v,
                    ("overfitting", v, []), ["overfitting", "--variant", v], quick=v == "dropout", iterations=1000))
    # Part 4: conv nets
    for net, default in [("simple", True), ("deep", True), ("double", False)]:
        ws.append(W("cnn-step/" + net, 4, "step", "%sConvNet training iteration (batch 100, Adam)" % net.capitalize(),
                    cnn_train_args(net), ["cnn-step", "--net", net], default=default, quick=net == "simple",
                    cnn=True, reps=20 if net != "deep" else 10, warmup=3, net=net))
        ws.append(W("cnn-eval/" + net, 4, "eval", "%sConvNet evaluation of the 10,000 test images (batches of 100)"
                    % net.capitalize(), cnn_train_args(net), ["cnn-eval", "--net", net], default=default,
                    quick=net == "simple", cnn=True, reps=2, warmup=1, net=net))
        ws.append(W("cnn-epoch/" + net, 4, "epoch", "%sConvNet one full-MNIST epoch (600 steps) + 10k evaluation"
                    % net.capitalize(), cnn_train_args(net), ["cnn-epoch", "--net", net], default=default,
                    cnn=True, reps=600, net=net))
    for name, sid, default in [("simple-cnn", "simpleconvnet", True), ("double-cnn", "doubleconvnet", False),
                               ("deep-cnn", "deepconvnet", False)]:
        hands = {"simple-cnn": "2_6", "double-cnn": "2_7", "deep-cnn": "2_8"}[name]
        ws.append(W(hands + "/" + name, 4, "run", "%s %s hands-on (5000/1000 images, 1000 it., eval every 10)"
                    % (hands, name), (name, sid, []), [name], default=default, quick=name == "simple-cnn",
                    cnn=True, iterations=1000))
    return ws


# ------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------
class Proc:
    def __init__(self, cmd, rc, stdout, stderr, maxrss_kb, wall, timed_out):
        self.cmd, self.rc, self.stdout, self.stderr = cmd, rc, stdout, stderr
        self.maxrss_kb, self.wall, self.timed_out = maxrss_kb, wall, timed_out


def run_proc(cmd, env=None, timeout=None):
    """Runs cmd; returns its output, exit code, wall time and its own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
        timed_out = []
        timer = None
        if timeout:
            def kill():
                timed_out.append(True)
                try:
                    p.kill()
                except OSError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): do not leave the child running
            p.kill()
            p.wait()
            raise
        finally:
            if timer:
                timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        proc = Proc(cmd, p.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                    usage.ru_maxrss, wall, bool(timed_out))
        proc.cpu = usage.ru_utime + usage.ru_stime
        return proc


class Failure(Exception):
    pass


def _check(proc, what):
    if proc.rc != 0 or proc.timed_out:
        tail = (proc.stderr.strip() or proc.stdout.strip())[-1500:]
        raise Failure("%s: %s (exit %s)%s\n%s" % (what, " ".join(proc.cmd), proc.rc,
                                                  " timed out" if proc.timed_out else "", tail))


def _last_json(proc, what):
    _check(proc, what)
    for line in reversed(proc.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise Failure("%s: no JSON in the output of %s" % (what, " ".join(proc.cmd)))


# ------------------------------------------------------------------------------------------
# Runners: each returns a dict with "seconds" (the cell), "rss_kb", "accuracy", "note", ...
# ------------------------------------------------------------------------------------------
class Session:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="scratchnet-bench-")
        self.cache = {}  # (impl, key, repeat) -> result, for derived numbers
        self.data_descriptions = set()
        self.versions = {}
        env = dict(os.environ)
        for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[v] = str(args.threads)
        self.env = env

    # ---- ScratchNet ---------------------------------------------------------------------
    def _sn(self, argv, what, timeout):
        out = tempfile.mkdtemp(dir=self.tmp)
        cmd = [self.args.scratchnet] + argv + ["--data-dir", self.args.data_dir, "--output", out]
        p = run_proc(cmd, env=self.env, timeout=timeout)
        _check(p, what)
        return p, out

    def _history(self, path):
        with open(path) as f:
            h = json.load(f)
        if "data" in h:
            self.data_descriptions.add("ScratchNet: " + str(h["data"]))
        return h

    def sn_train(self, w, iterations, eval_every, timeout):
        p, out = self._sn(["train"] + w.sn + ["--iterations", str(iterations), "--eval-every", str(eval_every)],
                          "scratchnet train", timeout)
        h = self._history(os.path.join(out, "history.json"))
        shutil.rmtree(out, ignore_errors=True)
        return p, h

    def scratchnet(self, w, repeat):
        timeout = self.args.timeout
        if w.kind == "run":
            name, variant, extra = w.sn
            p, out = self._sn(["run", name, "--only", variant] + extra, "scratchnet run", timeout)
            h = self._history(os.path.join(out, variant, "history.json"))
            shutil.rmtree(out, ignore_errors=True)
            hist = h["history"]
            note = ""
            outcome = hist.get("outcome", {})
            if isinstance(outcome, dict) and "diverged" in outcome:
                d = outcome["diverged"] or {}
                note = "ScratchNet stopped: diverged at it. %s" % d.get("iteration", "?")
            return {"seconds": hist["trainingSeconds"] + hist["evaluationSeconds"],
                    "seconds_training": hist["trainingSeconds"], "seconds_evaluating": hist["evaluationSeconds"],
                    "accuracy": h.get("finalTestAccuracy"), "rss_kb": p.maxrss_kb, "wall": p.wall, "cpu": p.cpu,
                    "iterations": hist.get("iterations"), "note": note}
        if w.kind == "step":
            n, warm = self.reps(w), w.warmup
            # evaluation only at the last iteration (eval-every > iterations); it is not in trainingSeconds
            p1, h1 = self.sn_train(w, warm, 10 ** 9, timeout)
            p2, h2 = self.sn_train(w, warm + n, 10 ** 9, timeout)
            t = (h2["history"]["trainingSeconds"] - h1["history"]["trainingSeconds"]) / n
            return {"seconds": t, "rss_kb": max(p1.maxrss_kb, p2.maxrss_kb), "wall": p1.wall + p2.wall, "cpu": p1.cpu + p2.cpu,
                    "method": "(training s of %d steps - of %d) / %d" % (warm + n, warm, n)}
        if w.kind == "eval":
            n, warm = self.reps(w), w.warmup
            # one evaluation per iteration: evaluationSeconds holds warm+n of them
            p1, h1 = self.sn_train(w, warm, 1, timeout)
            p2, h2 = self.sn_train(w, warm + n, 1, timeout)
            t = (h2["history"]["evaluationSeconds"] - h1["history"]["evaluationSeconds"]) / n
            return {"seconds": t, "rss_kb": max(p1.maxrss_kb, p2.maxrss_kb), "wall": p1.wall + p2.wall, "cpu": p1.cpu + p2.cpu,
                    "method": "(evaluation s of %d evals - of %d) / %d; each also scores its 100-image minibatch"
                              % (warm + n, warm, n)}
        if w.kind == "epoch":
            p, h = self.sn_train(w, 600, 600, timeout)
            hist = h["history"]
            return {"seconds": hist["trainingSeconds"] + hist["evaluationSeconds"],
                    "seconds_training": hist["trainingSeconds"], "seconds_evaluating": hist["evaluationSeconds"],
                    "accuracy": h.get("finalTestAccuracy"), "rss_kb": p.maxrss_kb, "wall": p.wall, "cpu": p.cpu}
        raise ValueError(w.kind)

    # ---- NumPy / PyTorch ----------------------------------------------------------------
    def _py(self, impl, argv, timeout):
        script = NUMPY_RUN if impl == "numpy" else TORCH_RUN
        cmd = [self.args.python, script] + argv + ["--data-dir", self.args.data_dir, "--json",
                                                   "--threads", str(self.args.threads)]
        p = run_proc(cmd, env=self.env, timeout=timeout)
        r = _last_json(p, LABEL[impl])
        for key in ("numpy_version", "torch_version"):
            if key in r:
                self.versions[key] = r[key]
        return p, r

    def python(self, impl, w, repeat):
        timeout = self.args.timeout
        if w.kind == "run":
            argv = list(w.py)
            note = ""
            full = w.iterations
            if "--iterations" in argv:
                full = int(argv[argv.index("--iterations") + 1])
            scale = 1.0
            if impl == "numpy" and w.cnn and self.args.numpy_cnn_iterations < full:
                it = self.args.numpy_cnn_iterations
                argv += ["--iterations", str(it)]
                scale = full / it
                note = "NumPy extrapolated from %d iterations" % it
            p, r = self._py(impl, argv, timeout)
            secs = (r["seconds_training"] + r["seconds_evaluating"]) * scale
            return {"seconds": secs, "seconds_training": r["seconds_training"] * scale,
                    "seconds_evaluating": r["seconds_evaluating"] * scale,
                    "accuracy": None if scale != 1.0 else r.get("final_test_accuracy"),
                    "accuracy_partial": r.get("final_test_accuracy") if scale != 1.0 else None,
                    "rss_kb": p.maxrss_kb, "wall": p.wall, "cpu": p.cpu, "note": note, "extrapolated_from": r["iterations"]
                    if scale != 1.0 else None}
        if w.kind in ("step", "eval"):
            p, r = self._py(impl, w.py + ["--iterations", str(self.reps(w)), "--warmup", str(w.warmup)], timeout)
            res = {"seconds": r["seconds_per_iteration_mean"], "median": r["seconds_per_iteration"],
                   "min": r["seconds_per_iteration_min"], "max": r["seconds_per_iteration_max"],
                   "rss_kb": p.maxrss_kb, "wall": p.wall, "cpu": p.cpu,
                   "method": "mean of %d after %d warm-up" % (self.reps(w), w.warmup)}
            self.cache[(impl, w.py[0], w.net, repeat)] = res
            return res
        if w.kind == "epoch":
            if impl == "torch":
                p, r = self._py(impl, w.py + ["--warmup", "0"], timeout)
                return {"seconds": r["seconds_epoch"], "seconds_training": r["seconds_training"],
                        "seconds_evaluating": r["seconds_evaluating"], "accuracy": r.get("final_test_accuracy"),
                        "rss_kb": p.maxrss_kb, "wall": p.wall, "cpu": p.cpu}
            # NumPy: 600 x step + evaluation, from this session's cnn-step / cnn-eval if measured
            step = self.cache.get((impl, "cnn-step", w.net, repeat))
            ev = self.cache.get((impl, "cnn-eval", w.net, repeat))
            rss = []
            if step is None:
                sw = W("", 4, "step", "", None, ["cnn-step", "--net", w.net], reps=10, warmup=2, net=w.net)
                step = self.python(impl, sw, repeat)
            if ev is None:
                ew = W("", 4, "eval", "", None, ["cnn-eval", "--net", w.net], reps=1, warmup=0, net=w.net)
                ev = self.python(impl, ew, repeat)
            rss = [step["rss_kb"], ev["rss_kb"]]
            return {"seconds": 600 * step["seconds"] + ev["seconds"], "seconds_training": 600 * step["seconds"],
                    "seconds_evaluating": ev["seconds"], "rss_kb": max(rss), "wall": 0.0,
                    "note": "NumPy derived: 600 x step + eval"}
        raise ValueError(w.kind)

    def reps(self, w):
        if self.args.quick and w.kind in ("step", "eval"):
            return max(2, w.reps // 2) if w.kind == "step" else max(1, w.reps // 2)
        return w.reps

    def measure(self, impl, w, repeat):
        if impl == "scratchnet":
            return self.scratchnet(w, repeat)
        return self.python(impl, w, repeat)


# ------------------------------------------------------------------------------------------
# Machine and data
# ------------------------------------------------------------------------------------------
def machine_info(args):
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "cores_online": os.cpu_count(), "cores_usable": len(os.sched_getaffinity(0))}
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        for line in text.splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
        info["simd"] = " ".join(x for x in ("avx2", "fma", "avx512f") if (" " + x + " ") in flags + " ")
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        info["memory_gib"] = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    info["env"] = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                              "OMP_NUM_THREADS", "SCRATCHNET_TARGET_CPU") if k in os.environ}
    try:
        v = subprocess.run(["swift", "--version"], capture_output=True, text=True, timeout=30)
        info["swift"] = (v.stdout or v.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        pass
    return info


def data_info(data_dir):
    files = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
    out = {"dir": os.path.abspath(data_dir), "files": {}}
    for split, (img, lab) in files.items():
        path = os.path.join(data_dir, img)
        with gzip.open(path, "rb") as f:
            _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        out[split + "_images"] = n
        for name in (img, lab):
            with open(os.path.join(data_dir, name), "rb") as f:
                out["files"][name] = hashlib.sha256(f.read()).hexdigest()[:16]
    return out


def loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


# ------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------
def fmt_time(s):
    if s is None:
        return "—"
    if s < 1e-3:
        return "%.1f µs" % (s * 1e6)
    if s < 1.0:
        return "%.2f ms" % (s * 1e3) if s < 0.1 else "%.1f ms" % (s * 1e3)
    if s < 100:
        return "%.2f s" % s
    return "%.0f s" % s


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    r = a / b
    return "%.2f×" % r if r < 10 else "%.1f×" % r


def fmt_acc(x):
    return "—" if x is None else "%.3f" % x


def table_rows(rows, impls):
    header = ["part", "workload", "ScratchNet", "NumPy", "PyTorch", "NumPy/ScratchNet", "PyTorch/ScratchNet",
              "ScratchNet max RSS", "test acc. SN / NP / PT", "load", "notes"]
    out = []
    for r in rows:
        med = r["median"]
        sn, npv, pt = med.get("scratchnet"), med.get("numpy"), med.get("torch")
        rss = r["scratchnet_rss_mb"]
        acc = " / ".join(fmt_acc(r["accuracy"].get(i)) for i in IMPLS)
        out.append([str(r["part"]), r["id"],
                    fmt_time(sn) if "scratchnet" in impls else "skipped",
                    fmt_time(npv) if "numpy" in impls else "skipped",
                    fmt_time(pt) if "torch" in impls else "skipped",
                    fmt_ratio(npv, sn), fmt_ratio(pt, sn),
                    "—" if rss is None else "%.0f MB" % rss, acc, "%.2f" % r["load_start"],
                    "; ".join(r["notes"])])
    return header, out


def print_table(header, rows, markdown, file=sys.stdout):
    if markdown:
        print("| " + " | ".join(header) + " |", file=file)
        print("|" + "|".join("---" if i < 2 or i >= len(header) - 1 else "---:" for i in range(len(header))) + "|",
              file=file)
        for row in rows:
            print("| " + " | ".join(c.replace("|", "/") for c in row) + " |", file=file)
        return
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]) for i in range(len(header))]
    left = {0, 1, len(header) - 1}

    def line(cells):
        return "  ".join(c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(cells)).rstrip()
    print(line(header), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for row in rows:
        print(line(row), file=file)


# ------------------------------------------------------------------------------------------
# GEMM
# ------------------------------------------------------------------------------------------
GEMM_FILTERS = ["mlp fwd1", "mlp dW1", "eval 10k", "deep eval", "conv fwd", "conv dW", "conv aff1", "cnn conv2",
                "square 1024"]


def run_gemm(args, session, impls):
    """scratchnet-gemm-bench (BLAS as ScratchNet links it, its kernel on 1 and 2 threads, and
    what MatMul picks), then NumPy and PyTorch on the same shapes with the same method."""
    if not args.gemm_bench or not os.path.exists(args.gemm_bench):
        print("GEMM: %s not found (build it: swift build -c release --product scratchnet-gemm-bench)"
              % args.gemm_bench, file=sys.stderr)
        return None
    cmd = [args.gemm_bench] + (["--quick"] if args.quick else []) + GEMM_FILTERS
    p = run_proc(cmd, env=session.env, timeout=args.timeout)
    if p.rc != 0:
        print("GEMM bench failed:\n" + p.stderr[-1000:], file=sys.stderr)
        return None
    lines = p.stdout.strip().splitlines()
    preface = lines[0] if lines else ""
    head = None
    shapes = []
    for ln in lines[1:]:
        if ln.startswith("shape"):
            head = ln.split()
            continue
        # label (may contain one space) then "M×N×K OP" then numbers then "  auto picks"
        parts = ln.split()
        idx = next((i for i, t in enumerate(parts) if "×" in t), None)
        if idx is None:
            continue
        label = " ".join(parts[:idx])
        dims = [int(x) for x in parts[idx].split("×")]
        op = parts[idx + 1]
        nums = []
        for t in parts[idx + 2:]:
            try:
                nums.append(float(t))
            except ValueError:
                break
        pick = " ".join(parts[idx + 2 + len(nums):])
        shapes.append({"label": label, "m": dims[0], "n": dims[1], "k": dims[2], "op": op,
                       "blas": nums[0] if nums else None, "kernel1": nums[1] if len(nums) > 1 else None,
                       "kernel2": nums[2] if len(nums) > 2 else None, "auto": nums[3] if len(nums) > 3 else None,
                       "picks": pick})
    spec = ["%dx%dx%d:%s" % (s["m"], s["n"], s["k"], s["op"]) for s in shapes]
    for lib in ("numpy", "torch"):
        if lib not in impls or not spec:
            continue
        q = run_proc([args.python, PYGEMM, "--lib", lib, "--threads", str(args.threads), "--json"]
                     + (["--quick"] if args.quick else []) + spec, env=session.env, timeout=args.timeout)
        try:
            r = _last_json(q, "pygemm " + lib)
        except Failure as e:
            print(str(e), file=sys.stderr)
            continue
        for s, g in zip(shapes, r["results"]):
            s[lib] = g["gflops"]
    return {"preface": preface, "shapes": shapes, "raw": p.stdout}


def print_gemm(g, markdown):
    header = ["shape", "M×N×K op", "ScratchNet auto", "ScratchNet BLAS", "kernel×1", "kernel×2", "NumPy", "PyTorch",
              "auto picks"]
    f = lambda v: "—" if v is None else "%.0f" % v  # noqa: E731
    rows = [[s["label"], "%d×%d×%d %s" % (s["m"], s["n"], s["k"], s["op"]), f(s["auto"]), f(s["blas"]),
             f(s["kernel1"]), f(s["kernel2"]), f(s.get("numpy")), f(s.get("torch")), s["picks"]] for s in g["shapes"]]
    print("GEMM float32 GFLOPS (median; %s)" % g["preface"])
    print_table(header, rows, markdown)


# ------------------------------------------------------------------------------------------
def select(workloads, args):
    if args.only:
        pats = [p.strip() for p in args.only.split(",") if p.strip()]

        def matches(wid, p):
            if any(c in p for c in "*?["):
                return fnmatch.fnmatch(wid, p)
            # an exact id, or a group: "2_4" / "cnn-step" / "simple" (a part of the id between slashes)
            return wid == p or p in wid.split("/")
        chosen = [w for w in workloads if any(matches(w.id, p) for p in pats)]
    elif args.all:
        chosen = list(workloads)
    elif args.quick:
        chosen = [w for w in workloads if w.quick]
    else:
        chosen = [w for w in workloads if w.default]
    return chosen


def git_state():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "Sources",
                                "Package.swift"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        return head + (" + uncommitted changes in Sources/" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def describe_binary(path):
    try:
        return "%s (built %s)" % (path, time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(path))))
    except OSError:
        return path


def print_header(info, out):
    m, d = info["machine"], info["data"]
    print("ScratchNet benchmark, %s" % info["started"], file=out)
    print("Machine: %s, %s cores usable (%s online), %s GiB; SIMD %s; %s" % (
        m.get("cpu", "?"), m["cores_usable"], m["cores_online"], m.get("memory_gib", "?"),
        m.get("simd", "?"), m["platform"]), file=out)
    print("ScratchNet: %s; source: git %s" % (info.get("scratchnet_binary_desc", "?"), info.get("git", "?")), file=out)
    print("Threads: %d (NumPy OPENBLAS_NUM_THREADS, torch.set_num_threads, ScratchNet OPENBLAS_NUM_THREADS); "
          "environment: %s" % (info["threads"], m["env"] or "none of OPENBLAS_*/OMP_* set"), file=out)
    print("Data: %s: %d training / %d test images (sha256 %s)" % (
        d["dir"], d["train_images"], d["test_images"],
        ", ".join("%s %s" % (k.replace("-ubyte.gz", ""), v) for k, v in d["files"].items())), file=out)
    print("Load average at start: %.2f %.2f %.2f (1/5/15 min); %d repeat(s), median shown; %d workload(s)"
          % (tuple(info["load_start"]) + (info["repeat"], info.get("workloads", 0))), file=out, flush=True)


def print_footer(info, rows, out):
    print("\nTimes: whole runs = training + evaluation seconds inside each program's loop (no start-up, data "
          "loading or reports); per-step/eval = mean per repetition after warm-up; median over %d repeat(s). "
          "Ratio > 1: ScratchNet took less time. RSS: the ScratchNet process's peak (os.wait4). "
          "load: 1-min load average when the row started." % info["repeat"], file=out)
    if info.get("data_descriptions"):
        print("ScratchNet reported its data as: " + "; ".join(info["data_descriptions"]), file=out)
    print("Versions: %s; Python %s for NumPy/PyTorch (%s)" % (
        ", ".join("%s %s" % (k.replace("_version", ""), v) for k, v in sorted(info["versions"].items())) or "—",
        info["machine"]["python"], info["python"]), file=out)
    print("Load average at end: %.2f %.2f %.2f" % tuple(info["load_end"]), file=out)


def render(path, markdown):
    with open(path) as f:
        info = json.load(f)
    impls = info.get("impls", IMPLS)
    print_header(info, sys.stdout)
    print("")
    header, trows = table_rows(info["rows"], impls)
    print_table(header, trows, markdown)
    print_footer(info, info["rows"], sys.stdout)
    if info.get("gemm"):
        print("")
        print_gemm(info["gemm"], markdown)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated workload ids or glob patterns (e.g. '2_4/*,mlp-*'); "
                                   "a plain word matches an id or a part of one between slashes ('2_4', 'simple')")
    ap.add_argument("--all", action="store_true", help="every workload (adds DoubleConvNet, 2_7 and 2_8 whole runs)")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    ap.add_argument("--quick", action="store_true",
                    help="a representative subset, 1 repeat, half the timed repetitions, NumPy CNN runs 50 it.")
    ap.add_argument("--repeat", type=int, default=None, help="runs of each workload per implementation (median); "
                                                             "default 3, 1 with --quick")
    ap.add_argument("--no-numpy", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-scratchnet", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables (for the README)")
    ap.add_argument("--json", metavar="FILE", help="write every measurement to FILE")
    ap.add_argument("--gemm", action="store_true", help="also run scratchnet-gemm-bench and NumPy/PyTorch GEMM")
    ap.add_argument("--data-dir", default=os.environ.get("SCRATCHNET_MNIST_DIR") or os.environ.get("SCRATCHNET_DATA")
                    or "/work/shared/data/mnist", help="the four MNIST .gz files (full MNIST)")
    ap.add_argument("--scratchnet", default=os.path.join(ROOT, ".build-bench", "release", "scratchnet"),
                    help="the release scratchnet binary (default .build-bench/release/scratchnet)")
    ap.add_argument("--gemm-bench", default=os.path.join(ROOT, ".build-bench", "release", "scratchnet-gemm-bench"))
    default_py = os.path.join(ROOT, ".venv-bench", "bin", "python")
    ap.add_argument("--python", default=default_py if os.path.exists(default_py) else sys.executable,
                    help="Python with numpy and torch (default .venv-bench/bin/python if present)")
    ap.add_argument("--threads", type=int, default=2,
                    help="threads for NumPy's BLAS and PyTorch; OPENBLAS_NUM_THREADS for ScratchNet (default 2)")
    ap.add_argument("--numpy-cnn-iterations", type=int, default=None,
                    help="NumPy conv-net hands-ons run this many iterations and are extrapolated (default 100; 50 quick)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one process is killed")
    ap.add_argument("--render", metavar="FILE", help="print the tables of an earlier --json FILE and exit")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.render:
        return render(args.render, args.markdown)
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.numpy_cnn_iterations is None:
        args.numpy_cnn_iterations = 50 if args.quick else 100

    workloads = build_workloads()
    if args.list:
        for w in workloads:
            flags = ("default " if w.default else "") + ("quick" if w.quick else "")
            print("%-24s part %d  %-5s %-60s %s" % (w.id, w.part, w.kind, w.title, flags))
        return 0
    chosen = select(workloads, args)
    if not chosen:
        print("no workload matches --only %r (see --list)" % args.only, file=sys.stderr)
        return 2
    impls = [i for i in IMPLS if not getattr(args, "no_" + i)]
    if "scratchnet" in impls and not os.path.exists(args.scratchnet):
        print("ScratchNet binary not found: %s\nbuild it: swift build -c release --scratch-path .build-bench "
              "--product scratchnet" % args.scratchnet, file=sys.stderr)
        return 2

    session = Session(args)
    machine = machine_info(args)
    data = data_info(args.data_dir)
    la0 = loadavg()
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    out = sys.stdout
    info = {"started": started, "machine": machine, "data": data, "threads": args.threads, "repeat": args.repeat,
            "load_start": la0, "workloads": len(chosen), "impls": impls, "git": git_state(),
            "scratchnet_binary": args.scratchnet, "scratchnet_binary_desc": describe_binary(args.scratchnet),
            "python": args.python, "argv": sys.argv[1:] if argv is None else argv}
    print_header(info, out)
    if la0[0] > (machine.get("cores_usable") or 1) and args.threads > 1:
        print("Warning: the load average (%.1f) is above the core count: NumPy's OpenBLAS and PyTorch's OpenMP "
              "threads busy-wait and slow down far more than ScratchNet's; consider --threads 1." % la0[0], file=out)
    print("", file=out)

    rows = []
    for wi, w in enumerate(chosen):
        la = loadavg()[0]
        samples = {i: [] for i in impls}
        extras = {i: [] for i in impls}
        errors = {}
        for rep in range(args.repeat):
            order = impls[rep % len(impls):] + impls[:rep % len(impls)]
            for impl in order:
                if impl in errors:
                    continue
                try:
                    r = session.measure(impl, w, rep)
                except Failure as e:
                    errors[impl] = str(e)
                    print("  %s failed on %s:\n%s" % (LABEL[impl], w.id, e), file=sys.stderr)
                    continue
                samples[impl].append(r["seconds"])
                extras[impl].append(r)
        med = {i: statistics.median(samples[i]) for i in impls if samples[i]}
        notes = []
        for i in impls:
            for r in extras[i]:
                if r.get("note") and r["note"] not in notes:
                    notes.append(r["note"])
        for i, e in errors.items():
            notes.append("%s failed" % LABEL[i])
        rss = [r["rss_kb"] for r in extras.get("scratchnet", []) if r.get("rss_kb")]
        acc = {}
        for i in impls:
            vals = [r.get("accuracy") for r in extras[i] if r.get("accuracy") is not None]
            acc[i] = statistics.median(vals) if vals else None
        row = {"id": w.id, "part": w.part, "kind": w.kind, "title": w.title, "median": med, "samples": samples,
               "details": extras, "errors": errors, "notes": notes, "accuracy": acc, "load_start": la,
               "scratchnet_rss_mb": max(rss) / 1024 if rss else None,
               "rss_mb": {i: max(r["rss_kb"] for r in extras[i]) / 1024 for i in impls if extras[i]}}
        rows.append(row)
        line = "  ".join("%s %s" % (LABEL[i], fmt_time(med.get(i))) for i in impls)
        print("[%d/%d] %-22s %s  (load %.2f)" % (wi + 1, len(chosen), w.id, line, la), file=sys.stderr, flush=True)

    gemm = run_gemm(args, session, impls) if args.gemm else None
    la1 = loadavg()
    info.update({"load_end": la1, "versions": session.versions, "rows": rows, "gemm": gemm,
                 "data_descriptions": sorted(session.data_descriptions)})
    header, trows = table_rows(rows, impls)
    print("", file=out)
    print_table(header, trows, args.markdown, out)
    print_footer(info, rows, out)
    if gemm:
        print("", file=out)
        print_gemm(gemm, args.markdown)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(info, f, indent=1)
        print("Wrote %s" % args.json, file=out)
    shutil.rmtree(session.tmp, ignore_errors=True)
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
