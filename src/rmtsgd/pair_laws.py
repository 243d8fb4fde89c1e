"""Claims of the laws of one degenerate pair, shared by the modules that measure pairs: the
Eq 11 density's Binder cumulant (seed 002 Eq 12), <S> = sqrt(pi) sigma and the Wigner surmise of
the scaled spacings (seed 002 Eq 31 with sigma_1 = sigma_2; PRE 111 015303).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rmtsgd.claims import make_claim
from rmtsgd.coulomb import SEMICIRCLE_U4

U4_SOURCE = "paper: seed 002 Eq 12 (the Eq 11 density of a degenerate pair)"
SPACING_SOURCE = "paper: seed 002 Eq 31 with sigma_1 = sigma_2 (PRE 111 015303)"
SURMISE_SOURCE = "paper: seed 002 Sec 4.1 and Eq 31 (PRE 111 015303)"


def binder_u4_claim(
    name: str,
    u4: Mapping[str, float],
    pair: str,
    spec: Mapping[str, Any],
    z: float,
    setting: Mapping[str, Any],
    samples: Mapping[str, Any] | None = None,
) -> dict:
    """U4 of the pair (`pair` describes it) equals the semicircle value -4/27."""
    return make_claim(
        name,
        f"U4 = <dx^4>/(3 <dx^2>^2) - 1 of {pair} equals the Wigner semicircle value -4/27",
        U4_SOURCE,
        u4["value"],
        u4["error"],
        SEMICIRCLE_U4,
        spec,
        z,
        setting=setting,
        samples=samples,
    )


def spacing_mean_claim(
    name: str,
    ratio: Mapping[str, float],
    pair: str,
    spec: Mapping[str, Any],
    z: float,
    setting: Mapping[str, Any],
    samples: Mapping[str, Any] | None = None,
) -> dict:
    """<S> = sqrt(pi) sigma for the pair, stated as the ratio <S>/(sqrt(pi) sigma) = 1."""
    return make_claim(
        name,
        f"the mean spacing of {pair} is <S> = sqrt(pi) sigma, sigma its fitted Eq 11 width "
        "(ratio <S>/(sqrt(pi) sigma) shown)",
        SPACING_SOURCE,
        ratio["value"],
        ratio["error"],
        1.0,
        spec,
        z,
        setting=setting,
        samples=samples,
    )


def scaled_distance(distance: Mapping[str, float], n: int) -> dict[str, float]:
    """sqrt(n) times a KS distance of n spacings from the surmise, with its error: for n
    independent spacings drawn from the surmise it follows the Kolmogorov distribution whatever
    n is (mean 0.87, 99% below 1.63; scaling by the measured <S> only lowers it)."""
    root_n = float(np.sqrt(n))
    return {"value": root_n * distance["value"], "error": root_n * distance["error"]}


def surmise_claim(
    name: str,
    distance: Mapping[str, float],
    pair: str,
    statistic: str,
    spec: Mapping[str, Any],
    z: float,
    setting: Mapping[str, Any],
    samples: Mapping[str, Any] | None = None,
) -> dict:
    """The scaled spacings of the pair follow the Wigner surmise: sqrt(n) times their
    Kolmogorov-Smirnov distance from it (`scaled_distance`; `statistic` says what n counts) is
    at most the tolerance; 0 is the surmise exactly."""
    return make_claim(
        name,
        f"the spacings s = S/<S> of {pair} follow the Wigner surmise (pi/2) s exp(-pi s^2/4) "
        f"({statistic})",
        SURMISE_SOURCE,
        distance["value"],
        distance["error"],
        0.0,
        spec,
        z,
        rule="at_most",
        setting=setting,
        samples=samples,
    )
