import * as assert from "node:assert/strict";
import { EventCoalescer } from "../../src/engine/eventCoalescer";
import type { EventMessage } from "../../src/protocol/engineProtocol";

type EngineEvent = EventMessage["event"];

describe("engine text event coalescing", () => {
    it("sends the first chunk at once and merges the burst that follows", () => {
        const sent: EngineEvent[] = [];
        const c = new EventCoalescer((e) => sent.push(e), 1000);
        c.emit({ type: "text", text: "Once", tokens: 1 });
        assert.deepEqual(sent, [{ type: "text", text: "Once", tokens: 1 }]);
        c.emit({ type: "text", text: " upon", tokens: 2 });
        c.emit({ type: "text", text: " a", tokens: 3 });
        assert.equal(sent.length, 1, "held back within the window");
        c.flush();
        assert.deepEqual(sent[1], { type: "text", text: " upon a", tokens: 3 });
        c.flush();
        assert.equal(sent.length, 2, "nothing to flush twice");
    });

    it("flushes held text before a non-text event, preserving order", () => {
        const sent: EngineEvent[] = [];
        const c = new EventCoalescer((e) => sent.push(e), 1000);
        c.emit({ type: "text", text: "a", tokens: 1 });
        c.emit({ type: "text", text: "b", tokens: 2 });
        c.emit({ type: "loadProgress", progress: 1, stage: "context" });
        assert.deepEqual(sent.map((e) => e.type === "text" ? e.text : e.type), ["a", "b", "loadProgress"]);
    });

    it("sends held text when the window ends", async () => {
        const sent: EngineEvent[] = [];
        const c = new EventCoalescer((e) => sent.push(e), 5);
        c.emit({ type: "text", text: "x", tokens: 1 });
        c.emit({ type: "text", text: "y", tokens: 2 });
        await new Promise<void>((resolve) => {
            const poll = setInterval(() => { if (sent.length === 2) { clearInterval(poll); resolve(); } }, 1);
        });
        assert.deepEqual(sent[1], { type: "text", text: "y", tokens: 2 });
    });
});
