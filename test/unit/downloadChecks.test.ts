/** What a model download may fetch and how the published SHA-256 is read (src/core/models/downloadChecks.ts). */
import * as assert from "node:assert/strict";
import * as net from "node:net";
import { isNetworkFailure } from "../../src/core/networkErrors";
import { CURATED_MODELS } from "../../src/core/models/curatedModels";
import { downloadUrlProblem, isAllowedDownloadUrl, publishedSha256, SHA256_PATTERN, splitHashFragment } from "../../src/core/models/downloadChecks";

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });
const SHA = "9e97c66161a8ba7598bfd9ab6b998ea57b067d3f02ce3b450a86fea03cc2c121";

describe("model downloads: addresses and published hashes", () => {
    it("allows https, and plain http only to loopback", () => {
        for (const ok of ["https://huggingface.co/", "https://hf-mirror.com/x", "http://127.0.0.1:9000/", "http://localhost/", "http://[::1]:80/"]) {
            assert.ok(isAllowedDownloadUrl(ok), ok);
            assert.equal(downloadUrlProblem(ok), undefined, ok);
        }
        for (const bad of ["http://huggingface.co/", "http://10.0.0.1/", "ftp://x/", "file:///etc/passwd", "https://u:p@huggingface.co/", "nonsense"]) {
            assert.ok(!isAllowedDownloadUrl(bad), bad);
            assert.ok(downloadUrlProblem(bad), bad);
        }
        assert.match(downloadUrlProblem("http://hf-mirror.com/")!, /https/);
    });

    it("reads the LFS SHA-256 from X-Linked-Etag, else ETag, and ignores git blob ids", () => {
        assert.equal(publishedSha256(headers({ "x-linked-etag": `"${SHA}"`, etag: '"0123456789abcdef0123456789abcdef01234567"' })), SHA);
        assert.equal(publishedSha256(headers({ etag: `W/"${SHA.toUpperCase()}"` })), SHA);
        assert.equal(publishedSha256(headers({ etag: '"0123456789abcdef0123456789abcdef01234567"' })), undefined);
        assert.equal(publishedSha256(headers({})), undefined);
    });

    it("takes a #sha256= given with a plain link", () => {
        assert.deepEqual(splitHashFragment(`https://example.com/m.gguf#sha256=${SHA.toUpperCase()}`), { uri: "https://example.com/m.gguf", sha256: SHA });
        assert.deepEqual(splitHashFragment("hf:user/repo/m.gguf#main"), { uri: "hf:user/repo/m.gguf#main" });
    });

    it("curated pins, where present, are well-formed and pin a revision", () => {
        for (const m of CURATED_MODELS) {
            if (!m.sha256) continue;
            assert.match(m.uri, /^hf:[\w.-]+\/[\w.-]+\/[^#]+\.gguf#[0-9a-f]{40}$/, `${m.id}: a pinned hash needs a revision-pinned file URI`);
            for (const [file, sha] of Object.entries(m.sha256)) assert.match(sha, SHA256_PATTERN, `${m.id}: ${file}`);
        }
    });
});

describe("download server unreachable", () => {
    it("recognises Node's fetch failure for a closed port, a DNS failure and a refused connection; not an HTTP error", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        const refused = await fetch(`http://127.0.0.1:${port}/`).then(() => undefined, (err: unknown) => err);
        assert.ok(refused, "fetch to a closed port succeeded");
        assert.equal((refused as Error).message, "fetch failed");
        assert.equal(isNetworkFailure(refused), true);
        assert.equal(isNetworkFailure(Object.assign(new Error("getaddrinfo ENOTFOUND huggingface.co"), { code: "ENOTFOUND" })), true);
        assert.equal(isNetworkFailure(new Error('Failed to fetch manifest for resolving URI "hf:a/b:Q8_0": TypeError: fetch failed')), true);
        assert.equal(isNetworkFailure(new Error("Response status code 404: Not Found")), false);
        assert.equal(isNetworkFailure(undefined), false);
    });
});
