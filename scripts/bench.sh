#!/usr/bin/env bash
# ScratchNet's benchmark suite: prints numbers, never a test verdict.
#
#   scripts/bench.sh [bench/compare.py options]
#   scripts/bench.sh --quick                      # a representative subset, one repeat
#   scripts/bench.sh --only '2_2/relu-he,mlp-*' --repeat 5 --markdown --json bench.json
#
# 1. builds the release binaries (scratchnet and scratchnet-gemm-bench) in .build-bench;
# 2. makes the virtual environment .venv-bench (gitignored by `.venv*/`) with numpy and torch
#    from PyPI when they are missing;
# 3. runs bench/compare.py: ScratchNet, the course-style NumPy code (bench/numpy) and PyTorch on
#    the CPU (bench/torch), side by side in one session, plus the GEMM table (--gemm).
#
# Environment:
#   SCRATCHNET_MNIST_DIR  folder with the four MNIST .gz files (default /work/shared/data/mnist)
#   BENCH_SKIP_BUILD=1    use the binaries already in .build-bench
#   BENCH_VENV=DIR        another virtual environment (default .venv-bench)
#   BENCH_GEMM=0          leave out the GEMM table
#
# About torch: PyPI's torch wheel for Linux x86-64 is the CUDA build. `pip install torch` also
# installs the nvidia-* CUDA runtime wheels (about 2.4 GB downloaded, 5.4 GB installed with
# torch itself). `pip install --no-deps torch` is not enough: libtorch_cpu.so itself links
# libcudart.so.13 and libcupti.so.13, and libtorch.so links cuBLAS, cuDNN, cuFFT, cuSPARSE,
# NCCL, NVSHMEM…, so `import torch` fails without those wheels. The CPU-only wheels live on
# PyTorch's own index, which this environment cannot reach. Nothing here uses a GPU.
# Pass --no-torch to skip installing and running PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=.build-bench
venv=${BENCH_VENV:-.venv-bench}
want_torch=1
for a in "$@"; do [ "$a" = "--no-torch" ] && want_torch=0; done

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    echo "== building release binaries in $scratch" >&2
    swift build -c release --scratch-path "$scratch" --product scratchnet >&2
    swift build -c release --scratch-path "$scratch" --product scratchnet-gemm-bench >&2 \
        || echo "warning: scratchnet-gemm-bench did not build; the GEMM table is left out" >&2
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv" >&2
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    echo "== pip install numpy" >&2
    "$venv/bin/pip" install --quiet numpy >&2
fi
if [ "$want_torch" = 1 ] && ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
    echo "== pip install torch (the PyPI wheel brings ~2.4 GB of CUDA runtime wheels; see above)" >&2
    "$venv/bin/pip" install --quiet torch >&2
fi

export SCRATCHNET_MNIST_DIR=${SCRATCHNET_MNIST_DIR:-/work/shared/data/mnist}
gemm=(--gemm)
[ "${BENCH_GEMM:-1}" = 0 ] && gemm=()
exec "$venv/bin/python" bench/compare.py \
    --scratchnet "$scratch/release/scratchnet" \
    --gemm-bench "$scratch/release/scratchnet-gemm-bench" \
    --python "$venv/bin/python" \
    --data-dir "$SCRATCHNET_MNIST_DIR" \
    "${gemm[@]}" "$@"
