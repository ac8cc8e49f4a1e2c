"""The exports train as they are in TRL: SFTTrainer on the `sft` file, GRPOTrainer on the `grpo`
file with `rubric_reward` as its reward function.

A tiny randomly initialised model and a tokenizer built from the exported text stand in for a
real checkpoint (nothing is downloaded); one or two optimizer steps show that TRL accepts the
data and the reward function's signature unchanged. Needs the `train` extra.
"""

import os

import pytest

from tests.support import require
from workbench.datasets import export

pytestmark = pytest.mark.slow
os.environ.setdefault("HF_HUB_OFFLINE", "1")
datasets = require("datasets", "export")
trl = require("trl", "train")
# Training arguments both trainers share: CPU, two rows a step, nothing saved or reported.
QUIET = {
    "per_device_train_batch_size": 2,
    "logging_steps": 1,
    "save_strategy": "no",
    "report_to": [],
    "use_cpu": True,
}


def tiny_model_and_tokenizer(texts: list[str]):
    """A one-layer Llama and a word-level tokenizer with a chat template, built offline."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = Tokenizer(models.WordLevel(unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    words.decoder = decoders.WordPiece()
    special = ["<unk>", "<pad>", "<eos>", "<|user|>", "<|assistant|>"]
    words.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=special))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=words, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>"
    )
    tokenizer.chat_template = (
        "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} <eos> {% endfor %}"
        "{% if add_generation_prompt %}<|assistant|> {% endif %}"
    )
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    return LlamaForCausalLM(config), tokenizer


@pytest.fixture(scope="module")
def exported(default_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("trl")
    sft = export(default_run.dir, "sft", out / "sft.jsonl")
    grpo = export(default_run.dir, "grpo", out / "grpo.jsonl")
    rows = datasets.load_dataset("json", data_files=str(sft.path), split="train")
    texts = [m["content"] for row in rows for m in row["messages"]]
    model, tokenizer = tiny_model_and_tokenizer(texts)
    return {"sft": sft.path, "grpo": grpo.path, "model": model, "tokenizer": tokenizer, "out": out}


def test_sft_trainer_trains_on_the_sft_export(exported):
    rows = datasets.load_dataset("json", data_files=str(exported["sft"]), split="train")
    trainer = trl.SFTTrainer(
        model=exported["model"],
        processing_class=exported["tokenizer"],
        train_dataset=rows,
        args=trl.SFTConfig(
            output_dir=str(exported["out"] / "sft-model"), max_steps=2, max_length=512, **QUIET
        ),
    )
    result = trainer.train()
    assert result.global_step == 2
    losses = [log["loss"] for log in trainer.state.log_history if "loss" in log]
    assert len(losses) == 2 and all(loss > 0 for loss in losses)


def test_grpo_trainer_takes_rubric_reward_as_is(exported):
    from workbench.datasets import rubric_reward

    rows = datasets.load_dataset("json", data_files=str(exported["grpo"]), split="train")
    seen: list[dict] = []

    def reward(**kwargs):
        scores = rubric_reward(**kwargs)
        seen.append({"kwargs": kwargs, "scores": scores})
        return scores

    reward.__name__ = "rubric_reward"
    trainer = trl.GRPOTrainer(
        model=exported["model"],
        processing_class=exported["tokenizer"],
        reward_funcs=[reward],
        train_dataset=rows,
        args=trl.GRPOConfig(
            output_dir=str(exported["out"] / "grpo-model"),
            max_steps=1,
            num_generations=2,
            max_completion_length=8,
            **QUIET,
        ),
    )
    trainer.train()
    assert seen, "GRPOTrainer never called the reward function"
    call = seen[0]
    by_id = {row["id"]: row for row in rows}
    # TRL passed the dataset's own rubric column through, and the judge graded every completion.
    for row_id, rubric in zip(call["kwargs"]["id"], call["kwargs"]["rubric"], strict=True):
        assert rubric == by_id[row_id]["rubric"]
    assert len(call["scores"]) == len(call["kwargs"]["completions"]) == 2
    assert all(s is not None and 0.0 <= s <= 1.0 for s in call["scores"])
    logged = [log for log in trainer.state.log_history if "rewards/rubric_reward/mean" in log]
    assert logged
