"""The run-time embedder: the packaged MiniLM with our tuned layers, run by onnxruntime.

Imports neither torch nor sentence-transformers. The committed graph (`weights/onnx/minilm-l6.onnx`,
written by `python -m eval.export_onnx`) holds no weights: each initializer is named as its key in
the state dict, and the values come at load time from the package's `model.safetensors` with our
`layers.safetensors` over it, as `SentenceTransformerEmbedder` loads them. Tokenising (the package's
`tokenizer.json`, truncated to the model's `max_seq_length`), mean pooling over the attention mask
and normalising follow sentence-transformers, so the vectors agree with it to about 1e-6 and the
embedder keeps its name (and so its statement cache).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.embedding import Matrix, normalise
from interviewer.paths import tuned_layers_file, weights_dir

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Encoding, Tokenizer

GRAPH_FILE = weights_dir() / "onnx" / "minilm-l6.onnx"
GRAPH_INT8 = weights_dir() / "onnx" / "minilm-l6-int8.onnx"  # measured, not shipped: see README
# where the stripped graph says its weights are; never a real file: the session is handed them
STRIPPED_LOCATION = "supplied-at-load-time.bin"
DIMENSIONS = 384


def weight_files(layers: Path | None) -> list[Path]:
    """The safetensors files whose tensors fill the graph, later ones over earlier ones."""
    from interviewer.adapters.embedder import packaged_model_path

    files = [packaged_model_path() / "model.safetensors"]
    return files + ([layers] if layers is not None else [])


WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
# a stripped graph's name for a weight it wants transposed (a Linear layer's, read by MatMul)
TRANSPOSED = "^T"


def supplied_value(tensors: dict[str, Any], name: str) -> npt.NDArray[Any]:
    """The value a stripped graph's initializer `name` wants: the tensor of that key, or for
    `<key>^T` the key's matrix transposed (contiguous, so onnxruntime reads it in place)."""
    if name.endswith(TRANSPOSED):
        return np.ascontiguousarray(tensors[name.removesuffix(TRANSPOSED)].T)
    return np.ascontiguousarray(tensors[name])


@functools.cache
def package_word_embeddings() -> npt.NDArray[np.float32]:
    """The package's word-embedding matrix (47 MB), read once per process: the embedder's session
    and the verifier's both read from this one array."""
    from safetensors import safe_open

    from interviewer.adapters.embedder import packaged_model_path

    with safe_open(str(packaged_model_path() / "model.safetensors"), "numpy") as weights:
        matrix: npt.NDArray[np.float32] = weights.get_tensor(WORD_EMBEDDINGS)
    return matrix


def default_threads() -> int:
    """One thread per core, at most four: more only adds contention for a batch of one answer."""
    return max(1, min(4, os.cpu_count() or 1))


class OnnxEmbedder:
    """Loads lazily: constructing it is free, the first `encode` (or `load`) builds the session."""

    def __init__(
        self,
        *,
        layers: Path | None = None,
        plain: bool = False,
        batch_size: int = 64,
        threads: int | None = None,
        graph: Path = GRAPH_FILE,
    ) -> None:
        if layers is None and not plain and tuned_layers_file().exists():
            layers = tuned_layers_file()
        self.layers = None if plain else layers
        self.batch_size = batch_size
        self.threads = threads or default_threads()
        self.graph = graph
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._weights: list[Any] = []  # the arrays the session reads from: kept alive with it

    @property
    def name(self) -> str:
        from interviewer.adapters.embedder import packaged_name

        return packaged_name(self.layers) + ("-int8" if self.graph == GRAPH_INT8 else "")

    def load(self) -> onnxruntime.InferenceSession:
        if self._session is None:
            self._tokenizer = packaged_tokenizer()
            self._session = self._new_session()
        return self._session

    def _new_session(self) -> onnxruntime.InferenceSession:
        return new_session(self.graph, self._tensors, self.threads, self._weights)

    def _tensors(self, wanted: set[str] | None = None) -> dict[str, Any]:
        del wanted  # a stripped graph wants them all
        from safetensors import safe_open
        from safetensors.numpy import load_file

        package, *ours = weight_files(self.layers)
        tensors: dict[str, Any] = {}
        for path in ours:
            try:
                tensors.update(load_file(str(path)))
            except Exception as error:
                raise ValueError(f"{path}: not a readable weights file ({error})") from error
        # the package's tensors ours do not replace, read once; its vocabulary is shared
        with safe_open(str(package), "numpy") as weights:
            for name in weights.keys():  # noqa: SIM118 (a safetensors handle is not iterable)
                if name not in tensors and name != WORD_EMBEDDINGS:
                    tensors[name] = weights.get_tensor(name)
        tensors[WORD_EMBEDDINGS] = package_word_embeddings()  # one copy per process
        return tensors

    def encode(self, texts: Sequence[str]) -> Matrix:
        session = self.load()
        assert self._tokenizer is not None
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for rows in length_groups([len(e.ids) for e in encodings], self.batch_size):
            feeds = bert_feeds([encodings[i] for i in rows])
            hidden = np.asarray(session.run(["last_hidden_state"], feeds)[0], dtype=np.float32)
            weights = feeds["attention_mask"][:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[rows] = pooled
        return normalise(out)


def new_session(
    graph: Path, tensors: Callable[[set[str]], dict[str, Any]], threads: int, keep: list[Any]
) -> onnxruntime.InferenceSession:
    """An onnxruntime session over a graph whose weights are stripped: `tensors(wanted)` supplies
    each one by its initializer name (called only when the graph wants any); `keep` holds the
    arrays the session reads from, for as long as the session lives."""
    import onnxruntime as ort

    if not graph.is_file():
        raise FileNotFoundError(f"model graph not found: {graph}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # idle threads sleep instead of spinning: on a busy 2-core machine spinning threads steal
    # the cores the other thread needs (measured: p50 233 -> 144 ms for one answer under load)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: nothing drawn over the TUI
    model = graph.read_bytes()
    wanted = _external_initializers(model)  # none: a graph with its weights
    if wanted:
        supplied = tensors(wanted)
        missing = sorted(n for n in wanted if n.removesuffix(TRANSPOSED) not in supplied)
        if missing:
            raise ValueError(f"{graph}: no weights for {', '.join(missing[:3])}")
        names, values = [], []
        for name in sorted(wanted):
            array = supplied_value(supplied, name)
            if array.dtype == np.float16:  # our trained weights are stored in half precision
                array = array.astype(np.float32)
            names.append(name)
            values.append(ort.OrtValue.ortvalue_from_numpy(array))
            keep.append(array)
        options.add_external_initializers(names, values)
    try:
        return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as error:
        raise ValueError(f"{graph}: these weights do not fit the graph ({error})") from error


def packaged_tokenizer(max_length: int | None = None) -> Tokenizer:
    """The packaged model's tokenizer, truncating to `max_length` word pieces (default: the model's
    `max_seq_length`; a pair is cut longest first)."""
    from tokenizers import Tokenizer

    from interviewer.adapters.embedder import offline_environment, packaged_model_path

    offline_environment()
    folder = packaged_model_path()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    if max_length is None:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        max_length = int(config.get("max_seq_length", 256))
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    tokenizer.no_padding()  # each batch is padded to its own longest text
    return tokenizer


RUN_OVERHEAD = (
    16  # one session.run costs about as much as this many more tokens (2 cores, both models)
)


def length_groups(
    lengths: Sequence[int], limit: int, overhead: int = RUN_OVERHEAD
) -> list[list[int]]:
    """The texts' indices in the batches that cost least to run. A batch is padded to its longest
    text, so its cost is about `overhead` + size x longest (in tokens): texts sorted by length are
    cut where that sum is least (dynamic programming; at most `limit` per batch). For one answer's
    nine sentences of 11-35 tokens: three batches, 38 -> 31 ms, against one padded batch."""
    if limit < 1:
        raise ValueError(f"a batch holds at least one text, not {limit}")
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    best = [0.0] + [float("inf")] * len(order)
    cut = [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        longest = lengths[order[end - 1]]
        for start in range(max(0, end - limit), end):
            cost = best[start] + overhead + (end - start) * longest
            if cost < best[end]:
                best[end], cut[end] = cost, start
    groups: list[list[int]] = []
    end = len(order)
    while end > 0:
        groups.append(order[cut[end] : end])
        end = cut[end]
    return groups[::-1]


def bert_feeds(encodings: Sequence[Encoding]) -> dict[str, npt.NDArray[np.int64]]:
    """One batch's inputs, padded to its longest text: ids, attention mask and token types."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = 1
        types[row, :n] = encoding.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def _external_initializers(data: bytes | memoryview) -> set[str]:
    """Names of the initializers stored as external data in a serialised ModelProto (the weights the
    caller hands the session), read without the onnx package by a minimal
    protobuf walk (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.name = 8,
    TensorProto.data_location = 14, 1 meaning EXTERNAL)."""
    names: set[str] = set()
    for field, value in _fields(memoryview(data)):  # views: no copy of a 12 MB graph's weights
        if field == 7 and isinstance(value, memoryview):
            for gfield, gvalue in _fields(value):
                if gfield == 5 and isinstance(gvalue, memoryview):
                    name, external = "", False
                    for tfield, tvalue in _fields(gvalue):
                        if tfield == 8 and isinstance(tvalue, memoryview):
                            name = bytes(tvalue).decode("utf-8")
                        elif tfield == 14 and tvalue == 1:
                            external = True
                    if external and name:
                        names.add(name)
    return names


def _fields(data: memoryview) -> list[tuple[int, int | memoryview]]:
    """One level of a protobuf message: (field number, varint or length-delimited bytes)."""
    out: list[tuple[int, int | memoryview]] = []
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        field, kind = key >> 3, key & 7
        if kind == 0:
            value, position = _varint(data, position)
            out.append((field, value))
        elif kind == 2:
            size, position = _varint(data, position)
            out.append((field, data[position : position + size]))
            position += size
        elif kind == 1:
            position += 8
        elif kind == 5:
            position += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {kind}")
    return out


def _varint(data: memoryview, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
