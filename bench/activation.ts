/**
 * 5. activation_ms: Hearth's activation time measured inside a real extension host (HearthApi.activationMs, which
 * activate() measures around its own body). The in-host suite (npm run test:host, code-server workbench) prints
 * "Hearth activationMs = N ms"; the full bench runs that one test a few times (fresh workbench each time) and takes
 * the median. --quick does not start a workbench: it records the last measured value if there is one
 * (out/activation.json, written by an in-host run, or the full bench's own bench/.cache/activation.json).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE_DIR, log, median, REPO_ROOT, round, type BenchOptions } from "./lib";

const SAVED = [path.join(REPO_ROOT, "out", "activation.json"), path.join(CACHE_DIR, "activation.json")];

interface SavedActivation {
    activationMs: number;
    measuredAt?: string;
}

function readSaved(): { value: SavedActivation; file: string } | undefined {
    const found = SAVED.filter((f) => fs.existsSync(f))
        .map((file) => ({ file, value: JSON.parse(fs.readFileSync(file, "utf8")) as SavedActivation, mtime: fs.statSync(file).mtimeMs }))
        .filter((s) => typeof s.value.activationMs === "number")
        .sort((a, b) => b.mtime - a.mtime);
    return found[0];
}

function runHostActivationOnce(): number {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "test", "host", "runHostTests.mjs"), "--grep", "activates and returns HearthApi"], {
        cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20,
    });
    const output = `${r.stdout ?? ""}\n${r.stderr ?? ""}`;
    const m = /activationMs = ([\d.]+) ms/.exec(output);
    if (!m) {
        fs.writeFileSync(path.join(CACHE_DIR, "host-activation.log"), output);
        throw new Error(`the in-host suite printed no activation time (exit ${r.status}); see bench/.cache/host-activation.log`);
    }
    return Number(m[1]);
}

export async function measureActivation(options: BenchOptions): Promise<Record<string, number>> {
    if (options.quick) {
        const saved = readSaved();
        if (!saved) {
            log("  activation_ms: no saved in-host measurement (run the full bench or npm run test:host); omitted");
            return {};
        }
        log(`  activation_ms from ${path.relative(REPO_ROOT, saved.file)} (${saved.value.measuredAt ?? "undated"})`);
        return { activation_ms: round(saved.value.activationMs, 2) };
    }
    // The host suite runs compiled tests from out/; compile first (type errors elsewhere still emit).
    spawnSync("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT, stdio: "ignore", shell: process.platform === "win32" });
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
        samples.push(runHostActivationOnce());
        log(`  in-host activation run ${i + 1}: ${samples.at(-1)} ms`);
    }
    const value = median(samples);
    fs.writeFileSync(path.join(CACHE_DIR, "activation.json"),
        JSON.stringify({ activationMs: value, samples, measuredAt: new Date().toISOString() }, null, 2));
    return { activation_ms: round(value, 2), activation_runs: samples.length };
}
