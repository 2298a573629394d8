/**
 * The bench's models: the real fixtures from ../shared/fixtures, plus a random-weight Qwen2-shaped model built by
 * test/helpers/ggufWriter.ts into bench/.cache with a real tokenizer (llama.cpp's Qwen2 vocab, extracted from the
 * llama.cpp source node-llama-cpp ships), Qwen2.5-Coder's FIM tokens and its ChatML chat template.
 *
 * Full run: the shape of Qwen2.5-0.5B (24 layers, 896 wide, 14/2 heads, FFN 4864, tied embeddings), Q8_0.
 * --quick: ~100M parameters with the same vocabulary, so CI finishes in minutes.
 * Control/end-of-generation tokens are silenced in the output matrix (see `neverGenerate`), so greedy decoding
 * always runs to maxTokens and both sides of a comparison generate the same number of tokens.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureRandomGguf, QWEN25_CODER_FIM_IDS, QWEN25_CODER_FIM_TOKENS, type RandomGgufSpec, type WrittenGguf } from "../test/helpers/ggufWriter";
import { CACHE_DIR, log, REPO_ROOT, timed } from "./lib";

export const LLAMA_CPP_SOURCE = path.join(CACHE_DIR, "llama.cpp");

export function fixturesDir(): string {
    const dir = process.env.HEARTH_FIXTURES ?? path.resolve(REPO_ROOT, "..", "shared", "fixtures", "models");
    if (!fs.existsSync(dir)) {
        throw new Error(`GGUF fixtures not found at ${dir}. Clone Hearth next to shared/ (../shared/fixtures) or set HEARTH_FIXTURES.`);
    }
    return dir;
}

export const FIXTURE_MODELS = ["stories260K.gguf", "stories260K-chat-fim.derived.gguf", "llama-2-tiny-random.gguf"] as const;

/** Clones the llama.cpp source node-llama-cpp ships (a git bundle in its npm package) once into the cache. */
export function ensureLlamaCppSource(): string {
    if (fs.existsSync(path.join(LLAMA_CPP_SOURCE, "CMakeLists.txt"))) return LLAMA_CPP_SOURCE;
    const bundle = path.join(REPO_ROOT, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
    if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm ci.`);
    log("extracting llama.cpp source from node-llama-cpp's gitRelease.bundle");
    fs.rmSync(LLAMA_CPP_SOURCE, { recursive: true, force: true });
    execFileSync("git", ["clone", "-q", bundle, LLAMA_CPP_SOURCE], { stdio: "inherit" });
    return LLAMA_CPP_SOURCE;
}

function qwen2Vocab(): string {
    const file = path.join(ensureLlamaCppSource(), "models", "ggml-vocab-qwen2.gguf");
    if (!fs.existsSync(file)) throw new Error(`${file} is missing from the llama.cpp source`);
    return file;
}

/** What the generated model is called in results (keys like model_load_ms_<name>). */
export function generatedModelName(quick: boolean): string {
    return quick ? "qwen2_100m_q8" : "qwen2_0p5b_q8";
}

export function generatedModelSpec(quick: boolean): RandomGgufSpec {
    const common = {
        architecture: "qwen2" as const,
        contextLength: 32768,
        vocab: { kind: "copy" as const, from: qwen2Vocab() },
        tokenOverrides: QWEN25_CODER_FIM_TOKENS,
        fim: QWEN25_CODER_FIM_IDS,
        tensorType: "Q8_0" as const,
        neverGenerate: "eog" as const,
        tieEmbeddings: true,
        seed: 2024,
    };
    return quick
        ? { ...common, name: generatedModelName(true), layers: 8, embedding: 512, heads: 8, headsKv: 2, feedForward: 1536 }
        : { ...common, name: generatedModelName(false), layers: 24, embedding: 896, heads: 14, headsKv: 2, feedForward: 4864 };
}

/**
 * A tiny generated model (a few million parameters, Llama-2 tokenizer, a ChatML Jinja template) that generates
 * over a thousand tokens a second: on it the ratios show Hearth's fixed per-token and per-request overhead
 * (IPC, JSON, chat-wrapper setup), which a realistic model hides behind its compute.
 */
export function tinyModelSpec(): RandomGgufSpec {
    return {
        architecture: "llama",
        name: "llama_tiny_chat",
        layers: 2, embedding: 128, heads: 4, headsKv: 4, feedForward: 256, contextLength: 4096,
        vocab: { kind: "copy", from: path.join(fixturesDir(), "llama-2-tiny-random.gguf") },
        chatTemplate: "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
        tensorType: "F16",
        neverGenerate: "eog",
        seed: 7,
    };
}

export async function ensureTinyModel(): Promise<WrittenGguf> {
    return ensureRandomGguf(path.join(CACHE_DIR, "models"), tinyModelSpec());
}

/** Qwen2.5-7B's shape (28 layers, 3584 wide, 28/4 heads, FFN 18944, untied output), Q8_0, about 8 GB: GPU runs only. */
export async function ensure7bModel(): Promise<WrittenGguf> {
    const spec: RandomGgufSpec = {
        ...generatedModelSpec(false), name: "qwen2_7b_q8", layers: 28, embedding: 3584, heads: 28, headsKv: 4, feedForward: 18944, tieEmbeddings: false,
    };
    return timed(`generated model ${spec.name}`, () => ensureRandomGguf(path.join(CACHE_DIR, "models"), spec));
}

export async function ensureGeneratedModel(quick: boolean): Promise<WrittenGguf> {
    const spec = generatedModelSpec(quick);
    return timed(`generated model ${spec.name}`, async () => {
        const written = await ensureRandomGguf(path.join(CACHE_DIR, "models"), spec);
        log(`  ${path.relative(REPO_ROOT, written.path)}: ${(written.parameters / 1e6).toFixed(0)}M parameters, `
            + `${(written.bytes / 2 ** 20).toFixed(0)} MiB, vocab ${written.vocabSize}`);
        return written;
    });
}
