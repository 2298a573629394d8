/**
 * History survives the engine being killed mid-answer and the host going away mid-answer, Stop keeps the partial
 * answer, Explain Error's prompt streams into a turn: real chat turns (src/chat/chatTurn.ts) against the real engine
 * process through the product's EmbeddedBackend, with the chat store on disk. The tests are shared with the server
 * backend (test/suites/chatSuite.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { embeddedBackend, newEngineProcess, testLoadParams } from "../helpers/embedded";
import { fixture } from "../helpers/fixtures";
import { chatTurnTests } from "../suites/chatSuite";

describe("chat turn: stop, engine kill -9, host gone", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let backend: EmbeddedBackend;
    let dir: string;
    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-chat-crash-"));
        engine = newEngineProcess();
        backend = embeddedBackend(engine, testLoadParams(fixture("stories260K-chat-fim.derived.gguf")));
        await backend.ready();
    });
    afterEach(() => {
        backend.dispose();
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    chatTurnTests(() => ({
        backend,
        dir,
        kill: () => process.kill(engine.pid!, "SIGKILL"),
        killedError: /killed|exited/,
        afterKill: async () => {
            // The engine restarts on the next request, and the backend loads the model again.
            assert.equal(backend.model, undefined, "the crash made the backend forget the model");
            const again = await backend.ready();
            assert.equal(again.id, fixture("stories260K-chat-fim.derived.gguf"));
            assert.notEqual(engine.pid, undefined);
        },
    }));
});
