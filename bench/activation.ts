/**
 * activation_ms: Hearth's activation as VS Code counts it, measured inside a real extension host: loading the
 * bundle (the host's own `willLoadExtensionCode` → `didLoadExtensionCode` marks around require()) plus the body of
 * activate() (HearthApi.activation). The in-host test "activates and returns HearthApi" writes it to
 * out/activation.json. The full bench runs that test three times (a fresh workbench each time) and takes the
 * median; --quick reports what the last in-host run wrote (npm test runs the in-host suite before the bench),
 * and nothing when that file is missing or older than the current dist/extension.js.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, log, median, REPO_ROOT, round, type BenchOptions, type StepOutput } from "./lib";

const WRITTEN = path.join(REPO_ROOT, "out", "activation.json");
const BUNDLE = path.join(REPO_ROOT, "dist", "extension.js");

interface Activation {
    activationMs: number;
    codeLoadMs: number;
    activateMs: number;
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

function runHostActivationOnce(): Activation {
    const before = readWritten()?.measuredAt;
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "test", "host", "runHostTests.mjs"), "--grep", "activates and returns HearthApi"], {
        cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20,
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
        const bundleTime = fs.existsSync(BUNDLE) ? fs.statSync(BUNDLE).mtimeMs : Infinity;
        if (!written) return { results: {}, notes: { activation: "no in-host measurement yet (out/activation.json is written by the in-host suite)" } };
        if (Date.parse(written.measuredAt) < bundleTime) {
            return { results: {}, notes: { activation: `out/activation.json (${written.measuredAt}) is older than dist/extension.js; run the in-host suite` } };
        }
        log(`  activation from out/activation.json (${written.measuredAt})`);
        return { results: figures(written) };
    }
    // The host suite runs compiled tests from out/; compile first (type errors elsewhere still emit).
    spawnSync("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT, stdio: "ignore", shell: process.platform === "win32" });
    const samples: Activation[] = [];
    for (let i = 0; i < 3; i++) {
        samples.push(runHostActivationOnce());
        log(`  in-host activation run ${i + 1}: ${samples.at(-1)!.activationMs.toFixed(1)} ms (bundle load ${samples.at(-1)!.codeLoadMs} ms)`);
    }
    const pick = (f: (a: Activation) => number) => median(samples.map(f));
    return {
        results: {
            ...figures({ activationMs: pick((a) => a.activationMs), codeLoadMs: pick((a) => a.codeLoadMs), activateMs: pick((a) => a.activateMs) }),
            activation_runs: samples.length,
        },
    };
}
