"""rmtsgd: random-matrix theory of stochastic gradient descent, reproduced from code and config."""

__version__ = "0.1.0"
