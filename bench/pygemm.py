#!/usr/bin/env python3
"""float32 GEMM GFLOPS of NumPy or PyTorch for the course's matrix shapes, measured the way
scratchnet-gemm-bench measures ScratchNet (so bench/compare.py can put them side by side):
each sample repeats the product until it has run >= 20 ms (5 ms with --quick), after one
untimed call; `--reps` samples (default 7); the median is printed.

    python3 bench/pygemm.py --lib numpy|torch [--threads N] [--reps N] [--quick] [--json]
                            SHAPE [SHAPE ...]

SHAPE is MxNxK or MxNxK:TN (T: that operand is stored transposed, as in
scratchnet-gemm-bench: A is K×M, B is N×K), e.g. 100x40x784:NN 784x40x100:TN.
--threads sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS before the library loads (and
torch.set_num_threads); default 2.
"""
import json
import os
import statistics
import sys
import time


def _arg(argv, name, default):
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return default


def main(argv):
    lib = _arg(argv, "--lib", "numpy")
    threads = int(_arg(argv, "--threads", "2"))
    reps = int(_arg(argv, "--reps", "7"))
    quick = "--quick" in argv
    as_json = "--json" in argv
    shapes = []
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a in ("--lib", "--threads", "--reps"):
            skip = True
            continue
        if a.startswith("--"):
            continue
        dims, _, ops = a.partition(":")
        m, n, k = (int(x) for x in dims.split("x"))
        ops = ops or "NN"
        shapes.append((a, m, n, k, ops[0] == "T", ops[-1] == "T"))
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = str(threads)

    if lib == "torch":
        import torch
        torch.set_num_threads(threads)
        version = torch.__version__

        def make(rows, cols, seed):
            g = torch.Generator().manual_seed(seed)
            return torch.randn(rows, cols, generator=g, dtype=torch.float32)

        def product(a, b, out):
            torch.matmul(a, b, out=out)

        def empty(m, n):
            return torch.empty(m, n, dtype=torch.float32)
    else:
        import numpy as np
        version = np.__version__

        def make(rows, cols, seed):
            return np.random.default_rng(seed).standard_normal((rows, cols), dtype=np.float32)

        def product(a, b, out):
            np.matmul(a, b, out=out)

        def empty(m, n):
            return np.empty((m, n), dtype=np.float32)

    min_time = 0.005 if quick else 0.02
    results = []
    for label, m, n, k, ta, tb in shapes:
        a = make(k, m, 1).T if ta else make(m, k, 1)   # a view: stored transposed, as BLAS sees it
        b = make(n, k, 2).T if tb else make(k, n, 2)
        c = empty(m, n)
        flops = 2.0 * m * n * k
        samples = []
        for _ in range(reps):
            product(a, b, c)  # warm-up
            calls = 0
            start = time.perf_counter()
            while True:
                product(a, b, c)
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= min_time:
                    break
            samples.append(flops / (elapsed / calls) / 1e9)
        results.append({"shape": label, "m": m, "n": n, "k": k, "ta": ta, "tb": tb,
                        "gflops": statistics.median(samples), "gflops_max": max(samples)})
        if not as_json:
            print("%-22s %8.1f GFLOPS" % (label, statistics.median(samples)), flush=True)
    if as_json:
        print(json.dumps({"lib": lib, "version": version, "threads": threads, "reps": reps,
                          "results": results}))


if __name__ == "__main__":
    main(sys.argv[1:])
