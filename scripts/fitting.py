"""What both model-building scripts share (train_screening_model.py, train_understanding_model.py)."""

from __future__ import annotations

from scipy.sparse import csr_matrix

from bot.text.features import BUCKETS


def matrix(rows: list[dict[int, float]]) -> csr_matrix:
    """Feature vectors (hashed feature -> value) as the sparse rows scikit-learn fits."""
    data, ind, ptr = [], [], [0]
    for r in rows:
        for k in sorted(r):
            ind.append(k)
            data.append(r[k])
        ptr.append(len(ind))
    return csr_matrix((data, ind, ptr), shape=(len(rows), BUCKETS))
