// Lint rules that guard Hearth's layering. src/core is plain TypeScript, unit-tested in Node: it must never
// import `vscode` (nor node-llama-cpp, which belongs to the engine process).
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/**", "out/**", "media/dist/**", "node_modules/**", ".tools/**", "bench/.cache/**"] },
    {
        files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
        extends: [tseslint.configs.recommended],
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        files: ["src/core/**/*.ts", "src/protocol/**/*.ts", "src/engine/**/*.ts", "src/webview/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", {
                paths: [{ name: "vscode", message: "src/core, src/protocol, src/engine and src/webview must not depend on the VS Code API." }],
            }],
        },
    },
    {
        files: ["src/core/**/*.ts", "src/protocol/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", {
                paths: [
                    { name: "vscode", message: "src/core must not depend on the VS Code API (it is unit-tested in plain Node)." },
                    { name: "node-llama-cpp", message: "Only the engine process imports node-llama-cpp." },
                ],
            }],
        },
    },
);
