"""What a user brings: documents, prompt templates, JSONL files."""

from __future__ import annotations

from workbench.inputs._documents import Document, default_docs_dir, fingerprint, load_documents
from workbench.inputs._jsonl import input_rows
from workbench.inputs._prompts import DEFAULT_FILES, PROMPT_ROLES, PromptSet, default_prompts_dir

__all__ = [
    "DEFAULT_FILES",
    "Document",
    "PROMPT_ROLES",
    "PromptSet",
    "default_docs_dir",
    "default_prompts_dir",
    "fingerprint",
    "input_rows",
    "load_documents",
]
