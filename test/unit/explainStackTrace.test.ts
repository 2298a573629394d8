import * as assert from "node:assert/strict";
import { extractFileReferences, isLibraryPath, javaRelativePath } from "../../src/core/explain/stackTrace";

const pick = (text: string) => extractFileReferences(text).map((r) => ({ path: r.path, line: r.line, column: r.column, format: r.format }));

describe("stack trace file:line extraction", () => {
    it("Node.js / V8 traces (named, anonymous, file:// ESM, node: internals last)", () => {
        const trace = [
            "TypeError: Cannot read properties of undefined (reading 'name')",
            "    at greet (/home/dev/app/src/greet.js:12:23)",
            "    at /home/dev/app/src/index.js:5:3",
            "    at async main (file:///home/dev/app/src/main.mjs:20:5)",
            "    at Module._compile (node:internal/modules/cjs/loader:1376:14)",
            "    at Object.<anonymous> (/home/dev/app/node_modules/express/lib/router.js:44:9)",
        ].join("\n");
        const refs = pick(trace);
        assert.deepEqual(refs.slice(0, 3), [
            { path: "/home/dev/app/src/greet.js", line: 12, column: 23, format: "node" },
            { path: "/home/dev/app/src/index.js", line: 5, column: 3, format: "node" },
            { path: "/home/dev/app/src/main.mjs", line: 20, column: 5, format: "node" },
        ]);
        assert.equal(refs.at(-1)!.path, "/home/dev/app/node_modules/express/lib/router.js", "library frames come last");
        assert.ok(!refs.some((r) => r.path.startsWith("node:")), "node: internals are not files");
    });

    it("Python tracebacks", () => {
        const trace = [
            "Traceback (most recent call last):",
            '  File "/srv/app/main.py", line 42, in <module>',
            "    run()",
            '  File "app/handlers.py", line 7, in run',
            "    return 1 / 0",
            '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads',
            "ZeroDivisionError: division by zero",
        ].join("\n");
        assert.deepEqual(pick(trace), [
            { path: "/srv/app/main.py", line: 42, column: undefined, format: "python" },
            { path: "app/handlers.py", line: 7, column: undefined, format: "python" },
            { path: "/usr/lib/python3.11/json/__init__.py", line: 346, column: undefined, format: "python" },
        ]);
    });

    it("Java stack traces, with the class giving the source path", () => {
        const trace = [
            'Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.length()"',
            "\tat com.acme.shop.Cart.total(Cart.java:57)",
            "\tat com.acme.shop.Cart$Line.price(Cart.java:112)",
            "\tat com.acme.shop.Main.main(Main.java:9)",
        ].join("\n");
        const refs = extractFileReferences(trace);
        assert.deepEqual(refs.map((r) => [r.path, r.line, r.format]), [
            ["Cart.java", 57, "java"], ["Cart.java", 112, "java"], ["Main.java", 9, "java"],
        ]);
        assert.equal(javaRelativePath(refs[0]!), "com/acme/shop/Cart.java");
        assert.equal(javaRelativePath(refs[1]!), "com/acme/shop/Cart.java", "inner class Cart$Line lives in Cart.java");
    });

    it("Go panics and compiler errors", () => {
        const panic = [
            "panic: runtime error: index out of range [5] with length 3",
            "",
            "goroutine 1 [running]:",
            "main.lookup(...)",
            "\t/home/dev/svc/main.go:14 +0x1d",
            "main.main()",
            "\t/home/dev/svc/main.go:20 +0x25",
            "exit status 2",
        ].join("\n");
        assert.deepEqual(pick(panic), [
            { path: "/home/dev/svc/main.go", line: 14, column: undefined, format: "go" },
            { path: "/home/dev/svc/main.go", line: 20, column: undefined, format: "go" },
        ]);
        assert.deepEqual(pick("# example.com/svc\n./handler.go:31:9: undefined: respond"), [
            { path: "./handler.go", line: 31, column: 9, format: "go" },
        ]);
    });

    it("Rust compiler errors and panics", () => {
        const compile = [
            "error[E0308]: mismatched types",
            " --> src/main.rs:4:18",
            "  |",
            "4 |     let n: u32 = \"five\";",
        ].join("\n");
        assert.deepEqual(pick(compile), [{ path: "src/main.rs", line: 4, column: 18, format: "rust" }]);
        const panic = "thread 'main' panicked at src/parser.rs:88:14:\ncalled `Option::unwrap()` on a `None` value";
        assert.deepEqual(pick(panic), [{ path: "src/parser.rs", line: 88, column: 14, format: "rust" }]);
    });

    it("TypeScript compiler output, plain and pretty", () => {
        const plain = "src/cart.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.\nsrc/util/io.ts(3,1): error TS1128: Declaration or statement expected.";
        assert.deepEqual(pick(plain), [
            { path: "src/cart.ts", line: 12, column: 7, format: "typescript" },
            { path: "src/util/io.ts", line: 3, column: 1, format: "typescript" },
        ]);
        const pretty = "src/cart.ts:12:7 - error TS2322: Type 'string' is not assignable to type 'number'.\n\n12 const n: number = \"x\";";
        assert.deepEqual(pick(pretty), [{ path: "src/cart.ts", line: 12, column: 7, format: "typescript" }]);
    });

    it("finds generic path:line references (eslint, gcc) and ignores times and URLs without files", () => {
        const refs = pick("lib/math.c:10:5: error: expected ';'\nBuild finished at 12:30:45");
        assert.deepEqual(refs, [{ path: "lib/math.c", line: 10, column: 5, format: "generic" }]);
    });

    it("deduplicates repeated frames", () => {
        const trace = "    at f (/a/x.js:1:1)\n    at f (/a/x.js:1:1)";
        assert.equal(extractFileReferences(trace).length, 1);
    });

    it("classifies library paths", () => {
        assert.ok(isLibraryPath("/app/node_modules/x/index.js"));
        assert.ok(isLibraryPath("/usr/lib/python3.11/json/__init__.py"));
        assert.ok(isLibraryPath("/home/u/.venv/lib/python3.12/site-packages/requests/api.py"));
        assert.ok(isLibraryPath("node:internal/modules/cjs/loader"));
        assert.ok(!isLibraryPath("/home/u/app/src/main.py"));
    });
});
