#!/usr/bin/env python3
"""A tiny safetensors writer and reader in pure numpy, for the lit tests.

The format: an 8-byte little-endian u64 N, then N bytes of JSON

  {"NAME": {"dtype": "F32", "shape": [...], "data_offsets": [BEGIN, END]},
   ..., "__metadata__": {"key": "value", ...}}

padded with spaces to a multiple of 8, then the raw little-endian tensor data;
the offsets are relative to the start of that data.

  import safetensors_io
  safetensors_io.save(path, {"w": np.zeros((2, 3), np.float32)}, metadata={})
  tensors = safetensors_io.load(path)               # {name: np.ndarray}
  tensors, meta = safetensors_io.load(path, with_metadata=True)

Supported dtypes: F32, F64, I64 (plus F16, I32, I8, U8, BOOL for convenience).
Run as a script to list a file: safetensors_io.py FILE.safetensors
"""
import json
import struct
import sys

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


def _dtype_name(dtype):
    dtype = np.dtype(dtype)
    for name, dt in _DTYPES.items():
        if dt.kind == dtype.kind and dt.itemsize == dtype.itemsize:
            return name
    raise ValueError("safetensors_io: unsupported dtype %s" % dtype)


def _to_numpy(value):
    """Accept numpy arrays, scalars and (without importing torch) torch tensors."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def save(path, tensors, metadata=None):
    """Write the dict {name: array} to PATH in safetensors format.

    Tensors are stored in the order given. METADATA, if any, must map
    strings to strings (as the format requires).
    """
    header = {}
    blobs = []
    offset = 0
    for name, value in tensors.items():
        if name == "__metadata__":
            raise ValueError("safetensors_io: '__metadata__' is not a tensor name")
        array = _to_numpy(value)
        dtype_name = _dtype_name(array.dtype)
        data = np.ascontiguousarray(array, dtype=_DTYPES[dtype_name]).tobytes()
        header[name] = {
            "dtype": dtype_name,
            "shape": [int(d) for d in array.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def load(path, with_metadata=False):
    """Read PATH; return {name: np.ndarray} (and the metadata dict if asked)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("safetensors_io: %s: file too short" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError("safetensors_io: %s: header runs past the end" % path)
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end - begin != count * dtype.itemsize or end > len(data):
            raise ValueError("safetensors_io: %s: bad data_offsets for %r" % (path, name))
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=begin).reshape(shape).copy()
    if with_metadata:
        return tensors, metadata
    return tensors


def main(argv):
    for path in argv[1:]:
        tensors, metadata = load(path, with_metadata=True)
        for name, array in tensors.items():
            print("%s: %s %s" % (name, _dtype_name(array.dtype), list(array.shape)))
        if metadata:
            print("__metadata__: %s" % json.dumps(metadata))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
