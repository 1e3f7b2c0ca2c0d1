// The agent of `inspector trace`: loaded into the app under test, it records what the app does as
// events and sends them to inspector in batches (see events.js). Built into ../agent.bundle.js by
// scripts/build_lab_agent.py; the host calls rpc.exports.init(options) before the app runs on.

import { emit, flush, flushAndWait, options, startTimer, stats } from "./events.js";
import { installJavaHooks, javaAvailable } from "./java.js";
import { installNativeHooks } from "./native.js";

rpc.exports = {
  init(settings) {
    options.paths = Array.isArray(settings.paths) ? settings.paths : null;
    options.backtrace = settings.backtrace === true;
    options.captureContent = settings.captureContent === true;
    options.ownPackage = settings.ownPackage || null;
    if (Number.isInteger(settings.ringSlots) && settings.ringSlots >= 16) options.ringSlots = settings.ringSlots;
    startTimer();
    // A crash: record it and send what is buffered before the process dies (the app's own
    // handlers, and the system's crash report, still run: the exception is not handled here).
    Process.setExceptionHandler((details) => {
      emit("crash", { type: details.type, address: details.address.toString(), memory: details.memory
        ? { operation: details.memory.operation, address: details.memory.address.toString() } : null }, "agent");
      flushAndWait();
      return false;
    });
    const native = installNativeHooks();
    let java = [];
    const hasJava = javaAvailable();
    if (hasJava && settings.java !== false) {
      java = installJavaHooks();
    }
    const hello = {
      frida: Frida.version, runtime: Script.runtime, arch: Process.arch, platform: Process.platform,
      pid: Process.id, java: hasJava, hooks: { native, java },
    };
    emit("agent_loaded", Object.assign({}, hello), "agent");
    flush();
    return hello;
  },
  flush() {
    flush();
    return stats();
  },
  stats() {
    return stats();
  },
  dispose() {
    flush();
  },
};
