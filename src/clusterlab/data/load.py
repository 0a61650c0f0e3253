"""`load_network`: a network with its attributes, from a file or an `analyze` output folder."""

from __future__ import annotations

from pathlib import Path

from ..outdir import read_manifest
from .attributes import read_attributes
from .network import ClusterNetwork, DataError
from .read import read_network


def load_network(path: str | Path, attributes: str | Path | None = None, *, directed: bool | None = None,
                 fmt: str | None = None, allow_new: bool = False) -> ClusterNetwork:
    """Read a network file, or the ``network.graphml`` of a `clusterlab analyze` output
    folder, and, if given, its attributes file.

    ``directed`` and ``fmt`` as in :func:`clusterlab.data.read_network`; ``allow_new`` as in
    :func:`clusterlab.data.read_attributes` (attribute ids missing from the network are
    added as isolated actors instead of being an error).
    """
    p = Path(path)
    if p.is_dir():
        manifest = read_manifest(p)
        if manifest is not None and not manifest.get("complete", True):
            raise DataError(f"{p}: its writing was stopped part way (the manifest says incomplete); "
                            f"run `clusterlab {manifest['command']}` into it again first")
        inner = p / "network.graphml"
        if not inner.exists():
            raise DataError(f"{p}: folder has no network.graphml "
                            "(expected the output of `clusterlab analyze`)")
        p = inner
    net = read_network(p, directed=directed, fmt=fmt)
    if attributes:
        net = read_attributes(attributes, net, allow_new=allow_new)
    return net
