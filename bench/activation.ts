/**
 * activation_ms: Hearth's activation as VS Code counts it, measured inside a real extension host: loading the
 * code (the host's own `willLoadExtensionCode` → `didLoadExtensionCode` marks around require() of dist/extension.js,
 * plus that file loading dist/hearth.js through V8's code cache) plus the body of activate() (HearthApi.activation).
 * The in-host test "activates and returns HearthApi" writes it to out/activation.json.
 *
 * The full bench starts a workbench on a fresh profile once (a first start after installing or updating Hearth:
 * the bundle compiles from source, and the code cache is written; `activation_first_ms`), then three more times on
 * that profile, as every later VS Code start is (`activation_ms`, the median, with the code cache state each run
 * found). --quick reports what the last in-host run wrote (npm test runs the in-host suite before the bench), and
 * nothing when that file is missing or older than the current bundles.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, log, median, REPO_ROOT, round, type BenchOptions, type StepOutput } from "./lib";

const WRITTEN = path.join(REPO_ROOT, "out", "activation.json");
const BUNDLES = ["extension.js", "hearth.js"].map((f) => path.join(REPO_ROOT, "dist", f));

interface Activation {
    activationMs: number;
    codeLoadMs: number;
    activateMs: number;
    /** src/activation/codeCache.ts's CodeCacheState; absent in measurements written before the code cache. */
    codeCache?: string;
    measuredAt: string;
}

function readWritten(): Activation | undefined {
    try {
        const value = JSON.parse(fs.readFileSync(WRITTEN, "utf8")) as Activation;
        return typeof value.activationMs === "number" ? value : undefined;
    } catch {
        return undefined;
    }
}

/** One workbench start: `firstStart` on a fresh profile (and waits for the code cache to be written), else on the last one's. */
function runHostActivationOnce(firstStart: boolean): Activation {
    const before = readWritten()?.measuredAt;
    const grep = firstStart ? "activates and returns HearthApi|writes a V8 code cache" : "activates and returns HearthApi";
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "test", "host", "runHostTests.mjs"), "--grep", grep], {
        cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20,
        env: { ...process.env, HEARTH_HOST_KEEP_PROFILE: firstStart ? "0" : "1" },
    });
    const written = readWritten();
    if (r.status !== 0) fs.writeFileSync(path.join(CACHE_DIR, "host-activation.log"), `${r.stdout ?? ""}\n${r.stderr ?? ""}`);
    if (!written || written.measuredAt === before) {
        throw new Error(`the in-host activation test wrote no new measurement (exit ${r.status}); see bench/.cache/host-activation.log`);
    }
    // The test writes its measurement before checking activate()'s own bound: a run that fails only that bound
    // (a loaded machine) still measured the activation, and the figure shows it against the goal.
    if (r.status !== 0) log(`  the in-host activation test failed after measuring (see bench/.cache/host-activation.log); its measurement is used`);
    return written;
}

function figures(a: Pick<Activation, "activationMs" | "codeLoadMs" | "activateMs">) {
    return {
        activation_ms: round(a.activationMs, 2),
        activation_code_load_ms: round(a.codeLoadMs, 2),
        activation_call_ms: round(a.activateMs, 2),
    };
}

export async function measureActivation(options: BenchOptions): Promise<StepOutput> {
    if (options.quick) {
        const written = readWritten();
        const bundleTime = Math.max(...BUNDLES.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : Infinity)));
        if (!written) return { results: {}, notes: { activation: "no in-host measurement yet (out/activation.json is written by the in-host suite)" } };
        if (Date.parse(written.measuredAt) < bundleTime) {
            return { results: {}, notes: { activation: `out/activation.json (${written.measuredAt}) is older than dist/extension.js or dist/hearth.js; run the in-host suite` } };
        }
        log(`  activation from out/activation.json (${written.measuredAt}, code cache: ${written.codeCache ?? "?"})`);
        return { results: { ...figures(written), activation_code_cache_hits: written.codeCache === "hit" ? 1 : 0, activation_runs: 1 } };
    }
    // The host suite runs compiled tests from out/; compile first (type errors elsewhere still emit).
    spawnSync("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT, stdio: "ignore", shell: process.platform === "win32" });
    const describe = (a: Activation) => `${a.activationMs.toFixed(1)} ms (code load ${a.codeLoadMs.toFixed(1)} ms, code cache ${a.codeCache ?? "?"})`;
    const first = runHostActivationOnce(true);
    log(`  in-host activation, first start on a fresh profile: ${describe(first)}`);
    const samples: Activation[] = [];
    for (let i = 0; i < 3; i++) {
        samples.push(runHostActivationOnce(false));
        log(`  in-host activation, later start ${i + 1}: ${describe(samples.at(-1)!)}`);
    }
    const pick = (f: (a: Activation) => number) => median(samples.map(f));
    const hits = samples.filter((a) => a.codeCache === "hit").length;
    const states = samples.map((a) => a.codeCache ?? "?").join(", ");
    return {
        results: {
            ...figures({ activationMs: pick((a) => a.activationMs), codeLoadMs: pick((a) => a.codeLoadMs), activateMs: pick((a) => a.activateMs) }),
            activation_runs: samples.length,
            activation_code_cache_hits: hits,
            activation_first_ms: round(first.activationMs, 2),
        },
        // A later start that did not find its cache compiled from source: the figure is not what it says, so say so.
        notes: hits === samples.length ? {} : { activation_code_cache: `later starts found the code cache as: ${states} (expected: hit)` },
    };
}
