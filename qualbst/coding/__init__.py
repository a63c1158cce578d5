"""Coding: manual codings from CSV (and, later, machine coders)."""

from .manual import codings_files, find_quote, read_codings

__all__ = ["codings_files", "find_quote", "read_codings"]
