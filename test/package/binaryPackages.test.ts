/**
 * The pinned node-llama-cpp version must have every platform binary package Hearth ships (or installs on demand)
 * on the npm registry; otherwise `npm run package` cannot build that target. Needs the registry: when it cannot be
 * reached the test is skipped (so `npm test` stays deterministic offline), but a package the registry answers
 * "not found" for fails it.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/fixtures";
import { readPackagingTable } from "./vsixTools";

interface CheckResult {
    version: string;
    available: string[];
    missing: string[];
    unreachable: string[];
}

describe("node-llama-cpp binary packages on the npm registry", function () {
    this.timeout(120_000);

    it("every shipped and on-demand platform package exists at the pinned version", function () {
        if (process.env.HEARTH_OFFLINE === "1") this.skip();
        const table = readPackagingTable();
        const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "check-binary-packages.mjs"), "--json"], { encoding: "utf8" });
        const result = JSON.parse(r.stdout) as CheckResult;
        assert.equal(result.version, table.version);
        assert.deepEqual(result.missing, [], `missing from the registry at ${result.version}: ${result.missing.join(", ")}`);
        if (result.unreachable.length) {
            console.log(`      registry unreachable (${result.unreachable.length} packages): skipped`);
            this.skip();
        }
        assert.deepEqual(result.available, [...table.allPackages].sort());
    });
});
