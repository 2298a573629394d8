import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import {
    CUDA_PACKAGES,
    cudaPackagesFor,
    formatMegabytes,
    gpuPackagesDir,
    packageDirIn,
    parseIntegrity,
    parseVersionDocument,
} from "../../src/core/gpuPackages";
import { REPO_ROOT } from "../helpers/fixtures";

const INTEGRITY = "sha512-idsE55VoD/FbvLhnBC9krUJaUoC0XnebseAAnCpm/brKf61HEbu+idgbb5eN6mxkjLSrHtILprJ0nDcUJjVrFg==";

function doc(overrides: Record<string, unknown> = {}, dist: Record<string, unknown> = {}): unknown {
    return {
        name: "@node-llama-cpp/linux-x64-cuda",
        version: "3.21.1",
        dist: { tarball: "https://registry.npmjs.org/@node-llama-cpp/linux-x64-cuda/-/linux-x64-cuda-3.21.1.tgz", integrity: INTEGRITY, ...dist },
        ...overrides,
    };
}

describe("on-demand CUDA packages (core)", () => {
    it("knows the CUDA packages of Linux x64 and Windows x64 only", () => {
        assert.deepEqual(cudaPackagesFor("linux", "x64"), ["linux-x64-cuda", "linux-x64-cuda-ext"]);
        assert.deepEqual(cudaPackagesFor("win32", "x64"), ["win-x64-cuda", "win-x64-cuda-ext"]);
        assert.equal(cudaPackagesFor("darwin", "arm64"), undefined);
        assert.equal(cudaPackagesFor("linux", "arm64"), undefined);
    });

    it("agrees with the packaging table in scripts/package-targets.mjs", () => {
        const script = `import { CUDA_PACKAGES } from ${JSON.stringify(path.join(REPO_ROOT, "scripts", "package-targets.mjs"))};
            console.log(JSON.stringify(CUDA_PACKAGES));`;
        const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), CUDA_PACKAGES);
    });

    it("keeps downloads per node-llama-cpp version in global storage", () => {
        const dir = gpuPackagesDir(path.join("/", "store"), "3.21.1");
        assert.equal(dir, path.join("/", "store", "gpu-binaries", "3.21.1"));
        assert.equal(packageDirIn(dir, "linux-x64-cuda"), path.join(dir, "node_modules", "@node-llama-cpp", "linux-x64-cuda"));
    });

    it("accepts the registry's version document and returns the tarball and checksum", () => {
        const info = parseVersionDocument(doc(), "linux-x64-cuda", "3.21.1");
        assert.equal(info.url, "https://registry.npmjs.org/@node-llama-cpp/linux-x64-cuda/-/linux-x64-cuda-3.21.1.tgz");
        assert.equal(info.integrity, INTEGRITY);
        assert.equal(parseVersionDocument(doc({}, { tarball: "http://127.0.0.1:4873/x.tgz" }), "linux-x64-cuda", "3.21.1").url,
            "http://127.0.0.1:4873/x.tgz", "plain http is fine on loopback (test registries)");
    });

    it("refuses documents for another package or version, without https or without sha512", () => {
        assert.throws(() => parseVersionDocument(doc({ version: "3.22.1" }), "linux-x64-cuda", "3.21.1"), /instead of/);
        assert.throws(() => parseVersionDocument(doc({ name: "@evil/linux-x64-cuda" }), "linux-x64-cuda", "3.21.1"), /instead of/);
        assert.throws(() => parseVersionDocument(doc({}, { tarball: "http://example.com/x.tgz" }), "linux-x64-cuda", "3.21.1"), /https/);
        assert.throws(() => parseVersionDocument(doc({}, { integrity: "sha1-abc" }), "linux-x64-cuda", "3.21.1"), /sha512/);
        assert.throws(() => parseVersionDocument(doc({}, { integrity: undefined }), "linux-x64-cuda", "3.21.1"), /sha512/);
        assert.throws(() => parseVersionDocument("not json", "linux-x64-cuda", "3.21.1"), /no package document/);
    });

    it("parses sha512 integrity strings, also among other algorithms", () => {
        assert.equal(parseIntegrity(INTEGRITY)?.digestBase64, INTEGRITY.slice("sha512-".length));
        assert.equal(parseIntegrity(`sha1-aGVsbG8= ${INTEGRITY}`)?.algorithm, "sha512");
        assert.equal(parseIntegrity("sha512-tooShort=="), undefined);
        assert.equal(parseIntegrity(""), undefined);
    });

    it("formats sizes in MB", () => {
        assert.equal(formatMegabytes(142_850_036), "143 MB");
        assert.equal(formatMegabytes(1_500_000), "1.5 MB");
    });
});
