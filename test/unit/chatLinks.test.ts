/** What a link in a model's answer may be, and what the user is shown before it is opened (src/core/chat/links.ts). */
import * as assert from "node:assert/strict";
import { MAX_LINK_LENGTH, parseModelLink } from "../../src/core/chat/links";

describe("links in model output", () => {
    it("accepts web and mail addresses and names who receives them", () => {
        assert.deepEqual(parseModelLink("https://docs.example.com/a?b=c"), { url: "https://docs.example.com/a?b=c", scheme: "https", receiver: "docs.example.com" });
        assert.deepEqual(parseModelLink(" http://example.org "), { url: "http://example.org/", scheme: "http", receiver: "example.org" });
        assert.equal(parseModelLink("mailto:Someone@Evil.Example?body=secret")?.receiver, "evil.example");
    });

    it("shows international host names as punycode (no look-alike letters)", () => {
        // "аpple.com" with a Cyrillic а.
        assert.equal(parseModelLink("https://\u0430pple.com/login")?.receiver, "xn--pple-43d.com");
    });

    it("refuses everything else", () => {
        for (const href of ["javascript:alert(1)", "file:///etc/passwd", "vscode://settings", "command:workbench.action.terminal.new",
            "data:text/html,x", "//example.com", "not a url", "", 42, undefined, "https://" + "a".repeat(MAX_LINK_LENGTH)]) {
            assert.equal(parseModelLink(href), undefined, String(href).slice(0, 40));
        }
    });
});
