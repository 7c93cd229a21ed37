"""Why a region's surge demand is left unmet: the words dispatch plans, layers and summaries use.

Kept outside the dispatch package, and importing nothing, so that the layer contract
(``optimizer.export.dispatch_layers``) can name them without loading the flow engines.
"""

BEYOND_THE_WINDOW = "beyond the window"
NO_SPARE_IN_WINDOW = "no region within the window has spare units"
DONORS_EXHAUSTED = "donors within the window exhausted"
RULES_HOLD_BACK = "spare units within the window held back by the dispatch rules"
#: Every unmet reason, in the order the dispatch plan tests them.
UNMET_REASONS = (BEYOND_THE_WINDOW, NO_SPARE_IN_WINDOW, RULES_HOLD_BACK, DONORS_EXHAUSTED)
