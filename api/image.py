"""`tf.image` (TF 1.x): flips, contrast and brightness, standardization, resizing, crops and pads.

The functions build the main ops TensorFlow builds (`ReverseV2`, `ResizeBilinear`, `Slice`,
`Pad`, ...) and give TensorFlow's values, with a simpler node structure: no shape asserts;
`adjust_contrast` is spelled with Mean/Sub/Mul/Add (TF's AdjustContrastv2 has no ONNX form);
the random ones draw once per call and choose with `Select` where TensorFlow uses a `cond`.
"""

from __future__ import annotations

import numpy as np
from ortflow.api import array_ops, math_ops, random_ops
from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes

__all__ = [
    "ResizeMethod",
    "adjust_brightness",
    "adjust_contrast",
    "central_crop",
    "convert_image_dtype",
    "crop_to_bounding_box",
    "flip_left_right",
    "flip_up_down",
    "pad_to_bounding_box",
    "per_image_standardization",
    "per_image_whitening",
    "random_brightness",
    "random_contrast",
    "random_flip_left_right",
    "random_flip_up_down",
    "resize",
    "resize_bilinear",
    "resize_images",
    "resize_nearest_neighbor",
    "rgb_to_grayscale",
    "transpose_image",
]


class ResizeMethod:
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def _width_axis(image) -> int:
    return 2 if image.shape.rank == 4 else 1


def _height_axis(image) -> int:
    return 1 if image.shape.rank == 4 else 0


def _flip(image, axis_of, scope):
    g = graph_of(image)
    with g.as_default(), g.name_scope(scope):
        image = convert_to_tensor(image, name="image")
        return array_ops.reverse_v2(image, [axis_of(image)])


def flip_left_right(image):
    """Mirrors the width axis (`ReverseV2`)."""
    return _flip(image, _width_axis, "flip_left_right")


def flip_up_down(image):
    """Mirrors the height axis (`ReverseV2`)."""
    return _flip(image, _height_axis, "flip_up_down")


def _random_flip(image, axis_of, seed, scope):
    g = graph_of(image)
    with g.as_default(), g.name_scope(scope):
        image = convert_to_tensor(image, name="image")
        if image.shape.rank == 4:
            batch = array_ops.shape(image)[0:1]
            draw = random_ops.random_uniform(batch, 0, 1.0, seed=seed)
            flip = array_ops.reshape(math_ops.less(draw, 0.5), [-1, 1, 1, 1])
            flip = math_ops.logical_and(flip, array_ops.ones_like(image, dtype=_dtypes.bool))
        else:
            draw = random_ops.random_uniform([], 0, 1.0, seed=seed)
            flip = math_ops.logical_and(math_ops.less(draw, 0.5), array_ops.ones_like(image, dtype=_dtypes.bool))
        return array_ops.where(flip, array_ops.reverse_v2(image, [axis_of(image)]), image)


def random_flip_left_right(image, seed=None):
    """Mirrors the width axis with probability 1/2 (per image for a batch)."""
    return _random_flip(image, _width_axis, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """Mirrors the height axis with probability 1/2 (per image for a batch)."""
    return _random_flip(image, _height_axis, seed, "random_flip_up_down")


def _adjust_in_float(image, image_name: str, scope_name: str, adjust):
    # adjust_contrast / adjust_brightness: `adjust(flt, name)` on the image in float (non-float
    # images converted to float32 and back, saturating), then an Identity. `name` is the scope
    # for float images (the result is the scope's op), None otherwise.
    g = graph_of(image)
    with g.as_default(), g.name_scope(scope_name) as scope:
        image = convert_to_tensor(image, name=image_name)
        orig = image.dtype.base_dtype
        flt = image if orig.is_floating else convert_image_dtype(image, _dtypes.float32)
        adjusted = adjust(flt, scope if orig.is_floating else None)
        out = adjusted if orig.is_floating else convert_image_dtype(adjusted, orig, saturate=True)
        return array_ops.identity(out)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * factor + mean per channel (`AdjustContrastv2`), in float."""
    def adjust(flt, name):
        factor = convert_to_tensor(contrast_factor, dtype=_dtypes.float32, name="contrast_factor")
        # TF's AdjustContrastv2 kernel, spelled with ops every backend has (it has no ONNX form).
        mean = math_ops.reduce_mean(flt, [-3, -2], keepdims=True)
        return apply_op_output("AddV2", [math_ops.multiply(math_ops.subtract(flt, mean), factor), mean], name=name)

    return _adjust_in_float(images, "images", "adjust_contrast", adjust)


def random_contrast(image, lower, upper, seed=None):
    """`adjust_contrast` with a factor drawn from [lower, upper).

    Raises:
        ValueError: upper <= lower, or lower < 0.
    """
    return adjust_contrast(image, _random_factor(lower, upper, seed))


def _random_factor(lower, upper, seed):
    # The scalar factor of random_contrast / random_saturation, drawn from [lower, upper).
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return random_ops.random_uniform([], lower, upper, seed=seed)


def _random_delta(max_delta, seed, at_most=None):
    # The scalar delta of random_brightness / random_hue, drawn from [-max_delta, max_delta).
    if at_most is not None and max_delta > at_most:
        raise ValueError(f"max_delta must be <= {at_most}.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return random_ops.random_uniform([], -max_delta, max_delta, seed=seed)


def adjust_brightness(image, delta):
    """image + delta, in float."""
    def adjust(flt, name):
        return apply_op_output("AddV2", [flt, convert_to_tensor(delta, dtype=flt.dtype.base_dtype, name="Cast/x")],
                               name=name)

    return _adjust_in_float(image, "image", "adjust_brightness", adjust)


def random_brightness(image, max_delta, seed=None):
    """`adjust_brightness` with a delta drawn from [-max_delta, max_delta).

    Raises:
        ValueError: max_delta < 0.
    """
    return adjust_brightness(image, _random_delta(max_delta, seed))


def per_image_standardization(image):
    """(x - mean) / max(stddev, 1/sqrt(num_elements)) over each image."""
    g = graph_of(image)
    with g.as_default(), g.name_scope("per_image_standardization") as scope:
        image = convert_to_tensor(image, name="image")
        if not image.dtype.is_floating:
            image = math_ops.cast(image, _dtypes.float32)
        axes = [-1, -2, -3]
        num_pixels = math_ops.reduce_prod(array_ops.shape(image)[-3:])
        mean = math_ops.reduce_mean(image, axis=axes, keepdims=True)
        stddev = math_ops.reduce_std(image, axis=axes, keepdims=True)
        min_stddev = math_ops.rsqrt(math_ops.cast(num_pixels, image.dtype.base_dtype))
        adjusted_stddev = math_ops.maximum(stddev, min_stddev)
        return apply_op_output("RealDiv", [math_ops.subtract(image, mean), adjusted_stddev], name=scope)


#: TF 0.x name of per_image_standardization (used in the seed notes).
per_image_whitening = per_image_standardization


def _resize(op_type, images, size, align_corners=False, half_pixel_centers=False, name=None):
    return apply_op_output(op_type, [images, size], {"align_corners": bool(align_corners),
                                                     "half_pixel_centers": bool(half_pixel_centers)},
                           name=name or op_type)


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    return _resize("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False):
    return _resize("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers, name)


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    return _resize("ResizeBicubic", images, size, align_corners, half_pixel_centers, name)


def resize_area(images, size, align_corners=False, name=None):
    return apply_op_output("ResizeArea", [images, size], {"align_corners": bool(align_corners)},
                           name=name or "ResizeArea")


#: TF 2 method names, which TF 1.x's resize_images accepts too.
_METHOD_NAMES = {"bilinear": ResizeMethod.BILINEAR, "nearest": ResizeMethod.NEAREST_NEIGHBOR,
                 "bicubic": ResizeMethod.BICUBIC, "area": ResizeMethod.AREA}


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
                  name=None):
    """Resizes [batch,] height, width, channels images to `size` (TF 1.x `resize_images`).

    `method` is a `ResizeMethod` value or a TF 2 name ("bilinear", "nearest", "bicubic", "area");
    either way TF 1.x's pixel grid is used (half_pixel_centers=False).
    """
    if preserve_aspect_ratio:
        raise NotImplementedError("resize_images(preserve_aspect_ratio=True) is not supported by ortflow yet")
    method = _METHOD_NAMES.get(method, method)
    g = graph_of(images)
    with g.as_default(), g.name_scope(name or "resize"):
        images = convert_to_tensor(images, name="images")
        squeeze = images.shape.rank == 3
        if squeeze:
            images = array_ops.expand_dims(images, 0)
        size = convert_to_tensor(size, dtype=_dtypes.int32, name="size")
        op = {ResizeMethod.BILINEAR: resize_bilinear, ResizeMethod.NEAREST_NEIGHBOR: resize_nearest_neighbor,
              ResizeMethod.BICUBIC: resize_bicubic}.get(method)
        if method == ResizeMethod.AREA:
            out = resize_area(images, size, align_corners)
        elif op is None:
            raise ValueError(f"Resize method is not implemented: {method}")
        else:
            out = op(images, size, align_corners)
        return array_ops.squeeze(out, [0]) if squeeze else out


resize = resize_images


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The [target_height, target_width] window at (offset_height, offset_width)."""
    g = graph_of(image)
    with g.as_default(), g.name_scope("crop_to_bounding_box"):
        image = convert_to_tensor(image, name="image")
        batched = image.shape.rank == 4
        begin = [0, offset_height, offset_width, 0] if batched else [offset_height, offset_width, 0]
        size = [-1, target_height, target_width, -1] if batched else [target_height, target_width, -1]
        return array_ops.slice(image, begin, size)


def _height_width(image):
    """(height, width) of [batch,] height, width, channels images: ints where the static shape
    knows them, else scalar int32 tensors read from the run-time shape."""
    dims = image.shape.as_list() if image.shape.rank is not None else [None, None, None]
    if len(dims) not in (3, 4):
        raise ValueError(f"image must have rank 3 or 4, got shape {dims}")
    height, width = dims[-3], dims[-2]
    if height is None or width is None:
        shape = array_ops.shape(image)
        rank = len(dims)
        height = shape[rank - 3] if height is None else height
        width = shape[rank - 2] if width is None else width
    return height, width


def _is_static(*values) -> bool:
    return all(isinstance(v, (int, np.integer)) for v in values)


def _set_image_shape(result, image, height, width):
    dims = image.shape.as_list() if image.shape.rank is not None else None
    if dims is not None:
        dims[-3], dims[-2] = (height if _is_static(height) else None), (width if _is_static(width) else None)
        result.set_shape(dims)
    return result


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Zero-pads to [target_height, target_width] with the image at (offset_height, offset_width).

    Images of unknown height or width are padded by amounts computed at run time; an image that
    does not fit then fails an Assert, as in TensorFlow.

    Raises:
        ValueError: the image does not fit (for statically known sizes).
    """
    from ortflow.api.control_flow_ops import Assert

    g = graph_of(image)
    with g.as_default(), g.name_scope("pad_to_bounding_box"):
        image = convert_to_tensor(image, name="image")
        batched = image.shape.rank == 4
        height, width = _height_width(image)
        after_h = target_height - offset_height - height
        after_w = target_width - offset_width - width
        if _is_static(after_h, after_w):
            if after_h < 0 or after_w < 0:
                raise ValueError("height must be <= target - offset" if after_h < 0 else
                                 "width must be <= target - offset")
            checks = []
        else:
            checks = [Assert(math_ops.greater_equal(after_h, 0), ["height must be <= target - offset"]),
                      Assert(math_ops.greater_equal(after_w, 0), ["width must be <= target - offset"])]
        paddings = [[offset_height, after_h], [offset_width, after_w], [0, 0]]
        if batched:
            paddings = [[0, 0]] + paddings
        if checks:
            with g.control_dependencies(checks):
                paddings = array_ops.identity(array_ops.stack([array_ops.stack(p) for p in paddings]))
        return _set_image_shape(array_ops.pad(image, paddings), image, target_height, target_width)


def central_crop(image, central_fraction):
    """The central `central_fraction` of each image (sizes from the static shape, else at run time).

    Raises:
        ValueError: central_fraction outside (0, 1].
    """
    if central_fraction <= 0.0 or central_fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    g = graph_of(image)
    with g.as_default(), g.name_scope("central_crop"):
        image = convert_to_tensor(image, name="image")
        if central_fraction == 1.0:
            return image
        height, width = _height_width(image)
        rank = image.shape.rank
        if _is_static(height, width):
            start_h = int((height - height * central_fraction) / 2)
            start_w = int((width - width * central_fraction) / 2)
            size_h, size_w = height - start_h * 2, width - start_w * 2
        else:  # TF's arithmetic: float sizes, starts truncated toward zero
            h = math_ops.cast(height, _dtypes.float64)
            w = math_ops.cast(width, _dtypes.float64)
            start_h = math_ops.cast((h - h * central_fraction) / 2, _dtypes.int32)
            start_w = math_ops.cast((w - w * central_fraction) / 2, _dtypes.int32)
            size_h, size_w = height - start_h * 2, width - start_w * 2
        if rank == 4:
            out = array_ops.slice(image, [0, start_h, start_w, 0], [-1, size_h, size_w, -1])
        else:
            out = array_ops.slice(image, [start_h, start_w, 0], [size_h, size_w, -1])
        return _set_image_shape(out, image, size_h, size_w)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Converts between uint8 [0, 255] and float [0, 1] images (and same-kind casts)."""
    dtype = _dtypes.as_dtype(dtype)
    g = graph_of(image)
    with g.as_default():
        image = convert_to_tensor(image, name="image")
        if image.dtype.base_dtype == dtype:  # as TF: an Identity outside the convert_image scope
            return array_ops.identity(image, name=name)
    with g.as_default(), g.name_scope(name or "convert_image"):
        src = image.dtype.base_dtype
        if src.is_integer and dtype.is_floating:
            return math_ops.multiply(math_ops.cast(image, dtype), 1.0 / src.max)
        if src.is_floating and dtype.is_integer:
            scaled = math_ops.multiply(image, dtype.max + 0.5)
            if saturate:
                scaled = math_ops.clip_by_value(scaled, float(dtype.min), float(dtype.max))
            return math_ops.cast(scaled, dtype)
        return math_ops.cast(image, dtype)


def rgb_to_grayscale(images, name=None):
    """Weighted sum of RGB channels (0.2989, 0.587, 0.114), keeping a channel axis."""
    g = graph_of(images)
    with g.as_default(), g.name_scope(name or "rgb_to_grayscale"):
        images = convert_to_tensor(images, name="images")
        flt = convert_image_dtype(images, _dtypes.float32)
        gray = math_ops.reduce_sum(math_ops.multiply(flt, [0.2989, 0.5870, 0.1140]), -1, keepdims=True)
        return convert_image_dtype(gray, images.dtype.base_dtype)


def transpose_image(image):
    """Swaps height and width."""
    image = convert_to_tensor(image)
    perm = [0, 2, 1, 3] if image.shape.rank == 4 else [1, 0, 2]
    return array_ops.transpose(image, perm)



def random_crop(value, size, seed=None, name=None):
    """A random `size` window of `value` (see `tf.random_crop`)."""
    return array_ops.random_crop(value, size, seed=seed, name=name)


def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method="bilinear", extrapolation_value=0,
                    name=None, box_indices=None):
    """Crops normalized (y1, x1, y2, x2) `boxes` of the batch images `box_ind` and resizes them
    to `crop_size` (`CropAndResize`, float32 output)."""
    box_ind = box_indices if box_ind is None else box_ind
    return apply_op_output("CropAndResize", [image, boxes, box_ind, crop_size],
                           {"method": method, "extrapolation_value": float(extrapolation_value)},
                           name=name or "CropAndResize")


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                        name=None):
    """Indices of the boxes greedy non-max suppression keeps, by descending score (`NonMaxSuppressionV3`)."""
    g = graph_of(boxes, scores)
    with g.as_default(), g.name_scope(name or "non_max_suppression"):
        iou_threshold = convert_to_tensor(iou_threshold, name="iou_threshold")
        score_threshold = convert_to_tensor(score_threshold, name="score_threshold")
        return apply_op_output("NonMaxSuppressionV3", [boxes, scores, max_output_size, iou_threshold,
                                                       score_threshold], name="NonMaxSuppressionV3")


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None):
    """Every ksizes window of the NHWC `images` flattened into the depth axis (`ExtractImagePatches`)."""
    ksizes = sizes if ksizes is None else ksizes
    return apply_op_output("ExtractImagePatches", [images], {"ksizes": list(ksizes), "strides": list(strides),
                                                             "rates": list(rates), "padding": padding},
                           name=name or "ExtractImagePatches")


extract_patches = extract_image_patches

__all__ += ["crop_and_resize", "extract_image_patches", "extract_patches", "non_max_suppression", "random_crop",
            "resize_area", "resize_bicubic"]


def rot90(image, k=1, name=None):
    """Rotates [batch,] height, width, channels images counter-clockwise by k * 90 degrees.

    `k` must be a Python int here; TensorFlow picks among the four rotations with a `cond` at
    run time, ortflow builds the one rotation asked for.
    """
    if not isinstance(k, int):
        raise NotImplementedError("rot90 with a Tensor k is not supported by ortflow yet")
    g = graph_of(image)
    with g.as_default(), g.name_scope(name or "rot90"):
        image = convert_to_tensor(image, name="image")
        batched = image.shape.rank == 4
        h, w = (1, 2) if batched else (0, 1)
        perm = [0, 2, 1, 3] if batched else [1, 0, 2]
        k %= 4
        if k == 0:
            return array_ops.identity(image)
        if k == 1:
            return array_ops.transpose(array_ops.reverse_v2(image, [w]), perm)
        if k == 2:
            return array_ops.reverse_v2(image, [h, w])
        return array_ops.reverse_v2(array_ops.transpose(image, perm), [w])


def grayscale_to_rgb(images, name=None):
    """Repeats the single channel three times."""
    g = graph_of(images)
    with g.as_default(), g.name_scope(name or "grayscale_to_rgb") as scope:
        images = convert_to_tensor(images, name="images")
        rank = images.shape.rank
        if rank is None:
            raise NotImplementedError("grayscale_to_rgb needs images of known rank")
        return array_ops.tile(images, [1] * (rank - 1) + [3], name=scope)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """Centrally crops and/or zero-pads [batch,] height, width, channels images to the target size
    (sizes from the static shape, else at run time)."""
    g = graph_of(image)
    with g.as_default(), g.name_scope("resize_image_with_crop_or_pad"):
        image = convert_to_tensor(image, name="image")
        height, width = _height_width(image)
        height_diff, width_diff = target_height - height, target_width - width
        if _is_static(height, width):
            crop = (max(-height_diff // 2, 0), max(-width_diff // 2, 0), min(target_height, height),
                    min(target_width, width))
            pad = (max(height_diff // 2, 0), max(width_diff // 2, 0))
        else:
            crop = (math_ops.maximum(-height_diff // 2, 0), math_ops.maximum(-width_diff // 2, 0),
                    math_ops.minimum(target_height, height), math_ops.minimum(target_width, width))
            pad = (math_ops.maximum(height_diff // 2, 0), math_ops.maximum(width_diff // 2, 0))
        cropped = crop_to_bounding_box(image, *crop)
        resized = pad_to_bounding_box(cropped, pad[0], pad[1], target_height, target_width)
        return _set_image_shape(resized, image, target_height, target_width)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma, in float (integer images are scaled to [0, 1] and back)."""
    g = graph_of(image)
    with g.as_default(), g.name_scope("adjust_gamma"):
        image = convert_to_tensor(image, name="image")
        orig = image.dtype.base_dtype
        flt = image if orig in (_dtypes.float16, _dtypes.float32) else convert_image_dtype(image, _dtypes.float32)
        adjusted = gain * flt ** gamma
        return convert_image_dtype(adjusted, orig, saturate=True)


def total_variation(images, name=None):
    """Sum of absolute differences of neighbouring pixels, per image."""
    g = graph_of(images)
    with g.as_default(), g.name_scope(name or "total_variation"):
        images = convert_to_tensor(images, name="images")
        if images.shape.rank == 3:
            dif1, dif2, axis = images[1:, :, :] - images[:-1, :, :], images[:, 1:, :] - images[:, :-1, :], None
        elif images.shape.rank == 4:
            dif1 = images[:, 1:, :, :] - images[:, :-1, :, :]
            dif2 = images[:, :, 1:, :] - images[:, :, :-1, :]
            axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return (math_ops.reduce_sum(math_ops.abs(dif1), axis=axis)
                + math_ops.reduce_sum(math_ops.abs(dif2), axis=axis))


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio of float images a and b over their last three axes."""
    import math

    g = graph_of(a, b)
    with g.as_default(), g.name_scope(name or "PSNR"):
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype=a.dtype.base_dtype, name="b")
        max_val = math_ops.cast(max_val, a.dtype.base_dtype)
        mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        scale = convert_to_tensor(10 / math.log(10), dtype=a.dtype.base_dtype)
        return math_ops.subtract(20 * math_ops.log(max_val) / math.log(10.0), scale * math_ops.log(mse), name="psnr")


transpose = transpose_image

__all__ += ["adjust_gamma", "grayscale_to_rgb", "psnr", "resize_image_with_crop_or_pad", "resize_with_crop_or_pad",
            "rot90", "total_variation", "transpose"]


def rgb_to_hsv(images, name=None):
    """RGB images in [0, 1] to hue, saturation, value (`RGBToHSV`)."""
    return apply_op_output("RGBToHSV", [images], name=name or "RGBToHSV")


def hsv_to_rgb(images, name=None):
    """Hue, saturation, value images to RGB (`HSVToRGB`)."""
    return apply_op_output("HSVToRGB", [images], name=name or "HSVToRGB")


def _in_float(op_type: str, image, amount, scope: str):
    # TF's adjust_hue / adjust_saturation: the op runs on float16/float32, other types are
    # converted to float32 and back (an Identity for float images).
    g = graph_of(image)
    with g.as_default(), g.name_scope(scope):
        image = convert_to_tensor(image, name="image")
        orig = image.dtype.base_dtype
        flt = image if orig in (_dtypes.float16, _dtypes.float32) else convert_image_dtype(image, _dtypes.float32)
        return convert_image_dtype(apply_op_output(op_type, [flt, amount], name=op_type), orig)


def adjust_hue(image, delta, name=None):
    """Rotates the hue of RGB images by `delta` (a fraction of the circle, in [-1, 1]) (`AdjustHue`)."""
    return _in_float("AdjustHue", image, delta, name or "adjust_hue")


def adjust_saturation(image, saturation_factor, name=None):
    """Scales the saturation of RGB images by `saturation_factor` (`AdjustSaturation`)."""
    return _in_float("AdjustSaturation", image, saturation_factor, name or "adjust_saturation")


def random_hue(image, max_delta, seed=None):
    """`adjust_hue` by a delta drawn from [-max_delta, max_delta).

    Raises:
        ValueError: max_delta outside [0, 0.5].
    """
    return adjust_hue(image, _random_delta(max_delta, seed, at_most=0.5))


def random_saturation(image, lower, upper, seed=None):
    """`adjust_saturation` by a factor drawn from [lower, upper).

    Raises:
        ValueError: upper <= lower, or lower < 0.
    """
    return adjust_saturation(image, _random_factor(lower, upper, seed))


__all__ += ["adjust_hue", "adjust_saturation", "hsv_to_rgb", "random_hue", "random_saturation", "rgb_to_hsv"]


def image_gradients(image):
    """(dy, dx): forward differences of NHWC images along height and width, zero in the last row / column.

    Raises:
        ValueError: the images are not 4-D.
    """
    image = convert_to_tensor(image)
    if image.shape.rank != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {image.shape}.")
    dims = array_ops.unstack(array_ops.shape(image), num=4)
    batch, height, width, depth = dims
    dy = math_ops.subtract(image[:, 1:, :, :], image[:, :-1, :, :])
    dx = math_ops.subtract(image[:, :, 1:, :], image[:, :, :-1, :])
    dy = array_ops.concat([dy, array_ops.zeros(array_ops.stack([batch, 1, width, depth]), image.dtype)], 1)
    dx = array_ops.concat([dx, array_ops.zeros(array_ops.stack([batch, height, 1, depth]), image.dtype)], 2)
    return array_ops.reshape(dy, array_ops.shape(image)), array_ops.reshape(dx, array_ops.shape(image))


__all__ += ["image_gradients"]


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                               pad_to_max_output_size=False, name=None):
    """(selected indices, how many are valid), padded with 0 to `max_output_size` when asked
    (TF 1.x's `NonMaxSuppressionV4`)."""
    g = graph_of(boxes, scores)
    with g.as_default(), g.name_scope(name or "non_max_suppression_padded"):
        iou_threshold = convert_to_tensor(iou_threshold, name="iou_threshold")
        score_threshold = convert_to_tensor(score_threshold, name="score_threshold")
        op = apply_op("NonMaxSuppressionV4", [boxes, scores, max_output_size, iou_threshold, score_threshold],
                      {"pad_to_max_output_size": bool(pad_to_max_output_size)}, name="NonMaxSuppressionV4")
        return op.outputs[0], op.outputs[1]


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0, name=None):
    """(selected indices, their scores) of (soft, when soft_nms_sigma > 0) non-max suppression
    (`NonMaxSuppressionV5`; soft suppression converts to an ONNX Loop)."""
    g = graph_of(boxes, scores)
    with g.as_default(), g.name_scope(name or "non_max_suppression_with_scores"):
        iou_threshold = convert_to_tensor(iou_threshold, name="iou_threshold")
        score_threshold = convert_to_tensor(score_threshold, name="score_threshold")
        soft_nms_sigma = convert_to_tensor(soft_nms_sigma, name="soft_nms_sigma")
        op = apply_op("NonMaxSuppressionV5", [boxes, scores, max_output_size, iou_threshold, score_threshold,
                                              soft_nms_sigma], {"pad_to_max_output_size": False},
                      name="NonMaxSuppressionV5")
        return op.outputs[0], op.outputs[1]


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class=False, clip_boxes=True, name=None):
    """Multi-class NMS over a batch (`CombinedNonMaxSuppression`, numpy interpreter only).

    Args:
        boxes: [batch, num_boxes, q, 4], q 1 (boxes shared by the classes) or num_classes.
        scores: [batch, num_boxes, num_classes].

    Returns:
        (nmsed_boxes [batch, n, 4], nmsed_scores [batch, n], nmsed_classes [batch, n] float32,
        valid_detections [batch] int32), n = max_total_size (or less with `pad_per_class`).
    """
    g = graph_of(boxes, scores)
    with g.as_default(), g.name_scope(name or "combined_non_max_suppression"):
        boxes = convert_to_tensor(boxes, dtype=_dtypes.float32, name="boxes")
        scores = convert_to_tensor(scores, dtype=_dtypes.float32, name="scores")
        per_class = convert_to_tensor(max_output_size_per_class, dtype=_dtypes.int32,
                                      name="max_output_size_per_class")
        total = convert_to_tensor(max_total_size, dtype=_dtypes.int32, name="max_total_size")
        iou_threshold = convert_to_tensor(iou_threshold, dtype=_dtypes.float32, name="iou_threshold")
        score_threshold = convert_to_tensor(score_threshold, dtype=_dtypes.float32, name="score_threshold")
        op = apply_op("CombinedNonMaxSuppression", [boxes, scores, per_class, total, iou_threshold, score_threshold],
                      {"pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)},
                      name="CombinedNonMaxSuppression")
        return tuple(op.outputs)


__all__ += ["combined_non_max_suppression", "non_max_suppression_padded", "non_max_suppression_with_scores"]


def resize_image_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR, align_corners=False):
    """Resizes [batch,] height, width, channels images to fit the target keeping their aspect
    ratio, then zero-pads them centrally to the target size (statically known sizes).

    The fitted size and the padding are worked out in float32 as TensorFlow's graph computes them.
    """
    g = graph_of(image)
    with g.as_default(), g.name_scope("resize_image_with_pad"):
        image = convert_to_tensor(image, name="image")
        dims = image.shape.as_list() if image.shape.rank is not None else None
        if dims is None:
            raise NotImplementedError("resize_image_with_pad needs an image of known rank")
        if dims[-3] is None or dims[-2] is None:
            return _resize_with_pad_dynamic(image, target_height, target_width, method, align_corners)
        f32 = np.float32
        height, width = f32(dims[-3]), f32(dims[-2])
        ratio = max(width / f32(target_width), height / f32(target_height))
        resized_height, resized_width = height / ratio, width / ratio
        pad_height = max(0, int(np.floor((f32(target_height) - resized_height) / f32(2))))
        pad_width = max(0, int(np.floor((f32(target_width) - resized_width) / f32(2))))
        resized = resize_images(image, [int(np.floor(resized_height)), int(np.floor(resized_width))], method,
                                align_corners)
        return pad_to_bounding_box(resized, pad_height, pad_width, target_height, target_width)


def _resize_with_pad_dynamic(image, target_height, target_width, method, align_corners):
    # TF's float32 arithmetic on the run-time height and width. When TensorFlow runs this graph,
    # its optimizer turns the divisions by the constant targets into products with float32
    # reciprocals, which can round differently from the static path (a 5x7 image padded to 6x6
    # is resized to 4x5 here, 4x6 with a static shape); the products keep TF's results.
    shape = array_ops.shape(image)
    height = math_ops.cast(shape[-3], _dtypes.float32)
    width = math_ops.cast(shape[-2], _dtypes.float32)
    th, tw = float(target_height), float(target_width)
    ratio = math_ops.maximum(math_ops.multiply(width, float(np.float32(1.0) / np.float32(tw))),
                             math_ops.multiply(height, float(np.float32(1.0) / np.float32(th))))
    resized_height = math_ops.truediv(height, ratio)
    resized_width = math_ops.truediv(width, ratio)

    def half_gap(target, resized):
        gap = math_ops.floor(math_ops.truediv(math_ops.subtract(target, resized), 2.0))
        return math_ops.maximum(0, math_ops.cast(gap, _dtypes.int32))

    size = array_ops.stack([math_ops.cast(math_ops.floor(resized_height), _dtypes.int32),
                            math_ops.cast(math_ops.floor(resized_width), _dtypes.int32)])
    resized = resize_images(image, size, method, align_corners)
    return pad_to_bounding_box(resized, half_gap(th, resized_height), half_gap(tw, resized_width),
                               target_height, target_width)


__all__ += ["resize_image_with_pad"]


def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """Draws box outlines onto a batch of images (`tf.image.draw_bounding_boxes`, TF 1.x).

    Boxes are [batch, num_boxes, 4] as (y_min, x_min, y_max, x_max) fractions of the image.
    Without `colors` TensorFlow's 10-color table is used (`DrawBoundingBoxes`); with them,
    `DrawBoundingBoxesV2`. The op runs on ortflow's numpy kernel.
    """
    if colors is None:
        return apply_op_output("DrawBoundingBoxes", [images, boxes], name=name or "DrawBoundingBoxes")
    return apply_op_output("DrawBoundingBoxesV2", [images, boxes, colors], name=name or "DrawBoundingBoxesV2")


def _box_sampling_attrs(seed, seed2, aspect_ratio_range, area_range, max_attempts,
                        use_image_if_no_bounding_boxes) -> dict:
    return {"seed": int(seed or 0), "seed2": int(seed2 or 0),
            "aspect_ratio_range": list(aspect_ratio_range or [0.75, 1.33]),
            "area_range": list(area_range or [0.05, 1.0]), "max_attempts": int(max_attempts or 100),
            "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)}


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """A random crop covering part of a box, for data augmentation (TF 1.x signature).

    Returns (begin, size, bboxes) for `tf.slice` and `draw_bounding_boxes`. As TensorFlow 1.x,
    `seed` and `seed2` go to the op as given. ortflow's numpy kernel draws with its own
    generator: a seeded op gives the same crop on every run (TensorFlow's advances per run), and
    the crops differ from TensorFlow's, keeping its constraints (aspect ratio, area, coverage).
    """
    g = graph_of(image_size, bounding_boxes)
    with g.as_default(), g.name_scope(name or "sample_distorted_bounding_box"):
        op = apply_op("SampleDistortedBoundingBoxV2", [image_size, bounding_boxes, min_object_covered],
                      _box_sampling_attrs(seed, seed2, aspect_ratio_range, area_range, max_attempts,
                                          use_image_if_no_bounding_boxes),
                      name="SampleDistortedBoundingBoxV2")
    return tuple(op.outputs)


def sample_distorted_bounding_box_v2(image_size, bounding_boxes, seed=0, min_object_covered=0.1,
                                     aspect_ratio_range=None, area_range=None, max_attempts=None,
                                     use_image_if_no_bounding_boxes=None, name=None):
    """`tf.image.sample_distorted_bounding_box` (TF 2 signature): seeds from `get_seed(seed)`."""
    seed1, seed2 = random_ops.get_seed(seed)
    return sample_distorted_bounding_box(image_size, bounding_boxes, seed1, seed2, min_object_covered,
                                         aspect_ratio_range, area_range, max_attempts,
                                         use_image_if_no_bounding_boxes, name)


__all__ += ["draw_bounding_boxes", "sample_distorted_bounding_box", "sample_distorted_bounding_box_v2"]


from ortflow.api.image_io import (  # noqa: E402
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    encode_jpeg,
    encode_png,
)

__all__ += ["decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png"]


# Colour-space matrices: TensorFlow's coefficients (pixel @ matrix over the channel axis).
_COLOUR_MATRICES = {
    "rgb_to_yuv": [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                   [0.114, 0.43601035, -0.10001026]],
    "yuv_to_rgb": [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]],
    "rgb_to_yiq": [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                   [0.114, -0.32134392, 0.31119955]],
    "yiq_to_rgb": [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]],
}


def _colour_transform(kind: str):
    def fn(images):
        images = convert_to_tensor(images, name="images")
        kernel = convert_to_tensor(_COLOUR_MATRICES[kind], dtype=images.dtype.base_dtype, name="kernel")
        rank = images.shape.rank
        return math_ops.tensordot(images, kernel, axes=[[rank - 1], [0]])
    fn.__name__ = kind
    fn.__doc__ = f"`tf.image.{kind}`: each pixel's 3 channels times TensorFlow's {kind} matrix (floats in [0, 1])."
    return fn


rgb_to_yuv = _colour_transform("rgb_to_yuv")
yuv_to_rgb = _colour_transform("yuv_to_rgb")
rgb_to_yiq = _colour_transform("rgb_to_yiq")
yiq_to_rgb = _colour_transform("yiq_to_rgb")

__all__ += ["rgb_to_yiq", "rgb_to_yuv", "yiq_to_rgb", "yuv_to_rgb"]

from ortflow.api.more_ops import extract_glimpse, sobel_edges, ssim  # noqa: E402

__all__ += ["extract_glimpse", "sobel_edges", "ssim"]
