"""Seed notes 000: data augmentation (random flips, random contrast, standardization)."""

from __future__ import annotations

import numpy as np


def test_image_random_augmentation(run_seed):
    run_seed("image_augment")


def test_image_standardization(run_seed):
    run_seed("image_standardize")


def test_image_random_augmentation_repeats_with_same_seeds(seed_scripts, tmp_path):
    """Two ortflow runs of the same seeded augmentation graph draw the same flips and contrast."""
    import ortflow

    first = seed_scripts.image_augment(ortflow, str(tmp_path))
    second = seed_scripts.image_augment(ortflow, str(tmp_path))
    np.testing.assert_array_equal(first["raw_flips"], second["raw_flips"])
    np.testing.assert_array_equal(first["raw_contrast"], second["raw_contrast"])
