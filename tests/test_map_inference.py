"""Tests of stats.map_inference: p-value conventions, observed clusters, whole-map nulls."""

import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage

from course_utils.stats import map_inference, tfce


def _mask_img(shape=(6, 5, 4)):
    return nib.Nifti1Image(np.ones(shape, np.uint8), np.eye(4))


def test_count_exceed_and_p_values_follow_the_permutation_convention():
    null = np.array([3.0, 1.0, 2.0, 2.0])
    np.testing.assert_array_equal(map_inference.count_exceed(null, [2.0, 0.0, 5.0]), [3, 4, 0])
    exceed = np.array([0, 4])
    np.testing.assert_allclose(map_inference.permutation_p(exceed, 4, exact=False), [0.2, 1.0])
    np.testing.assert_allclose(map_inference.permutation_p(exceed, 4, exact=True), [0.0, 1.0])


def test_observed_clusters_match_scipy_labelling():
    rng = np.random.default_rng(0)
    mask = np.ones((6, 5, 4), bool)
    t = ndimage.gaussian_filter(rng.normal(size=mask.shape), 1.0).ravel() * 6
    threshold = 1.0
    res = map_inference.observed_clusters(t, threshold, True, mask, [1, 2, 50], 3, exact=False)
    faces = ndimage.generate_binary_structure(3, 1)
    expected = []
    for sign in (1, -1):
        labels, count = ndimage.label((sign * t > threshold).reshape(mask.shape), faces)
        expected += np.bincount(labels.ravel())[1:].tolist()
    assert sorted(res.sizes.tolist(), reverse=True) == res.sizes.tolist()
    assert sorted(res.sizes.tolist()) == sorted(expected)
    for k, size in enumerate(res.sizes, start=1):
        assert (res.labels == k).sum() == size
        values = t[res.labels == k] * res.signs[k - 1]
        assert (values > threshold).all()
    null = np.array([1, 2, 50])
    np.testing.assert_allclose(res.p_fwe, (1 + (null[:, None] >= res.sizes).sum(0)) / 4)
    assert list(res.table().columns) == ["cluster", "sign", "size_voxels", "p_fwe"]


def test_map_nulls_record_clusters_and_tfce_of_each_map():
    mask_img = _mask_img()
    rng = np.random.default_rng(1)
    maps = ndimage.gaussian_filter(rng.normal(size=(3, 6, 5, 4)), (0, 1, 1, 1)).reshape(3, -1) * 5
    nulls = map_inference.MapNulls(120, 1.0, True, True, mask_img=mask_img)
    assert nulls.active
    nulls.add(maps)
    table = tfce.neighbours(mask_img=mask_img)
    np.testing.assert_array_equal(nulls.cluster, tfce.max_cluster_sizes(maps, table, 1.0))
    np.testing.assert_allclose(nulls.tfce[0], tfce.max_tfce(maps, table))
    out = nulls.results(maps[0], 3, exact=False)
    assert set(out) == {"clusters", "tfce", "p_fwe_tfce", "max_tfce_null"}
    assert not map_inference.MapNulls(120, None, True, False).active


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cluster_threshold": 3.0, "tfce": False}, "mask_img"),
        ({"cluster_threshold": None, "tfce": True}, "mask_img"),
        ({"cluster_threshold": 3.0, "tfce": False, "mask_img": _mask_img((2, 2, 2))}, "8 voxels"),
    ],
)
def test_map_nulls_need_the_matching_mask(kwargs, message):
    with pytest.raises(ValueError, match=message):
        map_inference.MapNulls(120, kwargs.pop("cluster_threshold"), True, **kwargs)
