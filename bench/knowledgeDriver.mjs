// Drives Hearth's real index worker (dist/knowledgeWorker.js, the bundle the extension ships) in a process of its
// own, as the extension host does, and prints one JSON line of measurements: full build of a folder (time, peak RSS
// of the whole process, the main thread's event-loop delay and utilisation while the worker builds), one saved file
// re-indexed (several files, median), and search latency. Used by bench/index.ts.
// Usage: node bench/knowledgeDriver.mjs <repoRoot> <folder> <indexDir> <queriesJson>
import { Worker } from "node:worker_threads";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import fs from "node:fs";
import path from "node:path";

const [repoRoot, folder, indexDir, queriesJson] = process.argv.slice(2);
const queries = JSON.parse(queriesJson);
const worker = new Worker(path.join(repoRoot, "dist", "knowledgeWorker.js"), { resourceLimits: { maxOldGenerationSizeMb: 2048 } });
let nextId = 1;
const pending = new Map();
worker.on("message", (m) => {
    if (m.type !== "response") return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
});
worker.on("error", (e) => { console.error(e); process.exit(1); });
const request = (req) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ type: "request", id, request: req });
});

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const config = { dir: indexDir, roots: [{ fsPath: folder, displayPrefix: "", exclude: [], extraExcludes: [] }], maxFileBytes: 1 << 20, maxDocumentBytes: 1 << 26 };

fs.rmSync(indexDir, { recursive: true, force: true });
await request({ type: "open", kind: "workspace", config });
const delay = monitorEventLoopDelay({ resolution: 10 });
const elu = performance.eventLoopUtilization();
delay.enable();
let t = performance.now();
let cpu = process.cpuUsage();
const built = await request({ type: "sync", kind: "workspace" });
const buildMs = performance.now() - t;
// CPU time of the whole process (the main thread idles): robust against other load on a shared machine.
const buildCpuMs = ((c) => (c.user + c.system) / 1000)(process.cpuUsage(cpu));
delay.disable();
const mainThreadBusy = performance.eventLoopUtilization(elu).utilization;
// Peak RSS up to the end of the build (the process's high-water mark; reopening is measured on its own below).
const buildPeakRssMb = process.resourceUsage().maxRSS / 1024;

// One saved file at a time: change a few files and re-index each (what the file watcher sends after a save).
const files = fs.readdirSync(folder, { recursive: true }).filter((f) => /\.(md|ts)$/.test(f)).sort();
const updates = [];
for (let i = 0; i < 7; i++) {
    const file = path.join(folder, files[(i * 7919) % files.length]);
    fs.appendFileSync(file, `\n\nEdited in the benchmark, round ${i}: a freshly saved paragraph about lighthouses.\n`);
    t = performance.now();
    const r = await request({ type: "update", kind: "workspace", paths: [file] });
    updates.push(performance.now() - t);
    if (r.indexed !== 1) throw new Error(`update indexed ${r.indexed} files`);
}

const searches = [];
const searchesCpu = [];
for (const query of queries) {
    t = performance.now();
    cpu = process.cpuUsage();
    await request({ type: "search", kind: "workspace", query, limit: 8 });
    searches.push(performance.now() - t);
    const c = process.cpuUsage(cpu);
    searchesCpu.push((c.user + c.system) / 1000);
}
// Reopening the index (what a window restart costs before the first search).
await request({ type: "close", kind: "workspace" });
t = performance.now();
cpu = process.cpuUsage();
await request({ type: "open", kind: "workspace", config });
const reopenMs = performance.now() - t;
const reopenCpuMs = ((c) => (c.user + c.system) / 1000)(process.cpuUsage(cpu));
await request({ type: "close", kind: "workspace" });
const bytesOnDisk = fs.readdirSync(indexDir).reduce((n, f) => n + fs.statSync(path.join(indexDir, f)).size, 0);
await worker.terminate();
console.log(JSON.stringify({
    files: built.info.files, chunks: built.info.chunks, buildMs, buildCpuMs, reopenMs, reopenCpuMs, searchP50CpuMs: median(searchesCpu),
    peakRssMb: buildPeakRssMb, finalPeakRssMb: process.resourceUsage().maxRSS / 1024,
    mainThreadMaxDelayMs: delay.max / 1e6, mainThreadBusy, updateMs: median(updates), searchP50Ms: median(searches),
    searchP95Ms: [...searches].sort((a, b) => a - b)[Math.floor(searches.length * 0.95)], bytesOnDisk,
}));
