#!/usr/bin/env python3
"""Run one of the course's Day-2 workloads with PyTorch on the CPU (idiomatic torch: nn.Module,
autograd, torch.optim), for side-by-side timing with ScratchNet and the NumPy reference.

    python3 bench/torch/run.py WORKLOAD --data-dir DIR [--iterations N] [--seed S]
                               [--threads N] [--json] [options]

Same command line and JSON conventions as bench/numpy/run.py (see bench/numpy/README.md):
training workloads print "seconds_total", "seconds_training", "seconds_evaluating",
"final_test_accuracy", ...; per-iteration workloads (mlp-step, mlp-eval, cnn-step, cnn-eval)
print "seconds_per_iteration" (the median). One extra workload, cnn-epoch, runs one full-MNIST
epoch (600 steps of 100 drawn with replacement over all 60,000 images) and then evaluates the
10,000 test images.

float32 throughout, torch.set_num_threads(--threads, default 2). The MNIST IDX files are read
once into tensors before anything is timed; timing is time.perf_counter around the loop only
(Python start-up, imports, data loading and model construction are excluded).

Where torch's idiomatic building blocks differ from the book's (the timing is not affected, the
learning curves slightly): nn.CrossEntropyLoss has no +1e-7 inside the log; nn.Dropout is
inverted (scales by 1/(1-p) while training) where the book scales by (1-p) at inference;
nn.BatchNorm1d keeps unbiased running variance starting at 1 (the book: biased, starting at 0);
torch.optim.Adam adds eps to sqrt(v_hat) rather than to sqrt(v); SGD momentum keeps v without
the learning rate folded in (identical steps for a constant learning rate).
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time


def _threads_from_argv(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "2"


_THREADS = int(_threads_from_argv(sys.argv[1:]))
# OpenMP/MKL read these when torch loads; set_num_threads below makes it certain.
os.environ.setdefault("OMP_NUM_THREADS", str(_THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(_THREADS))

import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(_THREADS)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from workloads import DEFAULT_ITERATIONS, DEFAULT_WARMUP, INIT_VARIANTS, STEP_WORKLOADS, TRAINING_WORKLOADS  # noqa: E402,E501

WORKLOADS = TRAINING_WORKLOADS + STEP_WORKLOADS + ["cnn-epoch"]

# hands-on 2_5: (regularisation, SGD learning rate)
OVERFIT_VARIANTS = {
    "none": (dict(), 0.01),
    "l2": (dict(decay=0.1, decay_type="l2"), 0.01),
    "l1": (dict(decay=0.005, decay_type="l1"), 0.1),
    "dropout": (dict(dropout=0.15), 0.01),
    "dropout-l1": (dict(dropout=0.08, decay=0.004, decay_type="l1"), 0.01),
}

OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


# ------------------------------------------------------------------------------------------
# Data: the four gzipped IDX files, read once into float32 tensors (x/255) and int64 labels
# ------------------------------------------------------------------------------------------
FILES = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}


def _read_idx(path, images):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if images:
        magic, n, rows, cols = struct.unpack(">IIII", data[:16])
        if magic != 2051:
            raise ValueError("%s: not an IDX image file" % path)
        t = torch.frombuffer(bytearray(data[16:16 + n * rows * cols]), dtype=torch.uint8)
        return t.reshape(n, rows * cols)
    magic, n = struct.unpack(">II", data[:8])
    if magic != 2049:
        raise ValueError("%s: not an IDX label file" % path)
    return torch.frombuffer(bytearray(data[8:8 + n]), dtype=torch.uint8)


def load_mnist(data_dir, flatten=True):
    """(x_train, t_train), (x_test, t_test): x float32 in [0, 1] (N×784 or N×1×28×28),
    t int64 class indices (what nn.CrossEntropyLoss takes; the one-hot form of 2_2–2_4 is only
    a different encoding of the same labels)."""
    out = {}
    for key, name in FILES.items():
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            raise FileNotFoundError("load_mnist: %s is missing in %s" % (name, data_dir))
        t = _read_idx(path, key.endswith("img"))
        if key.endswith("img"):
            t = t.to(torch.float32) / 255.0
            if not flatten:
                t = t.reshape(-1, 1, 28, 28)
            t = t.contiguous()
        else:
            t = t.to(torch.int64)
        out[key] = t
    return (out["train_img"], out["train_label"]), (out["test_img"], out["test_label"])


# ------------------------------------------------------------------------------------------
# Models
# ------------------------------------------------------------------------------------------
def _std(init, fan_in):
    s = str(init).lower()
    if s in ("relu", "he"):
        return (2.0 / fan_in) ** 0.5
    if s in ("sigmoid", "xavier"):
        return (1.0 / fan_in) ** 0.5
    return float(init)


def _act(name):
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[name]()


class MLP(nn.Module):
    """(Linear → [BatchNorm1d] → activation → [Dropout]) × hidden → Linear; Gaussian weights with
    the scheme's std, zero biases (the book's MultiLayerNet / MultiLayerNetExtend)."""

    def __init__(self, sizes, activation="relu", init="he", batchnorm=False, dropout=0.0):
        super().__init__()
        layers = []
        self.linears = []
        for i in range(len(sizes) - 1):
            lin = nn.Linear(sizes[i], sizes[i + 1])
            with torch.no_grad():
                lin.weight.normal_(0.0, _std(init, sizes[i]))
                lin.bias.zero_()
            layers.append(lin)
            self.linears.append(lin)
            if i < len(sizes) - 2:
                if batchnorm:
                    layers.append(nn.BatchNorm1d(sizes[i + 1], eps=1e-6, momentum=0.1))
                layers.append(_act(activation))
                if dropout:
                    layers.append(nn.Dropout(dropout))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)

    def weights(self):
        return [lin.weight for lin in self.linears]


def _init_(module, std):
    with torch.no_grad():
        module.weight.normal_(0.0, std)
        module.bias.zero_()
    return module


class SimpleConvNet(nn.Module):
    """conv 30×5×5 → ReLU → max-pool 2×2 → Linear 4320→100 → ReLU → Linear 100→10; 0.01·N(0,1)."""

    def __init__(self, std=0.01):
        super().__init__()
        self.net = nn.Sequential(
            _init_(nn.Conv2d(1, 30, 5), std), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
            _init_(nn.Linear(30 * 12 * 12, 100), std), nn.ReLU(), _init_(nn.Linear(100, 10), std))

    def forward(self, x):
        return self.net(x)


class DoubleConvNet(nn.Module):
    """conv 10×7×7 p1 → ReLU → pool → conv 20×3×3 p1 → ReLU → pool → Linear 720→100 → ReLU →
    Linear 100→10; 0.01·N(0,1)."""

    def __init__(self, std=0.01):
        super().__init__()
        self.net = nn.Sequential(
            _init_(nn.Conv2d(1, 10, 7, padding=1), std), nn.ReLU(), nn.MaxPool2d(2, 2),
            _init_(nn.Conv2d(10, 20, 3, padding=1), std), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
            _init_(nn.Linear(20 * 6 * 6, 100), std), nn.ReLU(), _init_(nn.Linear(100, 10), std))

    def forward(self, x):
        return self.net(x)


class DeepConvNet(nn.Module):
    """The book's DeepConvNet: 3×3 convs 16,16,pool,32,32(pad 2),pool,64,64,pool → Linear 1024→50
    → ReLU → Dropout 0.5 → Linear 50→10 → Dropout 0.5; He init √(2/fan_in)."""

    def __init__(self, hidden=50, dropout=0.5):
        super().__init__()
        fan = [9, 16 * 9, 16 * 9, 32 * 9, 32 * 9, 64 * 9, 64 * 16, hidden]
        s = [(2.0 / f) ** 0.5 for f in fan]
        conv = lambda i, o, k, p, std: _init_(nn.Conv2d(i, o, 3, padding=p), std)  # noqa: E731
        self.net = nn.Sequential(
            conv(1, 16, 3, 1, s[0]), nn.ReLU(), conv(16, 16, 3, 1, s[1]), nn.ReLU(), nn.MaxPool2d(2, 2),
            conv(16, 32, 3, 1, s[2]), nn.ReLU(), conv(32, 32, 3, 2, s[3]), nn.ReLU(), nn.MaxPool2d(2, 2),
            conv(32, 64, 3, 1, s[4]), nn.ReLU(), conv(64, 64, 3, 1, s[5]), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), _init_(nn.Linear(64 * 4 * 4, hidden), s[6]), nn.ReLU(), nn.Dropout(dropout),
            _init_(nn.Linear(hidden, 10), s[7]), nn.Dropout(dropout))

    def forward(self, x):
        return self.net(x)


def make_convnet(net):
    return {"simple": SimpleConvNet, "double": DoubleConvNet, "deep": DeepConvNet}[net]()


def make_optimizer(name, params, lr, decay_rate=0.99):
    """The course's optimizers as torch.optim classes (same constants: μ 0.9, ρ 0.99, eps 1e-7)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=1e-7)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=decay_rate, eps=1e-7)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-7)
    raise ValueError(name)


# ------------------------------------------------------------------------------------------
# Training loop (the hands-ons'): minibatch of 100 drawn WITH replacement, forward, backward,
# step; every eval_interval iterations record the step's loss, the training accuracy (minibatch
# in 2_2–2_4, whole reduced training set in 2_5–2_8) and the test accuracy.
# ------------------------------------------------------------------------------------------
def accuracy(model, x, t, batch_size=None):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        if batch_size is None:
            correct = int((model(x).argmax(dim=1) == t).sum())
        else:
            correct = 0
            for i in range(x.shape[0] // batch_size):
                sl = slice(i * batch_size, (i + 1) * batch_size)
                correct += int((model(x[sl]).argmax(dim=1) == t[sl]).sum())
    model.train(was_training)
    return correct / x.shape[0]


class Trainer:
    def __init__(self, model, optimizer, x_train, t_train, l1=0.0, batch_size=100):
        self.model = model
        self.optimizer = optimizer
        self.x_train = x_train
        self.t_train = t_train
        self.l1 = l1
        self.batch_size = batch_size
        self.loss_fn = nn.CrossEntropyLoss()
        self.l1_weights = model.weights() if l1 else []
        model.train()

    def step(self):
        idx = torch.randint(0, self.x_train.shape[0], (self.batch_size,))
        xb = self.x_train[idx]
        tb = self.t_train[idx]
        loss = self.loss_fn(self.model(xb), tb)
        if self.l1:
            # L1: loss += λ·Σ|W| (weights only); autograd adds λ·sign(W)
            loss = loss + self.l1 * sum(w.abs().sum() for w in self.l1_weights)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss, xb, tb


def train(trainer, x_test, t_test, iters, eval_interval=10, train_acc_on="batch", eval_batch=None,
          verbose=False):
    history = []
    seconds_training = 0.0
    seconds_evaluating = 0.0
    start = time.perf_counter()
    for i in range(iters):
        t0 = time.perf_counter()
        loss, xb, tb = trainer.step()
        t1 = time.perf_counter()
        seconds_training += t1 - t0
        if (i + 1) % eval_interval == 0:
            lossv = float(loss.item())
            if train_acc_on == "batch":
                accr_train = accuracy(trainer.model, xb, tb)
            else:
                accr_train = accuracy(trainer.model, trainer.x_train, trainer.t_train, eval_batch)
            accr_test = accuracy(trainer.model, x_test, t_test, eval_batch)
            seconds_evaluating += time.perf_counter() - t1
            history.append({"iteration": i + 1, "loss": lossv,
                            "train_accuracy": accr_train, "test_accuracy": accr_test})
            if verbose:
                print("Generation: %d. loss = %.4f  train acc = %.4f  test acc = %.4f"
                      % (i + 1, lossv, accr_train, accr_test), flush=True)
    return {"seconds_total": time.perf_counter() - start, "seconds_training": seconds_training,
            "seconds_evaluating": seconds_evaluating, "history": history}


def hidden_sizes(args, default):
    if args.hidden:
        return [int(s) for s in args.hidden.split(",") if s]
    return default


def run_training(args):
    w = args.workload
    iters = args.iterations if args.iterations is not None else DEFAULT_ITERATIONS[w]
    variant = args.variant
    eval_batch = None
    if w in ("vanishing-gradient", "batch-normalization", "optimizers"):
        (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir)
        train_acc_on = "batch"
    elif w == "overfitting":
        (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir)
        x_train, t_train = x_train[:300].contiguous(), t_train[:300].contiguous()
        train_acc_on = "all"
    else:
        (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir, flatten=False)
        x_train, t_train = x_train[:5000].contiguous(), t_train[:5000].contiguous()
        x_test, t_test = x_test[:1000].contiguous(), t_test[:1000].contiguous()
        train_acc_on = "all"
        eval_batch = args.eval_batch

    torch.manual_seed(args.seed)
    l1 = 0.0
    if w == "vanishing-gradient":
        variant = variant or "relu-he"
        activation, init = INIT_VARIANTS[variant]
        model = MLP([784] + hidden_sizes(args, [40, 20]) + [10], activation, init)
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr if args.lr is not None else 0.1)
    elif w == "batch-normalization":
        variant = variant or "sigmoid-xavier"
        activation, init = INIT_VARIANTS[variant]
        model = MLP([784] + hidden_sizes(args, [40, 20]) + [10], activation, init, batchnorm=True)
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr if args.lr is not None else 0.01)
    elif w == "optimizers":
        opt = args.optimizer or "sgd"
        variant = opt + ("-bn" if args.batchnorm else "")
        model = MLP([784] + hidden_sizes(args, [40, 20]) + [10], "sigmoid", 0.01, batchnorm=args.batchnorm)
        optimizer = make_optimizer(opt, model.parameters(), args.lr if args.lr is not None else 0.01,
                                   args.decay_rate)
    elif w == "overfitting":
        variant = variant or "none"
        reg, sgd_lr = OVERFIT_VARIANTS[variant]
        model = MLP([784] + hidden_sizes(args, [100] * 6) + [10], "relu", "he",
                    dropout=reg.get("dropout", 0.0))
        opt = args.optimizer or "sgd"
        lr = args.lr if args.lr is not None else (sgd_lr if opt == "sgd" else 0.001 if opt == "adam" else 0.01)
        weights = model.weights()
        ids = {id(p) for p in weights}
        others = [p for p in model.parameters() if id(p) not in ids]
        if reg.get("decay_type") == "l2":
            # L2: gradient += λ·W on the weight matrices only (loss += ½·λ·ΣW²)
            groups = [{"params": weights, "weight_decay": reg["decay"]},
                      {"params": others, "weight_decay": 0.0}]
        else:
            groups = [{"params": weights + others}]
            if reg.get("decay_type") == "l1":
                l1 = reg["decay"]
        optimizer = make_optimizer(opt, groups, lr, args.decay_rate)
        if opt != "sgd":
            variant = variant + "+" + opt
    else:
        net = {"simple-cnn": "simple", "double-cnn": "double", "deep-cnn": "deep"}[w]
        variant = variant or net
        model = make_convnet(net)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr if args.lr is not None else 0.001,
                                     eps=1e-7)

    trainer = Trainer(model, optimizer, x_train, t_train, l1=l1)
    r = train(trainer, x_test, t_test, iters, eval_interval=args.eval_interval,
              train_acc_on=train_acc_on, eval_batch=eval_batch, verbose=args.verbose)
    last = r["history"][-1] if r["history"] else {}
    result = {
        "workload": w, "variant": variant,
        "seconds_total": r["seconds_total"], "seconds_training": r["seconds_training"],
        "seconds_evaluating": r["seconds_evaluating"],
        "final_test_accuracy": last.get("test_accuracy"),
        "final_train_accuracy": last.get("train_accuracy"), "final_loss": last.get("loss"),
        "iterations": iters, "eval_interval": args.eval_interval, "evaluations": len(r["history"]),
        "train_accuracy_on": "minibatch" if train_acc_on == "batch" else "%d training images" % x_train.shape[0],
        "test_images": int(x_test.shape[0]), "seed": args.seed, "dtype": "float32",
    }
    if args.history:
        result["history"] = r["history"]
    human = ("%s [%s] %d iterations, torch float32: total %.3f s (training %.3f s, evaluating %.3f s); "
             "final train acc %s, test acc %s, loss %s"
             % (w, variant, iters, r["seconds_total"], r["seconds_training"], r["seconds_evaluating"],
                _fmt(result["final_train_accuracy"]), _fmt(result["final_test_accuracy"]),
                _fmt(result["final_loss"])))
    return human, result


def _fmt(v):
    return "n/a" if v is None else "%.4f" % v


def _stats(samples):
    return {
        "seconds_per_iteration": statistics.median(samples),
        "seconds_per_iteration_mean": statistics.fmean(samples),
        "seconds_per_iteration_min": min(samples),
        "seconds_per_iteration_max": max(samples),
    }


def run_step(args):
    w = args.workload
    reps = args.iterations if args.iterations is not None else DEFAULT_ITERATIONS[w]
    warmup = args.warmup if args.warmup is not None else DEFAULT_WARMUP[w]
    cnn = w.startswith("cnn")
    (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir, flatten=not cnn)
    torch.manual_seed(args.seed)
    if cnn:
        variant = args.net
        model = make_convnet(args.net)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr if args.lr is not None else 0.001, eps=1e-7)
        eval_batch = args.eval_batch
    else:
        sizes = hidden_sizes(args, [40, 20])
        variant = "784-%s-10 relu-he sgd" % "-".join(str(s) for s in sizes)
        model = MLP([784] + sizes + [10], "relu", "he")
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr if args.lr is not None else 0.1)
        eval_batch = None
    trainer = Trainer(model, optimizer, x_train, t_train)

    samples = []
    result = {"workload": w, "variant": variant}
    start = time.perf_counter()
    if w.endswith("-step"):
        loss = None
        for i in range(warmup + reps):
            t0 = time.perf_counter()
            loss, _, _ = trainer.step()
            t1 = time.perf_counter()
            if i >= warmup:
                samples.append(t1 - t0)
        result.update(_stats(samples))
        result.update({"batch_size": 100, "final_loss": float(loss.item())})
        what = "training iteration (batch 100)"
    elif w.endswith("-eval"):
        acc = None
        for i in range(warmup + reps):
            t0 = time.perf_counter()
            acc = accuracy(model, x_test, t_test, eval_batch)
            t1 = time.perf_counter()
            if i >= warmup:
                samples.append(t1 - t0)
        result.update(_stats(samples))
        result.update({"test_images": int(x_test.shape[0]), "final_test_accuracy": acc,
                       "eval_batch": eval_batch,
                       "note": "untrained network (initial weights); timing does not depend on the weights"})
        what = "evaluation of %d test images" % x_test.shape[0]
    else:  # cnn-epoch: warm-up steps (untimed), then `reps` steps + one 10k evaluation
        for _ in range(warmup):
            trainer.step()
        t0 = time.perf_counter()
        loss = None
        for _ in range(reps):
            loss, _, _ = trainer.step()
        t1 = time.perf_counter()
        acc = accuracy(model, x_test, t_test, eval_batch)
        t2 = time.perf_counter()
        result.update({"seconds_training": t1 - t0, "seconds_evaluating": t2 - t1,
                       "seconds_epoch": t2 - t0, "steps": reps, "batch_size": 100,
                       "final_loss": float(loss.item()) if loss is not None else None,
                       "final_test_accuracy": acc, "test_images": int(x_test.shape[0]),
                       "eval_batch": eval_batch})
        start = t0
        what = None
    seconds_total = time.perf_counter() - start
    result.update({"seconds_total": seconds_total, "iterations": reps, "warmup": warmup,
                   "seed": args.seed, "dtype": "float32"})
    if what is None:
        human = ("%s [%s] %d steps %.3f s + evaluation %.3f s = %.3f s; test acc %s"
                 % (w, variant, reps, result["seconds_training"], result["seconds_evaluating"],
                    result["seconds_epoch"], _fmt(result["final_test_accuracy"])))
    else:
        human = ("%s [%s] %s: median %.3f ms (mean %.3f, min %.3f, max %.3f) over %d after %d warm-up, torch float32"
                 % (w, variant, what, 1e3 * result["seconds_per_iteration"],
                    1e3 * result["seconds_per_iteration_mean"], 1e3 * result["seconds_per_iteration_min"],
                    1e3 * result["seconds_per_iteration_max"], reps, warmup))
    return human, result


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workload", choices=WORKLOADS)
    p.add_argument("--data-dir", default=os.environ.get("SCRATCHNET_MNIST_DIR"),
                   help="directory with the four gzipped MNIST IDX files (default $SCRATCHNET_MNIST_DIR)")
    p.add_argument("--iterations", type=int, default=None,
                   help="training iterations; timed repetitions for *-step/*-eval; steps for cnn-epoch (600)")
    p.add_argument("--warmup", type=int, default=None, help="untimed repetitions before *-step/*-eval/cnn-epoch")
    p.add_argument("--seed", type=int, default=0, help="torch.manual_seed(seed) before anything random")
    p.add_argument("--dtype", choices=["float32"], default="float32", help="float32 only")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.add_argument("--variant", default=None)
    p.add_argument("--optimizer", default=None, choices=OPTIMIZERS)
    p.add_argument("--net", default="simple", choices=["simple", "double", "deep"])
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--decay-rate", type=float, default=0.99)
    p.add_argument("--batchnorm", action="store_true")
    p.add_argument("--hidden", default=None)
    p.add_argument("--eval-interval", type=int, default=10)
    p.add_argument("--eval-batch", type=int, default=100,
                   help="conv nets evaluate in batches of this size (100, as the book); MLPs in one batch")
    p.add_argument("--history", action="store_true")
    p.add_argument("--verbose", action="store_true")
    a = p.parse_args(argv)
    if not a.data_dir:
        p.error("--data-dir is required (or set SCRATCHNET_MNIST_DIR)")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.workload in TRAINING_WORKLOADS:
        human, result = run_training(args)
    else:
        human, result = run_step(args)
    result["torch_version"] = torch.__version__
    result["torch_threads"] = torch.get_num_threads()
    print(human, flush=True)
    if args.json:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
