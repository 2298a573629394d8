/**
 * Real tokenizers from llama.cpp's source, which node-llama-cpp ships as a git bundle: extracted once into the
 * git-ignored .cache/vocab (e.g. ggml-vocab-qwen2.gguf, ggml-vocab-bert-bge.gguf). Tests never download anything.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./fixtures";
import { ensureRandomGguf } from "./ggufWriter";

/** `repoRoot`: the benchmark passes its own (its bundle lives elsewhere than the compiled tests). */
export function llamaCppVocab(file: `ggml-vocab-${string}.gguf`, repoRoot = REPO_ROOT): string {
    const out = path.join(repoRoot, ".cache", "vocab", file);
    if (fs.existsSync(out)) return out;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const bundle = path.join(repoRoot, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
    const repo = fs.mkdtempSync(path.join(path.dirname(out), "bundle-"));
    try {
        execFileSync("git", ["clone", "-q", "--no-checkout", bundle, repo]);
        const data = execFileSync("git", ["-C", repo, "show", `HEAD:models/${file}`], { maxBuffer: 64 << 20 });
        fs.writeFileSync(`${out}.${process.pid}.tmp`, data);
        fs.renameSync(`${out}.${process.pid}.tmp`, out);
    } finally {
        fs.rmSync(repo, { recursive: true, force: true });
    }
    return out;
}

/**
 * A 1-layer random-weight model with Qwen2's real 152k-token byte-level vocabulary (generated once into
 * .cache/test-models): greedy output runs through every kind of token, whitespace-only ones included.
 */
export async function qwen2VocabModel(): Promise<string> {
    return (await ensureRandomGguf(path.join(REPO_ROOT, ".cache", "test-models"), {
        name: "qwen2-vocab-detok", architecture: "qwen2", layers: 1, embedding: 64, heads: 2, feedForward: 128, contextLength: 2048,
        vocab: { kind: "copy", from: llamaCppVocab("ggml-vocab-qwen2.gguf") }, tensorType: "F16", tieEmbeddings: false,
        neverGenerate: "eog", seed: 11,
    })).path;
}
