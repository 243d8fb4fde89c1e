"""Per-module analyses (fits of learnt spectra, scaling, claims); shared numerics live one level up
in `rmtsgd.coulomb`, `rmtsgd.fits`, `rmtsgd.spectra` and `rmtsgd.claims`."""
