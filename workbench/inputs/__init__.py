"""What a user brings: documents (and their sections), prompt templates, JSONL files."""

from __future__ import annotations

from workbench.inputs._documents import (
    Document,
    default_docs_dir,
    fingerprint,
    load_documents,
    long_example,
)
from workbench.inputs._jsonl import input_rows
from workbench.inputs._prompts import DEFAULT_FILES, PROMPT_ROLES, PromptSet, default_prompts_dir
from workbench.inputs._sections import (
    doc_sections,
    is_heading,
    section_order,
    split_documents,
    split_text,
    text_tokens,
)

__all__ = [
    "DEFAULT_FILES",
    "Document",
    "PROMPT_ROLES",
    "PromptSet",
    "default_docs_dir",
    "default_prompts_dir",
    "doc_sections",
    "fingerprint",
    "input_rows",
    "is_heading",
    "load_documents",
    "long_example",
    "section_order",
    "split_documents",
    "split_text",
    "text_tokens",
]
