#!/usr/bin/env python3
"""Writes the IDX fixtures of dataset/idx_test.go with Python's struct and
gzip modules, independently of the Go writer. Run from this folder:

    python3 make_fixtures.py

tiny/ is a folder in the MNIST layout with 3 train and 2 test images of
2 rows x 3 columns. Its four files exercise the four ways a file can be
stored (the reader must go by the gzip magic bytes 1f 8b, not the name):

    train-images-idx3-ubyte      raw
    train-labels-idx1-ubyte.gz   gzip, named .gz
    t10k-images-idx3-ubyte       gzip, named without .gz
    t10k-labels-idx1-ubyte.gz    raw, named .gz
"""
import gzip
import os
import struct


def images(pix, n, rows, cols):
    assert len(pix) == n * rows * cols
    return struct.pack(">IIII", 0x803, n, rows, cols) + bytes(pix)


def labels(ls):
    return struct.pack(">II", 0x801, len(ls)) + bytes(ls)


def gz(b):
    return gzip.compress(b, mtime=0)


# Pixel values are multiples of 51 = 255/5, so pixel/255 is k/5.
train_pix = [
    0, 51, 102, 153, 204, 255,  # image 0: 0, .2, .4, .6, .8, 1
    255, 0, 0, 0, 0, 0,         # image 1
    1, 2, 3, 4, 5, 6,           # image 2
]
test_pix = [
    10, 20, 30, 40, 50, 60,     # image 0
    255, 255, 255, 255, 255, 255,  # image 1
]

os.makedirs("tiny", exist_ok=True)
files = {
    "train-images-idx3-ubyte": images(train_pix, 3, 2, 3),
    "train-labels-idx1-ubyte.gz": gz(labels([7, 0, 255])),
    "t10k-images-idx3-ubyte": gz(images(test_pix, 2, 2, 3)),
    "t10k-labels-idx1-ubyte.gz": labels([1, 2]),
}
for name, b in files.items():
    with open(os.path.join("tiny", name), "wb") as f:
        f.write(b)
