"""Regenerates this directory: small images in each format TF decodes, and TF 2.21's decodings.

`photo.jpg` (quality 90, 37x53 RGB with a flat red patch), `photo.png`, `gray.png`, `alpha.png`,
`anim.gif` (2 frames) and `photo.bmp`; `expected.npz` holds TensorFlow's decode of each
(`jpeg_fast` = decode_jpeg's default INTEGER_FAST DCT, `jpeg_accurate` = INTEGER_ACCURATE, `jpeg_r2`
= ratio 2). Run:

    /work/venv-tf/bin/python tests/data/images/generate.py
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def main() -> None:
    import tensorflow as tf
    from PIL import Image

    rng = np.random.default_rng(0)
    photo = (rng.random((37, 53, 3)) * 255).astype(np.uint8)
    photo[10:20, 10:30] = [200, 30, 40]
    Image.fromarray(photo).save(HERE / "photo.jpg", quality=90)
    Image.fromarray(photo).save(HERE / "photo.png")
    Image.fromarray(photo[:, :, 0]).save(HERE / "gray.png")
    Image.fromarray(np.dstack([photo, photo[:, :, :1]])).save(HERE / "alpha.png")
    Image.fromarray(photo).save(HERE / "photo.bmp")
    frames = [Image.fromarray(photo).convert("P"), Image.fromarray(photo[::-1].copy()).convert("P")]
    frames[0].save(HERE / "anim.gif", save_all=True, append_images=frames[1:])

    def read(name):
        return (HERE / name).read_bytes()

    expected = {
        "jpeg_fast": tf.io.decode_jpeg(read("photo.jpg"), channels=3).numpy(),
        "jpeg_accurate": tf.io.decode_jpeg(read("photo.jpg"), channels=3, dct_method="INTEGER_ACCURATE").numpy(),
        "jpeg_gray_accurate": tf.io.decode_jpeg(read("photo.jpg"), channels=1,
                                                dct_method="INTEGER_ACCURATE").numpy(),
        "jpeg_r2": tf.io.decode_jpeg(read("photo.jpg"), ratio=2).numpy(),
        "png": tf.io.decode_png(read("photo.png")).numpy(),
        "gray": tf.io.decode_png(read("gray.png")).numpy(),
        "alpha": tf.io.decode_png(read("alpha.png")).numpy(),
        "alpha16": tf.io.decode_png(read("alpha.png"), dtype=tf.uint16).numpy(),
        "gif": tf.io.decode_gif(read("anim.gif")).numpy(),
        "bmp": tf.io.decode_bmp(read("photo.bmp")).numpy(),
    }
    np.savez_compressed(HERE / "expected.npz", **expected)
    print({k: v.shape for k, v in expected.items()})


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
