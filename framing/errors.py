"""Errors and warnings raised by framing: each names the file (or table) and the problem in one line.

Every error a user can fix is a ``FramingError``; the ``framing`` command prints it as one line and exits with
status 2. The subclasses say which step refused the input, so a caller can catch one kind::

    FramingError (ValueError)
    ├── CorpusError          a corpus file or table (framing.corpus, framing.table_files)
    ├── SchemaError          a table that does not have the shape the next step needs (framing.schemas)
    ├── CodebookError        a codebook file or a label outside it (framing.codebook)
    ├── DetectorFileError    a saved detector that cannot be trusted (framing.detector_files)
    ├── ParameterError       an estimator parameter out of range (also scikit-learn's InvalidParameterError;
    │                        defined in framing.detectors, so that importing framing does not import scikit-learn)
    ├── OutputError          an output that cannot be written (a folder where a file is expected, a full disk …)
    ├── CacheError           the embedding cache (reported as a warning: the cache is best-effort)
    └── DatasetError         a public data set copy; DatasetNotFoundError is also a FileNotFoundError
"""

from __future__ import annotations


class FramingError(ValueError):
    """Base class for bad-input errors; the CLI prints its message as one line and exits with status 2."""


class CorpusError(FramingError):
    """A corpus file or table cannot be read or fails validation."""

    def __init__(self, source: object, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class SchemaError(FramingError):
    """A table lacks a column the next step needs, or a column holds values of the wrong type."""


class CodebookError(FramingError):
    """Invalid codebook or label; the message names file and entry: ``my.yaml: frame 'x': missing 'definition'``."""


class DetectorFileError(FramingError):
    """A detector file that is not one, is damaged, or was written for another model or format."""


class OutputError(FramingError):
    """An output path that cannot be written: a folder where a file is expected, a read-only folder, a full disk."""


class CacheError(FramingError):
    """The embedding cache cannot be used (e.g. the folder is not writable)."""


class DatasetError(FramingError):
    """A copy of a public data set that lacks an expected column or holds unexpected values."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A public data set file that is not where it was looked for; the message says where to download it."""


class FramingWarning(UserWarning):
    """Something worth a researcher's attention that does not stop the run (e.g. an article with no paragraphs)."""


def __getattr__(name: str):
    if name == "ParameterError":  # lives with the estimators: it subclasses scikit-learn's error (2 s to import)
        from .detectors import ParameterError

        return ParameterError
    raise AttributeError(f"module 'framing.errors' has no attribute {name!r}")
