/**
 * A model's chat template is code from an untrusted file. node-llama-cpp renders it (Jinja, in the engine's only
 * thread) when a model loads and on every chat turn, so a template that loops for ever, recurses, or builds a
 * gigantic string would hang the engine; Jinja has no way in to the process (no Python objects behind `__class__` or
 * `__globals__`, no JS objects behind `constructor`), but that is the renderer's promise, not ours. Before the
 * template is used it is rendered in a worker thread on sample conversations under a time limit and a small heap;
 * a template that is too big, runs too long, runs out of memory or writes too much is not used: the model gets a
 * chat format chosen without it, and the user a warning.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { TemplateCheckInput, TemplateCheckReport } from "./chatTemplateWorker";

/** Real templates are at most ~17 KB (69 templates of current models in llama.cpp's repository, measured). */
export const MAX_TEMPLATE_CHARS = 256 * 1024;
/** Real templates render these conversations in a few ms; worker start-up is ~50 ms. */
export const TEMPLATE_CHECK_TIMEOUT_MS = 3000;
const MAX_OUTPUT_CHARS = 1024 * 1024;

export type TemplateVerdict = { ok: true } | { ok: false; reason: string };

/** The worker's bundle sits next to the engine's (dist/chatTemplateWorker.mjs). */
export function templateWorkerPath(): string {
    return path.join(path.dirname(process.argv[1] ?? ""), "chatTemplateWorker.mjs");
}

export async function checkChatTemplate(
    template: string,
    tokens: { bos: string; eos: string },
    options: { timeoutMs?: number; workerPath?: string } = {},
): Promise<TemplateVerdict> {
    if (template.length > MAX_TEMPLATE_CHARS) {
        return { ok: false, reason: `it is ${Math.round(template.length / 1024)} KB long (real ones are under 20 KB)` };
    }
    const workerPath = options.workerPath ?? templateWorkerPath();
    if (!fs.existsSync(workerPath)) return { ok: false, reason: `its checker is missing (${workerPath}); reinstall Hearth` };
    const timeoutMs = options.timeoutMs ?? TEMPLATE_CHECK_TIMEOUT_MS;
    const input: TemplateCheckInput = { template, bosToken: tokens.bos, eosToken: tokens.eos, maxOutputChars: MAX_OUTPUT_CHARS };
    const worker = new Worker(workerPath, {
        workerData: input,
        resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
        stdout: true,
        stderr: true,
    });
    return new Promise<TemplateVerdict>((resolve) => {
        const finish = (verdict: TemplateVerdict) => {
            clearTimeout(timer);
            worker.removeAllListeners();
            worker.on("error", () => undefined);
            void worker.terminate();
            resolve(verdict);
        };
        const timer = setTimeout(() => finish({ ok: false, reason: `rendering it took longer than ${timeoutMs / 1000} s` }), timeoutMs);
        worker.on("message", (report: TemplateCheckReport) => {
            if (report.kind === "rendered") finish({ ok: true });
            else if (report.kind === "hugeOutput") finish({ ok: false, reason: `it writes ${Math.round(report.chars / 1024 / 1024)} MB for a short conversation` });
            // A template the JS renderer cannot parse would go to node-llama-cpp's native renderer, which this check
            // cannot stop in time: it is not used either.
            else finish({ ok: false, reason: `it cannot be parsed (${report.message.slice(0, 200)})` });
        });
        worker.on("error", (err) => {
            const outOfMemory = (err as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
            finish({ ok: false, reason: outOfMemory ? "rendering it ran out of memory" : `rendering it failed (${err.message.slice(0, 200)})` });
        });
        worker.on("exit", (code) => finish({ ok: false, reason: `its check stopped unexpectedly (exit ${code})` }));
    });
}
