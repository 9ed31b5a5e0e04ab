"""Agent-based simulation of critical-minerals supply chains (Mesa).

Mines, refiners, recyclers, buyers and governments trade on monthly spot markets that clear
across countries with transport costs and trade rules. See README.md and docs/ODD.md.
"""

__version__ = "0.1.0"
