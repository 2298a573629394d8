/**
 * The knowledge index (issue 10): build speed and peak memory on a generated 5,000-file workspace (1,000 with
 * --quick), the cost of re-indexing one saved file against the full build, search latency, and lexical recall@5 on
 * the labelled set in test/retrieval. The build runs in Hearth's own worker bundle inside a separate process
 * (bench/knowledgeDriver.mjs), so its peak RSS is the indexing alone plus one idle Node main thread.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { measureRecall } from "../test/helpers/retrievalSet";
import { measureHybrid } from "./indexHybrid";
import { CACHE_DIR, log, REPO_ROOT, round, type BenchOptions } from "./lib";

/**
 * Text statistics of real writing: words are drawn with the frequencies they have in the English books of the
 * labelled set (test/retrieval/corpus/en), Chinese passages are cut from its Chinese texts. A workspace of random
 * words from a tiny vocabulary would make every term match every file, which real notes never do.
 */
interface Vocabulary {
    words: string[];
    cumulative: number[];
    chinese: string;
}

function loadVocabulary(): Vocabulary {
    const corpus = path.join(REPO_ROOT, "test", "retrieval", "corpus");
    const read = (dir: string): string => fs.readdirSync(path.join(corpus, dir), { recursive: true })
        .map((f) => path.join(corpus, dir, String(f))).filter((f) => fs.statSync(f).isFile()).map((f) => fs.readFileSync(f, "utf8")).join("\n");
    const counts = new Map<string, number>();
    for (const word of read("en").toLowerCase().match(/[a-z]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    let total = 0;
    const cumulative = sorted.map(([, n]) => (total += n));
    return { words: sorted.map(([w]) => w), cumulative: cumulative.map((c) => c / total), chinese: read("zh").replace(/\s+/g, "") };
}

let vocabulary: Vocabulary | undefined;

function word(rnd: () => number): string {
    const v = (vocabulary ??= loadVocabulary());
    const x = rnd();
    let lo = 0;
    let hi = v.cumulative.length - 1;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v.cumulative[mid]! < x) lo = mid + 1;
        else hi = mid;
    }
    return v.words[lo]!;
}

function chinese(rnd: () => number, length: number): string {
    const text = (vocabulary ??= loadVocabulary()).chinese;
    const start = Math.floor(rnd() * (text.length - length));
    return text.slice(start, start + length);
}

/** Deterministic pseudo-random numbers (mulberry32), so every run indexes the same workspace. */
function random(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function sentence(rnd: () => number, n: number): string {
    return Array.from({ length: n }, () => word(rnd)).join(" ");
}

function identifier(rnd: () => number): string {
    return word(rnd) + word(rnd).replace(/^./, (c) => c.toUpperCase());
}

function proseFile(rnd: () => number, i: number): string {
    const parts = [`# Note ${i}: ${sentence(rnd, 4)}`];
    const sections = 3 + Math.floor(rnd() * 6);
    for (let s = 0; s < sections; s++) {
        parts.push(`## ${sentence(rnd, 3)}`);
        for (let p = 0; p < 2 + Math.floor(rnd() * 3); p++) {
            if (rnd() < 0.15) parts.push(chinese(rnd, 60 + Math.floor(rnd() * 80)));
            else parts.push(`${sentence(rnd, 40 + Math.floor(rnd() * 60))}.`);
        }
    }
    return parts.join("\n\n");
}

function codeFile(rnd: () => number, i: number): string {
    const parts = [`import { ${identifier(rnd)} } from "./${word(rnd)}";`];
    for (let f = 0; f < 4 + Math.floor(rnd() * 8); f++) {
        const name = `${identifier(rnd)}${i}`;
        const body = Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => `    const ${word(rnd)}_${word(rnd)} = ${identifier(rnd)}(input, "${sentence(rnd, 3)}");`);
        parts.push(`/** ${sentence(rnd, 10)} */\nexport function ${name}(input: string): string {\n${body.join("\n")}\n    return input;\n}`);
    }
    return parts.join("\n\n");
}

/** Writes the generated workspace once (kept in bench/.cache, keyed by its size). */
export function ensureWorkspace(files: number): string {
    const dir = path.join(CACHE_DIR, `knowledge-workspace-${files}-v2`);
    if (fs.existsSync(path.join(dir, ".complete"))) return dir;
    fs.rmSync(dir, { recursive: true, force: true });
    const rnd = random(files);
    for (let i = 0; i < files; i++) {
        const sub = path.join(dir, `area-${i % 25}`, `topic-${Math.floor(i / 25) % 8}`);
        fs.mkdirSync(sub, { recursive: true });
        const code = i % 5 < 2;
        fs.writeFileSync(path.join(sub, code ? `module${i}.ts` : `note${i}.md`), code ? codeFile(rnd, i) : proseFile(rnd, i));
    }
    fs.writeFileSync(path.join(dir, ".complete"), "");
    return dir;
}

export async function measureKnowledgeIndex(options: BenchOptions): Promise<Record<string, number>> {
    const files = options.quick ? 1000 : 5000;
    const workspace = ensureWorkspace(files);
    const bytes = fs.readdirSync(workspace, { recursive: true }).map((f) => path.join(workspace, String(f)))
        .filter((f) => fs.statSync(f).isFile()).reduce((n, f) => n + fs.statSync(f).size, 0);
    log(`  workspace: ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    const rnd = random(7);
    // Questions like people type them: a few content words (and every fourth one in Chinese).
    const queries = Array.from({ length: 60 }, (_, i) => (i % 4 === 3 ? chinese(rnd, 8) : `what does ${sentence(rnd, 2 + (i % 3))} say about ${identifier(rnd)}`));
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, "bench", "knowledgeDriver.mjs"), REPO_ROOT, workspace, path.join(CACHE_DIR, "knowledge-index"), JSON.stringify(queries)], {
        encoding: "utf8", timeout: 900_000, maxBuffer: 16 << 20,
    });
    if (run.status !== 0) throw new Error(`knowledgeDriver failed (${run.status}): ${run.stderr.slice(-2000)}`);
    const d = JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, number>;
    log(`  build ${d.files} files / ${d.chunks} chunks in ${(d.buildMs! / 1000).toFixed(1)} s, peak RSS ${d.peakRssMb!.toFixed(0)} MiB (CPU ${(d.buildCpuMs! / 1000).toFixed(1)} s); reopen ${d.reopenMs!.toFixed(0)} ms (CPU ${d.reopenCpuMs!.toFixed(0)} ms); update ${d.updateMs!.toFixed(1)} ms; search p50 ${d.searchP50Ms!.toFixed(1)} ms`);
    const recall = await measureRecall(5, REPO_ROOT);
    log(`  recall@5 (lexical) ${recall.recall.toFixed(3)} over ${recall.questions} questions, ${recall.files} files`);
    let hybrid: Record<string, number> = {};
    try {
        hybrid = await measureHybrid(options);
    } catch (err) {
        // The lexical figures above stay; the missing embed_* / recall_at_5_hybrid keys show this failed.
        log(`  EMBEDDINGS FAILED (no embed_tokens_per_s, recall_at_5_hybrid): ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
    return {
        index_build_files: d.files!,
        index_build_chunks: d.chunks!,
        index_build_mib: round(bytes / 2 ** 20, 1),
        index_build_files_per_s: round(d.files! / (d.buildMs! / 1000), 1),
        index_build_cpu_s: round(d.buildCpuMs! / 1000, 1),
        index_reopen_ms: round(d.reopenMs!, 0),
        index_reopen_cpu_ms: round(d.reopenCpuMs!, 0),
        index_peak_rss_with_reopen_mb: round(d.finalPeakRssMb!, 0),
        index_build_peak_rss_mb: round(d.peakRssMb!, 0),
        index_build_main_thread_max_delay_ms: round(d.mainThreadMaxDelayMs!, 1),
        index_build_main_thread_busy: round(d.mainThreadBusy!, 3),
        index_disk_mb: round(d.bytesOnDisk! / 2 ** 20, 1),
        index_update_ms: round(d.updateMs!, 1),
        index_update_ratio: round(d.updateMs! / d.buildMs!, 4),
        retrieval_p50_ms: round(d.searchP50Ms!, 1),
        retrieval_p95_ms: round(d.searchP95Ms!, 1),
        retrieval_p50_cpu_ms: round(d.searchP50CpuMs!, 1),
        recall_at_5_lexical: round(recall.recall, 3),
        recall_questions: recall.questions,
        ...hybrid,
    };
}
