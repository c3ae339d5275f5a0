"""The course figure style: colours, maps' colour map, titles that name the data."""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Diverging colour map for signed maps (t, beta, differences): blue negative, red positive.
DIVERGING_CMAP = "RdBu_r"


def use_course_style() -> None:
    """Apply the course figure style to matplotlib.

    Sets the Okabe-Ito colour cycle, font sizes readable on a projector, a light grid and a
    figure resolution that keeps the site small.

    Returns
    -------
    None
        The style applies to every figure drawn afterwards.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> use_course_style()
    >>> mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
    '#0072B2'
    """
    import warnings

    # nilearn's brain plots place their own axes, which matplotlib's constrained layout cannot
    # arrange; it says so at every draw, although the figure is fine.
    warnings.filterwarnings("ignore", message="There are no gridspecs with layoutgrids")
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 13,
            "axes.labelsize": 12,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "legend.frameon": False,
            "figure.dpi": 90,
            "savefig.dpi": 90,
            "figure.constrained_layout.use": True,
            "image.cmap": "viridis",
        }
    )


def source_title(title: str, source: str | None) -> str:
    """Return a figure title that names the data source when it is not the real data.

    Parameters
    ----------
    title : str
        What the figure shows.
    source : str or None
        Data source label, e.g. ``"synthetic stand-in (seed 0)"``; None or ``"localizer"``
        leave the title unchanged.

    Returns
    -------
    str
        The title, with ``[synthetic stand-in ...]`` appended for synthetic data.

    Examples
    --------
    >>> source_title("Mean map", "synthetic stand-in (seed 0)")
    'Mean map [synthetic stand-in (seed 0)]'
    >>> source_title("Mean map", None)
    'Mean map'
    """
    if not source or source.lower().startswith("localizer"):
        return title
    return f"{title} [{source}]"


def interactive_available() -> bool:
    """True when interactive widgets can be shown (ipywidgets installed, not a static build).

    The notebook tests and the site build set ``COURSE_STATIC_FIGURES=1``: there, widgets cannot
    be used, and notebooks show a static figure instead.

    Returns
    -------
    bool
        Whether a notebook may display a widget.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"COURSE_STATIC_FIGURES": "1"}):
    ...     interactive_available()
    False
    """
    import os

    if os.environ.get("COURSE_STATIC_FIGURES", "").strip() not in ("", "0"):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True
