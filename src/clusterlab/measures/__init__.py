"""Network measures over CSR graphs."""

from clusterlab.measures.structural_holes import constraint, csr_from_edges, effective_size

# measures of a ClusterNetwork (seed 002's structural and relational dimensions, cluster roles)
from clusterlab.measures._graph import MeasureError, PreparedNetwork, prepare
from clusterlab.measures.brokerage import ROLES as BROKERAGE_ROLES
from clusterlab.measures.brokerage import gould_fernandez
from clusterlab.measures.centrality import (betweenness, burt_constraint, burt_effective_size, closeness,
                                            degree, ego_network_size, eigenvector, in_degree, out_degree,
                                            pagerank, tie_strength)
from clusterlab.measures.cohesion import (components, degree_centralization, density, mean_tie_strength,
                                          reciprocity, transitivity)
from clusterlab.measures.communities import Communities, leiden, modularity
from clusterlab.measures.core_periphery import CorePeriphery, core_periphery, core_periphery_fit
from clusterlab.measures.lockin import cognitive_homogeneity, lock_in_indicators
from clusterlab.measures.roles import (GB_ROLES, external_openness, external_stars, focal_firm_score,
                                       focal_firms, giuliani_bell_roles)
from clusterlab.measures.table import analyze, cluster_summary, firm_table
