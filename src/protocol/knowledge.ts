/**
 * Shapes of Hearth's local knowledge index (the workspace index, the personal library, one-document retrieval),
 * shared by the index worker, the host service (src/knowledge) and the features that ask it (chat's @workspace and
 * @library, Summarise Document). Shapes only; the behaviour is documented on `KnowledgeApi` in src/services.ts.
 */

/** Which index a search asks: the open workspace's, the personal library's, or one document's (by URI string). */
export type KnowledgeScope = "workspace" | "library" | { file: string };

/** The two persistent indexes; one-document indexes are kept in memory only. */
export type KnowledgeIndexKind = "workspace" | "library";

/** One retrieved chunk with what a citation needs. Lines are 1-based and inclusive. */
export interface KnowledgeHit {
    /** The chunk's text, lines joined with "\n" (CRLF in the file becomes LF). */
    text: string;
    /** `file:` URI string of the file (open it with vscode.Uri.parse). */
    uri: string;
    /** File-system path of the file. */
    fsPath: string;
    /**
     * Path for display and citation: workspace-relative (with the folder name first in a multi-root workspace),
     * for the library `<library folder name>/<path inside it>`, for a single document its base name.
     */
    relativePath: string;
    /** First and last line of the chunk in the file (for PDF/DOCX: in the text extracted from the page/document). */
    startLine: number;
    endLine: number;
    /** 1-based page number, for PDF only. */
    page?: number;
    /** Heading path (prose) or declaration name (code) the chunk sits under, when known. */
    heading?: string;
    /** Higher is better; comparable only within one result list. Lexical-only: BM25; hybrid: reciprocal rank fusion. */
    score: number;
}

export interface KnowledgeSearchOptions {
    scope: KnowledgeScope;
    /** Most hits to return (default 8). */
    limit?: number;
    signal?: AbortSignal;
}

export type KnowledgeIndexState =
    /** No index (the workspace has no folder, the library has no folders, or it was cleared). */
    | "empty"
    /** Reading the index from disk. */
    | "loading"
    /** Walking and indexing files; `progress` says how far. */
    | "building"
    /** Usable and up to date (incremental updates may follow at any time). */
    | "ready"
    /** The build was cancelled: the index holds what was committed before; searches still work on it. */
    | "cancelled"
    /** The index could not be built (`error` says why); searches return nothing. */
    | "error";

export interface KnowledgeIndexStatus {
    kind: KnowledgeIndexKind;
    state: KnowledgeIndexState;
    /** Files and chunks in the committed index. */
    files: number;
    chunks: number;
    /** Bytes the index takes on disk. */
    bytesOnDisk: number;
    /** While building: files looked at so far and the total found by the walk (total grows while walking). */
    progress?: { done: number; total: number };
    /** Where the index lives on disk (for the README's "where is my data" and Clear Index). */
    location: string;
    /** Another window owns the (shared) library index: this one only reads it. */
    readOnly?: boolean;
    /** Model id of the embedding vectors stored with the chunks, when there are any. */
    embeddingModel?: string;
    /** Chunks that still wait for their embedding vector. */
    pendingEmbeddings?: number;
    error?: string;
}

/** One chunk of a document, in document order (Summarise Document maps over these). */
export interface KnowledgeChunk {
    text: string;
    startLine: number;
    endLine: number;
    page?: number;
    heading?: string;
}

