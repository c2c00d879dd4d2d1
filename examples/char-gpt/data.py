"""The English text of Debian's `fortunes` package, as characters.

Every fortune file in /usr/share/games/fortunes (not the .dat indexes, the
.u8 copies, ascii-art and art, which are pictures, or translate-me), read in
name order and split at the "%" lines into fortunes. The split is fixed:
fortune i goes to validation when i % 10 == 9, else to training. Each
fortune ends with a newline and one blank line; text is ASCII (another byte
becomes "?"), tabs become spaces, and a character's id is its code (vocab
128).
"""
import os

import numpy as np

ROOT = "/usr/share/games/fortunes"
SKIP = {"ascii-art", "art", "translate-me"}
VOCAB = 128


def files():
    """The fortune files read, in order; OSError naming the folder when the
    package is not installed."""
    if not os.path.isdir(ROOT):
        raise OSError(f"{ROOT} does not exist: install Debian's 'fortunes' package "
                      "(scripts/setup.sh does)")
    return [os.path.join(ROOT, f) for f in sorted(os.listdir(ROOT))
            if "." not in f and f not in SKIP and os.path.isfile(os.path.join(ROOT, f))]


def fortunes():
    out = []
    for path in files():
        with open(path, "rb") as f:
            text = f.read().decode("ascii", errors="replace").replace("\ufffd", "?")
        for part in text.replace("\t", " ").split("\n%\n"):
            part = part.strip("%\n")
            if part.strip():
                out.append(part + "\n\n")
    return out


def load():
    """(train, validation): uint8 arrays of character codes in [0, 128)."""
    all_ = fortunes()
    train = "".join(f for i, f in enumerate(all_) if i % 10 != 9)
    val = "".join(f for i, f in enumerate(all_) if i % 10 == 9)
    enc = lambda s: np.frombuffer(s.encode("ascii", errors="replace"), np.uint8) & 127
    return enc(train), enc(val)


def decode(ids):
    return "".join(chr(int(i)) for i in ids)
