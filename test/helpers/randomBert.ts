/**
 * The random-weight BERT-shaped text encoder the embedding tests and the bench use: bge-small's shape with 2 layers
 * instead of 12, llama.cpp's real BERT (bge) WordPiece vocabulary, written by the repository's GGUF writer. It proves
 * the embedding plumbing and its speed, not the quality of search by meaning.
 */
import { ensureRandomGguf, type WrittenGguf } from "./ggufWriter";
import { llamaCppVocab } from "./llamaVocab";

/** Writes the model into `dir` once (cached by its spec) and returns it; `repoRoot` locates node-llama-cpp's bundle. */
export function ensureRandomBert(dir: string, repoRoot?: string): Promise<WrittenGguf> {
    return ensureRandomGguf(dir, {
        name: "bert-bge-random", architecture: "bert", layers: 2, embedding: 384, heads: 12, feedForward: 1536,
        contextLength: 512, vocab: { kind: "copy", from: llamaCppVocab("ggml-vocab-bert-bge.gguf", repoRoot) }, tensorType: "Q8_0", seed: 11,
    });
}
