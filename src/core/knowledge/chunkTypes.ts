/** A chunk as the chunkers make it: text plus where it came from (1-based inclusive lines; PDF page). */
export interface TextChunk {
    text: string;
    startLine: number;
    endLine: number;
    page?: number;
    /** Heading path (prose) or declaration (code) the chunk belongs to. */
    heading?: string;
}

/**
 * Chunk size in estimated model tokens. ~300 tokens keeps a chunk about one topic (good for ranking) while 8 of them
 * still fit a small model's context next to the question. Chunks stay under the maximum (a longer paragraph
 * or declaration is cut at sentences, nested declarations or blank lines).
 */
export const CHUNK_TARGET_TOKENS = 300;
export const CHUNK_MAX_TOKENS = 480;
