#!/usr/bin/env node
// Checks that the npm registry serves every @node-llama-cpp/<platform> binary package Hearth ships or installs on
// demand, at the pinned node-llama-cpp version (3.22.1's macOS/Windows packages were missing from the registry
// reachable here, which is why 3.21.1 is pinned). Run before bumping node-llama-cpp: `npm run check:binaries`.
//
// Exit codes: 0 all available; 1 some package/version is missing (the registry answered); 2 registry unreachable.
// `--json` prints { version, available: [], missing: [], unreachable: [] } for the package tests, which skip
// (rather than fail) when the registry cannot be reached, so `npm test` stays deterministic offline.
import { spawn } from "node:child_process";
import { NODE_LLAMA_CPP_VERSION, allBinaryPackageNames } from "./package-targets.mjs";

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|socket hang up|network/i;

function npmView(spec) {
    return new Promise((resolve) => {
        const child = spawn("npm", ["view", spec, "version", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout: stdout.trim(), stderr });
        });
        child.on("error", (err) => resolve({ code: -1, stdout: "", stderr: err.message }));
    });
}

export async function checkBinaryPackages(version = NODE_LLAMA_CPP_VERSION) {
    const result = { version, available: [], missing: [], unreachable: [] };
    await Promise.all(allBinaryPackageNames().map(async (name) => {
        const spec = `@node-llama-cpp/${name}@${version}`;
        const r = await npmView(spec);
        let published;
        try {
            published = r.stdout ? JSON.parse(r.stdout) : undefined;
        } catch {
            published = undefined;
        }
        if (r.code === 0 && published === version) result.available.push(name);
        else if (/E404|404 Not Found|No match found/i.test(r.stderr) || r.code === 0) result.missing.push(name);
        else if (NETWORK_ERROR.test(r.stderr) || r.code === null) result.unreachable.push(name);
        else result.missing.push(name);
    }));
    for (const list of [result.available, result.missing, result.unreachable]) list.sort();
    return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const result = await checkBinaryPackages(process.argv.find((a) => /^\d+\.\d+\.\d+/.test(a)));
    if (process.argv.includes("--json")) {
        console.log(JSON.stringify(result));
    } else {
        console.log(`node-llama-cpp ${result.version}: ${result.available.length} binary packages available`);
        if (result.missing.length) console.log(`MISSING from the registry: ${result.missing.join(", ")}`);
        if (result.unreachable.length) console.log(`registry unreachable for: ${result.unreachable.join(", ")}`);
    }
    process.exit(result.missing.length ? 1 : result.unreachable.length ? 2 : 0);
}
