"""all-MiniLM-L6-v2 run by onnxruntime: the same model as the torch encoder, about 1.9x (fp32) or 3x (int8) as fast.

On first use the packaged sentence-transformers model is exported to ONNX (about 1 s) and, for ``quantize=True``,
quantised to int8 weights (dynamic, per channel); the files are kept in ``<framing cache>/onnx/`` and reused, so this
happens once per machine. Encoding needs only onnxruntime, tokenizers and numpy; exporting also needs torch and onnx.

>>> from framing import Embedder
>>> from framing.onnx_backend import OnnxEncoder
>>> embedder = Embedder(OnnxEncoder(quantize=True))            # doctest: +SKIP
>>> embedder.embed(["Talks resumed in Geneva."]).shape         # doctest: +SKIP
(1, 384)

The vectors of ``OnnxEncoder()`` (fp32) match the torch encoder to a cosine of 1.0000; int8 ones to about 0.99 (and,
as activations are quantised per batch, they move by a cosine of up to ~0.01 with their batch-mates). The Embedder
caches each backend under its own key (``backend`` is part of it), so vectors of different backends never mix.
Speed and memory: ``benchmarks/encoders.py``.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
import warnings
from pathlib import Path

import numpy as np

from .cache import default_cache_dir
from .embed import DEFAULT_MODEL, _folder_revision, _normalise, default_model_path
from .errors import FramingError

INSTALL_HINT = "install onnxruntime (pip install 'framing[onnx]')"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxEncoder:
    """Encoder (see ``framing.embed.Encoder``) running a sentence-transformers BERT model with onnxruntime on the CPU.

    >>> encoder = OnnxEncoder()                     # fp32; OnnxEncoder(quantize=True) for int8   # doctest: +SKIP
    >>> encoder.encode(["One sentence.", "Another."]).shape         # doctest: +SKIP
    (2, 384)

    ``model_path``: a sentence-transformers folder with mean pooling (default: the packaged all-MiniLM-L6-v2);
    ``cache_dir``: where ``onnx/`` is kept (default ``framing.default_cache_dir()``); ``threads``: onnxruntime
    intra-op threads (default ``os.cpu_count()``). Texts longer than ``max_seq_length`` tokens are truncated, as
    sentence-transformers does.
    """

    def __init__(self, model_path: str | Path | None = None, *, quantize: bool = False,
                 cache_dir: str | Path | None = None, batch_size: int = 32, max_seq_length: int = 256,
                 threads: int | None = None):
        self.path = Path(model_path) if model_path is not None else default_model_path()
        if not (self.path / "config.json").exists() or not (self.path / "tokenizer.json").exists():
            raise FramingError(f"{self.path}: not a sentence-transformers model folder with config.json and "
                               "tokenizer.json")
        pooling = self.path / "1_Pooling" / "config.json"
        if pooling.exists() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", True):
            raise FramingError(f"{pooling}: OnnxEncoder supports mean pooling only")
        if batch_size < 1 or max_seq_length < 1:
            raise FramingError(f"batch_size and max_seq_length must be positive, got {batch_size}, {max_seq_length}")
        self.name = DEFAULT_MODEL if model_path is None else self.path.name
        self.revision = _folder_revision(self.path)
        self.quantize = quantize
        self.backend = "onnx-int8" if quantize else "onnx-fp32"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.threads = threads
        self._session = None
        self._tokenizer = None

    def __repr__(self) -> str:
        return f"OnnxEncoder({self.name!r}, backend={self.backend!r}, revision={self.revision!r})"

    def onnx_file(self, kind: str | None = None) -> Path:
        """Path of the exported model: ``<cache>/onnx/<revision>-<fp32|int8>.onnx`` (``:`` in the revision -> ``-``)."""
        kind = kind or ("int8" if self.quantize else "fp32")
        root = self.cache_dir if self.cache_dir is not None else default_cache_dir()
        return root / "onnx" / f"{self.revision.replace(':', '-')}-{kind}.onnx"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Texts -> float32 (n, dim), mean-pooled and L2-normalised, in input order."""
        session, tokenizer = self._load()
        texts = [str(t).strip() for t in texts]  # sentence-transformers strips too
        out = np.empty((len(texts), session.get_outputs()[0].shape[-1]), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # longest first: little padding per batch
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            encodings = tokenizer.encode_batch([texts[i] for i in rows])
            feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
            hidden = session.run(None, {k: v for k, v in feed.items() if k in self._input_names})[0]
            mask = feed["attention_mask"][:, :, None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            out[rows] = _normalise(pooled)
        return out

    def _load(self):
        if self._session is None:
            try:
                import onnxruntime as ort
            except ImportError:
                raise FramingError(f"the onnx backend needs onnxruntime: {INSTALL_HINT}") from None
            from tokenizers import Tokenizer

            path = self.onnx_file()
            if not path.exists():
                self._export(path)
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads or os.cpu_count() or 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            self._input_names = {i.name for i in self._session.get_inputs()}
            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            pad = tokenizer.padding or {}  # the file pads to a fixed 128: pad per batch instead
            tokenizer.no_padding()
            tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_type_id=pad.get("pad_type_id", 0),
                                     pad_token=pad.get("pad_token", "[PAD]"))
            tokenizer.enable_truncation(max_length=self.max_seq_length)
            self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def _export(self, path: Path) -> None:
        """Write the fp32 export (and, for int8, its quantised copy) atomically: tmp file, then rename."""
        try:
            import onnx  # noqa: F401  (torch.onnx.export and quantize_dynamic both need it)
        except ImportError:
            raise FramingError(f"exporting the model to ONNX needs the onnx package: {INSTALL_HINT}") from None
        fp32 = self.onnx_file("fp32")
        try:
            fp32.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FramingError(f"{fp32.parent}: cannot create the ONNX model folder ({error.strerror})") from None
        if not fp32.exists():
            with _atomic(fp32) as tmp:
                _export_fp32(self.path, tmp)
        if path != fp32:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            previous = logging.root.manager.disable
            logging.disable(logging.WARNING)  # quantize_dynamic advises optional pre-processing on the root logger
            try:
                with _atomic(path) as tmp:
                    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            finally:
                logging.disable(previous)


class _atomic:
    """``with _atomic(path) as tmp:`` write ``tmp``; on success it is renamed to ``path``, on failure removed."""

    def __init__(self, path: Path):
        self.path, self.tmp = path, path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp.onnx")

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def _export_fp32(model_folder: Path, target: Path) -> None:
    """Export the transformer: input_ids, attention_mask, token_type_ids -> last_hidden_state; dynamic batch, length."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of a user's encode call
    try:
        model = AutoModel.from_pretrained(str(model_folder), attn_implementation="eager").eval()
    finally:
        if bar:
            hf_logging.enable_progress_bar()

    class Transformer(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    example = torch.ones((2, 16), dtype=torch.long)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*_INPUTS, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about constants that do not affect this graph
        torch.onnx.export(Transformer(model), (example, example, torch.zeros_like(example)), str(target),
                          input_names=list(_INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
