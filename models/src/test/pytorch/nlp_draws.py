"""What the nlp_*.py scripts share: they run PyTorch's "Deep Learning for NLP with PyTorch" tutorials
(beginner_source/nlp/) as written, with torch.manual_seed(1), and keep every random draw the tutorial makes (initial
weights, randn inputs and hidden states) under a name, in models/src/test/resources/nlp/<name>.safetensors, and what
the tutorial printed, in <name>.txt. The examples (examples/BagOfWords.java and the rest) given that file start from
the same draws, so NlpExamplesTest compares their printed numbers with PyTorch's.

The safetensors format (a little-endian u64 header length, a JSON header, the raw bytes) is written here, as the
safetensors package is not installed beside PyTorch 1.13. Run with /usr/bin/python3 (PyTorch 1.13).
"""
import contextlib
import io
import json
import os
import struct
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "nlp")
DTYPES = {torch.float32: "F32", torch.int64: "I64"}


class Draws:
    """The random values a tutorial draws, by name, in the order drawn."""

    def __init__(self):
        self.tensors = {}

    def randn(self, name, *dims):
        t = torch.randn(*dims)
        self.tensors[name] = t.clone()
        return t

    def module(self, prefix, module):
        for key, value in module.state_dict().items():
            self.tensors[prefix + key] = value.clone()
        return module


def save(tensors, path):
    header, chunks, offset = {}, [], 0
    for key, t in tensors.items():
        data = t.detach().clone().contiguous().numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


@contextlib.contextmanager
def recorded(name):
    """Runs the body printing to a buffer, then writes <name>.txt (what it printed) and <name>.safetensors (draws)."""
    os.makedirs(OUT, exist_ok=True)
    draws = Draws()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield draws
    sys.stdout.write(buffer.getvalue())
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        f.write(buffer.getvalue())
    save(draws.tensors, os.path.join(OUT, name + ".safetensors"))
