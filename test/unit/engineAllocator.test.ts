import * as assert from "node:assert/strict";
import { ENGINE_ALLOCATOR_ENV, engineEnvironment } from "../../src/engineClient/engineAllocator";

describe("engine environment: allocator settings", () => {
    it("adds glibc's settings on Linux under the host's environment", () => {
        const env = engineEnvironment({ PATH: "/usr/bin" }, "linux");
        assert.deepEqual(env, { ...ENGINE_ALLOCATOR_ENV, PATH: "/usr/bin" });
    });

    it("keeps a value the user set, and a removed one stays removed", () => {
        const env = engineEnvironment({ MALLOC_ARENA_MAX: "4", MALLOC_MMAP_THRESHOLD_: undefined }, "linux");
        assert.equal(env.MALLOC_ARENA_MAX, "4");
        assert.equal(env.MALLOC_TRIM_THRESHOLD_, "65536");
        assert.ok("MALLOC_MMAP_THRESHOLD_" in env && env.MALLOC_MMAP_THRESHOLD_ === undefined);
    });

    it("leaves the environment alone elsewhere (no glibc)", () => {
        for (const platform of ["darwin", "win32"] as const) {
            assert.deepEqual(engineEnvironment({ PATH: "x" }, platform), { PATH: "x" });
        }
    });
});
