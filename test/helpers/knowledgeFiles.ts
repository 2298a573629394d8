/** Temporary folders of files for the knowledge index tests. */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { KnowledgeIndex, type IndexConfig } from "../../src/core/knowledge/knowledgeIndex";

export async function tempDir(prefix: string): Promise<string> {
    return fs.mkdtemp(path.join(os.tmpdir(), `hearth-${prefix}-`));
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
    for (const [rel, content] of Object.entries(files)) {
        const file = path.join(root, rel);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, content);
    }
}

export function indexConfig(dir: string, root: string, extra: Partial<IndexConfig> = {}): IndexConfig {
    return {
        dir, roots: [{ fsPath: root, displayPrefix: "", exclude: [], extraExcludes: [] }],
        maxFileBytes: 1024 * 1024, maxDocumentBytes: 64 * 1024 * 1024, ...extra,
    };
}

export async function openIndex(config: IndexConfig): Promise<KnowledgeIndex> {
    const { index, notice } = await KnowledgeIndex.open(config);
    if (notice) throw new Error(`unexpected notice: ${notice.detail}`);
    return index;
}

/** Relative paths of every file in the index (via a search for a term every test file contains). */
export async function indexedPaths(index: KnowledgeIndex, term: string): Promise<string[]> {
    const hits = await index.search(term, 1000);
    return [...new Set(hits.map((h) => h.relativePath))].sort();
}
