"""A tiny random-weight chat model that vLLM loads from a folder the tests write.

Its text is meaningless, its mechanics are real: a byte-level BPE tokenizer (so every string,
JSON included, has a tokenization and structured outputs can write anything), a Qwen2
architecture that vLLM supports on the CPU (head dim 64, which the CPU attention accepts),
and a Hermes-style chat template that renders ``tools`` and ``<tool_call>`` blocks the way
Qwen2.5 and Hermes models do, so vLLM's ``hermes`` tool parser reads the calls back.

Building takes about a second and needs no download.
"""

from __future__ import annotations

from pathlib import Path

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TOOL_TOKENS = ["<tool_call>", "</tool_call>"]
"""Added as ordinary (not special) tokens, as in Qwen2.5: decoding keeps them in the text."""

CHAT_TEMPLATE = """\
{%- if tools -%}
<|im_start|>system
{% if messages[0].role == 'system' %}{{ messages[0].content }}

{% endif %}# Tools

You may call one or more functions to assist with the user query.

You are provided with function signatures within <tools></tools> XML tags:
<tools>
{% for tool in tools %}{{ tool | tojson }}
{% endfor %}</tools>

For each function call, return a json object with function name and arguments within \
<tool_call></tool_call> XML tags:
<tool_call>
{"name": <function-name>, "arguments": <args-json-object>}
</tool_call><|im_end|>
{% elif messages[0].role == 'system' -%}
<|im_start|>system
{{ messages[0].content }}<|im_end|>
{% endif -%}
{%- for message in messages -%}
{%- if message.role == 'system' and loop.first -%}
{%- elif message.role == 'assistant' -%}
<|im_start|>assistant
{% if message.content %}{{ message.content }}{% endif -%}
{% for call in message.tool_calls or [] %}
<tool_call>
{"name": {{ call.function.name | tojson }}, "arguments": {{ call.function.arguments | tojson }}}
</tool_call>
{%- endfor %}<|im_end|>
{% elif message.role == 'tool' -%}
<|im_start|>user
<tool_response>
{{ message.content }}
</tool_response><|im_end|>
{% else -%}
<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
{% endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}
<|im_start|>assistant
{% endif -%}
"""

CORPUS = [
    "The weather in Paris is mild today, with light rain in the afternoon.",
    "Convert 100 USD to EUR and report the amount with two decimals.",
    "What is the area of a triangle with base 10 and height 5?",
    '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
    '[{"name": "triangle_area", "arguments": {"base": 10, "height": 5}}]',
    "You are a function-calling assistant. Reply with a JSON array of calls.",
    "The quick brown fox jumps over the lazy dog 0123456789 times.",
    "true false null yes no red green blue Tokyo Rome Oslo London",
]


def build_tokenizer(folder: Path):
    """A byte-level BPE tokenizer (about 500 tokens) with ChatML specials and the template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(CORPUS * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=CHAT_TEMPLATE,
    )
    tokenizer.add_tokens(TOOL_TOKENS)
    tokenizer.save_pretrained(folder)
    return tokenizer


def build_tiny_model(folder: Path, *, seed: int = 0) -> Path:
    """Write tokenizer, config and random weights (float32, about 0.6 MB) into ``folder``."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(folder)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=2,  # head dim 64: the CPU attention refuses 16
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=False,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
        dtype="float32",
        initializer_range=0.3,  # large random weights: the next token depends on the prompt
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id)
    model.save_pretrained(folder)
    return folder
