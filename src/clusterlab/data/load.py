"""Load a network with its attributes from a file or an `analyze` output folder."""

from __future__ import annotations

from pathlib import Path

from . import ClusterNetwork, DataError


def load_network(path: str | Path, attributes: str | Path | None = None,
                 directed: bool | None = None) -> ClusterNetwork:
    """Read a network file (or the `network.graphml` of an `analyze` output folder) and,
    if given, its attributes file."""
    from .read import read_attributes, read_network

    p = Path(path)
    if p.is_dir():
        inner = p / "network.graphml"
        if not inner.exists():
            raise DataError(f"{p}: folder has no network.graphml (expected the output of `clusterlab analyze`)")
        p = inner
    net = read_network(p, directed=directed)
    if attributes:
        net = read_attributes(attributes, net)
    return net
