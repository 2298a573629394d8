/**
 * Reads a file into text for chunking: plain text (UTF-8, UTF-8/UTF-16 BOMs), PDF (PDF.js, text per page) and DOCX
 * (mammoth's raw text). Binary files are recognised by extension and, for the rest, by NUL bytes or many invalid
 * UTF-8 sequences in the first 8 KiB; they are skipped, never indexed.
 *
 * PDF.js runs its parser on the calling thread here ("fake worker" set up from the bundled worker module) because
 * the caller is already the index's worker thread; nothing of it runs on the extension host's thread.
 */
import * as fs from "node:fs/promises";
import { chunkPages, chunkText, fileKind } from "./chunking";
import { sha1 } from "./indexStore";
import type { TextChunk } from "./chunkTypes";

const SNIFF_BYTES = 8192;

/** What reading a file gave: its chunks, or why it has none. `hash` is the SHA-1 of the bytes read (when read). */
export type Extracted =
    | { chunks: TextChunk[]; size: number; hash: string }
    | { skipped: "binary" | "unreadable"; reason?: string; size?: number; hash?: string };

/** Whether the start of a file looks like text (no NUL bytes, mostly valid UTF-8 or a UTF-16 BOM). */
export function looksLikeText(head: Uint8Array): boolean {
    if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
    if (head.includes(0)) return false;
    const decoded = new TextDecoder("utf-8", { fatal: false }).decode(head);
    let bad = 0;
    for (const ch of decoded) if (ch === "\ufffd") bad++;
    // The last character may be cut in half by the sniff window: allow a few replacement characters.
    return bad <= Math.max(2, decoded.length / 100);
}

export function decodeText(bytes: Uint8Array): string {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder("utf-8").decode(bytes.subarray(3));
    return new TextDecoder("utf-8").decode(bytes);
}

/** Reads, extracts and chunks one file. Never throws for bad content: an unreadable file is reported as skipped. */
export async function extractChunks(filePath: string): Promise<Extracted> {
    const kind = fileKind(filePath);
    if (kind === "binary") return { skipped: "binary" };
    let bytes: Buffer;
    try {
        bytes = await fs.readFile(filePath);
    } catch (err) {
        return { skipped: "unreadable", reason: (err as Error).message };
    }
    const read = { size: bytes.length, hash: sha1(bytes) };
    try {
        if (kind === "pdf") return { chunks: chunkPages(await pdfPages(bytes)), ...read };
        if (kind === "docx") return { chunks: chunkText(await docxText(bytes), "prose"), ...read };
        if (!looksLikeText(bytes.subarray(0, SNIFF_BYTES))) return { skipped: "binary", ...read };
        return { chunks: chunkText(decodeText(bytes), kind), ...read };
    } catch (err) {
        return { skipped: "unreadable", reason: (err as Error).message, ...read };
    }
}

type PdfJs = typeof import("pdfjs-dist/legacy/build/pdf.mjs", { with: { "resolution-mode": "import" } });
let pdfjs: Promise<PdfJs> | undefined;

async function loadPdfJs(): Promise<PdfJs> {
    // The worker module registered on globalThis lets PDF.js parse in this thread without loading a file by URL
    // (which would not survive bundling).
    const worker = await import("pdfjs-dist/legacy/build/pdf.worker.mjs");
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return import("pdfjs-dist/legacy/build/pdf.mjs");
}

/** Text of each page of a PDF, lines separated by "\n" where PDF.js reports an end of line. */
export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
    const lib = await (pdfjs ??= loadPdfJs());
    const doc = await lib.getDocument({
        data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0,
    }).promise;
    try {
        const pages: string[] = [];
        for (let n = 1; n <= doc.numPages; n++) {
            const page = await doc.getPage(n);
            const content = await page.getTextContent();
            let text = "";
            for (const item of content.items) {
                if (!("str" in item)) continue;
                text += item.str + (item.hasEOL ? "\n" : "");
            }
            pages.push(text);
            page.cleanup();
        }
        return pages;
    } finally {
        await doc.destroy();
    }
}

/** Raw text of a DOCX document (paragraphs separated by blank lines). */
export async function docxText(bytes: Buffer): Promise<string> {
    const mammoth = await import("mammoth");
    const result = await mammoth.extractRawText({ buffer: bytes });
    return result.value;
}
