"""Near-duplicate texts across outlets: an agency's text or another outlet's article
republished. Pure functions; the archive keeps what they compute (archive.py).

A text is read as its set of shingles (runs of SHINGLE_WORDS words, case folded), and
summarised by a MinHash signature (datasketch). The signature is cut into bands as
datasketch's ``MinHashLSH`` cuts it for CANDIDATES; each band is one integer key, kept
in SQLite (``copy_bands``), so the index survives restarts and kill -9 with the rows it
describes, and texts sharing a key are candidates. A candidate is a copy when the
Jaccard similarity of the two shingle sets, computed exactly, reaches SIMILARITY: the
bands only decide which texts are compared.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib

import numpy as np

# Five-word runs: long enough that two texts on one topic, or one outlet's stock
# phrases, share few of them; short enough that an edit changes only a few.
SHINGLE_WORDS = 5
# Texts shorter than this are not compared: briefs of a line or two, members-only stubs.
MIN_WORDS = 50
# Jaccard similarity from which a text is taken as a copy, and the one the LSH bands are
# cut for, lower: texts at SIMILARITY share a band 9 times in 10, those at 0.1 once in 25
# (bench/README.md, "Copies": a text cut to its first half is at about 0.5, one with a
# sentence in four rewritten at 0.35 to 0.5, one sharing a third of another's at 0.3).
SIMILARITY = 0.4
CANDIDATES = 0.3
PERMUTATIONS = 128
# Fixed: the band keys in an archive must stay comparable across runs and versions.
SEED = 1
SCHEME = "affine32"
_WORDS = re.compile(r"\w+")


def shingles(text: str) -> set[str]:
    """The runs of SHINGLE_WORDS words of ``text`` (case folded); none for a text
    shorter than MIN_WORDS."""
    words = _WORDS.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def similarity(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets."""
    return len(a & b) / len(a | b) if a and b else 0.0


@functools.cache
def _lsh():
    """datasketch's MinHash permutations and its banding for CANDIDATES. Imported on
    first use: datasketch loads scipy (most of a second), which readers of the archive
    (Datasette, the tools) never need."""
    from datasketch import MinHash, MinHashLSH

    index = MinHashLSH(threshold=CANDIDATES, num_perm=PERMUTATIONS)
    permutations = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME).permutations
    return MinHash, permutations, index.hashranges


def band_keys(words: set[str]) -> list[int]:
    """The LSH band keys of a shingle set: one signed 64-bit integer a band (band
    number and its MinHash values hashed together), as SQLite stores an integer."""
    if not words:
        return []
    minhash, permutations, bands = _lsh()
    # Each shingle hashed by zlib's CRC-32 (C, the same in every process and version;
    # datasketch's SHA-1 took half the time), which datasketch mixes before permuting.
    signature = minhash(PERMUTATIONS, SEED, hashfunc=int, permutations=permutations, scheme=SCHEME)
    signature.update_batch([zlib.crc32(w.encode()) for w in words])
    values = signature.hashvalues.astype(np.uint32)
    keys = []
    for band, (start, end) in enumerate(bands):
        digest = hashlib.blake2b(values[start:end].tobytes(), digest_size=8, salt=bytes([band]))
        keys.append(int.from_bytes(digest.digest(), "big", signed=True))
    return keys
