"""The dataset container: :class:`LocalizerData`, the Localizer's maps as masked arrays.

Whatever the source (a real copy or the stand-in), the notebooks get one shape: per-subject,
per-condition maps as float32 ``(n_subjects, n_voxels)`` arrays over one analysis mask, the
participants table, and (for the stand-in) the ground truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
import pandas as pd

from course_utils.experiments.data._manifest import as_weights, check_names
from course_utils.experiments.data._masking import unmask


@dataclass(eq=False)
class LocalizerData:
    """Per-subject, per-condition maps of the Localizer (real or stand-in), masked.

    Attributes
    ----------
    maps : pandas.DataFrame
        One row per subject and condition: ``subject``, ``condition``, ``image`` (file, or None
        for generated maps), ``tmap`` (file or None), ``row`` (row of :meth:`array`) and
        ``has_variance``.
    participants : pandas.DataFrame
        One row per subject, in the order of :attr:`subjects`: ``subject``, then what the source
        knows: ``sex`` ('F'/'M') and ``age`` for the stand-in; also ``site``, ``language`` and
        the behavioural scores for the nilearn copy; nothing more for a copy without a
        participant table. A covariate the source lacks is an absent column, never a column of
        missing values (see :meth:`covariates`).
    mask_img : nibabel.Nifti1Image
        The analysis mask; columns of :meth:`array` are its voxels in C order.
    source : str
        Label for figure titles (see ``plotting.source_title``).
    is_synthetic : bool
    truth : GroundTruth or None
        Ground truth of the stand-in (:class:`~course_utils.experiments.data.GroundTruth`);
        None for real data. Typed ``object`` here: the container does not depend on the
        stand-in that fills it.

    Examples
    --------
    >>> import nibabel as nib, numpy as np, pandas as pd
    >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), np.eye(4))
    >>> people = pd.DataFrame({"subject": ["S1", "S2"]})
    >>> ds = LocalizerData.from_arrays({"x": np.ones((2, 2), "float32")}, people["subject"],
    ...                                people, mask, "demo", False)
    >>> ds
    LocalizerData('demo': 2 subjects x 1 conditions x 2 voxels)
    >>> ds.array("x").shape
    (2, 2)
    """

    maps: pd.DataFrame
    participants: pd.DataFrame
    mask_img: nib.Nifti1Image
    source: str
    is_synthetic: bool
    truth: object | None = None
    _values: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _variances: dict[str, np.ndarray | None] = field(default_factory=dict, repr=False)
    _variance_columns: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_arrays(
        cls,
        values: Mapping[str, np.ndarray],
        subjects: Sequence[str],
        participants: pd.DataFrame,
        mask_img: nib.Nifti1Image,
        source: str,
        is_synthetic: bool,
        truth: object | None = None,
        variances: Mapping[str, np.ndarray | None] | None = None,
        subject_variances: Mapping[str, np.ndarray] | None = None,
        variance_columns: np.ndarray | None = None,
        images: Mapping[str, Sequence[str | None]] | None = None,
        tmaps: Mapping[str, Sequence[str | None]] | None = None,
    ) -> LocalizerData:
        """Assemble from ``{condition: (n_subjects, n_voxels)}`` arrays (rows in ``subjects``).

        Parameters
        ----------
        values : mapping of str to numpy.ndarray
            ``(n_subjects, n_voxels)`` maps per condition.
        subjects : sequence of str
            Subject IDs, in the row order of ``values``.
        participants : pandas.DataFrame
            With a ``subject`` column; reordered to ``subjects``.
        mask_img : nibabel.Nifti1Image
            The mask whose voxels are the columns.
        source : str
            Label for figure titles.
        is_synthetic : bool
            Whether the maps are the stand-in's.
        truth : GroundTruth, optional
            The stand-in's ground truth.
        variances : mapping of str to numpy.ndarray or None, optional
            Full first-level variance arrays per condition (they may be memory-mapped).
        subject_variances : mapping of str to numpy.ndarray, optional
            One first-level variance per subject (uniform over voxels), expanded on demand by
            :meth:`variance`.
        variance_columns : numpy.ndarray, optional
            The columns of ``variances`` that match the voxels of ``values`` (when voxels were
            dropped after the variances were stored).
        images, tmaps : mapping of str to sequence of str or None, optional
            The files the maps (and t-maps) were read from, per condition.

        Returns
        -------
        LocalizerData

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((3, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["B", "A"], "age": [30, 20]})
        >>> ds = LocalizerData.from_arrays({"x": np.zeros((2, 3), "float32")}, ["A", "B"],
        ...                                people, mask, "demo", False)
        >>> ds.participants["age"].tolist()
        [20, 30]
        """
        subjects = [str(s) for s in subjects]
        rows = []
        stored_var: dict[str, np.ndarray | None] = {}
        for condition, array in values.items():
            if array.shape[0] != len(subjects):
                raise ValueError(
                    f"{condition}: {array.shape[0]} rows for {len(subjects)} subjects."
                )
            var = None
            if variances is not None and variances.get(condition) is not None:
                var = variances[condition]
            elif subject_variances is not None and condition in subject_variances:
                var = np.asarray(subject_variances[condition], dtype=np.float64)
            stored_var[condition] = var
            for k, subject in enumerate(subjects):
                rows.append(
                    {
                        "subject": subject,
                        "condition": condition,
                        "image": None if images is None else images[condition][k],
                        "tmap": None if tmaps is None else tmaps[condition][k],
                        "row": k,
                        "has_variance": var is not None,
                    }
                )
        participants = participants.set_index("subject").reindex(subjects).reset_index()
        return cls(
            maps=pd.DataFrame(rows),
            participants=participants,
            mask_img=mask_img,
            source=source,
            is_synthetic=is_synthetic,
            truth=truth,
            _values=dict(values),
            _variances=stored_var,
            _variance_columns=variance_columns,
        )

    @property
    def subjects(self) -> list[str]:
        """Subject IDs, in the row order of :meth:`array`."""
        return list(self.participants["subject"])

    @property
    def conditions(self) -> list[str]:
        """Conditions loaded."""
        return list(self._values)

    @property
    def affine(self) -> np.ndarray:
        """Voxel-to-MNI affine of the maps."""
        return self.mask_img.affine

    @property
    def n_voxels(self) -> int:
        """Number of voxels in the mask (columns of :meth:`array`)."""
        return int(next(iter(self._values.values())).shape[1])

    def _rows(self, subjects: Sequence[str] | str | None) -> np.ndarray | None:
        if subjects is None:
            return None
        names = check_names(subjects, self.subjects, "subject")
        index = {s: k for k, s in enumerate(self.subjects)}
        return np.array([index[s] for s in names], dtype=np.intp)

    def array(self, condition: str, subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """Maps of one condition as a float32 ``(n_subjects, n_voxels)`` array.

        Parameters
        ----------
        condition : str
            One of :attr:`conditions`.
        subjects : sequence of str, optional
            Subjects, in the order wanted; default :attr:`subjects`.

        Returns
        -------
        numpy.ndarray
            float32; rows in the order of ``subjects`` (do not modify in place: it may be
            shared with later calls).

        Raises
        ------
        ValueError
            For an unknown condition or subject (the message suggests the closest name).

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["S1", "S2"]})
        >>> ds = LocalizerData.from_arrays({"x": np.arange(4, dtype="float32").reshape(2, 2)},
        ...                                people["subject"], people, mask, "demo", False)
        >>> ds.array("x", subjects=["S2"]).tolist()
        [[2.0, 3.0]]
        """
        check_names(condition, self.conditions, "condition")
        rows = self._rows(subjects)
        values = self._values[condition]
        return values if rows is None else values[rows]

    def variance(self, condition: str, subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """First-level variances of one condition, float32 ``(n_subjects, n_voxels)``.

        Parameters
        ----------
        condition : str
            One of :attr:`conditions`.
        subjects : sequence of str, optional
            Subjects, in the order wanted; default :attr:`subjects`.

        Returns
        -------
        numpy.ndarray
            float32, rows in the order of ``subjects``.

        Raises
        ------
        ValueError
            For an unknown name, or when the source has no first-level variances.

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["S1", "S2"]})
        >>> ds = LocalizerData.from_arrays({"x": np.zeros((2, 2), "float32")}, people["subject"],
        ...                                people, mask, "demo", False,
        ...                                subject_variances={"x": np.array([1.0, 4.0])})
        >>> ds.variance("x").tolist()
        [[1.0, 1.0], [4.0, 4.0]]
        """
        check_names(condition, self.conditions, "condition")
        var = self._variances.get(condition)
        if var is None:
            raise ValueError(
                f"{self.source} has no first-level variances for {condition!r} "
                "(no t-maps): use a method that needs only the maps."
            )
        rows = self._rows(subjects)
        if var.ndim == 1:  # one value per subject, the same in every voxel
            picked = var if rows is None else var[rows]
            return np.repeat(picked.astype(np.float32)[:, None], self.n_voxels, axis=1)
        picked = var if rows is None else var[rows]
        if self._variance_columns is not None:
            picked = picked[:, self._variance_columns]
        return np.asarray(picked, dtype=np.float32)

    def covariates(
        self, *names: str, purpose: str = "this analysis", verbose: bool = True
    ) -> pd.DataFrame | None:
        """The named covariates of the subjects that have all of them, or None if the source
        has none.

        Real tables are incomplete: the nilearn copy lacks the age of 4 of its 94 subjects,
        and the DartBrains copy has no participant table at all. A model with covariates can
        only use the subjects whose values are all known (complete cases).

        Parameters
        ----------
        *names : str
            Column names of :attr:`participants`, e.g. ``"age", "sex"``.
        purpose : str
            What the covariates are for, to name in the message.
        verbose : bool, default True
            Print one sentence when subjects are dropped or the covariates are absent.

        Returns
        -------
        pandas.DataFrame or None
            Indexed by subject (complete cases, in :attr:`subjects` order), one column per
            name; None when a covariate is absent from the source or no subject has them all.

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["S1", "S2", "S3"], "age": [20, None, 31]})
        >>> ds = LocalizerData.from_arrays({"x": np.zeros((3, 2), "float32")}, people["subject"],
        ...                                people, mask, "demo", False)
        >>> ds.covariates("age", purpose="the age model")
        S2 has no age: the age model uses the other 2 subjects.
                 age
        subject
        S1      20.0
        S3      31.0
        >>> ds.covariates("age", "sex", purpose="the age model") is None
        demo has no sex for its subjects, so the age model is skipped (it runs on the
        nilearn copy of the Localizer and on the stand-in).
        True
        """
        if not names:
            raise ValueError("Name at least one covariate, e.g. covariates('age', 'sex').")
        absent = [name for name in names if name not in self.participants.columns]
        if absent:
            if verbose:
                print(
                    f"{self.source} has no {' or '.join(absent)} for its subjects, so "
                    f"{purpose} is skipped (it runs on the nilearn copy of the Localizer and "
                    "on the stand-in)."
                )
            return None
        table = self.participants.set_index("subject")[list(names)]
        complete = table.notna().all(axis=1)
        if verbose and not complete.all():
            lacking = list(table.index[~complete])
            shown = ", ".join(lacking[:6]) + (", ..." if len(lacking) > 6 else "")
            missing = " or ".join(n for n in names if table.loc[lacking, n].isna().any())
            verb = "has" if len(lacking) == 1 else "have"
            print(
                f"{shown} {verb} no {missing}: {purpose} uses the other "
                f"{int(complete.sum())} subjects."
            )
        if not complete.any():
            return None
        return table[complete]

    def contrast(
        self, weights: Mapping[str, float], subjects: Sequence[str] | str | None = None
    ) -> np.ndarray:
        """Each subject's contrast map ``sum_c w_c * array(c)`` (float32; sums in float64).

        Parameters
        ----------
        weights : mapping of str to float
            ``{condition: weight}``.
        subjects : sequence of str, optional
            Subjects, in the order wanted; default :attr:`subjects`.

        Returns
        -------
        numpy.ndarray
            float32 ``(n_subjects, n_voxels)``.

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((1, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["S1"]})
        >>> ds = LocalizerData.from_arrays(
        ...     {"a": np.full((1, 1), 3, "float32"), "b": np.ones((1, 1), "float32")},
        ...     people["subject"], people, mask, "demo", False)
        >>> ds.contrast({"a": 1, "b": -1}).tolist()
        [[2.0]]
        """
        weights = as_weights(weights, self.conditions)
        out = None
        for condition, w in weights.items():
            term = w * self.array(condition, subjects).astype(np.float64)
            out = term if out is None else out + term
        return out.astype(np.float32)

    def to_image(self, values: np.ndarray) -> nib.Nifti1Image:
        """Put one map (n_voxels,) or several (n_maps, n_voxels) back on the brain grid.

        Parameters
        ----------
        values : numpy.ndarray
            ``(n_voxels,)`` or ``(n_maps, n_voxels)``.

        Returns
        -------
        nibabel.Nifti1Image
            3D or 4D float32 image (see :func:`unmask`).

        Examples
        --------
        >>> import nibabel as nib, numpy as np, pandas as pd
        >>> mask = nib.Nifti1Image(np.ones((2, 1, 1), "uint8"), np.eye(4))
        >>> people = pd.DataFrame({"subject": ["S1"]})
        >>> ds = LocalizerData.from_arrays({"x": np.zeros((1, 2), "float32")},
        ...                                people["subject"], people, mask, "demo", False)
        >>> ds.to_image(np.array([1.0, 2.0])).shape
        (2, 1, 1)
        """
        return unmask(values, mask_img=self.mask_img)

    def __repr__(self) -> str:
        return (
            f"LocalizerData({self.source!r}: {len(self.subjects)} subjects x "
            f"{len(self.conditions)} conditions x {self.n_voxels} voxels)"
        )
