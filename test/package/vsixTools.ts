/** Helpers for the VSIX tests: unpack a .vsix, list its files, read the packaging table from scripts/. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/fixtures";

/** Extracts a VSIX (a zip) with `unzip`, or Python's zipfile where unzip is not installed. */
export function unzip(archive: string, into: string): void {
    const attempts: [string, string[]][] = [
        ["unzip", ["-q", "-o", archive, "-d", into]],
        ["python3", ["-m", "zipfile", "-e", archive, into]],
    ];
    const errors: string[] = [];
    for (const [cmd, args] of attempts) {
        const r = spawnSync(cmd, args, { encoding: "utf8" });
        if (r.status === 0) return;
        errors.push(`${cmd}: ${r.error?.message ?? r.stderr}`);
    }
    throw new Error(`Could not unpack ${archive} (install unzip):\n${errors.join("\n")}`);
}

/** Every file under dir, relative to it, with forward slashes. */
export function listFiles(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else out.push(path.relative(dir, full).split(path.sep).join("/"));
        }
    };
    walk(dir);
    return out.sort();
}

export interface PackagingTable {
    version: string;
    targets: Record<string, string[]>;
    cuda: Record<string, string[]>;
    allPackages: string[];
}

/** scripts/package-targets.mjs is ESM (shared with the packaging script); read it through a child Node. */
export function readPackagingTable(): PackagingTable {
    const script = `import * as t from ${JSON.stringify(path.join(REPO_ROOT, "scripts", "package-targets.mjs"))};
        console.log(JSON.stringify({ version: t.NODE_LLAMA_CPP_VERSION, targets: t.TARGET_BINARY_PACKAGES,
            cuda: t.CUDA_PACKAGES, allPackages: t.allBinaryPackageNames() }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`Could not read scripts/package-targets.mjs: ${r.stderr}`);
    return JSON.parse(r.stdout) as PackagingTable;
}
