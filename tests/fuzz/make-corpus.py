#!/usr/bin/env python3
# tests/fuzz/make-corpus.py - write the seed corpus of the GGUF fuzzer and of
# tests/host/test_gguf: good-*.gguf files that must load, and bad-*.gguf files
# that must be rejected, each broken in one field. Run from the repository root;
# the output is committed, so this only runs when the corpus changes.
import os
import struct

OUT = "tests/fuzz/corpus/gguf"
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, payload):
    return s(key) + struct.pack("<I", vtype) + payload


def arr(etype, items):
    return struct.pack("<IQ", etype, len(items)) + b"".join(items)


def all_types():
    """One key of every type, nested arrays included."""
    return [
        kv("general.architecture", STR, s("llama")),
        kv("t.u8", U8, struct.pack("<B", 200)),
        kv("t.i8", I8, struct.pack("<b", -5)),
        kv("t.u16", U16, struct.pack("<H", 60000)),
        kv("t.i16", I16, struct.pack("<h", -300)),
        kv("t.u32", U32, struct.pack("<I", 4000000000)),
        kv("t.i32", I32, struct.pack("<i", -7)),
        kv("t.f32", F32, struct.pack("<f", 0.5)),
        kv("t.bool", BOOL, b"\x01"),
        kv("t.u64", U64, struct.pack("<Q", 1 << 40)),
        kv("t.i64", I64, struct.pack("<q", -(1 << 40))),
        kv("t.f64", F64, struct.pack("<d", 2.25)),
        kv("t.strs", ARR, arr(STR, [s("a"), s(""), s("<|endoftext|>")])),
        kv("t.f32s", ARR, arr(F32, [struct.pack("<f", x) for x in (1.0, -2.0)])),
        kv("t.nested", ARR, arr(ARR, [arr(I32, [struct.pack("<i", 1)]), arr(STR, [s("x")])])),
        kv("t.empty", ARR, arr(U8, [])),
    ]


def tensor_info(name, dims, ttype, offset):
    return s(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) + \
        struct.pack("<IQ", ttype, offset)


def gguf(kvs, tensors, data, version=3, align=32, magic=b"GGUF"):
    head = magic + struct.pack("<IQQ", version, len(tensors), len(kvs)) + b"".join(kvs) + b"".join(tensors)
    pad = (-len(head)) % align
    return head + b"\0" * pad + data


def q8_block(scale_bits=0x3C00):
    return struct.pack("<H", scale_bits) + bytes(range(32))


def good_tensors():
    """An f32 vector at 0 and a 2x32 q8_0 matrix at 32."""
    infos = [tensor_info("norm.weight", [8], 0, 0), tensor_info("w.weight", [32, 2], 8, 32)]
    data = struct.pack("<8f", *range(8)) + b"\0" * 0 + q8_block() + q8_block(0x4000)
    return infos, data


def gpt2_bytes():
    """GPT-2's printable stand-in of each byte, as a string."""
    out, extra = [], 256
    for b in range(256):
        if 33 <= b <= 126 or 161 <= b <= 172 or b >= 174:
            out.append(chr(b))
        else:
            out.append(chr(extra))
            extra += 1
    return out


def gpt2_tokenizer():
    """A tiny GPT-2 BPE: <|endoftext|>, the 256 byte tokens, a few merges."""
    merges = ["h e", "l l", "he ll", "hell o", "\u0120 w", "o r"]
    tokens = ["<|endoftext|>"] + gpt2_bytes() + ["he", "ll", "hell", "hello", "\u0120w", "or"]
    types = [3] + [1] * (len(tokens) - 1)
    return [
        kv("tokenizer.ggml.model", STR, s("gpt2")),
        kv("tokenizer.ggml.tokens", ARR, arr(STR, [s(t.encode()) for t in tokens])),
        kv("tokenizer.ggml.token_type", ARR, arr(I32, [struct.pack("<i", t) for t in types])),
        kv("tokenizer.ggml.merges", ARR, arr(STR, [s(m.encode()) for m in merges])),
        kv("tokenizer.ggml.bos_token_id", U32, struct.pack("<I", 0)),
        kv("tokenizer.ggml.eos_token_id", U32, struct.pack("<I", 0)),
    ]


def llama_tokenizer():
    """A tiny SentencePiece vocab: <unk> <s> </s>, byte tokens, a few pieces."""
    pieces = ["\u2581", "\u2581h", "el", "lo", "\u2581hel", "\u2581hello", "w", "o", "r", "l", "d"]
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + pieces
    types = [2, 3, 3] + [6] * 256 + [1] * len(pieces)
    scores = [0.0] * 259 + [-float(i) for i in range(len(pieces))]
    return [
        kv("tokenizer.ggml.model", STR, s("llama")),
        kv("tokenizer.ggml.tokens", ARR, arr(STR, [s(t.encode()) for t in tokens])),
        kv("tokenizer.ggml.token_type", ARR, arr(I32, [struct.pack("<i", t) for t in types])),
        kv("tokenizer.ggml.scores", ARR, arr(F32, [struct.pack("<f", x) for x in scores])),
        kv("tokenizer.ggml.bos_token_id", U32, struct.pack("<I", 1)),
        kv("tokenizer.ggml.eos_token_id", U32, struct.pack("<I", 2)),
        kv("tokenizer.ggml.unknown_token_id", U32, struct.pack("<I", 0)),
    ]


def write(name, blob):
    assert len(blob) < 50000, name
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(blob)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".gguf"):
            os.remove(os.path.join(OUT, old))
    infos, data = good_tensors()
    good = gguf(all_types(), infos, data)
    write("good-all-types.gguf", good)
    write("good-v2.gguf", gguf(all_types(), infos, data, version=2))
    write("good-no-tensors.gguf", gguf(all_types(), [], b""))
    write("good-empty.gguf", gguf([], [], b""))
    align64 = [kv("general.alignment", U32, struct.pack("<I", 64))]
    write("good-align64.gguf", gguf(align64, [tensor_info("a", [8], 0, 0), tensor_info("b", [8], 0, 64)],
                                    struct.pack("<8f", *range(8)) + b"\0" * 32 + struct.pack("<8f", *range(8)),
                                    align=64))

    write("good-tokenizer-gpt2.gguf", gguf(gpt2_tokenizer(), [], b""))
    write("good-tokenizer-llama.gguf", gguf(llama_tokenizer(), [], b""))

    # Truncations at several depths of the good file.
    for cut in (0, 3, 6, 12, 20, 30, 60, 200, len(good) - len(data) - 1, len(good) - 1):
        write("bad-truncated-%d.gguf" % cut, good[:cut])

    bad = {
        "magic": gguf(all_types(), infos, data, magic=b"GGUG"),
        "version1": gguf(all_types(), infos, data, version=1),
        "version9": gguf(all_types(), infos, data, version=9),
        "big-endian": gguf([], [], b"", version=3 << 24),
        "kv-count-huge": b"GGUF" + struct.pack("<IQQ", 3, 0, 1 << 60),
        "tensor-count-huge": b"GGUF" + struct.pack("<IQQ", 3, 1 << 60, 0),
        "key-len-huge": gguf([struct.pack("<Q", 1 << 62) + b"k"], [], b""),
        "key-empty": gguf([kv("", U32, struct.pack("<I", 1))], [], b""),
        "key-nul": gguf([kv("a\0b", U32, struct.pack("<I", 1))], [], b""),
        "key-duplicate": gguf([kv("k", U32, struct.pack("<I", 1)), kv("k", U8, b"\1")], [], b""),
        "value-type": gguf([kv("k", 13, b"\0" * 8)], [], b""),
        "bool-2": gguf([kv("k", BOOL, b"\x02")], [], b""),
        "bool-array": gguf([kv("k", ARR, arr(BOOL, [b"\1", b"\7"]))], [], b""),
        "array-len-huge": gguf([kv("k", ARR, struct.pack("<IQ", U32, 1 << 61))], [], b""),
        "array-type": gguf([kv("k", ARR, struct.pack("<IQ", 99, 1) + b"\0" * 8)], [], b""),
        "string-len-huge": gguf([kv("k", STR, struct.pack("<Q", 1 << 40) + b"abc")], [], b""),
        "nested-deep": gguf([kv("k", ARR, struct.pack("<IQ", ARR, 1) * 9 + struct.pack("<IQ", U8, 0))],
                            [], b""),
        "alignment-zero": gguf([kv("general.alignment", U32, struct.pack("<I", 0))], [], b""),
        "alignment-3": gguf([kv("general.alignment", U32, struct.pack("<I", 3))], [], b""),
        "alignment-type": gguf([kv("general.alignment", U64, struct.pack("<Q", 32))], [], b""),
        "tensor-name-empty": gguf([], [tensor_info("", [8], 0, 0)], b"\0" * 32),
        "tensor-name-long": gguf([], [tensor_info("n" * 65, [8], 0, 0)], b"\0" * 32),
        "tensor-duplicate": gguf([], [tensor_info("a", [8], 0, 0), tensor_info("a", [8], 0, 32)],
                                 b"\0" * 64),
        "tensor-dims-0": gguf([], [tensor_info("a", [], 0, 0)], b"\0" * 32),
        "tensor-dims-5": gguf([], [tensor_info("a", [1, 1, 1, 1, 8], 0, 0)], b"\0" * 32),
        "tensor-ne-0": gguf([], [tensor_info("a", [8, 0], 0, 0)], b"\0" * 32),
        "tensor-ne-overflow": gguf([], [tensor_info("a", [1 << 32, 1 << 32], 0, 0)], b"\0" * 32),
        "tensor-type-unsupported": gguf([], [tensor_info("a", [32], 3, 0)], b"\0" * 32),
        "tensor-type-invalid": gguf([], [tensor_info("a", [32], 1000, 0)], b"\0" * 32),
        "tensor-row-not-blocks": gguf([], [tensor_info("a", [33], 8, 0)], b"\0" * 64),
        "tensor-offset-unaligned": gguf([], [tensor_info("a", [8], 0, 4)], b"\0" * 64),
        "tensor-past-end": gguf([], [tensor_info("a", [8], 0, 0), tensor_info("b", [64], 0, 32)],
                                b"\0" * 64),
        "tensor-offset-huge": gguf([], [tensor_info("a", [8], 0, (1 << 64) - 32)], b"\0" * 32),
        "tensor-overlap": gguf([], [tensor_info("a", [16], 0, 0), tensor_info("b", [8], 0, 32)],
                               b"\0" * 64),
        "data-missing": gguf([kv("k", STR, s("x" * 40))], [tensor_info("a", [8], 0, 0)], b"")[:-8],
    }
    for name, blob in bad.items():
        write("bad-%s.gguf" % name, blob)


main()
