"""Network measures of a ClusterNetwork over CSR graphs: Wang's (2013) structural and
relational dimensions (centrality, network size, structural holes, tie strength, cohesion),
core-periphery, communities, brokerage, the cluster literature's actor roles, lock-in
risk and recovery after a shock (`recovery`: area to the pre-shock trend); `analyze`
assembles them into a firm table and a cluster summary."""

from clusterlab.measures.structural_holes import constraint, csr_from_edges, effective_size
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
from clusterlab.measures.recovery import knowledge_in_domains, recovery, trend_gap
from clusterlab.measures.roles import (GB_ROLES, external_openness, external_stars, focal_firm_score,
                                       focal_firms, giuliani_bell_roles)
from clusterlab.measures.table import analyze, cluster_summary, firm_table

__all__ = ["BROKERAGE_ROLES", "GB_ROLES", "Communities", "CorePeriphery", "MeasureError", "PreparedNetwork",
           "analyze", "betweenness", "burt_constraint", "burt_effective_size", "closeness",
           "cluster_summary", "cognitive_homogeneity", "components", "constraint", "core_periphery",
           "core_periphery_fit", "csr_from_edges", "degree", "degree_centralization", "density",
           "effective_size", "ego_network_size", "eigenvector", "external_openness", "external_stars",
           "firm_table", "focal_firm_score", "focal_firms", "giuliani_bell_roles", "gould_fernandez",
           "in_degree", "knowledge_in_domains", "leiden", "lock_in_indicators", "mean_tie_strength", "modularity", "out_degree",
           "pagerank", "prepare", "reciprocity", "recovery", "tie_strength", "transitivity", "trend_gap"]
