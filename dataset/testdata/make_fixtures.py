#!/usr/bin/python3
"""Writes the .npy/.npz fixtures used by dataset/embeddings_test.go.

Run from this directory with the system Python:

    cd dataset/testdata && /usr/bin/python3 make_fixtures.py

Generated with numpy 1.24.2 (Python 3.11.2). Every array is tiny and filled
by a closed formula so that the Go tests can state the expected values
literally:

    value(i, j) = i*10 + j + 0.5     (row i, column j, both 0-based)

All numbers above are exactly representable in float32 and float64, so the
tests compare with a zero tolerance.
"""

import numpy as np

assert np.__version__ == "1.24.2", "fixtures were generated with numpy 1.24.2"


def grid(rows, cols, dtype):
    """value(i, j) = i*10 + j + 0.5 as a C-ordered array of the given dtype."""
    i, j = np.indices((rows, cols))
    return (i * 10 + j + 0.5).astype(dtype)


# --- files that must load ---------------------------------------------------

# 3x4 float32, C order, little endian ('<f4').
np.save("f32_c.npy", grid(3, 4, "<f4"))
# 3x4 float64, C order ('<f8').
np.save("f64_c.npy", grid(3, 4, "<f8"))
# 3x4 float64, Fortran order: header has 'fortran_order': True and the bytes
# are stored column by column.
np.save("f64_f.npy", np.asfortranarray(grid(3, 4, "<f8")))
# 2x3 float32, big endian ('>f4').
np.save("f32_be.npy", grid(2, 3, ">f4"))
# 2x3 float64, big endian, Fortran order.
np.save("f64_be_f.npy", np.asfortranarray(grid(2, 3, ">f8")))

# npz with two arrays: "train" is 2x3 float32, "test" is 1x3 float32 with
# value(i, j) + 100.
np.savez("two.npz", train=grid(2, 3, "<f4"), test=grid(1, 3, "<f4") + 100)
# Compressed npz with one unnamed array (numpy names it "arr_0"): 2x2 float64.
np.savez_compressed("one.npz", grid(2, 2, "<f8"))

# --- files that must be rejected --------------------------------------------

# 10x4 float32 whose last 10 data bytes are cut off: header says 160 bytes of
# data, 150 follow.
np.save("truncated.npy", grid(10, 4, "<f4"))
with open("truncated.npy", "rb") as f:
    raw = f.read()
with open("truncated.npy", "wb") as f:
    f.write(raw[:-10])

np.save("int64.npy", np.arange(4, dtype="<i8").reshape(2, 2))
np.save("bool.npy", np.array([[True, False]]))
np.save("complex.npy", np.ones((2, 2), dtype="<c16"))
np.save("float16.npy", np.ones((2, 2), dtype="<f2"))
np.save("str.npy", np.array([["ab", "c"]], dtype="<U2"))
np.save("vec.npy", np.arange(10, dtype="<f4"))  # 1-D, shape (10,)
np.save("cube.npy", np.zeros((2, 2, 2), dtype="<f4"))  # 3-D
np.save("empty.npy", np.zeros((0, 4), dtype="<f4"))  # 0 rows

# NaN/Inf: the first offending row must be reported, whatever the storage
# order. nan_f.npy is Fortran-ordered 4x3 float32 with a NaN at (2, 0) and
# +Inf at (1, 2): storage order meets (2, 0) first, but row 1 comes first.
a = grid(4, 3, "<f4")
a[2, 0] = np.nan
a[1, 2] = np.inf
np.save("nan_f.npy", np.asfortranarray(a))
# C-ordered 3x2 float64 with -Inf at (2, 1).
b = grid(3, 2, "<f8")
b[2, 1] = -np.inf
np.save("neginf.npy", b)
# 3x2 float64 with 1e300 at (1, 0): finite in float64, overflows float32.
c = grid(3, 2, "<f8")
c[1, 0] = 1e300
np.save("overflow.npy", c)

# Two arrays written one after the other into one file (np.load would
# silently return only the first).
with open("twice.npy", "wb") as f:
    np.save(f, grid(2, 2, "<f4"))
    np.save(f, grid(2, 2, "<f4"))

# npz holding an int64 member next to a good one.
np.savez("mixed.npz", good=grid(2, 2, "<f4"), bad=np.arange(4, dtype="<i8").reshape(2, 2))

# A text file with a .npy name.
with open("text.npy", "w") as f:
    f.write("0.5,1.5\n10.5,11.5\n")

# Object array (the data is a pickle; the header alone must be enough to
# reject it).
np.save("object.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
