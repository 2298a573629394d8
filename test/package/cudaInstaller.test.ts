/**
 * The on-demand CUDA installer against a local registry (a loopback HTTP server speaking the npm registry's
 * version-document and tarball URLs): installs checksum-verified packages into place, and leaves nothing behind when
 * the checksum is wrong or the user cancels mid-download. No network.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { packageDirIn } from "../../src/core/gpuPackages";
import { InstallCancelled, installCudaPackages, type InstallProgress } from "../../src/models/cudaPackagesInstaller";

const VERSION = "3.21.1";
const PACKAGES = ["linux-x64-cuda", "linux-x64-cuda-ext"];

interface FakeRegistry {
    url: string;
    tarballs: Map<string, Buffer>;
    /** Overrides per package: a wrong checksum, or a tarball served slowly (for cancellation). */
    wrongIntegrity: Set<string>;
    slow: Set<string>;
    close(): Promise<void>;
}

/** A real npm-style tarball (package/…) holding a package.json, a dist/index.js and a big incompressible bins file. */
function makeTarball(work: string, name: string, binBytes: number): Buffer {
    const root = path.join(work, name);
    const pkg = path.join(root, "package");
    fs.mkdirSync(path.join(pkg, "dist"), { recursive: true });
    fs.mkdirSync(path.join(pkg, "bins", name), { recursive: true });
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: `@node-llama-cpp/${name}`, version: VERSION, type: "module", main: "dist/index.js" }));
    fs.writeFileSync(path.join(pkg, "dist", "index.js"), "export function getBinsDir() { return {}; }\n");
    fs.writeFileSync(path.join(pkg, "bins", name, "libggml-cuda.so"), createHash("sha512").update(name).digest().toString("hex").repeat(Math.ceil(binBytes / 128)).slice(0, binBytes));
    const file = path.join(work, `${name}.tgz`);
    const r = spawnSync("tar", ["-czf", file, "-C", root, "package"]);
    assert.equal(r.status, 0, String(r.stderr));
    return fs.readFileSync(file);
}

async function startRegistry(work: string): Promise<FakeRegistry> {
    const tarballs = new Map(PACKAGES.map((name) => [name, makeTarball(work, name, 3_000_000)] as const));
    const wrongIntegrity = new Set<string>();
    const slow = new Set<string>();
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const doc = /^\/@node-llama-cpp\/([^/]+)\/([^/]+)$/.exec(url.pathname);
        const tgz = /^\/tarballs\/([^/]+)\.tgz$/.exec(url.pathname);
        if (doc && tarballs.has(doc[1]!) && doc[2] === VERSION) {
            const name = doc[1]!;
            const body = wrongIntegrity.has(name) ? Buffer.from("something else") : tarballs.get(name)!;
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({
                name: `@node-llama-cpp/${name}`, version: VERSION,
                dist: { tarball: `${registry.url}/tarballs/${name}.tgz`, integrity: `sha512-${createHash("sha512").update(body).digest("base64")}` },
            }));
        } else if (tgz && tarballs.has(tgz[1]!)) {
            const body = tarballs.get(tgz[1]!)!;
            res.setHeader("content-length", String(body.length));
            if (req.method === "HEAD") return void res.end();
            if (!slow.has(tgz[1]!)) return void res.end(body);
            // First 64 KB at once, then nothing until the client gives up.
            res.write(body.subarray(0, 65536));
        } else {
            res.statusCode = 404;
            res.end("{}");
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const registry: FakeRegistry = {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        tarballs, wrongIntegrity, slow,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
    return registry;
}

describe("CUDA installer (local registry)", function () {
    this.timeout(60_000);
    let work: string;
    let registry: FakeRegistry;
    let storage: string;

    beforeEach(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-cuda-"));
        storage = path.join(work, "globalStorage", "gpu-binaries", VERSION);
        registry = await startRegistry(work);
    });
    afterEach(async () => {
        await registry.close();
        fs.rmSync(work, { recursive: true, force: true });
    });

    const leftovers = () => fs.readdirSync(path.dirname(storage)).filter((f) => f !== VERSION);

    it("downloads, verifies and unpacks every package into global storage, reporting progress", async () => {
        const progress: InstallProgress[] = [];
        const result = await installCudaPackages({
            targetDir: storage, packages: PACKAGES, version: VERSION, registry: registry.url, onProgress: (p) => progress.push(p),
        });
        assert.deepEqual(result.packages, PACKAGES);
        assert.equal(result.bytesDownloaded, [...registry.tarballs.values()].reduce((s, b) => s + b.length, 0));
        for (const name of PACKAGES) {
            const dir = packageDirIn(storage, name);
            assert.equal((JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version, VERSION);
            assert.equal(fs.statSync(path.join(dir, "bins", name, "libggml-cuda.so")).size, 3_000_000);
        }
        assert.ok(progress.some((p) => p.phase === "unpack" && p.name === "linux-x64-cuda-ext"));
        assert.ok(progress.every((p) => p.receivedBytes <= p.totalBytes));
        assert.deepEqual(leftovers(), [], "no temporary folders remain");
    });

    it("refuses a tarball whose sha512 does not match and installs nothing", async () => {
        registry.wrongIntegrity.add("linux-x64-cuda-ext");
        await assert.rejects(
            installCudaPackages({ targetDir: storage, packages: PACKAGES, version: VERSION, registry: registry.url }),
            /failed its sha512 check/);
        assert.equal(fs.existsSync(storage), false);
        assert.deepEqual(leftovers(), []);
    });

    it("keeps a previous install when a reinstall fails", async () => {
        await installCudaPackages({ targetDir: storage, packages: PACKAGES, version: VERSION, registry: registry.url });
        registry.wrongIntegrity.add("linux-x64-cuda");
        await assert.rejects(installCudaPackages({ targetDir: storage, packages: PACKAGES, version: VERSION, registry: registry.url }));
        assert.ok(fs.existsSync(path.join(packageDirIn(storage, "linux-x64-cuda"), "package.json")));
    });

    it("stops promptly when cancelled mid-download and leaves nothing behind", async () => {
        registry.slow.add("linux-x64-cuda");
        const controller = new AbortController();
        let cancelledAt = 0;
        const install = installCudaPackages({
            targetDir: storage, packages: PACKAGES, version: VERSION, registry: registry.url, signal: controller.signal,
            onProgress: (p) => {
                if (!cancelledAt && p.phase === "download" && p.receivedBytes > 0) {
                    cancelledAt = Date.now();
                    controller.abort();
                }
            },
        });
        // The slow server sends 64 KB, then stalls: progress fires on the next chunk or the 200 ms throttle.
        const abortIfStalled = setTimeout(() => {
            if (!cancelledAt) {
                cancelledAt = Date.now();
                controller.abort();
            }
        }, 1500);
        await assert.rejects(install, (err) => err instanceof InstallCancelled);
        clearTimeout(abortIfStalled);
        assert.ok(Date.now() - cancelledAt < 1000, `stopped ${Date.now() - cancelledAt} ms after cancel`);
        assert.equal(fs.existsSync(storage), false);
        assert.deepEqual(leftovers(), []);
    });

    it("names the package when the registry does not have it", async () => {
        await assert.rejects(
            installCudaPackages({ targetDir: storage, packages: ["linux-x64-cuda"], version: "9.9.9", registry: registry.url }),
            /answered 404 for @node-llama-cpp\/linux-x64-cuda@9\.9\.9/);
    });
});
