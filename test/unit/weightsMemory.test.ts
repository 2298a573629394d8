import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseThpMode, readThpMode, useMmapFor } from "../../src/engine/weightsMemory";

describe("model weights memory: huge pages or a mapping of the file", () => {
    it("reads the kernel's THP mode from its bracketed choice", () => {
        assert.equal(parseThpMode("always [madvise] never\n"), "madvise");
        assert.equal(parseThpMode("[always] madvise never\n"), "always");
        assert.equal(parseThpMode("always madvise [never]\n"), "never");
        assert.equal(parseThpMode("always madvise never\n"), undefined);
        assert.equal(parseThpMode(""), undefined);
    });

    it("reads no mode where the file is missing", () => {
        assert.equal(readThpMode(path.join(os.tmpdir(), "hearth-no-such-thp-file")), undefined);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hearth-thp-")), "enabled");
        fs.writeFileSync(file, "always [madvise] never\n");
        assert.equal(readThpMode(file), "madvise");
    });

    it("reads the weights into memory only on Linux's CPU backend with THP on", () => {
        assert.equal(useMmapFor({ platform: "linux", cpuBackend: true, thp: "madvise" }), false);
        assert.equal(useMmapFor({ platform: "linux", cpuBackend: true, thp: "always" }), false);
        // Everywhere else node-llama-cpp's default (map the file) stands.
        assert.equal(useMmapFor({ platform: "linux", cpuBackend: true, thp: "never" }), undefined);
        assert.equal(useMmapFor({ platform: "linux", cpuBackend: true, thp: undefined }), undefined);
        assert.equal(useMmapFor({ platform: "linux", cpuBackend: false, thp: "madvise" }), undefined);
        assert.equal(useMmapFor({ platform: "darwin", cpuBackend: true, thp: undefined }), undefined);
        assert.equal(useMmapFor({ platform: "win32", cpuBackend: true, thp: "always" }), undefined);
    });
});
