"""`tf.signal` (and TF 1.x's `tf.fft`, ...): Fourier transforms."""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op_output

__all__ = ["fft", "fft2d", "fft3d", "ifft", "ifft2d", "ifft3d", "irfft", "rfft"]


def _complex_op(op_type: str):
    def fn(input, name=None):
        return apply_op_output(op_type, [input], name=name or op_type)
    fn.__name__ = op_type.lower()
    fn.__doc__ = f"`{op_type}` over the innermost dimension(s) of a complex tensor."
    return fn


fft = _complex_op("FFT")
ifft = _complex_op("IFFT")
fft2d = _complex_op("FFT2D")
ifft2d = _complex_op("IFFT2D")
fft3d = _complex_op("FFT3D")
ifft3d = _complex_op("IFFT3D")


def rfft(input_tensor, fft_length=None, name=None):
    """`RFFT` of a real tensor; `fft_length` defaults to the innermost dimension."""
    from ortflow.api.ops_builder import convert_to_tensor

    x = convert_to_tensor(input_tensor)
    if fft_length is None:
        fft_length = [x.shape.dims[-1]]
    return apply_op_output("RFFT", [x, fft_length], name=name or "RFFT")


def irfft(input_tensor, fft_length=None, name=None):
    """`IRFFT` back to a real tensor."""
    from ortflow.api.ops_builder import convert_to_tensor

    x = convert_to_tensor(input_tensor)
    if fft_length is None:
        fft_length = [2 * (x.shape.dims[-1] - 1)]
    return apply_op_output("IRFFT", [x, fft_length], name=name or "IRFFT")
