/**
 * The short list behind "Hearth: Download Model". Each entry is a real Hugging Face GGUF repository resolved by
 * node-llama-cpp's downloader (`hf:<user>/<repo>:<quant>` asks Hugging Face which file holds that quantization, so a
 * split upload is fetched whole). Sizes are approximate and only guide the choice; the download reports real sizes.
 *
 * Every downloaded file is checked against the SHA-256 Hugging Face publishes for it (src/core/models/downloadChecks.ts).
 * An entry may also pin its files: `uri` in the file form with a commit (`hf:user/repo/file.gguf#<40-hex commit>`) and
 * `sha256` per file name; then a file Hugging Face now publishes differently is refused. Pin ONLY values read from
 * Hugging Face itself (the file page's "Git LFS Details"): a wrong hash breaks every user's download. None of the
 * entries below is pinned yet: their hashes could not be read from Hugging Face where this list was written.
 */
import { isAllowedDownloadUrl, splitHashFragment } from "./downloadChecks";

export type CuratedPurpose = "completions" | "chat";

export interface CuratedModel {
    id: string;
    title: string;
    uri: string;
    parameters: string;
    quantization: string;
    approxBytes: number;
    purposes: CuratedPurpose[];
    /** Has fill-in-the-middle tokens, so inline completions can use it. */
    fim: boolean;
    /** RAM the model needs to run on the CPU with a few thousand tokens of context. */
    minRamBytes: number;
    /** What it is for, in English (the host translates it). */
    summary: string;
    /** Pinned SHA-256 per file name (see above); only with a revision-pinned `uri`. */
    sha256?: Readonly<Record<string, string>>;
}

const GB = 1024 ** 3;

export const CURATED_MODELS: readonly CuratedModel[] = [
    {
        id: "qwen2.5-coder-1.5b",
        title: "Qwen2.5-Coder 1.5B Instruct",
        uri: "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF:Q4_K_M",
        parameters: "1.5B",
        quantization: "Q4_K_M",
        approxBytes: 1.04 * GB,
        purposes: ["completions", "chat"],
        fim: true,
        minRamBytes: 4 * GB,
        summary: "Code completions (fill-in-the-middle) and quick code questions. Fast on any laptop CPU.",
    },
    {
        id: "qwen2.5-3b",
        title: "Qwen2.5 3B Instruct",
        uri: "hf:Qwen/Qwen2.5-3B-Instruct-GGUF:Q4_K_M",
        parameters: "3B",
        quantization: "Q4_K_M",
        approxBytes: 1.96 * GB,
        purposes: ["chat"],
        fim: false,
        minRamBytes: 8 * GB,
        summary: "Chat, polish and explanations in Chinese and English on CPU-only laptops (8 GB RAM).",
    },
    {
        id: "qwen2.5-7b",
        title: "Qwen2.5 7B Instruct",
        uri: "hf:Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M",
        parameters: "7B",
        quantization: "Q4_K_M",
        approxBytes: 4.36 * GB,
        purposes: ["chat"],
        fim: false,
        minRamBytes: 16 * GB,
        summary: "The best Chinese and English writing here. For 6–8 GB GPUs, or 16 GB RAM on the CPU (slower).",
    },
    {
        id: "qwen2.5-coder-7b",
        title: "Qwen2.5-Coder 7B Instruct",
        uri: "hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M",
        parameters: "7B",
        quantization: "Q4_K_M",
        approxBytes: 4.36 * GB,
        purposes: ["completions", "chat"],
        fim: true,
        minRamBytes: 16 * GB,
        summary: "Stronger code completions and code chat for 6–8 GB GPUs.",
    },
];

/**
 * hf:<user>/<repo>:<quant> or hf:<user>/<repo>/<path>.gguf[#revision], or an https URL to a .gguf file (optionally
 * with `#sha256=<hex>`); plain http only to this machine's loopback (tests).
 */
export function isDownloadableUri(uri: string): boolean {
    const value = uri.trim();
    if (/^hf:[\w.-]+\/[\w.-]+(:[\w.-]+)?$/.test(value)) return true;
    if (/^hf:[\w.-]+\/[\w.-]+\/[^\s#]+\.gguf(#[\w.-]+)?$/i.test(value)) return true;
    const bare = splitHashFragment(value).uri;
    if (bare.includes("#") || !isAllowedDownloadUrl(bare)) return false;
    return /\.gguf$/i.test(new URL(bare).pathname);
}

/** The models this machine runs comfortably on the CPU (GPU memory is unknown to the host before the engine runs). */
export function curatedFitsMemory(model: CuratedModel, totalRamBytes: number): boolean {
    return model.minRamBytes <= totalRamBytes;
}
