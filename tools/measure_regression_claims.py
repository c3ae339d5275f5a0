#!/usr/bin/env python
"""How reliably the claims of the t-tests-as-regressions notebook hold over many draws.

The notebook checks its claims on one draw (its ``SEED``). A claim about a random quantity (a t
ratio, a VIF, a standard error that grows or shrinks) is only worth checking if it holds for
(nearly) every draw; this script measures that, vectorised over draws, with the notebook's own
simulation parameters (``PARAMETERS``, to be kept in step with the notebook). Its printout is what
the notebook's ``verify`` comments quote.

Usage: ``python -m tools.measure_regression_claims [--n-sim 200000] [--seed 0]``. The notebook's
comments quote ``--n-sim 1000000 --seed 2`` (about 30 s).
"""

from __future__ import annotations

import argparse

import numpy as np

# The notebook's simulation (percent signal change throughout).
PARAMETERS = {
    "paired": {"n": 20, "level_mean": 0.8, "level_sd": 0.5, "effect": 0.3, "noise_sd": 0.2},
    "ages": {
        "n_young": 15,
        "n_old": 12,
        "young": (20, 30),
        "old": (60, 75),
        "intercept": 0.2,
        "per_year": 0.02,
        "young_effect": 0.3,
        "noise_sd": 0.25,
    },
    "overlap": {"n_patients": 20, "n_controls": 16, "ages": (18, 80), "patient_effect": 0.3},
    "motion": {"mean": 0.15, "sd": 0.05, "patient_extra": 0.15},
}
CHUNK = 20_000


def _ols(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched least squares: betas, their standard errors, and diag((X'X)^-1)."""
    inverse = np.linalg.inv(np.einsum("snp,snq->spq", X, X))
    beta = np.einsum("spq,snq,sn->sp", inverse, X, y)
    residual = y - np.einsum("snp,sp->sn", X, beta)
    sigma2 = (residual**2).sum(axis=1) / (X.shape[1] - X.shape[2])
    diag = np.diagonal(inverse, axis1=1, axis2=2)
    return beta, np.sqrt(sigma2[:, None] * diag), diag


def _vif(X: np.ndarray, j: int) -> np.ndarray:
    """VIF of column j of designs with an intercept: diag((X'X)^-1)_j x centred sum of squares."""
    diag = np.diagonal(np.linalg.inv(np.einsum("snp,snq->spq", X, X)), axis1=1, axis2=2)[:, j]
    x = X[:, :, j]
    return diag * ((x - x.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)


def _paired(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    p = PARAMETERS["paired"]
    level = rng.normal(p["level_mean"], p["level_sd"], (size, p["n"]))
    a = level + p["effect"] + rng.normal(0, p["noise_sd"], level.shape)
    b = level + rng.normal(0, p["noise_sd"], level.shape)
    d = a - b
    t_rel = d.mean(1) / (d.std(1, ddof=1) / np.sqrt(p["n"]))
    se_ind = np.sqrt((a.var(1, ddof=1) + b.var(1, ddof=1)) / p["n"])
    t_ind = (a.mean(1) - b.mean(1)) / se_ind
    order = rng.random(level.shape).argsort(axis=1)  # b arrives shuffled, once per draw
    wrong = a - np.take_along_axis(b, order, axis=1)  # then taken by position
    return {
        "ratio": t_rel / t_ind,
        "position_sd_larger": wrong.std(1, ddof=1) > d.std(1, ddof=1),
    }


def _two_groups_with_covariate(
    is_first: np.ndarray, covariate: np.ndarray, y: np.ndarray
) -> dict[str, np.ndarray]:
    size, n = y.shape
    ones = np.ones((size, n))
    group = np.broadcast_to(is_first, (size, n))
    plain = np.stack([ones, group], axis=2)
    adjusted = np.stack([ones, group, covariate], axis=2)
    beta_plain, se_plain, _ = _ols(plain, y)
    beta_adj, se_adj, _ = _ols(adjusted, y)
    return {
        "plain": beta_plain[:, 1],
        "adjusted": beta_adj[:, 1],
        "se_ratio": se_adj[:, 1] / se_plain[:, 1],
        "se_adjusted": se_adj[:, 1],
        "slope": beta_adj[:, 2],
        "se_slope": se_adj[:, 2],
        "vif": _vif(adjusted, 1),
    }


def _ages(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    p = PARAMETERS["ages"]
    age = np.concatenate(
        [
            rng.uniform(*p["young"], (size, p["n_young"])),
            rng.uniform(*p["old"], (size, p["n_old"])),
        ],
        axis=1,
    )
    young = np.r_[np.ones(p["n_young"]), np.zeros(p["n_old"])]
    y = (
        p["intercept"]
        + p["per_year"] * age
        + p["young_effect"] * young
        + rng.normal(0, p["noise_sd"], age.shape)
    )
    return _two_groups_with_covariate(young, age, y)


def _overlap(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    p, a, m = PARAMETERS["overlap"], PARAMETERS["ages"], PARAMETERS["motion"]
    n = p["n_patients"] + p["n_controls"]
    patients = np.r_[np.ones(p["n_patients"]), np.zeros(p["n_controls"])]
    age = rng.uniform(*p["ages"], (size, n))
    y = (
        a["intercept"]
        + a["per_year"] * age
        + p["patient_effect"] * patients
        + rng.normal(0, a["noise_sd"], age.shape)
    )
    motion = rng.normal(m["mean"], m["sd"], (size, n)) + m["patient_extra"] * patients
    with_age = _two_groups_with_covariate(patients, age, y)
    with_motion = _two_groups_with_covariate(patients, motion, y)
    return {
        "age_se_ratio": with_age["se_ratio"],
        "age_vif": with_age["vif"],
        "motion_se_ratio": with_motion["se_ratio"],
        "plain": with_motion["plain"],
        "motion_adjusted": with_motion["adjusted"],
        "motion_vif": with_motion["vif"],
    }


def measure(n_sim: int = 200_000, seed: int = 0) -> dict[str, float]:
    """Rates, extremes and central 99.99 % ranges of the notebook's random claims.

    Parameters
    ----------
    n_sim : int
        Number of simulated draws of each example.
    seed : int
        Seed of the draws.

    Returns
    -------
    dict of str to float
        One entry per measured quantity (see the printout of ``main``).

    Examples
    --------
    >>> out = measure(n_sim=2_000, seed=1)
    >>> 2.0 < out["paired_ratio_theory"] < 3.0
    True
    """
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {}
    done = 0
    while done < n_sim:
        size = min(CHUNK, n_sim - done)
        for name, values in {
            **{f"paired_{k}": v for k, v in _paired(rng, size).items()},
            **{f"ages_{k}": v for k, v in _ages(rng, size).items()},
            **{f"overlap_{k}": v for k, v in _overlap(rng, size).items()},
        }.items():
            parts.setdefault(name, []).append(values)
        done += size
    v = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    p = PARAMETERS["paired"]
    low, high = 0.00005, 0.99995  # the central 99.99 %
    return {
        "n_sim": float(n_sim),
        "paired_ratio_theory": float(np.sqrt(1 + p["level_sd"] ** 2 / p["noise_sd"] ** 2)),
        "paired_ratio_min": float(v["paired_ratio"].min()),
        "paired_ratio_q_low": float(np.quantile(v["paired_ratio"], low)),
        "paired_ratio_median": float(np.median(v["paired_ratio"])),
        "paired_ratio_q_high": float(np.quantile(v["paired_ratio"], high)),
        "position_sd_larger_rate": float(v["paired_position_sd_larger"].mean()),
        "ages_plain_negative_rate": float((v["ages_plain"] < 0).mean()),
        "ages_vif_min": float(v["ages_vif"].min()),
        "ages_vif_median": float(np.median(v["ages_vif"])),
        "ages_vif_below_5_rate": float((v["ages_vif"] < 5).mean()),
        "ages_se_ratio_min": float(v["ages_se_ratio"].min()),
        "ages_se_ratio_median": float(np.median(v["ages_se_ratio"])),
        "ages_adjusted_positive_rate": float((v["ages_adjusted"] > 0).mean()),
        "ages_adjusted_se_over_effect_min": float(
            v["ages_se_adjusted"].min() / PARAMETERS["ages"]["young_effect"]
        ),
        "ages_adjusted_se_over_effect_q_low": float(
            np.quantile(v["ages_se_adjusted"], low) / PARAMETERS["ages"]["young_effect"]
        ),
        "ages_adjusted_se_below_0.7_effect_rate": float(
            (v["ages_se_adjusted"] < 0.7 * PARAMETERS["ages"]["young_effect"]).mean()
        ),
        "ages_slope_se_over_truth_min": float(
            v["ages_se_slope"].min() / PARAMETERS["ages"]["per_year"]
        ),
        "ages_adjusted_se_over_effect_median": float(
            np.median(v["ages_se_adjusted"]) / PARAMETERS["ages"]["young_effect"]
        ),
        "overlap_age_vif_max": float(v["overlap_age_vif"].max()),
        "overlap_age_vif_median": float(np.median(v["overlap_age_vif"])),
        "overlap_age_se_shrinks_rate": float((v["overlap_age_se_ratio"] < 1).mean()),
        "overlap_age_se_ratio_median": float(np.median(v["overlap_age_se_ratio"])),
        "overlap_motion_se_grows_rate": float((v["overlap_motion_se_ratio"] > 1).mean()),
        "overlap_motion_se_ratio_median": float(np.median(v["overlap_motion_se_ratio"])),
        "overlap_motion_vif_median": float(np.median(v["overlap_motion_vif"])),
        "overlap_motion_vif_min": float(v["overlap_motion_vif"].min()),
        "overlap_motion_estimate_sd_ratio": float(
            v["overlap_motion_adjusted"].std() / v["overlap_plain"].std()
        ),
    }


def main(argv: list[str] | None = None) -> None:
    """Print every measured quantity, one per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for name, value in measure(args.n_sim, args.seed).items():
        print(f"{name:32s} {value:.6g}")


if __name__ == "__main__":
    main()
