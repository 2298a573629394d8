/**
 * The chat, explain and polish integration tests of the embedded engine (test/suites/*), run unchanged through the
 * OpenAI-compatible backend against a real llama-server serving the same fixture model.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineError } from "../../src/protocol/engineProtocol";
import { ServerBackend } from "../../src/serverClient/serverBackend";
import { fixture } from "../helpers/fixtures";
import { startLlamaServer, type LlamaServer } from "../helpers/llamaServer";
import { chatTurnTests } from "../suites/chatSuite";
import { polishPipelineTests } from "../suites/polishSuite";

const CHAT_MODEL = fixture("stories260K-chat-fim.derived.gguf");

function serverBackend(server: LlamaServer): ServerBackend {
    return new ServerBackend({ config: () => ({ url: server.url, model: "", contextSize: 0 }) });
}

describe("chat turns through the server backend (llama-server)", function () {
    this.timeout(120_000);
    let server: LlamaServer;
    let backend: ServerBackend;
    let dir: string;
    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-server-chat-"));
        server = await startLlamaServer({ model: CHAT_MODEL, contextSize: 2048 });
        backend = serverBackend(server);
        await backend.ready();
    });
    afterEach(async () => {
        backend.dispose();
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    chatTurnTests(() => ({
        backend,
        dir,
        kill: () => server.process.kill("SIGKILL"),
        killedError: /connection to 127\.0\.0\.1:\d+ closed before the answer was complete/,
        afterKill: async () => {
            // The next request finds nobody there: a clear error, and the backend probes afresh after that.
            await assert.rejects(backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 8 }),
                (err) => err instanceof EngineError && err.code === "serverUnreachable" && /Cannot reach the server/.test(err.message));
            assert.equal(backend.model, undefined);
            assert.equal(backend.state.kind, "error");
        },
    }));
});

describe("polish pipeline through the server backend (llama-server)", function () {
    this.timeout(120_000);
    let server: LlamaServer;
    let backend: ServerBackend;
    before(async () => {
        server = await startLlamaServer({ model: CHAT_MODEL, contextSize: 512 });
        backend = serverBackend(server);
        assert.equal((await backend.ready()).contextSize, 512);
    });
    after(async () => {
        backend.dispose();
        await server.stop();
    });

    polishPipelineTests(() => ({ backend }));
});
