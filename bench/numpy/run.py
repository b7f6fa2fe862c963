#!/usr/bin/env python3
"""Run one of the course's Day-2 workloads with the NumPy reference (bench/numpy/common.py).

    python3 bench/numpy/run.py WORKLOAD --data-dir DIR [--iterations N] [--seed S]
                               [--dtype float32|float64] [--json] [options]

Training workloads (hands-on number in brackets) print one human line and, with --json, one
JSON object on the last line:
    {"workload", "variant", "seconds_total", "seconds_training", "seconds_evaluating",
     "final_test_accuracy", "final_train_accuracy", "final_loss", "iterations", "dtype", ...}
Per-iteration workloads (mlp-step, mlp-eval, cnn-step, cnn-eval) report
"seconds_per_iteration" (the median) instead.

Timing uses time.perf_counter and excludes Python start-up, imports and data loading.
"""
import argparse
import json
import os
import statistics
import sys
import time


def _threads_from_argv(argv):
    """--threads N must take effect before NumPy (and its OpenBLAS) is loaded."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return None


_THREADS = _threads_from_argv(sys.argv[1:])
if _THREADS is not None:
    os.environ["OPENBLAS_NUM_THREADS"] = _THREADS
    os.environ["OMP_NUM_THREADS"] = _THREADS

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from mnist import load_mnist  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from workloads import DEFAULT_ITERATIONS, DEFAULT_WARMUP, INIT_VARIANTS, STEP_WORKLOADS, TRAINING_WORKLOADS  # noqa: E402,E501

WORKLOADS = TRAINING_WORKLOADS + STEP_WORKLOADS + ["selftest"]

# hands-on 2_5: (network kwargs, default optimizer lr for SGD)
OVERFIT_VARIANTS = {
    "none": (dict(), 0.01),
    "l2": (dict(weight_decay_lambda=0.1, weight_decay_type="l2"), 0.01),
    "l1": (dict(weight_decay_lambda=0.005, weight_decay_type="l1"), 0.1),
    "dropout": (dict(use_dropout=True, dropout_ration=0.15), 0.01),
    "dropout-l1": (dict(use_dropout=True, dropout_ration=0.08,
                        weight_decay_lambda=0.004, weight_decay_type="l1"), 0.01),
}



def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workload", choices=WORKLOADS)
    p.add_argument("--data-dir", default=os.environ.get("SCRATCHNET_MNIST_DIR"),
                   help="directory with the four gzipped MNIST IDX files (default $SCRATCHNET_MNIST_DIR)")
    p.add_argument("--iterations", type=int, default=None,
                   help="training iterations, or timed repetitions for *-step/*-eval")
    p.add_argument("--warmup", type=int, default=None, help="untimed repetitions before *-step/*-eval")
    p.add_argument("--seed", type=int, default=0, help="np.random.seed(seed) before anything random")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS threads (sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS before NumPy loads); "
                        "default: leave the environment as it is")
    p.add_argument("--variant", default=None,
                   help="vanishing-gradient/batch-normalization: relu-he|sigmoid-gauss|sigmoid-xavier|"
                        "relu-gauss|sigmoid-he; overfitting: none|l2|l1|dropout|dropout-l1")
    p.add_argument("--optimizer", default=None, choices=sorted(common.OPTIMIZERS),
                   help="optimizers (2_4): which optimizer (default sgd); overfitting: override SGD")
    p.add_argument("--net", default="simple", choices=["simple", "double", "deep"],
                   help="cnn-step / cnn-eval: which conv net")
    p.add_argument("--lr", type=float, default=None, help="override the hands-on's learning rate")
    p.add_argument("--decay-rate", type=float, default=0.99, help="RMSProp ρ (2_4 tries 0.99/0.01/1)")
    p.add_argument("--batchnorm", action="store_true", help="optimizers (2_4): batch norm on")
    p.add_argument("--hidden", default=None,
                   help="hidden sizes, comma separated (2_2 tries 40,20 / 100,80 / 300,100)")
    p.add_argument("--eval-interval", type=int, default=10, help="record/evaluate every N iterations")
    p.add_argument("--history", action="store_true", help="include every recorded point in the JSON")
    p.add_argument("--verbose", action="store_true", help="print a line at every recorded point")
    a = p.parse_args(argv)
    if a.workload != "selftest" and not a.data_dir:
        p.error("--data-dir is required (or set SCRATCHNET_MNIST_DIR)")
    return a


def hidden_sizes(args, default):
    if args.hidden:
        return [int(s) for s in args.hidden.split(",") if s]
    return default


def make_optimizer(name, lr, decay_rate=0.99):
    if name == "rmsprop":
        return common.RMSprop(lr=lr, decay_rate=decay_rate)
    return common.OPTIMIZERS[name](lr=lr)


# ------------------------------------------------------------------------------------------
# The training loop of the hands-ons: minibatch of 100 drawn WITH replacement
# (np.random.choice), gradient, update; every `eval_interval` iterations record the loss of that
# step's forward pass, the training accuracy (current minibatch in 2_2–2_4, the whole training
# set in 2_5–2_8) and the test accuracy.
# ------------------------------------------------------------------------------------------
def train(network, optimizer, x_train, t_train, x_test, t_test, iters, batch_size=100,
          eval_interval=10, train_acc_on="batch", verbose=False):
    train_size = x_train.shape[0]
    history = []
    seconds_training = 0.0
    seconds_evaluating = 0.0
    start = time.perf_counter()
    for i in range(iters):
        t0 = time.perf_counter()
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grad = network.gradient(x_batch, t_batch)
        optimizer.update(network.params, grad)
        t1 = time.perf_counter()
        seconds_training += t1 - t0

        if (i + 1) % eval_interval == 0:
            loss = float(network.last_loss)
            if train_acc_on == "batch":
                accr_train = network.accuracy(x_batch, t_batch)
            else:
                accr_train = network.accuracy(x_train, t_train)
            accr_test = network.accuracy(x_test, t_test)
            seconds_evaluating += time.perf_counter() - t1
            history.append({"iteration": i + 1, "loss": loss,
                            "train_accuracy": accr_train, "test_accuracy": accr_test})
            if verbose:
                print("Generation: %d. loss = %.4f  正答率(トレーニング) = %.4f  正答率(テスト) = %.4f"
                      % (i + 1, loss, accr_train, accr_test), flush=True)
    seconds_total = time.perf_counter() - start
    return {
        "seconds_total": seconds_total,
        "seconds_training": seconds_training,
        "seconds_evaluating": seconds_evaluating,
        "history": history,
    }


def run_training(args):
    w = args.workload
    iters = args.iterations if args.iterations is not None else DEFAULT_ITERATIONS[w]
    dtype = common.DTYPE
    variant = args.variant

    # ---- data (not timed) -----------------------------------------------------------------
    if w in ("vanishing-gradient", "batch-normalization", "optimizers"):
        # 2_2–2_4: load_mnist(normalize=True, one_hot_label=True), all 60k / 10k
        (x_train, t_train), (x_test, t_test) = load_mnist(
            normalize=True, one_hot_label=True, data_dir=args.data_dir, dtype=dtype)
        train_acc_on = "batch"
    elif w == "overfitting":
        # 2_5: load_mnist(normalize=True); only the first 300 training samples
        (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, data_dir=args.data_dir, dtype=dtype)
        x_train, t_train = x_train[:300], t_train[:300]
        train_acc_on = "all"
    else:
        # 2_6–2_8: load_mnist(flatten=False); first 5000 train / 1000 test
        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, data_dir=args.data_dir, dtype=dtype)
        x_train, t_train = x_train[:5000], t_train[:5000]
        x_test, t_test = x_test[:1000], t_test[:1000]
        train_acc_on = "all"

    np.random.seed(args.seed)

    # ---- network and optimizer ------------------------------------------------------------
    if w == "vanishing-gradient":
        variant = variant or "relu-he"
        activation, init = INIT_VARIANTS[variant]
        network = common.MultiLayerNet(784, hidden_sizes(args, [40, 20]), 10,
                                       activation=activation, weight_init_std=init)
        optimizer = common.SGD(lr=args.lr if args.lr is not None else 0.1)
    elif w == "batch-normalization":
        variant = variant or "sigmoid-xavier"
        activation, init = INIT_VARIANTS[variant]
        network = common.MultiLayerNetExtend(784, hidden_sizes(args, [40, 20]), 10,
                                             activation=activation, weight_init_std=init,
                                             use_batchnorm=True)
        optimizer = common.SGD(lr=args.lr if args.lr is not None else 0.01)
    elif w == "optimizers":
        opt = args.optimizer or "sgd"
        variant = opt + ("-bn" if args.batchnorm else "")
        if args.batchnorm:
            network = common.MultiLayerNetExtend(784, hidden_sizes(args, [40, 20]), 10,
                                                 activation="sigmoid", weight_init_std=0.01,
                                                 use_batchnorm=True)
        else:
            network = common.MultiLayerNet(784, hidden_sizes(args, [40, 20]), 10,
                                           activation="sigmoid", weight_init_std=0.01)
        optimizer = make_optimizer(opt, args.lr if args.lr is not None else 0.01, args.decay_rate)
    elif w == "overfitting":
        variant = variant or "none"
        kwargs, sgd_lr = OVERFIT_VARIANTS[variant]
        sizes = hidden_sizes(args, [100] * 6)
        if kwargs.get("use_dropout"):
            network = common.MultiLayerNetExtend(784, sizes, 10, **kwargs)
        else:
            network = common.MultiLayerNet(784, sizes, 10, **kwargs)
        opt = args.optimizer or "sgd"
        if args.lr is not None:
            lr = args.lr
        elif opt == "sgd":
            lr = sgd_lr
        elif opt == "adam":
            lr = 0.001  # the notes' optimizer.Adam() default
        else:
            lr = 0.01
        optimizer = make_optimizer(opt, lr, args.decay_rate)
        if opt != "sgd":
            variant = variant + "+" + opt
    else:
        net = {"simple-cnn": "simple", "double-cnn": "double", "deep-cnn": "deep"}[w]
        variant = variant or net
        network = make_convnet(net)
        optimizer = common.Adam(lr=args.lr if args.lr is not None else 0.001)

    # ---- train (timed) --------------------------------------------------------------------
    r = train(network, optimizer, x_train, t_train, x_test, t_test, iters,
              batch_size=100, eval_interval=args.eval_interval,
              train_acc_on=train_acc_on, verbose=args.verbose)
    last = r["history"][-1] if r["history"] else {}
    result = {
        "workload": w,
        "variant": variant,
        "seconds_total": r["seconds_total"],
        "seconds_training": r["seconds_training"],
        "seconds_evaluating": r["seconds_evaluating"],
        "final_test_accuracy": last.get("test_accuracy"),
        "final_train_accuracy": last.get("train_accuracy"),
        "final_loss": last.get("loss"),
        "iterations": iters,
        "eval_interval": args.eval_interval,
        "evaluations": len(r["history"]),
        "train_accuracy_on": "minibatch" if train_acc_on == "batch" else "%d training images" % x_train.shape[0],
        "test_images": int(x_test.shape[0]),
        "seed": args.seed,
        "dtype": args.dtype,
    }
    if args.history:
        result["history"] = r["history"]
    human = ("%s [%s] %d iterations, %s: total %.3f s (training %.3f s, evaluating %.3f s); "
             "final train acc %s, test acc %s, loss %s"
             % (w, variant, iters, args.dtype, r["seconds_total"], r["seconds_training"],
                r["seconds_evaluating"], _fmt(result["final_train_accuracy"]),
                _fmt(result["final_test_accuracy"]), _fmt(result["final_loss"])))
    return human, result


def make_convnet(net):
    if net == "simple":
        return common.SimpleConvNet(input_dim=(1, 28, 28),
                                    conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                                    hidden_size=100, output_size=10, weight_init_std=0.01)
    if net == "double":
        return common.DoubleConvNet(input_dim=(1, 28, 28), hidden_size=100, output_size=10,
                                    weight_init_std=0.01)
    return common.DeepConvNet(input_dim=(1, 28, 28), hidden_size=50, output_size=10)


def _fmt(v):
    return "n/a" if v is None else "%.4f" % v


def _stats(samples):
    return {
        "seconds_per_iteration": statistics.median(samples),
        "seconds_per_iteration_mean": statistics.fmean(samples),
        "seconds_per_iteration_min": min(samples),
        "seconds_per_iteration_max": max(samples),
    }


# ------------------------------------------------------------------------------------------
# Per-iteration workloads
# ------------------------------------------------------------------------------------------
def run_step(args):
    w = args.workload
    reps = args.iterations if args.iterations is not None else DEFAULT_ITERATIONS[w]
    warmup = args.warmup if args.warmup is not None else DEFAULT_WARMUP[w]
    dtype = common.DTYPE
    cnn = w.startswith("cnn")
    if cnn:
        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, data_dir=args.data_dir, dtype=dtype)
    else:
        (x_train, t_train), (x_test, t_test) = load_mnist(
            normalize=True, one_hot_label=True, data_dir=args.data_dir, dtype=dtype)

    np.random.seed(args.seed)
    if cnn:
        variant = args.net
        network = make_convnet(args.net)
        optimizer = common.Adam(lr=args.lr if args.lr is not None else 0.001)
    else:
        variant = "784-%s-10 relu-he sgd" % "-".join(str(s) for s in hidden_sizes(args, [40, 20]))
        network = common.MultiLayerNet(784, hidden_sizes(args, [40, 20]), 10,
                                       activation="relu", weight_init_std="he")
        optimizer = common.SGD(lr=args.lr if args.lr is not None else 0.1)

    samples = []
    extra = {}
    start = time.perf_counter()
    if w.endswith("-step"):
        # one training iteration: draw the minibatch, gradient, update
        train_size = x_train.shape[0]
        for i in range(warmup + reps):
            t0 = time.perf_counter()
            batch_mask = np.random.choice(train_size, 100)
            x_batch = x_train[batch_mask]
            t_batch = t_train[batch_mask]
            grad = network.gradient(x_batch, t_batch)
            optimizer.update(network.params, grad)
            t1 = time.perf_counter()
            if i >= warmup:
                samples.append(t1 - t0)
        extra["batch_size"] = 100
        extra["final_loss"] = float(network.last_loss)
        what = "training iteration (batch 100)"
    else:
        # accuracy on the whole 10k test set (conv nets: in batches of 100, as the book does)
        acc = None
        for i in range(warmup + reps):
            t0 = time.perf_counter()
            acc = network.accuracy(x_test, t_test)
            t1 = time.perf_counter()
            if i >= warmup:
                samples.append(t1 - t0)
        extra["test_images"] = int(x_test.shape[0])
        extra["final_test_accuracy"] = acc
        extra["note"] = "untrained network (initial weights); timing does not depend on the weights"
        what = "evaluation of %d test images" % x_test.shape[0]
    seconds_total = time.perf_counter() - start

    result = {"workload": w, "variant": variant}
    result.update(_stats(samples))
    result.update({"seconds_total": seconds_total, "iterations": reps, "warmup": warmup,
                   "seed": args.seed, "dtype": args.dtype})
    result.update(extra)
    human = ("%s [%s] %s: median %.3f ms (mean %.3f, min %.3f, max %.3f) over %d after %d warm-up, %s"
             % (w, variant, what, 1e3 * result["seconds_per_iteration"],
                1e3 * result["seconds_per_iteration_mean"], 1e3 * result["seconds_per_iteration_min"],
                1e3 * result["seconds_per_iteration_max"], reps, warmup, args.dtype))
    return human, result


# ------------------------------------------------------------------------------------------
# selftest: backprop against the numerical gradient (float64), plus the notes' quizzes
# ------------------------------------------------------------------------------------------
def run_selftest(args):
    common.set_dtype("float64")
    np.random.seed(args.seed)
    checks = []

    def rel_err(a, n):
        return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-10))

    def check_net(name, net, x, t, max_entries=40):
        # fixed seed before every forward, so dropout masks are the same in all evaluations
        def loss_fn(_):
            np.random.seed(1234)
            return net.loss(x, t, train_flg=True) if "train_flg" in net.loss.__code__.co_varnames else net.loss(x, t)
        np.random.seed(1234)
        grads = net.gradient(x, t)
        worst = 0.0
        for key, p in net.params.items():
            flat = p.reshape(-1)
            idx = np.arange(flat.size)
            if flat.size > max_entries:
                idx = np.random.RandomState(0).choice(flat.size, max_entries, replace=False)
            num = np.zeros(len(idx))
            for j, k in enumerate(idx):
                old = flat[k]
                flat[k] = old + 1e-4
                fp = loss_fn(None)
                flat[k] = old - 1e-4
                fm = loss_fn(None)
                flat[k] = old
                num[j] = (fp - fm) / 2e-4
            ana = grads[key].reshape(-1)[idx]
            worst = max(worst, rel_err(ana, num))
        # tolerance 1e-3: the loss has log(y + 1e-7) while backward uses (y − t)/N, so the two
        # differ slightly where a softmax output is small; ReLU kinks add a little more.
        checks.append({"check": "gradient " + name, "max_relative_error": worst, "ok": worst < 1e-3})

    x = np.random.randn(4, 20)
    t = np.array([0, 3, 9, 3])
    check_net("MultiLayerNet relu", common.MultiLayerNet(20, [8, 6], 10, "relu", "he"), x, t)
    check_net("MultiLayerNet sigmoid", common.MultiLayerNet(20, [8, 6], 10, "sigmoid", "xavier"), x, t)
    check_net("MultiLayerNet L2", common.MultiLayerNet(20, [8], 10, weight_decay_lambda=0.1), x, t)
    check_net("MultiLayerNet L1", common.MultiLayerNet(20, [8], 10, weight_decay_lambda=0.05,
                                                       weight_decay_type="l1"), x, t)
    check_net("MultiLayerNetExtend batchnorm+dropout",
              common.MultiLayerNetExtend(20, [8, 6], 10, "sigmoid", "xavier", use_batchnorm=True,
                                         use_dropout=True, dropout_ration=0.2), x, t)
    xi = np.random.randn(3, 1, 10, 10)
    ti = np.array([1, 2, 7])
    check_net("SimpleConvNet", common.SimpleConvNet(input_dim=(1, 10, 10),
              conv_param={"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1},
              hidden_size=10, weight_init_std=0.3), xi, ti)
    check_net("DoubleConvNet", common.DoubleConvNet(input_dim=(1, 12, 12), hidden_size=10,
                                                    weight_init_std=0.1), np.random.randn(3, 1, 12, 12), ti)
    check_net("DeepConvNet", common.DeepConvNet(dropout_ratio=0.3), np.random.randn(2, 1, 28, 28),
              np.array([4, 5]), max_entries=8)

    # col2im adds overlapping windows: 4×4 input, 3×3 filter → corner ×1, edge ×2, centre ×4
    xq = np.random.rand(2, 1, 4, 4) * 100 // 1
    back = common.col2im(common.im2col(xq, 3, 3), xq.shape, 3, 3)
    mult = np.array([[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])
    checks.append({"check": "col2im(im2col(x)) = x × window count", "ok": bool(np.allclose(back, xq * mult))})
    # conv output size quiz: 6×6 input, 2×2 filter, stride 1, pad 1 → 7×7
    conv = common.Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1), stride=1, pad=1)
    checks.append({"check": "conv output 6x6, 2x2, s1, p1 -> 7x7",
                   "ok": conv.forward(np.zeros((1, 1, 6, 6))).shape == (1, 1, 7, 7)})
    # sigmoid derivative is largest at 0, where it is 0.25
    checks.append({"check": "sigmoid'(0) = 0.25", "ok": bool(abs(common.sigmoid_grad(0.0) - 0.25) < 1e-12)})
    # max pooling: first maximum wins ties
    pool = common.Pooling(2, 2, stride=2)
    pool.forward(np.ones((1, 1, 2, 2)))
    d = pool.backward(np.ones((1, 1, 1, 1)))
    checks.append({"check": "max-pool tie -> first element", "ok": bool(d[0, 0, 0, 0] == 1 and d.sum() == 1)})
    # average pooling gradient spreads evenly
    ap = common.AvgPooling(2, 2, stride=2)
    out = ap.forward(np.arange(16.0).reshape(1, 1, 4, 4))
    da = ap.backward(np.ones((1, 1, 2, 2)))
    checks.append({"check": "avg-pool forward/backward",
                   "ok": bool(np.allclose(out[0, 0], [[2.5, 4.5], [10.5, 12.5]]) and np.allclose(da, 0.25))})

    # float32 stays float32 through a training step of every network
    common.set_dtype("float32")
    kinds = []
    nets = [(common.MultiLayerNetExtend(20, [8], 10, use_batchnorm=True, use_dropout=True),
             np.random.randn(4, 20).astype(np.float32), t),
            (common.DeepConvNet(), np.random.randn(2, 1, 28, 28).astype(np.float32), np.array([1, 2]))]
    for net, xx, tt in nets:
        for opt in common.OPTIMIZERS.values():
            g = net.gradient(xx, tt)
            opt().update(net.params, g)
        kinds += [str(v.dtype) for v in net.params.values()] + [str(v.dtype) for v in g.values()]
    checks.append({"check": "float32 stays float32", "ok": set(kinds) == {"float32"}})

    ok = all(c["ok"] for c in checks)
    for c in checks:
        if not args.json or not c["ok"]:
            print(("PASS " if c["ok"] else "FAIL ") + c["check"] +
                  ("  (max rel. error %.2e)" % c["max_relative_error"] if "max_relative_error" in c else ""))
    human = "selftest: %d checks, %s" % (len(checks), "all passed" if ok else "FAILED")
    return human, {"workload": "selftest", "passed": ok, "checks": checks}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # float32 sigmoid overflows exp(−x) to inf for very negative x; 1/(1+inf) = 0 is right.
    np.seterr(over="ignore")
    common.set_dtype(args.dtype)
    if args.workload == "selftest":
        human, result = run_selftest(args)
    elif args.workload in TRAINING_WORKLOADS:
        human, result = run_training(args)
    else:
        human, result = run_step(args)
    if "dtype" in result or args.workload != "selftest":
        result["numpy_version"] = np.__version__
        result["blas_threads_env"] = {k: os.environ[k] for k in
                                      ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE")
                                      if k in os.environ}
    print(human, flush=True)
    if args.json:
        print(json.dumps(result), flush=True)
    if args.workload == "selftest" and not result["passed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
