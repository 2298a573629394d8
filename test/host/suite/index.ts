/**
 * Entry point that VS Code's extension host loads (extensionTestsPath): runs every *.test.js in this folder with
 * mocha, inside the extension host, and rejects when a test fails (the launcher turns that into a non-zero exit).
 * Feature engineers add test/host/suite/<feature>.test.ts; nothing needs registering here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

interface Outcome {
    title: string;
    state: "passed" | "failed" | "pending";
    ms?: number;
    error?: string;
}

export async function run(): Promise<void> {
    const mocha = new Mocha({
        ui: "bdd",
        color: false,
        reporter: "spec",
        timeout: 60_000,
        // Set by test/host/runHostTests.mjs --grep <regexp>.
        ...(process.env.HEARTH_HOST_GREP ? { grep: process.env.HEARTH_HOST_GREP } : {}),
        // runHostTests.mjs runs the Restricted Mode tests in a window of their own and leaves them out of the main one.
        ...(process.env.HEARTH_HOST_GREP_INVERT ? { invert: true } : {}),
    });
    const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort();
    for (const file of files) mocha.addFile(path.join(__dirname, file));
    console.log(`[hearth host tests] ${files.length} file(s): ${files.join(", ")}`);

    const outcomes: Outcome[] = [];
    const failures = await new Promise<number>((resolve, reject) => {
        try {
            const runner = mocha.run(resolve);
            runner.on("pass", (t) => outcomes.push({ title: t.fullTitle(), state: "passed", ms: t.duration }));
            runner.on("pending", (t) => outcomes.push({ title: t.fullTitle(), state: "pending" }));
            runner.on("fail", (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: "failed", error: err?.message }));
        } catch (err) {
            reject(err);
        }
    });
    printSummary(outcomes);
    if (failures > 0) throw new Error(`${failures} in-host test(s) failed`);
    if (!outcomes.some((o) => o.state === "passed")) throw new Error("no in-host test ran (check --grep and the suite folder)");
}

/** One block that is easy to find in CI logs, whatever the reporter printed before it. */
function printSummary(outcomes: Outcome[]): void {
    const count = (s: Outcome["state"]) => outcomes.filter((o) => o.state === s).length;
    const lines = ["", "=== Hearth in-host tests: summary"];
    for (const o of outcomes) {
        const mark = o.state === "passed" ? "PASS" : o.state === "failed" ? "FAIL" : "SKIP";
        lines.push(`${mark}  ${o.title}${o.ms !== undefined ? ` (${o.ms} ms)` : ""}${o.error ? `\n        ${o.error.split("\n")[0]}` : ""}`);
    }
    lines.push(`=== ${count("passed")} passed, ${count("failed")} failed, ${count("pending")} pending`);
    console.log(lines.join("\n"));
}
