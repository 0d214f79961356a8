"""Whisper's log-mel features in numpy, exactly as src/components/audio/log-mel.ts (and transformers'
WhisperFeatureExtractor) compute them: pad/truncate to n_samples with zeros, STFT (n_fft 400, hop 160,
periodic Hann, centre=True with reflect padding), power, Slaney mel bank (80 filters, 0-8000 Hz, Slaney
norm), floor 1e-10, log10, drop the last frame, clamp to max-8, (x+4)/4. float64 inside, float32 out."""
import numpy as np

SR, N_FFT, HOP = 16000, 400, 160


def _hz_to_mel(f):  # Slaney
    f = np.asarray(f, np.float64)
    mel = 3.0 * f / 200.0
    logstep = 27.0 / np.log(6.4)
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) * logstep, mel)


def _mel_to_hz(m):
    m = np.asarray(m, np.float64)
    f = 200.0 * m / 3.0
    logstep = np.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), f)


def mel_filters(n_mels=80, n_fft=N_FFT, sr=SR):
    """[n_freq, n_mels] as transformers.audio_utils.mel_filter_bank(norm='slaney', mel_scale='slaney')."""
    n_freq = 1 + n_fft // 2
    fft_freqs = np.linspace(0, sr // 2, n_freq)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(8000.0), n_mels + 2))
    fdiff = np.diff(mel_f)
    slopes = mel_f[None, :] - fft_freqs[:, None]
    down = -slopes[:, :-2] / fdiff[:-1]
    up = slopes[:, 2:] / fdiff[1:]
    fb = np.maximum(0, np.minimum(down, up))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    return fb * enorm[None, :]


_FB = mel_filters()
_WIN = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)


def log_mel(x, n_samples):
    """float audio [n] at 16 kHz -> float32 [80, n_samples // 160]."""
    a = np.zeros(n_samples, np.float64)
    n = min(n_samples, len(x))
    a[:n] = x[:n]
    p = np.pad(a, N_FFT // 2, mode="reflect")
    n_frames = 1 + n_samples // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    spec = np.fft.rfft(p[idx] * _WIN, axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ _FB  # [frames, 80]
    logspec = np.log10(np.maximum(mel, 1e-10)).T[:, :-1]
    logspec = np.maximum(logspec, logspec.max() - 8.0)
    return ((logspec + 4.0) / 4.0).astype(np.float32)


def read_wav(path):
    """16-bit mono 16 kHz WAV (what data.write_wav writes) -> float32 as the pipeline reads it (/32768)."""
    import wave
    with wave.open(path) as w:
        assert w.getframerate() == SR and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768.0
