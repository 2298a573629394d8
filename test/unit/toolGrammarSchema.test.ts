/** Tool argument schemas reduced to what node-llama-cpp's grammar enforces (src/core/tools/grammarSchema.ts). */
import * as assert from "node:assert/strict";
import { ANY_JSON, toolArgumentsGrammar } from "../../src/core/tools/grammarSchema";

describe("tool argument schemas for the grammar", () => {
    it("no schema, or an object that takes nothing, means no arguments", () => {
        assert.equal(toolArgumentsGrammar(undefined), undefined);
        assert.equal(toolArgumentsGrammar({ type: "object", properties: {}, additionalProperties: false }), undefined);
    });

    it("keeps named properties, drops unknown required names and closes the object", () => {
        assert.deepEqual(toolArgumentsGrammar({
            type: "object",
            description: "args",
            properties: { path: { type: "string", description: "file" }, line: { type: "integer" } },
            required: ["path", "nope", "path"],
        }), {
            type: "object",
            description: "args",
            properties: { path: { type: "string", description: "file" }, line: { type: "integer" } },
            required: ["path"],
            additionalProperties: false,
        });
    });

    it("an object with no declared properties takes any keys, or the declared extra-property schema", () => {
        assert.deepEqual(toolArgumentsGrammar({ type: "object" }), { type: "object", additionalProperties: true });
        assert.deepEqual(toolArgumentsGrammar({ type: "object", properties: { a: { type: "boolean" } }, additionalProperties: { type: "number" } }),
            { type: "object", properties: { a: { type: "boolean" } }, additionalProperties: { type: "number" } });
    });

    it("drops string lengths (they made valid generations fail validation) and keeps supported formats only", () => {
        const props = (s: unknown) => (toolArgumentsGrammar({ type: "object", properties: { s } }) as { properties: Record<string, unknown> }).properties.s;
        assert.deepEqual(props({ type: "string", minLength: 1, maxLength: 3 }), { type: "string" });
        assert.deepEqual(props({ type: "string", format: "date" }), { type: "string", format: "date" });
        assert.deepEqual(props({ type: "string", format: "uri" }), { type: "string" });
    });

    it("turns anyOf/oneOf into oneOf, enums and consts into theirs, type lists into basic types or alternatives", () => {
        const props = (s: unknown) => (toolArgumentsGrammar({ type: "object", properties: { s } }) as { properties: Record<string, unknown> }).properties.s;
        assert.deepEqual(props({ anyOf: [{ type: "string" }, { type: "null" }] }), { oneOf: [{ type: "string" }, { type: "null" }] });
        assert.deepEqual(props({ enum: ["a", 1, null, { no: 1 }] }), { enum: ["a", 1, null] });
        assert.deepEqual(props({ const: "x" }), { const: "x" });
        assert.deepEqual(props({ type: ["string", "null"] }), { type: ["string", "null"] });
        assert.deepEqual(props({ type: ["object", "null"] }), { oneOf: [{ type: "object", additionalProperties: true }, { type: "null" }] });
    });

    it("resolves $ref to definitions or $defs, carrying every referenced definition (also from other definitions)", () => {
        const g = toolArgumentsGrammar({
            type: "object",
            definitions: { pos: { type: "object", properties: { line: { $ref: "#/$defs/num" } }, required: ["line"] } },
            $defs: { num: { type: "integer" }, unused: { type: "string" } },
            properties: { at: { $ref: "#/definitions/pos" }, bad: { $ref: "http://elsewhere/x.json" } },
        });
        assert.deepEqual(g, {
            type: "object",
            properties: { at: { $ref: "#/$defs/pos" }, bad: ANY_JSON },
            additionalProperties: false,
            $defs: {
                pos: { type: "object", properties: { line: { $ref: "#/$defs/num" } }, required: ["line"], additionalProperties: false },
                num: { type: "integer" },
            },
        });
    });

    it("merges allOf object parts and converts draft-07 and 2020-12 tuples", () => {
        assert.deepEqual(toolArgumentsGrammar({
            allOf: [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, { properties: { b: { type: "number" } } }],
        }), { type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["a"], additionalProperties: false });
        const props = (s: unknown) => (toolArgumentsGrammar({ type: "object", properties: { s } }) as { properties: Record<string, unknown> }).properties.s;
        assert.deepEqual(props({ type: "array", items: [{ type: "string" }], additionalItems: { type: "number" }, minItems: 1, maxItems: 0 }),
            { type: "array", prefixItems: [{ type: "string" }], items: { type: "number" }, minItems: 1 });
        assert.deepEqual(props({ prefixItems: [{ const: 1 }], items: { type: "boolean" }, type: "array" }),
            { type: "array", prefixItems: [{ const: 1 }], items: { type: "boolean" } });
    });

    it("anything it cannot say, or nested too deep, becomes any JSON value", () => {
        const props = (s: unknown) => (toolArgumentsGrammar({ type: "object", properties: { s } }) as { properties: Record<string, unknown> }).properties.s;
        assert.deepEqual(props({ not: { type: "string" } }), ANY_JSON);
        assert.deepEqual(props(true), ANY_JSON);
        let deep: unknown = { type: "string" };
        for (let i = 0; i < 40; i++) deep = { type: "array", items: deep };
        let node = props(deep) as { items?: unknown };
        let depth = 0;
        while (node.items) { node = node.items as { items?: unknown }; depth++; }
        assert.ok(depth < 40 && JSON.stringify(node) === JSON.stringify(ANY_JSON), `depth ${depth}`);
    });
});
