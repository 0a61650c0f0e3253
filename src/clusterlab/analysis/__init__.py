"""Analysis of real cluster networks: the measures of one network (`analyze`), the panel
comparison of two survey waves (`compare`, with its `logit` and `calibrate`, the mapping of
its estimates to simulator parameters) and the offline HTML reports (`report`).

    firms, summary = analyze(net)
    write_analysis("out/", net, firms, summary)
    res = compare(wave1, wave2, {"cognitive": clusterlab.data.read_proximity("cog.csv")})
    res.write("panel/")
    evolution_parameters(res)

`report` is not imported here (it loads matplotlib); the writers above import it.
"""

from .analyze import analyze, write_analysis
from .calibrate import evolution_parameters
from .compare import STATUSES, CompareError, CompareResult, compare, geographic_proximity
from .logit import LogitResult, logit

__all__ = ["STATUSES", "CompareError", "CompareResult", "LogitResult", "analyze", "compare",
           "evolution_parameters", "geographic_proximity", "logit", "write_analysis"]
