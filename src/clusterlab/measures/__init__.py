"""Network measures over CSR graphs."""

from clusterlab.measures.structural_holes import constraint, csr_from_edges, effective_size
