/**
 * The engine's downloadModel op through node-llama-cpp's real downloader, against a local server on 127.0.0.1 that
 * answers like Hugging Face: the /v2/<user>/<repo>/manifests/<quant> lookup that resolves `hf:user/repo:Q8_0`, then
 * /<user>/<repo>/resolve/main/<file>, which (like huggingface.co for an LFS file) redirects to a file store and
 * publishes the file's SHA-256 as `X-Linked-Etag`; the store answers HEAD and Range requests. No test touches the
 * internet. Every download is checked against the published SHA-256 (src/engine/verifyDownload.ts).
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { EngineError, type DownloadProgressEvent } from "../../src/protocol/engineProtocol";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";

const REPO = "hearth-test/Stories-GGUF";
const FILE = "stories260k-q8_0.gguf";

interface FakeHub {
    endpoint: string;
    /** Range headers of the GET requests for the model file, in order. */
    ranges: string[];
    /** Bytes sent per 20 ms tick, to make a download slow enough to cancel. */
    throttleBytes: number;
    /** What the file store serves (change it to model a new revision, or damage on the way). */
    content: Buffer;
    /** The SHA-256 published in X-Linked-Etag: "content" = the served bytes' own, null = none, or a given hash. */
    published: "content" | null | string;
    /** HEAD requests for the file's /resolve/ address (where the hash is read). */
    resolveHeads: number;
    close(): Promise<void>;
}

const HTML_PAGE = Buffer.from("<html><body>Please log in</body></html>".padEnd(4096, " "));

async function startFakeHub(body: Buffer, options: { html?: boolean } = {}): Promise<FakeHub> {
    const hub = { ranges: [] as string[], throttleBytes: 0, content: options.html ? HTML_PAGE : body, published: "content" as FakeHub["published"], resolveHeads: 0 };
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (url.pathname === `/v2/${REPO}/manifests/Q8_0`) {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ ggufFile: { rfilename: FILE, size: hub.content.length } }));
            return;
        }
        if (url.pathname === `/${REPO}/resolve/main/${FILE}`) {
            // huggingface.co answers an LFS file with a redirect to its file store, carrying the LFS SHA-256.
            if (req.method === "HEAD") hub.resolveHeads++;
            const sha = hub.published === "content" ? sha256(hub.content) : hub.published;
            res.writeHead(302, { location: `/store/${FILE}`, ...(sha ? { "x-linked-etag": `"${sha}"` } : {}), etag: '"0123456789abcdef0123456789abcdef01234567"' });
            res.end();
            return;
        }
        if (url.pathname !== `/store/${FILE}`) {
            res.writeHead(404, { "content-type": "text/plain" });
            res.end("Entry not found");
            return;
        }
        const content = hub.content;
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
        const start = range ? Number(range[1]) : 0;
        const end = range && range[2] ? Math.min(Number(range[2]), content.length - 1) : content.length - 1;
        const headers = { "accept-ranges": "bytes", "content-type": "application/octet-stream", "content-length": String(end - start + 1) };
        if (req.method === "HEAD") {
            res.writeHead(200, { ...headers, "content-length": String(content.length) });
            res.end();
            return;
        }
        hub.ranges.push(req.headers.range ?? "");
        res.writeHead(range ? 206 : 200, range ? { ...headers, "content-range": `bytes ${start}-${end}/${content.length}` } : headers);
        const slice = content.subarray(start, end + 1);
        if (!hub.throttleBytes) {
            res.end(slice);
            return;
        }
        let at = 0;
        const timer = setInterval(() => {
            if (res.destroyed) return clearInterval(timer);
            const chunk = slice.subarray(at, at + hub.throttleBytes);
            at += chunk.length;
            if (at >= slice.length) {
                clearInterval(timer);
                res.end(chunk);
            } else {
                res.write(chunk);
            }
        }, 20);
        res.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return Object.assign(hub, {
        endpoint: `http://127.0.0.1:${port}/`,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    });
}

function sha256(file: string | Buffer): string {
    return createHash("sha256").update(typeof file === "string" ? fs.readFileSync(file) : file).digest("hex");
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

describe("models: downloadModel through node-llama-cpp's downloader (local fake hub)", function () {
    this.timeout(60_000);
    const model = fs.readFileSync(fixture("stories260K.gguf"));
    let engine: EngineProcess;
    let hub: FakeHub;
    let dirPath: string;

    beforeEach(async () => {
        dirPath = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-download-"));
        hub = await startFakeHub(model);
        engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
    });
    afterEach(async () => {
        engine.dispose();
        await hub.close();
        fs.rmSync(dirPath, { recursive: true, force: true });
    });

    it("resolves hf:user/repo:Q8_0, downloads with progress, and the file loads", async () => {
        const events: DownloadProgressEvent[] = [];
        const result = await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }, {
            onEvent: (e) => events.push(e),
        });
        assert.equal(path.dirname(result.modelPath), dirPath);
        assert.equal(sha256(result.modelPath), sha256(model));
        assert.equal(result.totalBytes, model.length);
        assert.equal(result.resumedFromBytes, 0);
        assert.equal(result.alreadyDownloaded, false);
        assert.deepEqual(result.files, [result.modelPath]);
        assert.deepEqual(result.sha256, [sha256(model)], "checked against the published SHA-256");
        assert.equal(hub.resolveHeads, 1, "the hash is read once from the file's /resolve/ address");
        const fetched = events.filter((e) => e.phase !== "verify");
        const verified = events.filter((e) => e.phase === "verify");
        assert.ok(fetched.length >= 2, `${fetched.length} progress events`);
        assert.equal(fetched.at(-1)!.downloadedBytes, model.length);
        for (let i = 1; i < fetched.length; i++) assert.ok(fetched[i]!.downloadedBytes >= fetched[i - 1]!.downloadedBytes, "progress never goes back");
        assert.equal(verified.at(-1)?.downloadedBytes, model.length, "the check reports its progress to the end");
        assert.ok(!fs.readdirSync(dirPath).some((f) => f.endsWith(".ipull")), "no partial file left behind");
        assert.equal(fs.readFileSync(`${result.modelPath}.sha256`, "utf8").trim(), sha256(model), "the expected hash is kept next to the file");
        const info = await engine.request("loadModel", { modelPath: result.modelPath, contextSize: 512, threads: 1, gpuLayers: 0, sequences: 1, gpu: "cpu" });
        assert.equal(info.backend, "cpu");
    });

    it("cancels mid-download, keeps the partial file, and resumes from it", async () => {
        // ipull writes in 5 MiB chunks (and records which are complete at the end of `<file>.ipull`), so resuming needs
        // a file of several chunks: the fixture followed by 16 MiB of padding (still a GGUF signature up front).
        const big = Buffer.concat([model, Buffer.alloc(16 * 1024 * 1024, 0x5a)]);
        await hub.close();
        hub = await startFakeHub(big);
        hub.throttleBytes = 128 * 1024; // ~6 MB/s per connection
        const controller = new AbortController();
        const first = engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }, {
            signal: controller.signal,
        });
        const partialPath = path.join(dirPath, "hf_hearth-test_Stories.Q8_0.gguf.ipull");
        // The partial file grows past the model's size once ipull has saved its progress record after a chunk.
        await waitFor(() => (fs.statSync(partialPath, { throwIfNoEntry: false })?.size ?? 0) > big.length, 20_000, "a saved chunk");
        const cancelledAt = Date.now();
        controller.abort();
        await assert.rejects(first, (err: unknown) => err instanceof EngineError && err.code === "cancelled" && /resume/.test(err.message));
        assert.ok(Date.now() - cancelledAt < 2000, "cancellation is prompt");
        const partial = fs.readdirSync(dirPath).filter((f) => f.endsWith(".ipull"));
        assert.equal(partial.length, 1, `partial files: ${fs.readdirSync(dirPath).join(", ")}`);

        hub.throttleBytes = 0;
        const rangesBefore = hub.ranges.length;
        const result = await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint });
        assert.ok(result.resumedFromBytes > 0, "the second download starts from the bytes already on disk");
        assert.ok(result.resumedFromBytes < big.length);
        assert.ok(result.resumedFromBytes >= 5 * 1024 * 1024, `resumed from ${result.resumedFromBytes}`);
        const resumedRanges = hub.ranges.slice(rangesBefore).filter((r) => r.startsWith("bytes="));
        const refetched = resumedRanges.reduce((sum, r) => {
            const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(r)!;
            return sum + Number(b) - Number(a) + 1;
        }, 0);
        assert.ok(refetched > 0 && refetched <= big.length - result.resumedFromBytes,
            `resumed requests ask only for what is missing (${refetched} of ${big.length} bytes: ${resumedRanges.join(", ")})`);
        assert.equal(sha256(result.modelPath), sha256(big));
        assert.deepEqual(result.sha256, [sha256(big)], "the resumed file is checked whole");
        assert.ok(!fs.readdirSync(dirPath).some((f) => f.endsWith(".ipull")));
    });

    it("does not fetch a complete file again", async () => {
        await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint });
        const bodyRequests = () => hub.ranges.filter((r) => r.startsWith("bytes=")).length;
        const before = bodyRequests();
        const again = await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint });
        assert.equal(again.alreadyDownloaded, true);
        // ipull's size probe is a plain GET it drops after the headers; no ranged GET fetches the body again.
        assert.equal(bodyRequests(), before, `no ranged GET of the model body: ${hub.ranges.join(" | ")}`);
    });

    it("says which server cannot be reached when there is no network (a closed port), not 'fetch failed'", async () => {
        await hub.close();
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }),
            (err: unknown) => err instanceof EngineError && err.code === "downloadUnreachable"
                && err.message === new URL(hub.endpoint).host && !/fetch failed/.test(err.message) && /fetch failed|ECONNREFUSED/.test(err.detail ?? ""),
        );
        hub = await startFakeHub(model);
    });

    it("fails with downloadFailed naming the model when the quantization does not exist", async () => {
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q2_K`, dirPath, huggingFaceEndpoint: hub.endpoint }),
            (err: unknown) => err instanceof EngineError && err.code === "downloadFailed" && err.message.includes(`hf:${REPO}:Q2_K`),
        );
    });

    it("refuses addresses that are not model downloads", async () => {
        await assert.rejects(engine.request("downloadModel", { uri: "file:///etc/passwd", dirPath }),
            (err: unknown) => err instanceof EngineError && err.code === "badRequest");
    });

    it("rejects a downloaded page that is not GGUF (a proxy's login page) with a clear error", async () => {
        await hub.close();
        hub = await startFakeHub(model, { html: true });
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }),
            (err: unknown) => err instanceof EngineError && err.code === "badModel" && /is not a GGUF model file/.test(err.message),
        );
    });
    it("deletes a file that does not match the published SHA-256, with a clear error", async () => {
        // The store serves other bytes than the ones Hugging Face published a hash for (damage or tampering on the way).
        hub.published = sha256(model);
        hub.content = Buffer.from(model);
        hub.content[hub.content.length - 1] = hub.content[hub.content.length - 1]! ^ 0xff;
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }),
            (err: unknown) => err instanceof EngineError && err.code === "downloadFailed"
                && err.message.includes(`expected ${sha256(model)}`) && err.message.includes("deleted it"),
        );
        assert.deepEqual(fs.readdirSync(dirPath), [], "the file, its partial and its hash record are gone");
    });

    it("refuses to download a file whose server publishes no SHA-256", async () => {
        hub.published = null;
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }),
            (err: unknown) => err instanceof EngineError && err.code === "downloadFailed" && /publishes no SHA-256/.test(err.message),
        );
        assert.equal(hub.ranges.filter((r) => r.startsWith("bytes=")).length, 0, "no byte of the file was fetched");
        assert.deepEqual(fs.readdirSync(dirPath).filter((f) => f.endsWith(".gguf")), []);
    });

    it("refuses a pinned file when the server now publishes another hash, before fetching anything", async () => {
        const pinned = "ab".repeat(32);
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint, expectedSha256: { [FILE]: pinned } }),
            (err: unknown) => err instanceof EngineError && err.code === "downloadFailed" && err.message.includes(pinned) && err.message.includes("pinned"),
        );
        assert.equal(hub.ranges.filter((r) => r.startsWith("bytes=")).length, 0);
        const ok = await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint, expectedSha256: { [FILE]: sha256(model) } });
        assert.deepEqual(ok.sha256, [sha256(model)]);
    });

    it("checks a file already on disk again: one damaged since is deleted", async () => {
        const first = await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint });
        const bytes = fs.readFileSync(first.modelPath);
        bytes[100] = bytes[100]! ^ 0xff;
        fs.writeFileSync(first.modelPath, bytes);
        await assert.rejects(
            engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }),
            (err: unknown) => err instanceof EngineError && err.code === "downloadFailed" && /does not match the SHA-256/.test(err.message),
        );
        assert.equal(fs.existsSync(first.modelPath), false);
    });

    it("does not resume a partial file of another revision: it starts that file over", async () => {
        const big = Buffer.concat([model, Buffer.alloc(16 * 1024 * 1024, 0x5a)]);
        await hub.close();
        hub = await startFakeHub(big);
        hub.throttleBytes = 128 * 1024;
        const controller = new AbortController();
        const first = engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint }, { signal: controller.signal });
        const partialPath = path.join(dirPath, "hf_hearth-test_Stories.Q8_0.gguf.ipull");
        await waitFor(() => (fs.statSync(partialPath, { throwIfNoEntry: false })?.size ?? 0) > big.length, 20_000, "a saved chunk");
        controller.abort();
        await assert.rejects(first, (err: unknown) => err instanceof EngineError && err.code === "cancelled");

        // The repository got a new revision of the file (same size, other bytes) before the user resumed.
        const next = Buffer.concat([model, Buffer.alloc(16 * 1024 * 1024, 0x33)]);
        hub.content = next;
        hub.throttleBytes = 0;
        const result = await engine.request("downloadModel", { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: hub.endpoint });
        assert.equal(result.resumedFromBytes, 0, "the old partial was not resumed");
        assert.equal(sha256(result.modelPath), sha256(next));
        assert.deepEqual(result.sha256, [sha256(next)]);
    });

    it("refuses plain http to anything but this machine, for the file and for the Hugging Face address", async () => {
        for (const params of [
            { uri: "http://models.example.com/m.gguf", dirPath },
            { uri: `hf:${REPO}:Q8_0`, dirPath, huggingFaceEndpoint: "http://hf-mirror.example.com/" },
        ]) {
            await assert.rejects(engine.request("downloadModel", params),
                (err: unknown) => err instanceof EngineError && err.code === "badRequest" && /http/.test(err.message), JSON.stringify(params));
        }
        assert.equal(hub.resolveHeads, 0);
    });
});
