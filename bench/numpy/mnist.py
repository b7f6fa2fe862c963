"""load_mnist, the book's interface, reading the four gzipped IDX files from a local directory.

Nothing is ever downloaded. IDX format: images have a 16-byte header (magic 2051, count, rows,
cols; big-endian uint32) then uint8 pixels; labels have an 8-byte header (magic 2049, count)
then uint8 labels.
"""
import gzip
import os
import struct

import numpy as np

FILES = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}


def _read(path):
    with gzip.open(path, "rb") as f:
        return f.read()


def _load_images(path):
    data = _read(path)
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 2051:
        raise ValueError("%s: not an IDX image file (magic %d)" % (path, magic))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)


def _load_labels(path):
    data = _read(path)
    magic, n = struct.unpack(">II", data[:8])
    if magic != 2049:
        raise ValueError("%s: not an IDX label file (magic %d)" % (path, magic))
    return np.frombuffer(data, dtype=np.uint8, offset=8, count=n)


def _change_one_hot_label(X, dtype):
    T = np.zeros((X.size, 10), dtype=dtype)
    T[np.arange(X.size), X] = 1
    return T


def load_mnist(normalize=True, flatten=True, one_hot_label=False, data_dir=None, dtype=np.float32):
    """Returns (x_train, t_train), (x_test, t_test).

    normalize     : pixels become x/255 in `dtype` (otherwise uint8 0..255, as in the book)
    flatten       : images are 784-vectors; otherwise N×1×28×28
    one_hot_label : labels are N×10 one-hot rows in `dtype`; otherwise class indices (int64)
    data_dir      : directory holding the four .gz IDX files (default: $SCRATCHNET_MNIST_DIR)
    """
    if data_dir is None:
        data_dir = os.environ.get("SCRATCHNET_MNIST_DIR")
    if not data_dir:
        raise ValueError("load_mnist: no data directory (pass data_dir or set SCRATCHNET_MNIST_DIR)")
    for name in FILES.values():
        if not os.path.exists(os.path.join(data_dir, name)):
            raise FileNotFoundError("load_mnist: %s is missing in %s" % (name, data_dir))

    dataset = {
        "train_img": _load_images(os.path.join(data_dir, FILES["train_img"])),
        "train_label": _load_labels(os.path.join(data_dir, FILES["train_label"])).astype(np.int64),
        "test_img": _load_images(os.path.join(data_dir, FILES["test_img"])),
        "test_label": _load_labels(os.path.join(data_dir, FILES["test_label"])).astype(np.int64),
    }

    if normalize:
        for key in ("train_img", "test_img"):
            dataset[key] = dataset[key].astype(dtype)
            dataset[key] /= 255.0

    if one_hot_label:
        dataset["train_label"] = _change_one_hot_label(dataset["train_label"], dtype)
        dataset["test_label"] = _change_one_hot_label(dataset["test_label"], dtype)

    if not flatten:
        for key in ("train_img", "test_img"):
            dataset[key] = dataset[key].reshape(-1, 1, 28, 28)

    return (dataset["train_img"], dataset["train_label"]), (dataset["test_img"], dataset["test_label"])
