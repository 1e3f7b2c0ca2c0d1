// Native hooks: files opened, listed and deleted (with the path filter), network connections, and
// programs started. Each libc function is hooked once even when several names share one address
// (glibc's open and open64).

import { emit, flushAndWait, nativeBacktrace, options, pathWanted, readString } from "./events.js";
import { installFastOpenHooks } from "./fastfile.js";

// O_DIRECTORY differs between architectures (asm-generic vs x86).
const O_DIRECTORY = (Process.arch === "arm" || Process.arch === "arm64") ? 0x4000 : 0x10000;
const AT_REMOVEDIR = 0x200;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = Process.platform === "darwin" ? 30 : 10;
const MAX_ARGS = 32;

const hooked = new Set();

// A child made with vfork() (posix_spawn, and Java's process launching on Linux) runs in this
// process's memory until it calls execve: hooks fire there too. It must neither record (the events
// would be the parent's) nor wait for inspector (the parent is suspended until the child execs: a
// deadlock). getpid() tells the child apart.
const getpid = new NativeFunction(Module.getGlobalExportByName("getpid"), "int", [], { exceptions: "propagate" });
const agentPid = Process.id;

function inVforkChild() {
  return getpid() !== agentPid;
}
export const installed = [];

function exportOf(name) {
  return Module.findGlobalExportByName(name);
}

function hook(names, callbacks) {
  for (const name of names) {
    const address = exportOf(name);
    if (address === null || hooked.has(address.toString())) {
      continue;
    }
    hooked.add(address.toString());
    Interceptor.attach(address, callbacks);
    installed.push(name);
  }
}

// A hook on a call that takes a path: nothing is recorded unless the path is wanted; `describe(args,
// fields)` adds what the call's other arguments say, `result(retval, fields, errno)` what it returned.
function pathCallHook(kind, pathIndex, initial, describe, result) {
  return {
    onEnter(args) {
      const fields = { ...initial };
      const path = readString(args[pathIndex], fields, "path");
      if (path === null || !pathWanted(path)) {
        this.fields = null;
        return;
      }
      describe(args, fields);
      const bt = nativeBacktrace(this.context);
      if (bt !== undefined) fields.bt = bt;
      this.fields = fields;
    },
    onLeave(retval) {
      const fields = this.fields;
      if (fields) {
        result(retval, fields, this.errno);
        emit(kind, fields, "native", this.threadId);
      }
    },
  };
}

function intResult(retval, fields, errno) {
  fields.ret = retval.toInt32();
  if (fields.ret < 0) fields.errno = errno;
}

function pointerResult(retval, fields, errno) {
  fields.ret = retval.isNull() ? -1 : 0;
  if (retval.isNull()) fields.errno = errno;
}

function openHook(via, pathIndex, flagsIndex) {
  return pathCallHook("open", pathIndex, { via }, (args, fields) => {
    const flags = args[flagsIndex].toInt32();
    fields.flags = flags;
    if (flags & O_DIRECTORY) {
      fields.dir = true;
    }
  }, intResult);
}

function pathHook(kind, pathIndex, flagsIndex) {
  const describe = flagsIndex === null ? () => {} : (args, fields) => {
    if (args[flagsIndex].toInt32() & AT_REMOVEDIR) {
      fields.dir = true;
    }
  };
  return pathCallHook(kind, pathIndex, {}, describe, kind === "opendir" ? pointerResult : intResult);
}

function hex(bytes) {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

function readSockaddr(address, length, fields) {
  if (address.isNull() || length < 2) {
    return false;
  }
  const family = address.readU16();
  fields.family = family;
  if (family === AF_INET && length >= 8) {
    fields.port = (address.add(2).readU8() << 8) | address.add(3).readU8();
    fields.addr = Array.from(new Uint8Array(address.add(4).readByteArray(4))).join(".");
    return true;
  }
  if (family === AF_INET6 && length >= 24) {
    fields.port = (address.add(2).readU8() << 8) | address.add(3).readU8();
    const raw = new Uint8Array(address.add(8).readByteArray(16));
    const groups = [];
    for (let i = 0; i < 16; i += 2) groups.push(((raw[i] << 8) | raw[i + 1]).toString(16));
    fields.addr = groups.join(":");
    return true;
  }
  if (family === AF_UNIX) {
    const max = Math.min(length - 2, 108);
    if (max <= 0) {
      fields.unix = "";
      return true;
    }
    const raw = new Uint8Array(address.add(2).readByteArray(max));
    if (raw[0] === 0) {
      // An abstract socket: its name may hold any byte, so it is kept as hex.
      fields.unix_abstract_hex = hex(raw.slice(1));
    } else {
      readString(address.add(2), fields, "unix");
    }
    return true;
  }
  fields.raw_hex = hex(new Uint8Array(address.readByteArray(Math.min(length, 128))));
  return true;
}

function readArgv(argv) {
  const out = [];
  if (argv.isNull()) return out;
  for (let i = 0; i < MAX_ARGS; i++) {
    const item = argv.add(i * Process.pointerSize).readPointer();
    if (item.isNull()) break;
    const holder = {};
    readString(item, holder, "a");
    out.push(holder.a);
  }
  return out;
}

// Inside one exec-family call, the libc may call another hooked one (execvp → execve on bionic):
// record the outermost only.
const execDepth = new Map();

function execHook(pathIndex, argvIndex, kind) {
  return {
    onEnter(args) {
      this.child = inVforkChild();
      if (this.child) return;
      const tid = Process.getCurrentThreadId();
      const depth = execDepth.get(tid) || 0;
      execDepth.set(tid, depth + 1);
      this.outer = depth === 0;
      if (!this.outer) return;
      const fields = { via: kind };
      readString(args[pathIndex], fields, "path");
      fields.argv = readArgv(args[argvIndex]);
      const bt = nativeBacktrace(this.context);
      if (bt !== undefined) fields.bt = bt;
      emit("exec", fields);
      if (kind.startsWith("exec")) {
        // On success execve does not return: this agent ends with the old process image.
        flushAndWait();
      }
    },
    onLeave(retval) {
      if (this.child) return;
      const tid = Process.getCurrentThreadId();
      const depth = (execDepth.get(tid) || 1) - 1;
      if (depth === 0) execDepth.delete(tid); else execDepth.set(tid, depth);
      if (this.outer) {
        const fields = { via: kind, ret: retval.toInt32() };
        if (kind.startsWith("exec") || fields.ret !== 0) fields.errno = this.errno;
        emit("exec_result", fields);
      }
    },
  };
}

export function installNativeHooks() {
  if (!options.backtrace) {
    // The C hooks for the calls apps make most; with --backtrace (or without CModule support) the
    // JavaScript hooks below take them instead.
    try {
      installed.push(...installFastOpenHooks(options.paths, O_DIRECTORY, hooked, options.ringSlots));
    } catch (e) {
      emit("hook_failed", { group: "fast_open", error: String(e.message || e) }, "agent");
    }
  }
  hook(["open", "open64", "__open_2", "__open64_2"], openHook("open", 0, 1));
  hook(["openat", "openat64", "__openat_2", "__openat64_2"], openHook("openat", 1, 2));
  hook(["opendir"], pathHook("opendir", 0, null));
  hook(["unlink"], pathHook("unlink", 0, null));
  hook(["unlinkat"], pathHook("unlink", 1, 2));
  hook(["rmdir"], pathHook("rmdir", 0, null));
  hook(["connect"], {
    onEnter(args) {
      const fields = { fd: args[0].toInt32() };
      if (!readSockaddr(args[1], args[2].toInt32(), fields)) {
        this.fields = null;
        return;
      }
      const bt = nativeBacktrace(this.context);
      if (bt !== undefined) fields.bt = bt;
      this.fields = fields;
    },
    onLeave(retval) {
      const fields = this.fields;
      if (fields) {
        fields.ret = retval.toInt32();
        // A non-blocking connect returns -1 with EINPROGRESS and carries on: it still connects.
        if (fields.ret < 0) fields.errno = this.errno;
        emit("connect", fields);
      }
    },
  });
  // The process is about to end: what is buffered must leave first (a crash is handled in index.js).
  let exiting = false;
  hook(["exit", "_exit", "_Exit"], {
    onEnter(args) {
      if (exiting || inVforkChild()) return;
      exiting = true;
      emit("exit", { status: args[0].toInt32() });
      flushAndWait();
    },
  });
  hook(["execve"], execHook(0, 1, "execve"));
  hook(["execv"], execHook(0, 1, "execv"));
  hook(["execvp"], execHook(0, 1, "execvp"));
  hook(["execvpe"], execHook(0, 1, "execvpe"));
  hook(["posix_spawn"], execHook(1, 4, "posix_spawn"));
  hook(["posix_spawnp"], execHook(1, 4, "posix_spawnp"));
  return installed;
}
