/**
 * The platform target of the VSIX this engine came from: scripts/package.mjs writes dist/target.json next to
 * dist/engine.mjs (the script the host forks). Absent in a development checkout.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { PackageTarget } from "../core/platformTarget";

export async function packagedTarget(engineScript = process.argv[1]): Promise<PackageTarget | undefined> {
    if (!engineScript) return undefined;
    try {
        const value = JSON.parse(await fs.readFile(path.join(path.dirname(engineScript), "target.json"), "utf8")) as Partial<PackageTarget>;
        return typeof value.target === "string" && typeof value.version === "string" ? { target: value.target, version: value.version } : undefined;
    } catch {
        return undefined;
    }
}
