// Reads the output of `strace -f -e trace=connect,sendto,sendmsg,sendmmsg,execve,clone,clone3,fork,vfork` (one file,
// each line prefixed with its pid) and lists every socket address a process tried to reach, with the process tree
// so the addresses can be attributed (scripts/egress.mjs). Pure functions; test/unit/egressTrace.test.ts covers them.

const SOCKET_CALLS = new Set(["connect", "sendto", "sendmsg", "sendmmsg"]);
const SPAWN_CALLS = new Set(["clone", "clone3", "fork", "vfork"]);

/**
 * @typedef {{ pid: number, syscall: string, family: string, address: string, port?: number, result: string }} SocketEvent
 * @typedef {{ parent?: number, argv?: string[] }} ProcessInfo
 */

/** Joins strace's `<unfinished ...>` / `<... x resumed>` halves, per pid. */
function joinLines(text) {
    const pending = new Map();
    const out = [];
    for (const raw of text.split("\n")) {
        const m = /^(?:\[pid\s+)?(\d+)\]?\s+(.*)$/.exec(raw);
        if (!m) continue;
        const pid = Number(m[1]);
        let body = m[2];
        if (body.endsWith("<unfinished ...>")) {
            pending.set(pid, body.slice(0, -"<unfinished ...>".length));
            continue;
        }
        const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(body);
        if (resumed) {
            body = (pending.get(pid) ?? `${resumed[1]}(`) + resumed[2];
            pending.delete(pid);
        }
        out.push({ pid, body });
    }
    return out;
}

/** Every socket address in a syscall's text: `{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("…")}`. */
export function socketAddresses(body) {
    const found = [];
    const re = /sa_family=(AF_\w+)/g;
    let m;
    while ((m = re.exec(body))) {
        const rest = body.slice(m.index, body.indexOf("}", m.index) + 1 || undefined);
        const family = m[1];
        const port = /(?:sin6?_port)=htons\((\d+)\)/.exec(rest)?.[1];
        let address = "";
        if (family === "AF_INET") address = /inet_addr\("([^"]*)"\)/.exec(rest)?.[1] ?? "";
        else if (family === "AF_INET6") address = /inet_pton\(AF_INET6, "([^"]*)"/.exec(rest)?.[1] ?? "";
        else if (family === "AF_UNIX") address = /sun_path=(@?"[^"]*"|[^,}]*)/.exec(rest)?.[1] ?? "";
        found.push({ family, address, ...(port ? { port: Number(port) } : {}) });
    }
    return found;
}

/** The argv array of an `execve("path", ["a", "b"…], …)` line (strings keep strace's escapes). */
export function execArgv(body) {
    const start = body.indexOf("[", body.indexOf('",') + 1);
    if (start < 0) return undefined;
    const argv = [];
    const re = /\s*"((?:[^"\\]|\\.)*)"(?:\.\.\.)?\s*(,|\])/y;
    re.lastIndex = start + 1;
    for (let m = re.exec(body); m; m = re.exec(body)) {
        argv.push(m[1]);
        if (m[2] === "]") return argv;
    }
    return argv.length ? argv : undefined;
}

/** @returns {{ events: SocketEvent[], processes: Map<number, ProcessInfo> }} */
export function parseTrace(text) {
    const processes = new Map();
    const events = [];
    const info = (pid) => {
        let p = processes.get(pid);
        if (!p) processes.set(pid, (p = {}));
        return p;
    };
    for (const { pid, body } of joinLines(text)) {
        const call = /^(\w+)\(/.exec(body)?.[1];
        if (!call) continue;
        const result = /\)\s+=\s+(.*)$/.exec(body)?.[1]?.trim() ?? "";
        info(pid);
        if (SPAWN_CALLS.has(call)) {
            const child = Number(/^(\d+)/.exec(result)?.[1]);
            if (child > 0) info(child).parent = pid;
        } else if (call === "execve" && /^0\b/.test(result)) {
            const argv = execArgv(body);
            if (argv) info(pid).argv = argv;
        } else if (SOCKET_CALLS.has(call)) {
            for (const a of socketAddresses(body)) events.push({ pid, syscall: call, ...a, result });
        }
    }
    return { events, processes };
}

/** Loopback, this machine's own sockets, or the kernel: never a connection to another machine. */
export function isLocal(event) {
    switch (event.family) {
        case "AF_UNIX":
        case "AF_NETLINK":
        case "AF_UNSPEC":
            return true;
        case "AF_INET":
            return /^127\./.test(event.address) || event.address === "0.0.0.0";
        case "AF_INET6":
            return event.address === "::1" || event.address === "::" || /^::ffff:127\./i.test(event.address);
        default:
            return false;
    }
}

/** The pid and its ancestors, nearest first. */
export function lineage(pid, processes) {
    const chain = [];
    for (let p = pid, guard = 0; p !== undefined && guard < 1000; p = processes.get(p)?.parent, guard++) chain.push(p);
    return chain;
}

/** The nearest process in `pid`'s lineage whose command line matches `test`, or undefined. */
export function ancestorMatching(pid, processes, test) {
    return lineage(pid, processes).find((p) => {
        const argv = processes.get(p)?.argv;
        return argv !== undefined && test(argv);
    });
}

/** Counts of a run's socket events, local and outside, with the outside ones listed. */
export function summarize(events) {
    const outside = events.filter((e) => !isLocal(e));
    const byFamily = {};
    for (const e of events) byFamily[e.family] = (byFamily[e.family] ?? 0) + 1;
    return { total: events.length, local: events.length - outside.length, outside, byFamily };
}
