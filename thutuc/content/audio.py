"""How long a recording lasts, read from its own headers (mp3, m4a, ogg).

The page shows a recording's length and size before the resident taps play
(`<audio preload="none">` fetches nothing until then), so the build reads the
length from the file: a few header bytes, no decoding. Parsed here with the
standard library rather than with mutagen, the usual library for it: mutagen is
GPL-2.0-or-later and this project (MIT) keeps GPL-family code out, as it does
for Unidecode; three formats' length fields are a small, well-specified job.
The tests check every figure against what Chromium's own decoder reports.

- mp3: the Xing/Info or VBRI header's frame count (variable bit rate, and what
  LAME writes), else the constant bit rate of the first frame;
- m4a (MP4/AAC): the movie header's duration and time scale (`moov/mvhd`);
- ogg (Vorbis or Opus): the last page's granule position over the sample rate
  (Opus: 48 kHz, less its pre-skip).
"""

from __future__ import annotations

import struct
from pathlib import Path

AUDIO_TYPES = {".mp3": "MP3", ".m4a": "M4A", ".ogg": "OGG", ".oga": "OGG", ".opus": "OGG"}

_MP3_BITRATES = {  # kbit/s by bitrate index, layer III
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


def duration_seconds(path: Path) -> float | None:
    """The recording's length in seconds, or None when its headers cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    suffix = path.suffix.lower()
    try:
        if suffix == ".mp3":
            return _mp3(data)
        if suffix == ".m4a":
            return _mp4(data)
        if suffix in (".ogg", ".oga", ".opus"):
            return _ogg(data)
    except (struct.error, IndexError, ZeroDivisionError, ValueError):
        return None
    return None


def _id3_end(data: bytes) -> int:
    if data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _mp3(data: bytes) -> float | None:
    start = _id3_end(data)
    offset = data.find(b"\xff", start)
    while offset >= 0 and offset + 4 <= len(data):
        header = struct.unpack(">I", data[offset : offset + 4])[0]
        if (header >> 21) & 0x7FF == 0x7FF and (header >> 17) & 3 == 1:  # sync, layer III
            return _mp3_frame(data, offset, header)
        offset = data.find(b"\xff", offset + 1)
    return None


def _mp3_frame(data: bytes, offset: int, header: int) -> float | None:
    version = {3: 1, 2: 2, 0: 25}.get((header >> 19) & 3)
    bitrate_index, rate_index = (header >> 12) & 0xF, (header >> 10) & 3
    if version is None or rate_index == 3 or bitrate_index in (0, 15):
        return None
    rate = _MP3_RATES[version][rate_index]
    samples = 1152 if version == 1 else 576
    mono = (header >> 6) & 3 == 3
    side = (17 if mono else 32) if version == 1 else (9 if mono else 17)
    xing = offset + 4 + side
    if data[xing : xing + 4] in (b"Xing", b"Info"):
        flags = struct.unpack(">I", data[xing + 4 : xing + 8])[0]
        if flags & 1:
            frames = struct.unpack(">I", data[xing + 8 : xing + 12])[0]
            return frames * samples / rate
    vbri = offset + 4 + 32
    if data[vbri : vbri + 4] == b"VBRI":
        frames = struct.unpack(">I", data[vbri + 14 : vbri + 18])[0]
        return frames * samples / rate
    bitrate = _MP3_BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
    end = len(data) - (128 if data[-128:-125] == b"TAG" else 0)
    return (end - offset) * 8 / bitrate


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    """MP4 boxes between `start` and `end`: type → (content start, box end)."""
    found: dict[bytes, tuple[int, int]] = {}
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[offset + 8 : offset + 16])[0], 16
        elif size == 0:
            size = end - offset
        if size < header:
            break
        found.setdefault(kind, (offset + header, offset + size))
        offset += size
    return found


def _mp4(data: bytes) -> float | None:
    moov = _boxes(data, 0, len(data)).get(b"moov")
    if moov is None:
        return None
    mvhd = _boxes(data, *moov).get(b"mvhd")
    if mvhd is None:
        return None
    at = mvhd[0]
    if data[at] == 1:
        scale, length = struct.unpack(">IQ", data[at + 20 : at + 32])
    else:
        scale, length = struct.unpack(">II", data[at + 12 : at + 20])
    return length / scale


def _ogg(data: bytes) -> float | None:
    if data[:4] != b"OggS":
        return None
    segments = data[26]
    packet = 27 + segments
    if data[packet : packet + 8] == b"OpusHead":
        pre_skip = struct.unpack("<H", data[packet + 10 : packet + 12])[0]
        rate, skip = 48000, pre_skip
    elif data[packet : packet + 7] == b"\x01vorbis":
        rate, skip = struct.unpack("<I", data[packet + 12 : packet + 16])[0], 0
    else:
        return None
    serial = data[14:18]
    last = len(data)
    while (last := data.rfind(b"OggS", 0, last)) >= 0:
        if data[last + 14 : last + 18] == serial:
            granule = struct.unpack("<q", data[last + 6 : last + 14])[0]
            if granule >= 0:
                return max(0, granule - skip) / rate
    return None
