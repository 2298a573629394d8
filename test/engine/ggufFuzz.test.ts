/**
 * Hostile model files (issue 15): a seeded fuzz run of mutated GGUF headers — real fixture headers and generated
 * ones, with counts, lengths, value types, offsets, string lengths and tensor dimensions set to hostile values, bytes
 * flipped, files cut short, entries duplicated or dropped — through the engine's pre-load checks, then a sample
 * through the real engine process. Every case ends within its time limit; the checks either accept a file or refuse
 * it with an EngineError naming it (never a stray exception, a hang or a dead process); the engine refuses a file,
 * loads it, or dies and restarts cleanly, and a good model loads afterwards.
 *
 * Reproduce or extend: HEARTH_FUZZ_SEED (default 1500) and HEARTH_FUZZ_CASES (default 500); case N is seed N.
 */
import * as assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { EngineError } from "../../src/protocol/engineProtocol";
import { testLoadParams } from "../helpers/embedded";
import { ENGINE_PATH, fixture, REPO_ROOT } from "../helpers/fixtures";
import type { FuzzAnswer } from "../helpers/ggufFuzzChild";
import { mapGgufFields, mutateGguf, seededRandom, type GgufMap } from "../helpers/ggufMutate";
import { ensureRandomGguf, gguf, type RandomGgufSpec } from "../helpers/ggufWriter";

const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 1500);
const CASES = Number(process.env.HEARTH_FUZZ_CASES ?? 500);
/** Per case: the pre-load checks (a 32k-token vocabulary takes ~0.5 s on a busy 2-core machine). */
const CHECK_LIMIT_MS = 3000;
/** Per case through the engine, including a restart after a crash. */
const ENGINE_LIMIT_MS = 30_000;
const ENGINE_SAMPLE = 24;
const CACHE_DIR = path.join(REPO_ROOT, ".cache", "test-models");
const CHILD = path.join(__dirname, "..", "helpers", "ggufFuzzChild.js");

const tiny = { layers: 1, embedding: 32, heads: 2, feedForward: 64, contextLength: 256, vocab: { kind: "synthetic" } } as const;
const GENERATED: RandomGgufSpec[] = [
    { ...tiny, name: "fuzz-f32", tensorType: "F32", seed: 1 },
    {
        ...tiny, name: "fuzz-q8-template", tensorType: "Q8_0", fim: "append", seed: 2,
        chatTemplate: "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}",
        extraMetadata: {
            "fuzz.u8": { type: "uint8", value: 7 }, "fuzz.i8": { type: "int8", value: -3 },
            "fuzz.u16": { type: "uint16", value: 300 }, "fuzz.i16": { type: "int16", value: -300 },
            "fuzz.u64": { type: "uint64", value: 1n << 40n }, "fuzz.i64": { type: "int64", value: -5n },
            "fuzz.f64": { type: "float64", value: 0.5 }, "fuzz.flag": gguf.bool(true),
            "fuzz.u64s": { type: "array", itemType: "uint64", values: [1n, 2n, 3n] },
            "fuzz.bools": { type: "array", itemType: "bool", values: [true, false] },
            "fuzz.names": gguf.strings(["alpha", "beta", "gamma"]),
        },
    },
    { ...tiny, name: "fuzz-qwen2-f16", architecture: "qwen2", tensorType: "F16", alignment: 64, tieEmbeddings: true, seed: 3 },
];

interface Base {
    name: string;
    bytes: Buffer;
    map: GgufMap;
}

interface CaseRecord {
    seed: number;
    base: string;
    description: string;
    file: string;
    answer: FuzzAnswer | { outcome: "timeout" | "checkerDied"; ms: number; message?: string };
}

/** The pre-load checks in a child process, one file at a time, each under the limit. */
class Checker {
    private child: ChildProcess | undefined;
    restarts = 0;

    private async start(): Promise<ChildProcess> {
        const child = fork(CHILD, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
        await new Promise<void>((resolve, reject) => {
            child.once("message", () => resolve());
            child.once("exit", (code) => reject(new Error(`the fuzz checker exited with ${code} before it was ready`)));
        });
        return child;
    }

    async check(id: number, file: string): Promise<CaseRecord["answer"]> {
        this.child ??= await this.start();
        const child = this.child;
        const started = performance.now();
        return new Promise((resolve) => {
            const done = (answer: CaseRecord["answer"]) => {
                clearTimeout(timer);
                child.off("message", onMessage);
                child.off("exit", onExit);
                resolve(answer);
            };
            const onMessage = (m: FuzzAnswer) => { if (m.id === id) done(m); };
            const onExit = (code: number | null, signal: string | null) => {
                this.child = undefined;
                this.restarts++;
                done({ outcome: "checkerDied", ms: performance.now() - started, message: `exit ${code ?? signal}` });
            };
            const timer = setTimeout(() => {
                child.off("exit", onExit);
                child.kill("SIGKILL");
                this.child = undefined;
                this.restarts++;
                done({ outcome: "timeout", ms: performance.now() - started });
            }, CHECK_LIMIT_MS);
            child.on("message", onMessage);
            child.once("exit", onExit);
            child.send({ id, file });
        });
    }

    dispose(): void {
        this.child?.kill();
    }
}

describe("hostile model files: fuzzed GGUF headers", function () {
    this.timeout(600_000);
    let dir: string;
    let bases: Base[];
    const records: CaseRecord[] = [];

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-fuzz-"));
        const generated = await Promise.all(GENERATED.map((spec) => ensureRandomGguf(CACHE_DIR, spec)));
        const files = [
            ...generated.map((g) => g.path),
            fixture("stories260K.gguf"), fixture("stories260K-chat-fim.derived.gguf"),
            fixture("llama-2-tiny-random.gguf"), fixture("vocab/ggml-vocab-starcoder.gguf"),
        ];
        bases = files.map((file) => {
            const bytes = fs.readFileSync(file);
            return { name: path.basename(file), bytes, map: mapGgufFields(bytes) };
        });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Small generated headers most of the time, the real fixtures often, the 32k-token vocabularies now and then. */
    function pickBase(rng: () => number): Base {
        const r = rng();
        if (r < 0.55) return bases[Math.floor(rng() * 3)]!;
        if (r < 0.92) return bases[3 + Math.floor(rng() * 2)]!;
        return bases[5 + Math.floor(rng() * 2)]!;
    }

    it(`${CASES} seeded mutations through the pre-load checks: each accepted or refused by name within ${CHECK_LIMIT_MS / 1000} s`, async () => {
        const checker = new Checker();
        const started = performance.now();
        try {
            for (let i = 0; i < CASES; i++) {
                const seed = SEED + i;
                const rng = seededRandom(seed);
                const base = pickBase(rng);
                const mutation = mutateGguf(base.bytes, base.map, rng);
                const file = path.join(dir, `case-${seed}.gguf`);
                fs.writeFileSync(file, mutation.bytes);
                records.push({ seed, base: base.name, description: mutation.description, file, answer: await checker.check(seed, file) });
            }
        } finally {
            checker.dispose();
        }
        const seconds = (performance.now() - started) / 1000;
        const count = (o: string) => records.filter((r) => r.answer.outcome === o).length;
        const slowest = records.reduce((a, b) => (b.answer.ms > a.answer.ms ? b : a));
        console.log(`      ${CASES} cases (seeds ${SEED}-${SEED + CASES - 1}) in ${seconds.toFixed(1)} s: ${count("refused")} refused, `
            + `${count("accepted")} accepted; slowest ${slowest.answer.ms.toFixed(0)} ms (seed ${slowest.seed}, ${slowest.base})`);

        const bad = records.filter((r) => r.answer.outcome !== "accepted" && r.answer.outcome !== "refused");
        assert.deepEqual(bad.map((r) => `seed ${r.seed} (${r.base}: ${r.description}): ${r.answer.outcome} ${r.answer.message ?? ""}`), [],
            "cases that hung, killed the checker or threw something other than an EngineError");
        for (const r of records) {
            if (r.answer.outcome !== "refused") continue;
            const a = r.answer as FuzzAnswer;
            assert.ok(a.code === "badModel" || a.code === "modelTooLarge", `seed ${r.seed}: refused with ${a.code}: ${a.message}`);
            assert.ok(a.message?.includes(path.basename(r.file)), `seed ${r.seed}: the message does not name the file: ${a.message}`);
        }
        // A fuzz run that mutates nothing that matters, or breaks every file, proves little.
        assert.ok(count("refused") >= CASES * 0.5 && count("accepted") >= 10, `refused ${count("refused")}, accepted ${count("accepted")}`);
    });

    it(`a sample of ${ENGINE_SAMPLE} through the real engine: refused, loaded, or a crash and a clean restart`, async () => {
        assert.ok(records.length > 0, "the fuzz run did not run");
        const accepted = records.filter((r) => r.answer.outcome === "accepted");
        const refused = records.filter((r) => r.answer.outcome === "refused");
        // Evenly spread over the run: n of each (or all of them when there are fewer).
        const every = <T>(list: T[], n: number) => list.length <= n ? list : Array.from({ length: n }, (_, i) => list[Math.floor(i * list.length / n)]!);
        const sample = [...every(accepted, ENGINE_SAMPLE / 2), ...every(refused, ENGINE_SAMPLE / 2)];
        const engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined, maxCrashes: 1000 });
        const tally = { loaded: 0, refused: 0, crashedAndRestarted: 0 };
        try {
            for (const r of sample) {
                const started = performance.now();
                const outcome = await withLimit(engineCase(engine, r), ENGINE_LIMIT_MS, `seed ${r.seed} through the engine`);
                tally[outcome]++;
                const ms = performance.now() - started;
                assert.ok(ms < ENGINE_LIMIT_MS, `seed ${r.seed} took ${ms.toFixed(0)} ms`);
            }
            // After all of it the engine still loads and runs a good model.
            await engine.request("loadModel", testLoadParams(fixture("stories260K.gguf"), 512));
            const r = await engine.request("complete", { sequence: "completion", prompt: "Once upon a time", maxTokens: 4 });
            assert.ok(r.tokens > 0);
        } finally {
            engine.dispose();
        }
        console.log(`      through the engine: ${tally.loaded} loaded, ${tally.refused} refused, ${tally.crashedAndRestarted} crashed and restarted`);
    });
});

/** One fuzz case through the engine: load it (and generate a little if it loads). */
async function engineCase(engine: EngineProcess, r: CaseRecord): Promise<"loaded" | "refused" | "crashedAndRestarted"> {
    const pidBefore = engine.pid;
    try {
        await engine.request("loadModel", testLoadParams(r.file, 256));
        await engine.request("complete", { sequence: "completion", prompt: "Once", maxTokens: 2 });
        return "loaded";
    } catch (err) {
        assert.ok(err instanceof EngineError, `seed ${r.seed}: ${String(err)}`);
        if (err.code === "engineCrashed") {
            // The next request restarts the engine, which answers.
            const stats = await engine.request("stats", {});
            assert.ok(stats.pid !== pidBefore, `seed ${r.seed}: the engine was not restarted`);
            return "crashedAndRestarted";
        }
        assert.ok(["badModel", "modelTooLarge", "badRequest"].includes(err.code), `seed ${r.seed} (${r.description}): ${err.code}: ${err.message}`);
        if (r.answer.outcome === "refused") {
            // The engine runs the same checks: it says the same thing the checks said in the fuzz run.
            assert.equal(err.message, (r.answer as FuzzAnswer).message, `seed ${r.seed}: the engine and the checks disagree`);
        }
        return "refused";
    }
}

async function withLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms); })]);
    } finally {
        clearTimeout(timer);
    }
}
