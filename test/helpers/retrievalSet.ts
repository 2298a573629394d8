/**
 * The labelled retrieval set (test/retrieval): indexes its corpus with the product's KnowledgeIndex and measures
 * recall@5 — the share of questions for which a file that answers it is among the files of the 5 best chunks.
 * Used by the unit test (the goal) and by the benchmark (the figure in the README).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { KnowledgeIndex } from "../../src/core/knowledge/knowledgeIndex";
import { REPO_ROOT } from "./fixtures";

export const RETRIEVAL_DIR = path.join(REPO_ROOT, "test", "retrieval");
export const CORPUS_DIR = path.join(RETRIEVAL_DIR, "corpus");

export interface RetrievalQuestion {
    id: number;
    lang: "en" | "zh" | "code";
    question: string;
    answers: string[];
}

export interface RecallResult {
    recall: number;
    byLang: Record<string, { recall: number; questions: number }>;
    misses: { question: RetrievalQuestion; got: string[] }[];
    questions: number;
    files: number;
    searchMs: number[];
}

export async function loadQuestions(retrievalDir = RETRIEVAL_DIR): Promise<RetrievalQuestion[]> {
    const raw = JSON.parse(await fs.readFile(path.join(retrievalDir, "questions.json"), "utf8")) as { questions: RetrievalQuestion[] };
    return raw.questions;
}

/**
 * Builds an index of the corpus in a temporary folder (removed afterwards) and measures recall@k. `repoRoot`: the
 * benchmark passes its own (its bundle lives elsewhere than the compiled tests).
 */
export async function measureRecall(k = 5, repoRoot = REPO_ROOT): Promise<RecallResult> {
    const retrievalDir = path.join(repoRoot, "test", "retrieval");
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "hearth-recall-"));
    const { index } = await KnowledgeIndex.open({
        dir, roots: [{ fsPath: path.join(retrievalDir, "corpus"), displayPrefix: "", exclude: [], extraExcludes: [] }],
        maxFileBytes: 1 << 20, maxDocumentBytes: 1 << 26,
    });
    try {
        await index.sync();
        const questions = await loadQuestions(retrievalDir);
        const misses: RecallResult["misses"] = [];
        const byLang: Record<string, { found: number; questions: number }> = {};
        const searchMs: number[] = [];
        for (const question of questions) {
            const started = performance.now();
            const hits = await index.search(question.question, k);
            searchMs.push(performance.now() - started);
            const files = hits.map((h) => h.relativePath);
            const found = question.answers.some((a) => files.includes(a));
            const lang = (byLang[question.lang] ??= { found: 0, questions: 0 });
            lang.questions++;
            if (found) lang.found++;
            else misses.push({ question, got: files });
        }
        return {
            recall: (questions.length - misses.length) / questions.length,
            byLang: Object.fromEntries(Object.entries(byLang).map(([l, v]) => [l, { recall: v.found / v.questions, questions: v.questions }])),
            misses, questions: questions.length, files: index.fileCount, searchMs,
        };
    } finally {
        await index.close();
        await fs.rm(dir, { recursive: true, force: true });
    }
}
