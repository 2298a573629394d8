/**
 * Polish pipeline against the real engine process on the chat-template fixture (512-token context), through the
 * product's EmbeddedBackend and rewriteBackend; the tests themselves are shared with the server backend
 * (test/suites/polishSuite.ts).
 */
import * as assert from "node:assert/strict";
import type { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { embeddedBackend, newEngineProcess, testLoadParams } from "../helpers/embedded";
import { fixture } from "../helpers/fixtures";
import { polishPipelineTests } from "../suites/polishSuite";

describe("polish pipeline on the real engine", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let backend: EmbeddedBackend;

    before(async () => {
        engine = newEngineProcess();
        backend = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf"), 512));
        await backend.ready();
        assert.ok(backend.loadResult?.hasChatTemplate, "fixture should carry a chat template");
    });
    after(() => {
        backend.dispose();
        engine.dispose();
    });

    polishPipelineTests(() => ({ backend }));
});
