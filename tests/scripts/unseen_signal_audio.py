"""Audio features as in speech-command demos: frame, hann window, STFT, mel filterbank, MFCCs, FFTs."""

import numpy as np


def build_and_run(tf):
    out = {}
    sr = 8000
    t = np.arange(2048) / sr
    # float64 all the way: a float32 FFT's rounding differs between libraries on the tiny bins
    noise = np.random.RandomState(0).randn(t.size) * 0.05
    wave = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 1250 * t) + noise
    with tf.Graph().as_default():
        audio = tf.placeholder(tf.float64, [None, None], name="audio")
        frames = tf.signal.frame(audio, frame_length=256, frame_step=128)
        padded_frames = tf.signal.frame(audio, 256, 200, pad_end=True, pad_value=0.0)
        window = tf.signal.hann_window(256, dtype=tf.float64)
        stft = tf.signal.stft(audio, frame_length=256, frame_step=128, fft_length=256,
                              window_fn=lambda n, dtype: tf.signal.hann_window(n, periodic=True, dtype=dtype))
        mag = tf.abs(stft)
        mel = tf.signal.linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129,
                                                    sample_rate=sr, lower_edge_hertz=20.0,
                                                    upper_edge_hertz=4000.0, dtype=tf.float64)
        mel_spec = tf.tensordot(mag, mel, 1)
        mel_spec.set_shape(mag.shape[:-1].concatenate(mel.shape[-1:]))
        log_mel = tf.log(mel_spec + 1e-6)
        mfcc = tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :13]
        peak_bin = tf.argmax(tf.reduce_mean(mag, axis=1), axis=-1)
        with tf.Session() as sess:
            res = sess.run({"frames_shape": tf.shape(frames), "padded_shape": tf.shape(padded_frames),
                            "window": window, "mag": mag, "mel": mel, "mfcc": mfcc, "peak_bin": peak_bin},
                           {audio: wave[None, :]})
            out.update(res)
        out["stft_dtype"] = stft.dtype.name
        out["stft_static"] = str(stft.get_shape())
        out["mfcc_static"] = str(mfcc.get_shape())
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0, 0.0, -1.0, 3.0, 0.5, 0.0, 2.0])
        spectrum = tf.signal.rfft(x)
        full = tf.fft(tf.complex(x, tf.zeros_like(x)))
        back = tf.signal.irfft(spectrum)
        roundtrip = tf.real(tf.ifft(full))
        power = tf.square(tf.abs(spectrum))
        img = tf.reshape(tf.range(16, dtype=tf.float32), [4, 4])
        fft2 = tf.signal.fft2d(tf.cast(img, tf.complex64))
        windows = tf.signal.hamming_window(8, periodic=False)
        overlap = tf.signal.overlap_and_add(tf.reshape(tf.range(12, dtype=tf.float32), [3, 4]), 2)
        with tf.Session() as sess:
            s, f, b, r, p, f2, w, o = sess.run([spectrum, full, back, roundtrip, power, fft2, windows, overlap])
            out["rfft_real"], out["rfft_imag"] = s.real, s.imag
            out["fft_real"], out["fft_imag"] = f.real, f.imag
            out["irfft"], out["ifft_roundtrip"], out["power"] = b, r, p
            out["fft2_abs"] = np.abs(f2)
            out["hamming"], out["overlap"] = w, o
    return out
