"""Errors and warnings raised by framing: each names the file (or table) and the problem in one line."""

from __future__ import annotations


class FramingError(ValueError):
    """Base class for bad-input errors; the CLI prints its message as one line and exits non-zero."""


class CorpusError(FramingError):
    """A corpus file or table cannot be read or fails validation."""

    def __init__(self, source: object, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class CacheError(FramingError):
    """The embedding cache cannot be used (e.g. the folder is not writable)."""


class FramingWarning(UserWarning):
    """Something worth a researcher's attention that does not stop the run (e.g. an article with no paragraphs)."""
