/** Which chunker a file gets, by its extension, and the last guard on chunk size. */
import * as path from "node:path";
import { chunkCode } from "./chunkCode";
import { chunkProse } from "./chunkProse";
import { CHUNK_MAX_TOKENS, CHUNK_TARGET_TOKENS, type TextChunk } from "./chunkTypes";
import { estimateTokens } from "./tokenize";

export type FileKind = "prose" | "code" | "pdf" | "docx" | "binary";

const PROSE = new Set(["md", "markdown", "mdx", "txt", "text", "rst", "adoc", "asciidoc", "org", "tex", "csv", "tsv", "log", ""]);
const BINARY = new Set([
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "tif", "tiff", "psd", "heic", "avif",
    "mp3", "mp4", "m4a", "wav", "ogg", "flac", "mov", "avi", "mkv", "webm",
    "zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst", "tar", "jar", "war", "whl", "deb", "rpm", "dmg", "iso",
    "exe", "dll", "so", "dylib", "a", "lib", "o", "obj", "pdb", "class", "pyc", "pyo", "wasm", "node", "bin", "dat",
    "woff", "woff2", "ttf", "otf", "eot", "gguf", "safetensors", "pt", "onnx", "npy", "npz", "h5", "pkl", "parquet",
    "sqlite", "db", "doc", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "epub", "vsix", "lockb",
]);

export function fileKind(filePath: string): FileKind {
    const ext = path.extname(filePath).slice(1).toLowerCase();
    if (ext === "pdf") return "pdf";
    if (ext === "docx") return "docx";
    if (BINARY.has(ext)) return "binary";
    return PROSE.has(ext) ? "prose" : "code";
}

/** Chunks the text of a file by its kind (PDF pages and DOCX text come through chunkPages / chunkProse). */
export function chunkText(text: string, kind: "prose" | "code"): TextChunk[] {
    return capChunks(kind === "code" ? chunkCode(text) : chunkProse(text));
}

/** Chunks PDF text page by page: every chunk carries its page number; lines count within the page. */
export function chunkPages(pages: readonly string[]): TextChunk[] {
    return capChunks(pages.flatMap((text, i) => chunkProse(text, { page: i + 1 })));
}

/** A chunk that is still far too big (one enormous line: minified code, a table row) is cut by characters. */
function capChunks(chunks: TextChunk[]): TextChunk[] {
    const out: TextChunk[] = [];
    for (const chunk of chunks) {
        if (estimateTokens(chunk.text) <= CHUNK_MAX_TOKENS * 2) {
            out.push(chunk);
            continue;
        }
        const step = Math.max(256, Math.floor(chunk.text.length * CHUNK_TARGET_TOKENS / estimateTokens(chunk.text)));
        for (let i = 0; i < chunk.text.length; i += step) out.push({ ...chunk, text: chunk.text.slice(i, i + step) });
    }
    return out;
}
