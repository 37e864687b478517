#!/usr/bin/env python3
"""Regenerate the pickle fixtures embedded in tests/pickle_test.ts.

Run with the Debian python (it has numpy): `/usr/bin/python3 dev/make_pickle_fixtures.py`.
It rewrites the block between the GENERATED markers of tests/pickle_test.ts with base64 literals
of real pickles, so the tests never need Python. Each fixture is also loaded back here, so a
fixture that Python itself cannot read never lands in the tests.
"""
import base64
import os
import pathlib
import pickle
import sys

import numpy as np

DATASET = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
TEST_FILE = pathlib.Path(__file__).resolve().parent.parent / "tests" / "pickle_test.ts"
BEGIN = "// BEGIN GENERATED FIXTURES (dev/make_pickle_fixtures.py)"
END = "// END GENERATED FIXTURES"


class RunsOsSystem:
    """What an attacker would pickle: loading it in Python runs a shell command."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


class RunsEval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo pwned')",))


def nested():
    shared = ["shared", 1]
    return {
        "ints": [0, 1, -1, 255, 256, 65535, 65536, -(2**31), 2**31 - 1, 2**31, 2**53 - 1,
                 2**53 + 1, -(2**70), 10**30, 2**63],
        "floats": [1.5, -0.0, 1e300, 5e-324, float("inf"), float("-inf")],
        "consts": [None, True, False],
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        "bytes": [b"", b"\x00\xff\n\\'", b"x" * 300],
        "text": ["", "h\u00e9llo \u2603 \U0001d11e", "a\nb\\c\r\x00'\"", "y" * 300],
        "shared": [shared, shared],
        7: "int key",
        "nested": {"deep": [[[{"k": (None,)}]]]},
    }


def fixtures():
    out = {}
    # Protocol 0 text exactly as PyTables writes pandas' table attributes.
    out["p0_non_index_axes"] = pickle.dumps([(1, ["dst_port", "protocol"])], protocol=0)
    out["p0_info"] = pickle.dumps(
        {1: {"names": [None], "type": "Index"}, "index": {}, "values_block_0": {}}, protocol=0)
    out["p0_index_cols"] = pickle.dumps([(0, "index")], protocol=0)
    out["p0_none"] = pickle.dumps(None, protocol=0)
    # Python 2 era PyTables attributes: str (STRING/BINSTRING), not unicode, plus an INT bool.
    out["py2_p0_non_index_axes"] = (
        b"(lp1\n(I1\n(lp2\nS'dst_port'\np3\naS'it\\'s \\x41\\101\\n'\np4\naI01\naL12345678901234567890L\n"
        b"aF1.25\naF-inf\natp5\na."
    )
    out["py2_p2_strings"] = b"\x80\x02]q\x01(U\x03abcq\x02T\x04\x00\x00\x00\xe9\xe8xyq\x03e."
    for p in (0, 1, 2, 3, 4, 5):
        out[f"p{p}_nested"] = pickle.dumps(nested(), protocol=p)
        out[f"p{p}_sets"] = pickle.dumps([{1, 2, 3}, frozenset({"a"}), set(), bytearray(b"ab\xff")],
                                         protocol=p)
    # numpy: what PyTables' ObjectAtom stores for pandas' string blocks (pickle.HIGHEST_PROTOCOL).
    out["np_object_p5"] = pickle.dumps(np.array(["a", "b"], dtype=object), protocol=5)
    # The real layout: a transposed (Fortran-ordered) 2-D object block, None and NaN included.
    block = np.array([["21/02/2018 10:15:06", "Benign"], ["28/02/2018 08:49:18", None],
                      ["x\u00e9", float("nan")]], dtype=object).T.copy().T
    assert block.flags.f_contiguous and not block.flags.c_contiguous
    out["np_object_2d_fortran_p5"] = pickle.dumps(block, protocol=5)
    numeric = {
        "f8": np.array([1.5, -2.0, np.nan, np.inf], dtype="<f8"),
        "i8": np.array([1, -1, 2**53 + 1, -(2**63)], dtype="<i8"),
        "u4": np.array([0, 1, 2**32 - 1], dtype="<u4"),
        "b1": np.array([True, False, True], dtype="|b1"),
        "unicode": np.array(["ab", "h\u00e9\U0001d11e", ""], dtype="<U3"),
        "bytes": np.array([b"ab", b"abcd", b""], dtype="|S4"),
        "be_i4": np.array([1, -2, 70000], dtype=">i4"),
        "f4": np.array([0.5, -1.25], dtype="<f4"),
        "u8": np.array([2**64 - 1, 5], dtype="<u8"),
        "f2": np.array([1.0, -0.5, 65504.0], dtype="<f2"),
        "datetime": np.array(["2018-02-21T10:15:06", "NaT"], dtype="<M8[ns]"),
        "i8_2d_fortran": np.asfortranarray(np.arange(6, dtype="<i8").reshape(2, 3)),
        "i2_3d": np.arange(24, dtype="<i2").reshape(2, 3, 4),
    }
    for name, arr in numeric.items():
        for p in (2, 5):
            out[f"np_{name}_p{p}"] = pickle.dumps(arr, protocol=p)
    out["np_f8_p0"] = pickle.dumps(numeric["f8"], protocol=0)
    out["np_dtype_f8_p4"] = pickle.dumps(np.dtype("<f8"), protocol=4)
    out["np_dtypes_p2"] = pickle.dumps(
        [np.dtype(d) for d in ("O", "<U12", "|S4", "<i8", "|b1", ">f4", "<M8[ns]", "<m8[5s]", "V8",
                               [("a", "<i4"), ("b", "S2")])], protocol=2)
    out["np_scalars_p2"] = pickle.dumps(
        [np.float64(1.5), np.int64(2**60), np.int32(-7), np.bool_(True), np.str_("h\u00e9")],
        protocol=2)
    out["np_scalars_p0"] = pickle.dumps([np.float64(-0.25), np.uint8(200)], protocol=0)
    out["np_scalars_p4"] = pickle.dumps([np.float32(0.5), np.int64(-(2**62))], protocol=4)
    real = real_block_head()
    if real is not None:
        out["real_block2_head_p5"] = real
    # Security: loading these in Python would run `echo pwned`.
    out["evil_os_system_p0"] = pickle.dumps(RunsOsSystem(), protocol=0)
    out["evil_os_system_p4"] = pickle.dumps(RunsOsSystem(), protocol=4)
    out["evil_eval_p0"] = pickle.dumps(RunsEval(), protocol=0)
    out["evil_eval_p4"] = pickle.dumps(RunsEval(), protocol=4)
    out["evil_nested_in_ndarray_p5"] = pickle.dumps(
        np.array([RunsOsSystem()], dtype=object), protocol=5)
    return out


def real_block_head():
    """The first rows of sample-fixed.h5's string block, pickled as PyTables pickled the block.

    Asserts first that re-pickling the whole block reproduces the file's bytes exactly, so the
    small fixture has the very layout of the file (a transposed, Fortran-ordered object array).
    """
    path = DATASET / "sample-fixed.h5"
    if not path.exists():
        print(f"{path} not found: skipping the real-block fixture", file=sys.stderr)
        return None
    import tables  # only needed with the dataset

    raw = path.read_bytes()
    start = raw.index(b"\x80\x05\x95")
    length = 11 + int.from_bytes(raw[start + 3:start + 11], "little")
    with tables.open_file(str(path)) as h5:
        block = h5.root.ids_data.block2_values.read()[0]
    assert pickle.dumps(block, protocol=pickle.HIGHEST_PROTOCOL) == raw[start:start + length]
    head = np.asfortranarray(block[:4])
    assert head.flags.f_contiguous and not head.flags.c_contiguous
    return pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)


def check(name, data):
    if name.startswith("evil_"):
        return  # never load these
    pickle.loads(data, encoding="latin1")


def main():
    items = fixtures()
    lines = [BEGIN, "const FIXTURES: Record<string, string> = {"]
    for name, data in items.items():
        check(name, data)
        literal = f'"{base64.b64encode(data).decode()}",'
        # The layout `deno fmt` gives, so a fresh run passes `deno fmt --check`.
        if len(name) + len(literal) + 4 <= 100:
            lines.append(f"  {name}: {literal}")
        else:
            lines += [f"  {name}:", f"    {literal}"]
    lines += ["};", END]
    text = TEST_FILE.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    TEST_FILE.write_text(text[:start] + "\n".join(lines) + text[end:])
    print(f"wrote {len(items)} fixtures to {TEST_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
