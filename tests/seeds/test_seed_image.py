"""Seed notes 000: data augmentation (random flips, random contrast, standardization)."""

from __future__ import annotations

import pytest


def test_image_random_augmentation(run_seed):
    run_seed("image_augment")


def test_image_standardization(run_seed):
    run_seed("image_standardize")
