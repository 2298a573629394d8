/** Test-only commands are opt-in even in a development build (src/core/testHooks.ts); the VSIX check is in test/package. */
import * as assert from "node:assert/strict";
import { testHooksEnabled } from "../../src/core/testHooks";

describe("test-only commands", () => {
    it("are off unless the test launcher sets HEARTH_TEST_COMMANDS=1", () => {
        assert.equal(testHooksEnabled({}), false);
        assert.equal(testHooksEnabled({ HEARTH_TEST_COMMANDS: "0" }), false);
        assert.equal(testHooksEnabled({ HEARTH_TEST_COMMANDS: "true" }), false);
        assert.equal(testHooksEnabled({ HEARTH_TEST_COMMANDS: "1" }), true);
    });
});
