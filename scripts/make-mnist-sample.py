#!/usr/bin/env python3
"""Make ScratchNet's bundled MNIST sample from the real MNIST files.

Writes the first 5,000 training and the first 1,000 test images and labels of MNIST as four
gzipped IDX files into Sources/ScratchData/Resources/mnist-sample/ (the ScratchData module
loads them through Bundle.module when no full copy of MNIST is available).

Usage:
    python3 scripts/make-mnist-sample.py [SOURCE_DIR] [--output DIR]

SOURCE_DIR holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (plain IDX files without .gz work too);
it defaults to ../shared/data/mnist relative to the repository root. The output is
deterministic: the gzip header carries no file name and mtime 0, so running the script twice
gives byte-identical files. Standard library only.
"""

import argparse
import gzip
import io
import os
import struct
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = os.path.join(REPO_ROOT, "..", "shared", "data", "mnist")
DEFAULT_OUTPUT = os.path.join(REPO_ROOT, "Sources", "ScratchData", "Resources", "mnist-sample")

# (file stem, IDX magic, number of items kept)
FILES = [
    ("train-images-idx3-ubyte", 0x00000803, 5000),
    ("train-labels-idx1-ubyte", 0x00000801, 5000),
    ("t10k-images-idx3-ubyte", 0x00000803, 1000),
    ("t10k-labels-idx1-ubyte", 0x00000801, 1000),
]


def read_idx(source_dir, stem):
    """Returns the decompressed bytes of SOURCE_DIR/stem(.gz)."""
    gz_path = os.path.join(source_dir, stem + ".gz")
    raw_path = os.path.join(source_dir, stem)
    if os.path.exists(gz_path):
        with gzip.open(gz_path, "rb") as f:
            return f.read()
    if os.path.exists(raw_path):
        with open(raw_path, "rb") as f:
            return f.read()
    sys.exit(f"error: {gz_path} not found; pass the folder holding the four MNIST files")


def take_first(data, stem, magic, keep):
    """Returns an IDX file with only the first `keep` items of `data`."""
    found_magic, count = struct.unpack(">II", data[:8])
    if found_magic != magic:
        sys.exit(f"error: {stem} has magic 0x{found_magic:08x}, expected 0x{magic:08x}")
    if count < keep:
        sys.exit(f"error: {stem} holds {count} items, fewer than the {keep} the sample keeps")
    if magic == 0x00000803:
        rows, cols = struct.unpack(">II", data[8:16])
        item_size, header = rows * cols, struct.pack(">IIII", magic, keep, rows, cols)
        body_start = 16
    else:
        item_size, header = 1, struct.pack(">II", magic, keep)
        body_start = 8
    body = data[body_start:body_start + keep * item_size]
    if len(body) != keep * item_size:
        sys.exit(f"error: {stem} is truncated")
    return header + body


def gzip_deterministic(payload):
    """gzip with an empty file name and mtime 0, so the bytes depend only on the payload."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as f:
        f.write(payload)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", default=DEFAULT_SOURCE,
                        help="folder with the real MNIST files (default: ../shared/data/mnist)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT,
                        help="where to write the sample (default: Sources/ScratchData/Resources/mnist-sample)")
    args = parser.parse_args()

    os.makedirs(args.output, exist_ok=True)
    total = 0
    for stem, magic, keep in FILES:
        sample = gzip_deterministic(take_first(read_idx(args.source, stem), stem, magic, keep))
        path = os.path.join(args.output, stem + ".gz")
        with open(path, "wb") as f:
            f.write(sample)
        total += len(sample)
        print(f"{path}: {keep} items, {len(sample)} bytes")
    print(f"total: {total} bytes")


if __name__ == "__main__":
    main()
