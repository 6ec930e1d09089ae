"""The MNIST IDX files as numpy arrays, for the Python peers (shared, so they read the same data)."""
import os, struct
import numpy as np

def idx(path):
    with open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)

def book_split(d):
    """The book's split: first 50,000 training images to train, the 10,000 test images to test; pixels / 255."""
    x = idx(os.path.join(d, "train-images-idx3-ubyte")).reshape(-1, 784)[:50000] / 255.0
    y = idx(os.path.join(d, "train-labels-idx1-ubyte"))[:50000].astype(np.int64)
    tx = idx(os.path.join(d, "t10k-images-idx3-ubyte")).reshape(-1, 784) / 255.0
    ty = idx(os.path.join(d, "t10k-labels-idx1-ubyte")).astype(np.int64)
    return x, y, tx, ty
