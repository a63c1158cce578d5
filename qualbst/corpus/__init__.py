"""Transcripts: record types and readers (Markdown, plain text, Word, WebVTT)."""

from .model import Document, Turn
from .readers import decode_bytes, read_cases, read_corpus, read_document

__all__ = ["Document", "Turn", "decode_bytes", "read_cases", "read_corpus", "read_document"]
