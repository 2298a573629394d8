/**
 * Exports Mocha CLI commands.
 * @private
 * @module
 */

export * as init from "./init.js";
// default command
export { default as run } from "./run.cjs";
