#!/usr/bin/env node
// Zero egress, tested: runs a test suite inside a network namespace that has only loopback (`unshare -n`, then
// `ip link set lo up`) and records every socket address its processes try to reach with strace, then fails when any
// of Hearth's processes tried to reach anything but loopback, a unix socket or the kernel (netlink).
//
//   node scripts/egress.mjs --label "engine integration" [--hearth all|extension-host] -- <command …>
//
// Why strace: it stops on the connect/sendto/sendmsg/sendmmsg SYSCALLS of every thread of every process in the tree
// (-f), so it sees native code (llama.cpp, a library's own resolver) as well as Node's; /proc polling misses
// sockets that live for a millisecond (a refused connect leaves no trace), LD_PRELOAD misses static binaries and
// direct syscalls, and a Node hook sees only JavaScript. --seccomp-bpf keeps the cost low: only those calls stop.
// (io_uring could connect without a syscall; nothing here uses io_uring for sockets.)
//
// Which processes are Hearth's: `--hearth all` (default) counts every process the command starts (the engine suite:
// mocha, the engine processes, the local fake Hugging Face); `--hearth extension-host` counts the VS Code extension
// host and its children (Hearth's engine), not code-server's own server or Chromium, which are reported apart.
//
// Without unshare (or ip) the suite still runs and is still recorded, but outside a namespace; without strace it runs
// in the namespace but nothing is recorded. Either is printed loudly, and under CI (CI=true) it is a failure.
// Report: test-results/egress/<label>.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ancestorMatching, parseTrace, summarize } from "./egress-trace.mjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TRACED = "connect,sendto,sendmsg,sendmmsg,execve,clone,clone3,fork,vfork";

function parseArgs(argv) {
    const sep = argv.indexOf("--");
    if (sep < 0 || sep === argv.length - 1) throw new Error("usage: node scripts/egress.mjs --label NAME [--hearth all|extension-host] -- COMMAND …");
    const opts = { label: "suite", hearth: "all", command: argv.slice(sep + 1) };
    for (let i = 0; i < sep; i++) {
        if (argv[i] === "--label") opts.label = argv[++i];
        else if (argv[i] === "--hearth") opts.hearth = argv[++i];
        else throw new Error(`unknown option ${argv[i]}`);
    }
    if (!["all", "extension-host"].includes(opts.hearth)) throw new Error(`--hearth must be all or extension-host, not ${opts.hearth}`);
    return opts;
}

const works = (cmd, args) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;

/** How to enter a loopback-only namespace here: as root `unshare -n`, else a user namespace `unshare -rn`. */
function namespaceCommand() {
    const bringUpLo = ["sh", "-c", 'ip link set lo up && exec "$@"', "sh"];
    for (const flags of [["-n"], ["-rn"]]) {
        if (works("unshare", [...flags, "--", "sh", "-c", "ip link set lo up"])) return ["unshare", ...flags, "--", ...bringUpLo];
    }
    return undefined;
}

function loud(lines) {
    const bar = "!".repeat(100);
    console.error(`\n${bar}\n${lines.map((l) => `!!! ${l}`).join("\n")}\n${bar}\n`);
}

const opts = parseArgs(process.argv.slice(2));
const slug = opts.label.replace(/[^\w.-]+/g, "-").toLowerCase();
const outDir = path.join(REPO_ROOT, "test-results", "egress");
mkdirSync(outDir, { recursive: true });
const traceFile = path.join(outDir, `${slug}.strace`);
rmSync(traceFile, { force: true });

const netns = namespaceCommand();
const strace = works("strace", ["-V"]);
const missing = [
    ...(netns ? [] : ["`unshare -n` (or `unshare -rn`) with `ip` is not available: the suite runs WITH network access"]),
    ...(strace ? [] : ["strace is not installed (Debian: apt-get install strace): sockets are NOT recorded"]),
];
if (missing.length) {
    loud([`ZERO-EGRESS CHECK of "${opts.label}" IS INCOMPLETE:`, ...missing, process.env.CI ? "CI=true: this is a failure." : "Outside CI the suite still runs; install them to check egress."]);
}

const traced = strace
    ? ["strace", "-f", "--seccomp-bpf", "-qq", "-s", "1024", "-e", `trace=${TRACED}`, "-e", "signal=none", "-o", traceFile, "--", ...opts.command]
    : opts.command;
const full = [...(netns ?? []), ...traced];
console.log(`[egress] ${opts.label}: ${netns ? "in a loopback-only network namespace" : "WITH network"}, ${strace ? "sockets recorded by strace" : "NOT recorded"}`);
const started = Date.now();
const run = spawnSync(full[0], full.slice(1), { stdio: "inherit", env: process.env });
const suiteStatus = run.status ?? 1;

let egressFailed = false;
if (strace) {
    const { events, processes } = parseTrace(readFileSync(traceFile, "utf8"));
    const isExtensionHost = (argv) => argv.some((a) => a.includes("--type=extensionHost"));
    const hearthPid = (pid) => opts.hearth === "all" || ancestorMatching(pid, processes, isExtensionHost) !== undefined;
    const hearth = events.filter((e) => hearthPid(e.pid));
    const others = events.filter((e) => !hearthPid(e.pid));
    const mine = summarize(hearth);
    const theirs = summarize(others);
    // A thread or a forked child has no execve of its own: name it by its nearest ancestor that has one.
    const argvOf = (pid) => {
        const owner = ancestorMatching(pid, processes, () => true);
        return owner === undefined ? "(unknown process)" : `${owner === pid ? "" : `[in ${owner}] `}${processes.get(owner).argv.join(" ").slice(0, 300)}`;
    };
    const report = {
        label: opts.label,
        command: opts.command.join(" "),
        measuredAt: new Date().toISOString(),
        seconds: Math.round((Date.now() - started) / 100) / 10,
        networkNamespace: Boolean(netns),
        hearthProcesses: opts.hearth,
        processesSeen: processes.size,
        hearth: { socketCalls: mine.total, local: mine.local, byFamily: mine.byFamily, outsideLoopback: mine.outside.map((e) => ({ ...e, argv: argvOf(e.pid) })) },
        otherProcesses: { socketCalls: theirs.total, local: theirs.local, outsideLoopback: theirs.outside.map((e) => ({ ...e, argv: argvOf(e.pid) })) },
    };
    if (opts.hearth === "extension-host" && ![...processes.values()].some((p) => p.argv && isExtensionHost(p.argv))) {
        report.error = "no extension host process was seen: nothing was attributed to Hearth";
    }
    writeFileSync(path.join(outDir, `${slug}.json`), JSON.stringify(report, null, 2) + "\n");
    rmSync(traceFile, { force: true });
    console.log(`[egress] ${opts.label}: Hearth's processes made ${mine.total} socket calls: ${mine.local} to loopback/unix/netlink `
        + `(${Object.entries(mine.byFamily).map(([f, n]) => `${f} ${n}`).join(", ") || "none"}), ${mine.outside.length} outside loopback`);
    if (opts.hearth !== "all") {
        console.log(`[egress] ${opts.label}: other processes (code-server, Chromium): ${theirs.total} socket calls, ${theirs.outside.length} outside loopback (not Hearth's; information)`);
    }
    if (report.error) {
        console.error(`[egress] ${opts.label}: FAILED — ${report.error}`);
        egressFailed = true;
    }
    if (mine.outside.length) {
        egressFailed = true;
        console.error(`[egress] ${opts.label}: FAILED — Hearth's processes tried to reach other machines:`);
        for (const e of mine.outside.slice(0, 20)) console.error(`  pid ${e.pid} ${e.syscall} ${e.family} ${e.address}${e.port ? `:${e.port}` : ""} = ${e.result}  (${argvOf(e.pid)})`);
    }
    // The classification itself is tested in test/unit/egressTrace.test.ts; this guards against a trace that is empty.
    if (mine.total === 0) {
        console.error(`[egress] ${opts.label}: FAILED — no socket call was recorded at all, so the trace cannot be trusted`);
        egressFailed = true;
    }
}
const incomplete = missing.length > 0 && Boolean(process.env.CI);
process.exit(suiteStatus !== 0 ? suiteStatus : egressFailed || incomplete ? 1 : 0);
