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
    // A native exception. In a plain native process it is a crash: record it and send what is
    // buffered before the process dies. A managed runtime (Android's ART, a JVM) raises SIGSEGV on
    // purpose (implicit null checks, safepoint polls) and handles it itself: there the exception is
    // only noted, a few times, without waiting. Either way the app's own handlers and the system's
    // crash report still run (false: not handled here); a real crash ends the session, and frida's
    // crash report goes into the trace's outcome.
    const managed = javaAvailable();
    let noted = 0;
    Process.setExceptionHandler((details) => {
      const fields = { type: details.type, address: details.address.toString(), memory: details.memory
        ? { operation: details.memory.operation, address: details.memory.address.toString() } : null };
      if (!managed) {
        emit("crash", fields, "agent");
        flushAndWait();
      } else if (noted < 10) {
        noted++;
        emit("native_exception", fields, "agent");
      }
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
