/**
 * On Linux's CPU backend the engine reads a model's weights into its own memory on transparent huge pages instead
 * of mapping the file (src/engine/weightsMemory.ts), through the product's own load path and engine environment.
 * Against an engine started without glibc's huge page tunable, which loads the same way but gets 4 KiB pages.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { readThpMode } from "../../src/engine/weightsMemory";
import { testLoadParams } from "../helpers/embedded";
import { ENGINE_PATH } from "../helpers/fixtures";
import { qwen2VocabModel } from "../helpers/llamaVocab";

function engine(env?: NodeJS.ProcessEnv): EngineProcess {
    return new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined, env });
}

/** Bytes of anonymous memory on huge pages, and whether `file` is mapped, in process `pid`. */
function weightsPlacement(pid: number, file: string): { hugeBytes: number; fileMapped: boolean } {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const hugeKb = Number(/AnonHugePages:\s+(\d+) kB/.exec(rollup)?.[1] ?? NaN);
    const maps = fs.readFileSync(`/proc/${pid}/maps`, "utf8");
    return { hugeBytes: hugeKb * 1024, fileMapped: maps.split("\n").some((line) => line.endsWith(` ${file}`)) };
}

describe("engine process: model weights on huge pages (Linux, CPU backend)", function () {
    this.timeout(180_000);
    const engines: EngineProcess[] = [];
    afterEach(() => engines.splice(0).forEach((e) => e.dispose()));

    before(function () {
        // THP switched off, or not Linux: the engine maps the file as node-llama-cpp does by default (unit-tested).
        const thp = readThpMode();
        if (process.platform !== "linux" || (thp !== "always" && thp !== "madvise")) this.skip();
    });

    it("loads the weights into memory on huge pages, not as a mapping of the file, and still generates", async () => {
        const model = await qwen2VocabModel();
        const fileBytes = fs.statSync(model).size;
        const product = engine();
        // GLIBC_TUNABLES removed: glibc never asks for huge pages ("always" mode gives them anyway, so no comparison there).
        const noTunable = engine({ GLIBC_TUNABLES: undefined });
        engines.push(product, noTunable);

        await product.request("loadModel", testLoadParams(model));
        const answer = await product.request("complete", { sequence: "chat", prompt: "Hello", maxTokens: 8, sampling: { temperature: 0 } });
        assert.equal(answer.tokens, 8);
        const placed = weightsPlacement(product.pid!, model);
        console.log(`      ${(fileBytes / 2 ** 20).toFixed(1)} MiB model: ${(placed.hugeBytes / 2 ** 20).toFixed(0)} MiB of the engine's memory on huge pages`);
        assert.equal(placed.fileMapped, false, "the model file is still mapped into the engine");
        // The file is ~38 MiB of tensors; all but the partial 2 MiB pages at the buffers' ends can be huge.
        assert.ok(placed.hugeBytes >= fileBytes * 0.75,
            `only ${(placed.hugeBytes / 2 ** 20).toFixed(0)} MiB on huge pages for a ${(fileBytes / 2 ** 20).toFixed(0)} MiB model`);

        if (readThpMode() === "madvise") {
            await noTunable.request("loadModel", testLoadParams(model));
            const base = weightsPlacement(noTunable.pid!, model);
            assert.ok(base.hugeBytes < fileBytes * 0.25,
                `without the tunable ${(base.hugeBytes / 2 ** 20).toFixed(0)} MiB were on huge pages: the test cannot tell what gives them`);
        }
    });
});
