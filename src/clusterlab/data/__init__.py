"""Real cluster networks: survey files read into one plain structure, and written back.

    net = load_network("survey.csv", "firms.csv")     # or an `analyze` output folder
    net = load_network("wave2.dl", "firms.xlsx", absent="zeros")   # without absent actors
    net.ids, net.src, net.dst, net.weight, net.attributes, net.notes

Modules, by job: `network` (ClusterNetwork, DataError), `text` (decoding, delimiters,
numbers), `excel` (a sheet's rows, read like a delimited file's), one reader per format
family (`edgelist`, `matrix`, `xml` for GraphML and GEXF, `pajek`, `dl` for UCINET)
dispatched by `read`, `attributes` (the attribute vocabulary and its reader), `load`
(network and attributes together, absent actors removed) and `write` (GraphML and GEXF).

Direction: an edge ``src -> dst`` means "src asks dst for advice", so knowledge flows from
dst to src; in a labelled adjacency matrix rows ask columns.
"""

from .attributes import KNOWN_ATTRIBUTES, normalise_kind, read_attributes
from .load import load_network
from .matrix import as_proximity, detect_scale, read_proximity, split_proximity_spec
from .network import ClusterNetwork, DataError, in_id_order, natural_key
from .read import FORMATS, read_network
from .write import write_gexf, write_graphml, write_network

__all__ = ["ClusterNetwork", "DataError", "FORMATS", "KNOWN_ATTRIBUTES", "load_network", "normalise_kind",
           "read_attributes", "read_network", "read_proximity", "as_proximity", "detect_scale",
           "split_proximity_spec", "in_id_order", "natural_key", "write_gexf", "write_graphml",
           "write_network"]
