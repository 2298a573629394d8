/**
 * The zero-egress check reads strace's output (scripts/egress-trace.mjs, run by scripts/egress.mjs): these lines are
 * real strace 6.1 output, so a classifier that let a connection to another machine through would fail here.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../helpers/fixtures";

interface SocketEvent { pid: number; syscall: string; family: string; address: string; port?: number; result: string }
interface TraceModule {
    parseTrace(text: string): { events: SocketEvent[]; processes: Map<number, { parent?: number; argv?: string[] }> };
    isLocal(e: SocketEvent): boolean;
    ancestorMatching(pid: number, processes: Map<number, { parent?: number; argv?: string[] }>, test: (argv: string[]) => boolean): number | undefined;
    summarize(events: SocketEvent[]): { total: number; local: number; outside: SocketEvent[] };
}

const TRACE = String.raw`100 execve("/usr/bin/node", ["node", "/srv/out/bootstrap-fork", "--type=extensionHost", "--transformURIs"], 0x7ffc /* 35 vars */) = 0
100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fef4a060f50) = 101
101 execve("/usr/bin/node", ["/usr/bin/node", "/ext/dist/engine.mjs"], 0x41329ec0 /* 35 vars */) = 0
101 connect(19, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)
101 connect(20, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)
100 connect(21, {sa_family=AF_UNIX, sun_path="/tmp/vscode-ipc.sock"}, 110) = 0
101 sendmsg(21, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("192.0.2.1")}, msg_namelen=16, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1
101 connect(22, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>
200 execve("/usr/bin/chromium", ["chromium", "--headless"], 0x1 /* 3 vars */) = 0
101 <... connect resumed>) = -1 ENETUNREACH (Network is unreachable)
200 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("8.8.8.8")}, 16) = -1 ENETUNREACH (Network is unreachable)
100 sendto(7, "\x14\x00", 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
`;

describe("zero-egress trace", () => {
    let trace: TraceModule;
    before(async () => {
        trace = (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "egress-trace.mjs")).href)) as TraceModule;
    });

    it("finds every socket address, including a resumed connect and a UDP sendmsg", () => {
        const { events } = trace.parseTrace(TRACE);
        assert.deepEqual(events.map((e) => `${e.pid} ${e.syscall} ${e.family} ${e.address}${e.port ? `:${e.port}` : ""}`), [
            "101 connect AF_INET 127.0.0.1:9",
            "101 connect AF_INET6 ::1:9",
            "100 connect AF_UNIX \"/tmp/vscode-ipc.sock\"",
            "101 sendmsg AF_INET 192.0.2.1:53",
            "101 connect AF_INET6 2001:db8::1:443",
            "200 connect AF_INET 8.8.8.8:443",
            "100 sendto AF_NETLINK ",
        ]);
        assert.match(events[4]!.result, /ENETUNREACH/);
    });

    it("counts only loopback, unix sockets and netlink as local", () => {
        const { events } = trace.parseTrace(TRACE);
        assert.deepEqual(events.map((e) => trace.isLocal(e)), [true, true, true, false, false, false, true]);
        for (const address of ["10.0.0.1", "169.254.1.1", "192.168.1.1", "128.0.0.1"]) {
            assert.equal(trace.isLocal({ pid: 1, syscall: "connect", family: "AF_INET", address, result: "" }), false, address);
        }
        assert.equal(trace.isLocal({ pid: 1, syscall: "connect", family: "AF_INET6", address: "::ffff:10.0.0.1", result: "" }), false);
        assert.equal(trace.isLocal({ pid: 1, syscall: "connect", family: "AF_PACKET", address: "", result: "" }), false);
    });

    it("attributes processes to the extension host through the process tree", () => {
        const { events, processes } = trace.parseTrace(TRACE);
        assert.deepEqual(processes.get(101)?.argv, ["/usr/bin/node", "/ext/dist/engine.mjs"]);
        const isHost = (argv: string[]) => argv.includes("--type=extensionHost");
        assert.equal(trace.ancestorMatching(101, processes, isHost), 100, "the engine is a child of the extension host");
        assert.equal(trace.ancestorMatching(200, processes, isHost), undefined, "Chromium is not");
        const hearth = events.filter((e) => trace.ancestorMatching(e.pid, processes, isHost) !== undefined);
        const summary = trace.summarize(hearth);
        assert.equal(summary.total, 6);
        assert.deepEqual(summary.outside.map((e) => e.address), ["192.0.2.1", "2001:db8::1"]);
    });
});
