/**
 * Embedding models for the knowledge index: which GGUF architectures are text encoders (they produce one vector per
 * text rather than a chat), and a short curated download list — a small English model and a multilingual one that
 * covers Chinese. URIs are node-llama-cpp `hf:` paths to files listed on the repositories' Hugging Face pages.
 */

/** llama.cpp architectures that are embedding encoders (pooled output, no chat). */
export const EMBEDDING_ARCHITECTURES: ReadonlySet<string> = new Set([
    "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert", "neo-bert", "eurobert",
    "gemma-embedding", "t5encoder",
]);

export function isEmbeddingArchitecture(architecture: string | undefined): boolean {
    return architecture !== undefined && EMBEDDING_ARCHITECTURES.has(architecture);
}

export interface CuratedEmbeddingModel {
    id: string;
    title: string;
    uri: string;
    approxBytes: number;
    languages: string;
    /** What it is for, in English (the host translates it). */
    summary: string;
}

const MB = 1024 ** 2;

export const CURATED_EMBEDDING_MODELS: readonly CuratedEmbeddingModel[] = [
    {
        id: "bge-small-en-v1.5",
        title: "BGE small EN v1.5 (Q8_0)",
        uri: "hf:CompendiumLabs/bge-small-en-v1.5-gguf/bge-small-en-v1.5-q8_0.gguf",
        approxBytes: 36.8 * MB,
        languages: "en",
        summary: "Small and fast English embeddings (384 dimensions, 512 tokens). Good for code and English notes.",
    },
    {
        id: "granite-embedding-278m-multilingual",
        title: "Granite Embedding 278M multilingual (Q4_K_M)",
        uri: "hf:bartowski/granite-embedding-278m-multilingual-GGUF/granite-embedding-278m-multilingual-Q4_K_M.gguf",
        approxBytes: 219 * MB,
        languages: "multilingual",
        summary: "Multilingual embeddings, including Chinese and English (768 dimensions). For mixed or Chinese documents.",
    },
];
