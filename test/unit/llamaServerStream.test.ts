/**
 * The bench's llama-server stream client (bench/llamaServer.ts). llama-server reports an error that happens after a
 * stream began (HTTP 200 already sent) as an `{"error": …}` SSE event; the client must end the answer with a
 * ServerError there, so the chat comparison can tell "the server's output parser cut the answer short" (prompt
 * dropped on both sides) from "the server answered fewer tokens" (a failed measurement). The error text below is
 * what llama-server 80fb11ac sent when the bench's random-weight model produced invalid UTF-8.
 */
import * as assert from "node:assert/strict";
import { ServerError, streamEventData } from "../../bench/llamaServer";

const PARSER_ERROR = JSON.stringify({
    error: { code: 500, message: "The model produced output that does not match the expected peg-native format", type: "server_error" },
});

describe("bench: llama-server stream events", () => {
    it("passes data events through and ends at [DONE]", () => {
        assert.deepEqual(streamEventData("/v1/chat/completions", '{"choices":[{"delta":{"content":"a"}}]}'), { choices: [{ delta: { content: "a" } }] });
        assert.equal(streamEventData("/v1/chat/completions", "[DONE]"), undefined);
    });

    it("throws an error event as a ServerError that says the server rejected the model's output", () => {
        assert.throws(() => streamEventData("/v1/chat/completions", PARSER_ERROR), (err: unknown) => {
            assert.ok(err instanceof ServerError);
            assert.equal(err.status, 500);
            assert.equal(err.rejectedModelOutput, true);
            return true;
        });
    });

    it("does not take other server errors for a rejected output", () => {
        const loading = JSON.stringify({ error: { code: 503, message: "Loading model" } });
        assert.throws(() => streamEventData("/v1/chat/completions", loading), (err: unknown) => err instanceof ServerError && !err.rejectedModelOutput);
        assert.equal(new ServerError("/infill", 500, "context shift is disabled").rejectedModelOutput, false);
        assert.equal(new ServerError("/infill", 500, '{"error":{"message":"The model produced output that does not match the expected Content-only format"}}')
            .rejectedModelOutput, true);
    });
});
