/**
 * ipull can leave its JSON progress record after the last byte of a file it has just finished (a record write that
 * began before the finish lands after the truncation; a CI run under strace hit it). The download path cuts the file
 * back to the size the server announced before the hash check, which still decides.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dropTrailingProgressRecord, verifyTargets } from "../../src/engine/verifyDownload";

describe("download: ipull's late progress record", () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-record-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const model = Buffer.alloc(64 * 1024, 7);
    const sha = createHash("sha256").update(model).digest("hex");
    const target = (filePath: string) => ({ filePath, remoteName: "m.gguf", parts: [{ url: "https://example.invalid/m.gguf", size: model.length }] });

    it("cuts a record after the announced size, and the file then passes its hash check", async () => {
        const file = path.join(dir, "m.gguf");
        fs.writeFileSync(file, Buffer.concat([model, Buffer.from(JSON.stringify({ chunks: [1, 1, 1], chunkSize: 5242880 }))]));
        const cut = await dropTrailingProgressRecord([target(file)]);
        assert.equal(cut.length, 1);
        assert.equal(fs.statSync(file).size, model.length);
        await verifyTargets([target(file)], [[sha]], new AbortController().signal, () => undefined);
    });

    it("leaves a file of the announced size (or shorter) alone", async () => {
        const file = path.join(dir, "m.gguf");
        fs.writeFileSync(file, model.subarray(0, 1000));
        assert.deepEqual(await dropTrailingProgressRecord([target(file)]), []);
        assert.equal(fs.statSync(file).size, 1000);
    });

    it("a longer file that is not cut (one already on disk) still fails the hash check", async () => {
        const file = path.join(dir, "m.gguf");
        fs.writeFileSync(file, Buffer.concat([model, Buffer.from("tail")]));
        await assert.rejects(verifyTargets([target(file)], [[sha]], new AbortController().signal, () => undefined), /does not match the SHA-256/);
    });
});
