// The event buffer of the agent. Hooks run on the app's own threads, so recording an event must be
// cheap and must never wait for the host: events go into an array and leave in batches, either when
// the batch is full or from a timer on the agent's own thread. send() only queues the message.

import { drainFast } from "./fastfile.js";

const BATCH_SIZE = 1000;
const FLUSH_INTERVAL_MS = 50;
const BACKTRACE_FRAMES = 8;

export const options = {
  paths: null, // path prefixes recorded by the file hooks; null: every path
  backtrace: false,
  captureContent: false,
  ownPackage: null,
  ringSlots: undefined, // slots of the C hooks' ring buffer (fastfile.js); the default unless a test says
};

let batch = [];
let seq = 0;
let firstSeq = 0; // seq of the first event in the batch
let timer = null;

// Times are seconds on the device's CLOCK_MONOTONIC, the clock the C hooks (fastfile.js) read too.
// From JavaScript it costs a native call, about a microsecond: events recorded here are the rarer
// ones (connections, programs, Java calls), the frequent file opens are timed in C.
const timespec = Memory.alloc(16);
const clockGettime = new NativeFunction(Module.getGlobalExportByName("clock_gettime"), "int", ["int", "pointer"],
  { exceptions: "propagate" });
const CLOCK_MONOTONIC = 1;

export function now() {
  clockGettime(CLOCK_MONOTONIC, timespec);
  return Number(timespec.readS64()) + Number(timespec.add(8).readS64()) / 1e9;
}

// Flow control. The host acknowledges every batch it has written ("written"); the agent keeps at
// most MAX_IN_FLIGHT events between send() and the file, so a flood cannot pile up in the host's
// (or this app's) memory. While the host catches up nothing waits: the C ring fills and drops what
// does not fit, and events from JavaScript hooks beyond MAX_HELD are dropped; both are counted in a
// "dropped" event.
const MAX_IN_FLIGHT = 100000;
const MAX_HELD = 20000;
let sentLast = 0;
let written = 0;
let heldDropped = 0;

function onWritten(message) {
  written = Math.max(written, message.last);
  recv("written", onWritten);
}
recv("written", onWritten);

function congested() {
  return sentLast - written > MAX_IN_FLIGHT;
}

// Events the C hooks (fastfile.js) recorded come first, so that lines stay in order of time as far
// as the batches allow. They leave at once, as the bytes the C code wrote: no decoding or JSON
// escaping on either side. Returns how many were taken.
function takeFast() {
  if (congested()) return 0;
  const fast = drainFast(seq + 1);
  if (fast === null) return 0;
  if (fast.count > 0) {
    sendBatch(); // what JavaScript hooks recorded before, with lower numbers
    send({ type: "lines", first: seq + 1, last: seq + fast.count, count: fast.count }, fast.data);
    seq += fast.count;
    sentLast = seq;
  }
  if (fast.dropped > 0) {
    // The ring was full: these events were not recorded rather than making the app wait.
    appendEvent("dropped", { count: fast.dropped, where: "ring" }, "agent", Process.getCurrentThreadId());
  }
  return fast.count;
}

export function emit(kind, fields, layer = "native", tid = undefined) {
  takeFast();
  if (batch.length >= MAX_HELD && congested()) {
    heldDropped++;
    return;
  }
  appendEvent(kind, fields, layer, tid);
  if (batch.length >= BATCH_SIZE && !congested()) {
    flush();
  }
}

// Each event becomes its JSON line at once (the batch is a list of lines). ``tid``: the hook's
// this.threadId where there is one, cheaper than asking.
function appendEvent(kind, fields, layer, tid) {
  fields.k = kind;
  fields.layer = layer;
  fields.seq = ++seq;
  fields.t = now();
  fields.tid = tid === undefined ? Process.getCurrentThreadId() : tid;
  if (batch.length === 0) firstSeq = seq;
  batch.push(JSON.stringify(fields));
}

// A batch leaves as JSON Lines text, ready to be appended to events.jsonl as it is: the host then
// does no work per event.
function sendBatch() {
  if (heldDropped > 0) {
    const count = heldDropped;
    heldDropped = 0;
    appendEvent("dropped", { count, where: "held" }, "agent", Process.getCurrentThreadId());
  }
  if (batch.length === 0) return;
  const out = batch;
  batch = [];
  send({ type: "lines", first: firstSeq, last: seq, count: seq - firstSeq + 1, lines: out.join("\n") + "\n" });
  sentLast = seq;
}

// Sends what is held, in pieces of at most one C drain each, until the ring is empty or the host
// has as much as it may have in flight.
export function flush() {
  for (;;) {
    const taken = takeFast();
    sendBatch();
    if (taken === 0 || congested()) break;
  }
}

// Before execve() or exit() ends this agent, everything held must reach the host: the app's thread
// waits, batch after batch, for the host to have written it ("sync" is answered after every batch
// sent before it is written).
let syncId = 0;
export function flushAndWait() {
  for (let round = 0; round < 10000; round++) {
    flush();
    const id = ++syncId;
    send({ type: "sync", id });
    recv(`ack-${id}`, () => {}).wait();
    written = sentLast;
    if (takeFast() === 0 && batch.length === 0) break;
    sendBatch();
  }
}

export function startTimer() {
  if (timer === null) {
    timer = setInterval(flush, FLUSH_INTERVAL_MS);
  }
}

export function stats() {
  return { seq, pending: batch.length };
}

export function nativeBacktrace(context) {
  if (!options.backtrace) {
    return undefined;
  }
  try {
    return Thread.backtrace(context, Backtracer.FUZZY).slice(0, BACKTRACE_FRAMES)
      .map((address) => DebugSymbol.fromAddress(address).toString());
  } catch (e) {
    return [`backtrace failed: ${e.message}`];
  }
}

// Paths and other C strings from the app are hostile: bytes that are not UTF-8 are written as \xNN
// (the printable form inspector uses everywhere) and kept exactly, hex-encoded, in *_hex.
const strlen = new NativeFunction(Module.getGlobalExportByName("strlen"), "size_t", ["pointer"],
  { exceptions: "propagate" });
const MAX_STRING = 4096;

export function readString(pointer, fields, key) {
  if (pointer.isNull()) {
    fields[key] = null;
    return null;
  }
  try {
    const text = pointer.readUtf8String();
    fields[key] = text;
    return text;
  } catch (e) {
    const length = Math.min(Number(strlen(pointer)), MAX_STRING);
    const bytes = new Uint8Array(pointer.readByteArray(length));
    let hex = "";
    for (const b of bytes) {
      hex += (b < 16 ? "0" : "") + b.toString(16);
    }
    const text = printable(bytes);
    fields[key] = text;
    fields[`${key}_hex`] = hex;
    return text;
  }
}

// UTF-8 where valid, \xNN for every byte that is not part of a valid sequence (like Python's
// bytes.decode("utf-8", "backslashreplace")).
function printable(bytes) {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need = 0;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i += 1;
      continue;
    }
    let ok = need > 0;
    for (let j = 1; ok && j <= need; j++) {
      if (i + j >= bytes.length || (bytes[i + j] & 0xc0) !== 0x80) ok = false;
    }
    if (ok) {
      let code = b & (0x3f >> need);
      for (let j = 1; j <= need; j++) code = (code << 6) | (bytes[i + j] & 0x3f);
      const minimum = [0, 0x80, 0x800, 0x10000][need];
      if (code >= minimum && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        out += String.fromCodePoint(code);
        i += need + 1;
        continue;
      }
    }
    out += "\\x" + (b < 16 ? "0" : "") + b.toString(16);
    i += 1;
  }
  return out;
}

export function pathWanted(path) {
  const prefixes = options.paths;
  if (prefixes === null) {
    return true;
  }
  for (let i = 0; i < prefixes.length; i++) {
    if (path.startsWith(prefixes[i])) {
      return true;
    }
  }
  return false;
}
