"""The OCR engine: PP-OCRv4 text detection and recognition on the CPU, from the models inside a wheel.

`rapidocr-onnxruntime` ships the PaddleOCR det/rec ONNX models in its wheel (nothing is downloaded at run
time) and its DB detector. Recognition is done here on its recogniser's session, because the readers
need more than a line's text and mean score: each character's place along the line (the CTC time step
it was emitted at, so that a line crossing cell borders can be split into cells) and its own
probability, and, for a value cell, a reading restricted to digits and the zero markers (`-`, `—`, `/`,
`无`) — the argmax over those columns of the same output, never a repair of the text afterwards.

One engine per process (`engine()`); the sessions are not shared across processes.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.pipeline.errors import ExtractError

# what a value cell may print: digits, the zero markers, a sign, decimal point and thousands separator,
# and the money units (an amount cell prints 1,193,083.07元 or 119.31万元: the unit decides the value)
NUMBER_CHARS = "0123456789-—/无.,+元万"
# what an unrestricted reading of a value cell may come out as besides those (letters and CJK that look
# like digits or dashes): a line made only of these and NUMBER_CHARS is read again restricted
_LOOKALIKE = "OoDQlIi|!SsBZzgqTt一_~－–、，。：:'`\"）)（(［］[]○〇０１２３４５６７８９°º"
# In a value cell the recogniser's classes that print the same thing count as one: full-width digits
# are digits, a round glyph (o, O, ○, 〇) can only be a zero and a horizontal stroke (一, －, –) a dash.
# Their probabilities are added before the restricted argmax, so that a zero the model half-reads as
# 'o' is a confident zero and not a coin toss between two spellings of it.
_SAME = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "o": "0",
    "O": "0",
    "○": "0",
    "°": "0",
    "º": "0",
    "〇": "0",
    "一": "—",
    "－": "-",
    "–": "-",
    "‐": "-",
    "／": "/",
    "．": ".",
    "，": ",",
}
_REC_HEIGHT = 48  # the recogniser's input height
_STRIDE = 8  # input columns per CTC time step (PP-OCRv4 rec)
_BATCH_COLUMNS = 6000  # a batch's padded width × batch size, kept small for memory


@dataclass(frozen=True)
class Glyph:
    """One recognised character: its text, probability and centre along the crop (0..1 of its width)."""

    text: str
    conf: float
    at: float


@dataclass(frozen=True)
class Line:
    """One recognised crop: its characters, and whether the reading was restricted to number characters."""

    glyphs: tuple[Glyph, ...]
    restricted: bool

    @property
    def text(self) -> str:
        """The line's text."""
        return "".join(g.text for g in self.glyphs)

    @property
    def conf(self) -> float:
        """The least sure character's probability (1.0 for an empty line)."""
        return min((g.conf for g in self.glyphs), default=1.0)


def _models() -> Path:
    """The folder of the ONNX models inside the installed wheel. Found without importing the engine: its
    import maps the ONNX runtime (~0.8 GiB of address space), which a reader process capped for the
    parsers cannot hold before the cap is raised for OCR (limits.more_memory)."""
    wheel = importlib.util.find_spec("rapidocr_onnxruntime")
    if wheel is None or wheel.origin is None or importlib.util.find_spec("onnxruntime") is None:
        raise ExtractError(
            "ocr_missing", "OCR is not installed (pip install rapidocr-onnxruntime; Python < 3.13)"
        )
    return Path(wheel.origin).parent / "models"


def model_files() -> dict[str, int]:
    """The model files the engine loads and their sizes in bytes."""
    folder = _models()
    return {p.name: p.stat().st_size for p in sorted(folder.glob("*.onnx"))}


def _threads() -> int:
    """Threads per session: the process's CPUs, at most 2 (readers already run in parallel)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(2, n))


class Engine:
    """PP-OCRv4 detection and recognition (ONNX, CPU)."""

    def __init__(self) -> None:
        """Load the detector and the recogniser from the wheel's model folder."""
        from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
        from rapidocr_onnxruntime.utils import OrtInferSession

        folder = _models()
        common: dict[str, Any] = {
            "intra_op_num_threads": _threads(),
            "inter_op_num_threads": 1,
            "use_cuda": False,
            "use_dml": False,
        }
        self.detector = TextDetector(
            {
                **common,
                "model_path": str(folder / "ch_PP-OCRv4_det_infer.onnx"),
                "limit_side_len": 736,
                "limit_type": "min",
                "std": [0.5, 0.5, 0.5],
                "mean": [0.5, 0.5, 0.5],
                "thresh": 0.3,
                "box_thresh": 0.5,
                "max_candidates": 2000,
                "unclip_ratio": 1.6,
                "use_dilation": True,
                "score_mode": "fast",
            }
        )
        rec = OrtInferSession({**common, "model_path": str(folder / "ch_PP-OCRv4_rec_infer.onnx")})
        self._rec = rec
        chars = ["", *rec.get_character_list(), " "]  # CTC blank first, space last (PaddleOCR's order)
        self.chars = chars
        # the restricted alphabet: blank, then NUMBER_CHARS; each class of the model adds to its group
        self._groups = ["", *NUMBER_CHARS]
        fold = np.zeros((len(chars), len(self._groups)), dtype=np.float32)
        fold[0, 0] = 1.0
        for i, c in enumerate(chars):
            target = _SAME.get(c, c)
            if i and target and target in NUMBER_CHARS:
                fold[i, self._groups.index(target)] = 1.0
        self._fold = fold
        self._number_set = set(NUMBER_CHARS)
        self._lookalike = set(_LOOKALIKE)
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray, longest: int = 1280) -> list[tuple[float, float, float, float]]:
        """Text boxes (x0, top, x1, bottom, pixels of `image`) found on a greyscale page, top to bottom.

        The detector runs on the page scaled so its longer side is `longest` pixels: text lines of a
        report are large enough at that size, and detection costs grow with the pixels."""
        h, w = image.shape[:2]
        f = min(1.0, longest / max(h, w))
        import cv2

        small = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else image
        rgb = np.repeat(small[:, :, None], 3, axis=2)
        with self._lock:
            boxes, _ = self.detector(rgb)
        out: list[tuple[float, float, float, float]] = []
        for quad in [] if boxes is None else boxes:
            xs, ys = quad[:, 0] / f, quad[:, 1] / f
            out.append((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())))
        return sorted(out, key=lambda b: (b[1], b[0]))

    def recognize(self, crops: list[np.ndarray]) -> list[Line]:
        """Each greyscale crop (one line of text) read: characters with probabilities and places; a crop
        whose reading is made of number characters (and their look-alikes) is read restricted to them."""
        out: list[Line | None] = [None] * len(crops)
        widths = [max(8, math.ceil(_REC_HEIGHT * c.shape[1] / max(1, c.shape[0]))) for c in crops]
        order = sorted(range(len(crops)), key=lambda i: widths[i])
        start = 0
        while start < len(order):
            # a batch: crops of similar widths, padded to the widest
            end = start + 1
            while end < len(order) and widths[order[end]] * (end - start + 1) <= _BATCH_COLUMNS:
                end += 1
            batch = order[start:end]
            width = max(widths[i] for i in batch)
            width = max(_STRIDE * 4, math.ceil(width / _STRIDE) * _STRIDE)
            x = np.zeros((len(batch), 3, _REC_HEIGHT, width), dtype=np.float32)  # PaddleOCR pads with 0
            for k, i in enumerate(batch):
                x[k, :, :, : widths[i]] = _normalised(crops[i], widths[i])
            with self._lock:
                probs = self._rec(x)[0]
            steps = probs.shape[1]
            for k, i in enumerate(batch):
                used = min(steps, math.ceil(steps * widths[i] / width) + 1)
                out[i] = self._decode(probs[k, :used], used * width / steps / widths[i])
            start = end
        return [line for line in out if line is not None]

    def _decode(self, probs: np.ndarray, span: float) -> Line:
        """Greedy CTC decoding of one crop; again restricted to number characters when it reads as one."""
        free = _ctc(probs, self.chars, span)
        text = "".join(g.text for g in free).replace(" ", "")
        numeric = bool(text) and all(c in self._number_set or c in self._lookalike for c in text)
        if not numeric:
            # an unsure stop or colon between words is mostly a speck of the scan's noise
            kept = tuple(g for g in free if g.conf >= 0.9 or not unicodedata.category(g.text).startswith("P"))
            return Line(kept, False)
        return Line(_ctc(probs @ self._fold, self._groups, span), True)


def _normalised(crop: np.ndarray, width: int) -> np.ndarray:
    """A greyscale crop as the recogniser's input: height 48, 3 channels, values in [-1, 1]."""
    import cv2

    resized = cv2.resize(crop, (width, _REC_HEIGHT), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.repeat(((resized / 255.0 - 0.5) / 0.5)[None], 3, axis=0)


def _ctc(probs: np.ndarray, chars: list[str], span: float) -> tuple[Glyph, ...]:
    """Greedy CTC (column 0 is the blank): each character once per run of time steps, its probability
    the run's highest, its place the run's middle (fraction of the crop's width)."""
    best = probs.argmax(axis=1)
    p = probs.max(axis=1)
    steps = len(best)
    out: list[Glyph] = []
    run_start = 0
    for t in range(steps + 1):
        if t < steps and t > 0 and best[t] == best[t - 1]:
            continue
        if t > 0:
            code = int(best[run_start])
            if code != 0 and chars[code] != " ":
                mid = (run_start + t) / 2 / steps * span
                out.append(Glyph(chars[code], float(p[run_start:t].max()), min(1.0, mid)))
        run_start = t
    return tuple(out)


_ENGINE: Engine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> Engine:
    """The process's engine, loaded on first use (about a second)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = Engine()
        return _ENGINE


@cache
def available() -> bool:
    """Whether the OCR engine can be imported here."""
    try:
        _models()
        return True
    except ExtractError:
        return False
