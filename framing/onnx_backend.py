"""all-MiniLM-L6-v2 run by onnxruntime: the same model as the torch encoder; int8 is framing's default encoder.

On first use the packaged sentence-transformers model is exported to ONNX (about 1 s) and, for ``quantize=True``,
quantised to int8 weights (dynamic, per channel); the files are kept in ``<framing cache>/onnx/`` and reused, so this
happens once per machine. Encoding needs only onnxruntime, tokenizers and numpy; exporting also needs torch and onnx.

>>> from framing import Embedder
>>> Embedder().embed(["Talks resumed in Geneva."]).shape        # int8, this module's OnnxEncoder  # doctest: +SKIP
(1, 384)

Every text is encoded alone (no batch-mates, no padding) by one thread, and ``workers`` texts are encoded at once on
that many threads. So a text's vector is a function of the text alone: bit-identical alone or among others, with 1
worker or 16, cold or from the cache (``tests/test_onnx.py`` asserts it). This matters most for int8: dynamic
quantisation scales activations per call, so in a padded batch a text's vector would move (by a cosine of up to
~0.01) with its batch-mates; called alone, the scale is the text's own. It is also faster than one multi-threaded
call per batch: no padding, and no threads spinning while they wait for each other, which on a busy machine made
torch's two threads crawl (1.0 paragraphs/s against int8's 51.5 in the same run of ``benchmarks/encoders.py`` at a
load average of 14 on 2 cores). Each text's pass is single-threaded, so its arithmetic never depends on the core count.

The vectors of ``OnnxEncoder()`` (fp32) match the torch encoder to a cosine of 1.0000; int8 ones to a mean of 0.993
and a minimum of 0.983 on 2,000 BASIL news paragraphs (``benchmarks/encoders.py``). The Embedder caches each backend
under its own key (``backend`` is part of it), so vectors of different backends never mix.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .cache import default_cache_dir
from .embed import DEFAULT_MODEL, _folder_revision, _normalise, default_model_path
from .errors import FramingError

INSTALL_HINT = "install onnxruntime and onnx (pip install onnxruntime onnx), or give backend='torch'"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which container limits narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxEncoder:
    """Encoder (see ``framing.embed.Encoder``) running a sentence-transformers BERT model with onnxruntime on the CPU.

    >>> encoder = OnnxEncoder(quantize=True)        # int8, the default backend; OnnxEncoder() is fp32  # doctest: +SKIP
    >>> encoder.encode(["One sentence.", "Another."]).shape         # doctest: +SKIP
    (2, 384)

    ``model_path``: a sentence-transformers folder with mean pooling (default: the packaged all-MiniLM-L6-v2);
    ``cache_dir``: where ``onnx/`` is kept (default ``framing.default_cache_dir()``); ``workers``: texts encoded at
    once, each on one thread (default: the CPUs this process may use). Texts longer than ``max_seq_length`` tokens
    are truncated, as sentence-transformers does; the ``Embedder`` splits them into windows first.
    """

    def __init__(self, model_path: str | Path | None = None, *, quantize: bool = False, name: str | None = None,
                 cache_dir: str | Path | None = None, max_seq_length: int = 256, workers: int | None = None):
        self.path = Path(model_path) if model_path is not None else default_model_path()
        if not (self.path / "config.json").exists() or not (self.path / "tokenizer.json").exists():
            raise FramingError(f"{self.path}: not a sentence-transformers model folder with config.json and "
                               "tokenizer.json")
        pooling = self.path / "1_Pooling" / "config.json"
        if pooling.exists() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", True):
            raise FramingError(f"{pooling}: the ONNX backends support mean pooling only; use backend='torch'")
        if max_seq_length < 3 or (workers is not None and workers < 1):
            raise FramingError(f"max_seq_length must be at least 3 and workers positive, got {max_seq_length}, "
                               f"{workers}")
        self.name = name or (DEFAULT_MODEL if model_path is None else self.path.name)
        self.revision = _folder_revision(self.path)
        self.quantize = quantize
        self.backend = "onnx-int8" if quantize else "onnx-fp32"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_seq_length = max_seq_length
        self.workers = workers
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
        """Texts -> float32 (n, dim), mean-pooled and L2-normalised, in input order; each text encoded alone."""
        session, _ = self._load()
        texts = [str(t).strip() for t in texts]  # sentence-transformers strips too
        out = np.empty((len(texts), session.get_outputs()[0].shape[-1]), dtype=np.float32)
        workers = min(self.workers or available_cpus(), len(texts))
        if workers <= 1:
            for i, text in enumerate(texts):
                out[i] = self._encode_one(text)
        else:  # onnxruntime releases the GIL while it runs, so threads encode texts side by side
            with ThreadPoolExecutor(workers, thread_name_prefix="framing-onnx") as pool:
                for i, vector in enumerate(pool.map(self._encode_one, texts)):
                    out[i] = vector
        return out

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._input_names})[0][0]
        pooled = hidden.mean(axis=0, dtype=np.float32)  # no padding: every token counts
        return _normalise(pooled[None, :])[0]

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
            # One thread per call: a text's arithmetic then never depends on how many cores the machine has, and
            # `workers` calls run side by side (a session may be run from several threads at once).
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            self._input_names = {i.name for i in self._session.get_inputs()}
            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            tokenizer.no_padding()  # the file pads to a fixed 128; texts are encoded alone, unpadded
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
            with atomic_path(fp32) as tmp:
                _export_fp32(self.path, tmp)
        if path != fp32:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            previous = logging.root.manager.disable
            logging.disable(logging.WARNING)  # quantize_dynamic advises optional pre-processing on the root logger
            try:
                with atomic_path(path) as tmp:
                    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            finally:
                logging.disable(previous)


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
