"""``ansinh simulate``: a demo province run month by month by automatic actors, checked as it goes.
Kept apart from the domain packages it drives (payouts, cases), like the demo."""

from . import checks
from .run import SimulationOptions, SimulationResult, run_simulation, simulate

__all__ = ["SimulationOptions", "checks", "SimulationResult", "run_simulation", "simulate"]
