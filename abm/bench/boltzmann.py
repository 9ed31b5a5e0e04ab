"""Context only: agent-steps per second of Mesa's Boltzmann wealth model.

The model's agents are rows of arrays, so its cost is about fixed plus a little per
agent-month: its agent-steps per second against Boltzmann's say how it compares with a
textbook Mesa model, not how fast it is for its users (that is ``abm.bench.whole``).
"""

from __future__ import annotations

import statistics
import time

import mesa


class WealthAgent(mesa.Agent):
    """The bare exchange rule: gives a unit to a random agent if it has any."""

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        """Give one unit of wealth to a random agent, if there is any to give."""
        if self.wealth > 0:
            other = self.model.random.choice(self.model.agent_list)
            other.wealth += 1
            self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    """The stricter reference: Boltzmann's exchange rule without Mesa's grid or data
    collection, so almost all of its time is Mesa's agent activation."""

    def __init__(self, agents: int = 100, rng: int = 1):
        super().__init__(rng=rng)
        for _ in range(agents):
            WealthAgent(self)
        self.agent_list = self.agents.to_list()

    def step(self) -> None:
        """Step every agent once, in random order."""
        self.agents.shuffle_do("step")


def mesa_boltzmann(seed: int, agents: int = 100) -> mesa.Model:
    """Mesa's own example model, configured as Mesa's benchmarks configure it (their
    ``benchmarks/configurations.py``: n=100, width=10, height=10)."""
    from mesa.examples import BoltzmannWealth as MesaBoltzmann
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

    return MesaBoltzmann(BoltzmannScenario(rng=seed, n=agents, width=10, height=10))


def boltzmann(model_of, agents: int = 100, steps: int = 100, repeats: int = 5) -> dict:
    """Median wall time of ``steps`` steps of a Boltzmann model, over seeds 1..repeats."""
    times = []
    for seed in range(repeats):
        model = model_of(seed + 1, agents)
        began = time.perf_counter()
        for _ in range(steps):
            model.step()
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    return {
        "agents": agents,
        "steps": steps,
        "step_s": median,
        "agent_steps_per_s": agents * steps / median,
    }
