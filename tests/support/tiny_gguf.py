"""A tiny random-weight llama GGUF (byte-level vocabulary), small enough to write in a test and serve with llama.cpp."""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:"


def write_tiny_gguf(path: Path, *, embedding: int = 32, feed_forward: int = 64, heads: int = 2, seed: int = 0) -> Path:
    """Write a one-block llama model whose 259 tokens are <unk>, <s>, </s> and the 256 bytes."""
    import gguf
    import numpy as np

    tokens = [b"<unk>", b"<s>", b"</s>"] + [f"<0x{i:02X}>".encode() for i in range(256)]
    kinds = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + [gguf.TokenType.BYTE] * 256
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(4096)
    writer.add_embedding_length(embedding)
    writer.add_block_count(1)
    writer.add_feed_forward_length(feed_forward)
    writer.add_head_count(heads)
    writer.add_head_count_kv(heads)
    writer.add_rope_dimension_count(embedding // heads)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types([int(kind) for kind in kinds])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_chat_template(CHAT_TEMPLATE)
    rng = np.random.default_rng(seed)

    def weight(name: str, *shape: int) -> None:
        writer.add_tensor(name, (rng.standard_normal(shape) * 0.02).astype(np.float32))

    def ones(name: str) -> None:
        writer.add_tensor(name, np.ones(embedding, np.float32))

    weight("token_embd.weight", len(tokens), embedding)
    ones("blk.0.attn_norm.weight")
    for part in ("q", "k", "v", "output"):
        weight(f"blk.0.attn_{part}.weight", embedding, embedding)
    ones("blk.0.ffn_norm.weight")
    weight("blk.0.ffn_gate.weight", feed_forward, embedding)
    weight("blk.0.ffn_up.weight", feed_forward, embedding)
    weight("blk.0.ffn_down.weight", embedding, feed_forward)
    ones("output_norm.weight")
    weight("output.weight", len(tokens), embedding)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
