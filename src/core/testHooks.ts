/**
 * Commands and API that exist only for tests (hearth.completions.provideAt, hearth.completions.idle,
 * hearth.completions.contextLabels, hearth.review.state; the services on activate()'s return value) are never part of
 * the shipped extension: any other extension could call them. They are registered only when BOTH hold:
 *  - this is not the production bundle: `esbuild.mjs --production` (what the VSIX ships) defines
 *    process.env.HEARTH_BUILD as "production", so the condition folds to false and the code is dropped from the
 *    bundle (test/package/vsix.test.ts checks the shipped bundle holds none of these command ids);
 *  - the test launcher asked for them: HEARTH_TEST_COMMANDS=1 (test/host/runHostTests.mjs sets it).
 */
export const TEST_COMMANDS_ENV = "HEARTH_TEST_COMMANDS";

/**
 * False in the production bundle, as a constant: callers write `TEST_BUILD && testHooksEnabled()` so esbuild can
 * drop the whole branch (a function call alone is not folded).
 */
export const TEST_BUILD: boolean = process.env.HEARTH_BUILD !== "production";

export function testHooksEnabled(env: Record<string, string | undefined> = process.env): boolean {
    return TEST_BUILD && env[TEST_COMMANDS_ENV] === "1";
}
