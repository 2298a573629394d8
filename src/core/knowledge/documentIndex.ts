/**
 * Retrieval over one document that need not be in any index (an attachment larger than the context, a PDF picked
 * for Summarise Document): its chunks and a lexical index over them, in memory only. A few recent documents are
 * kept; a document is re-read when its mtime or size changed.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { TextChunk } from "./chunkTypes";
import { extractChunks } from "./extract";
import { LexicalIndex } from "./lexicalIndex";

export interface DocumentIndex {
    fsPath: string;
    mtimeMs: number;
    size: number;
    chunks: TextChunk[];
    lexical: LexicalIndex;
}

export class DocumentIndexCache {
    private readonly entries = new Map<string, DocumentIndex>();

    constructor(private readonly capacity = 4) {}

    async get(fsPath: string): Promise<DocumentIndex> {
        const stat = await fs.stat(fsPath);
        const cached = this.entries.get(fsPath);
        if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
            this.entries.delete(fsPath);
            this.entries.set(fsPath, cached); // most recently used last
            return cached;
        }
        const extracted = await extractChunks(fsPath);
        if ("skipped" in extracted) {
            throw new Error(extracted.skipped === "binary"
                ? `${path.basename(fsPath)} is not a text, PDF or DOCX file.`
                : `${path.basename(fsPath)} could not be read: ${extracted.reason ?? "unknown error"}`);
        }
        const lexical = LexicalIndex.create();
        const name = path.basename(fsPath);
        extracted.chunks.forEach((chunk, i) => lexical.add({ id: i, text: chunk.text, heading: chunk.heading ?? "", path: name }));
        const doc: DocumentIndex = { fsPath, mtimeMs: stat.mtimeMs, size: stat.size, chunks: extracted.chunks, lexical };
        this.entries.delete(fsPath);
        this.entries.set(fsPath, doc);
        while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
        return doc;
    }

    search(doc: DocumentIndex, query: string, limit: number): { chunk: TextChunk; score: number }[] {
        return doc.lexical.search(query, limit).map(({ id, score }) => ({ chunk: doc.chunks[id]!, score }));
    }
}
