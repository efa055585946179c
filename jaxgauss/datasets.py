"""Bundled real tables.

``wine``: the UCI Wine recognition data (178 wines from three cultivars, 13 chemical
measurements), Forina et al., PARVUS; UCI Machine Learning Repository,
https://archive.ics.uci.edu/dataset/109/wine, licensed CC BY 4.0. See ``data/README.md``.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import NamedTuple

import numpy as np

__all__ = ["Table", "load_wine"]


class Table(NamedTuple):
    """A bundled table: ``data`` ``(n_samples, n_features)`` float64, column names, target."""

    data: np.ndarray
    feature_names: tuple[str, ...]
    target: np.ndarray
    target_name: str


def load_wine() -> Table:
    """The UCI Wine table: 178 rows, 13 numeric features, cultivar (0, 1, 2) as target."""
    text = resources.files("jaxgauss").joinpath("data/wine.csv").read_text()
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], np.asarray(rows[1:], dtype=np.float64)
    return Table(body[:, :-1], tuple(header[:-1]), body[:, -1].astype(np.int64), header[-1])
