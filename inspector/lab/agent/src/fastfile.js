// open()/openat() hooks in C (a CModule, compiled in the app by Frida's TinyCC). Apps open files all
// the time; a JavaScript hook costs several microseconds a call (two trips into the JS runtime, under
// its lock), a C hook a fraction of one. The C hook only copies the path, result, errno, thread and
// CLOCK_MONOTONIC time into a ring buffer; the agent's own thread turns the ring into JSON lines (also
// in C) at every flush. When the ring is full the event is dropped and counted, never waited for: the
// app is not slowed down by a host that cannot keep up.

const DEFAULT_CAPACITY = 65536;
const SLOT_SIZE = 280;
const OUT_SIZE = 4 * 1024 * 1024;

const SOURCE = `
#include <gum/guminterceptor.h>
#include <gum/gumprocess.h>
#include <glib.h>
#include <string.h>

#define PATH_BYTES 248

typedef struct {
  volatile gint state; guint32 tid; gint64 t; gint32 ret; gint32 err; gint32 flags;
  guint16 len; guint8 via; guint8 truncated; char path[PATH_BYTES];
} Slot;

typedef struct {
  volatile gint head; volatile gint tail; volatile gint dropped; gint all_paths; volatile gint lock;
  gint o_directory; gint capacity;
} Shared;

extern Slot ring[];
extern Shared shared;
extern const char prefixes[];

typedef struct { const char *path; gint flags; } Call;

static int wanted(const char *p) {
  if (shared.all_paths) return 1;
  const char *q = prefixes;
  while (*q) {
    size_t n = strlen(q);
    if (strncmp(p, q, n) == 0) return 1;
    q += n + 1;
  }
  return 0;
}

void on_enter(GumInvocationContext *ic) {
  Call *call = GUM_IC_GET_INVOCATION_DATA(ic, Call);
  gsize at = GUM_IC_GET_FUNC_DATA(ic, gsize);
  const char *p = gum_invocation_context_get_nth_argument(ic, at);
  call->path = (p != NULL && wanted(p)) ? p : NULL;
  call->flags = (gint)(gsize) gum_invocation_context_get_nth_argument(ic, at + 1);
}

void on_leave(GumInvocationContext *ic) {
  Call *call = GUM_IC_GET_INVOCATION_DATA(ic, Call);
  if (call->path == NULL) return;
  gint ret = (gint)(gsize) gum_invocation_context_get_return_value(ic);
  gint err = ret < 0 ? gum_thread_get_system_error() : 0;
  /* TinyCC has no compare-and-swap here: a tiny lock around taking a slot number. */
  while (g_atomic_int_add(&shared.lock, 1) != 0) g_atomic_int_add(&shared.lock, -1);
  gint h = shared.head;
  if (h - shared.tail >= shared.capacity) {
    g_atomic_int_add(&shared.lock, -1);
    g_atomic_int_add(&shared.dropped, 1);
    return;
  }
  shared.head = h + 1;
  g_atomic_int_add(&shared.lock, -1);
  Slot *e = &ring[h % shared.capacity];
  e->tid = gum_invocation_context_get_thread_id(ic);
  e->t = g_get_monotonic_time();
  e->ret = ret;
  e->err = err;
  e->flags = call->flags;
  e->via = (guint8) GUM_IC_GET_FUNC_DATA(ic, gsize);
  size_t n = strlen(call->path);
  e->truncated = n > PATH_BYTES;
  if (n > PATH_BYTES) n = PATH_BYTES;
  memcpy(e->path, call->path, n);
  e->len = (guint16) n;
  g_atomic_int_add(&e->state, 1);
}

static char *put(char *o, const char *s) { while (*s) *o++ = *s++; return o; }

static char *put_int(char *o, gint64 v) {
  char tmp[24]; int n = 0;
  if (v < 0) { *o++ = '-'; v = -v; }
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v > 0);
  while (n > 0) *o++ = tmp[--n];
  return o;
}

static const char HEX[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (0 if not valid), as Python's decoder judges it. */
static int utf8_len(const unsigned char *s, int left) {
  unsigned char b = s[0];
  int need; guint32 code, min;
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) { need = 1; code = b & 0x1f; min = 0x80; }
  else if (b >= 0xe0 && b <= 0xef) { need = 2; code = b & 0x0f; min = 0x800; }
  else if (b >= 0xf0 && b <= 0xf4) { need = 3; code = b & 0x07; min = 0x10000; }
  else return 0;
  if (need >= left) return 0;
  for (int i = 1; i <= need; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    code = (code << 6) | (s[i] & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return need + 1;
}

/* JSON string body of a path: UTF-8 kept, invalid bytes as the text \\xNN; returns whether any were. */
static char *put_path(char *o, const unsigned char *s, int len, int *invalid) {
  int i = 0;
  while (i < len) {
    unsigned char c = s[i];
    int n = utf8_len(s + i, len - i);
    if (n == 0) {
      *invalid = 1;
      *o++ = '\\\\'; *o++ = '\\\\'; *o++ = 'x'; *o++ = HEX[c >> 4]; *o++ = HEX[c & 15];
      i++;
    } else if (c == '"' || c == '\\\\') {
      *o++ = '\\\\'; *o++ = (char) c; i++;
    } else if (c < 0x20) {
      o = put(o, "\\\\u00"); *o++ = HEX[c >> 4]; *o++ = HEX[c & 15]; i++;
    } else {
      for (int k = 0; k < n; k++) *o++ = (char) s[i + k];
      i += n;
    }
  }
  return o;
}

/* Every ready slot as one JSON line into out (at most cap bytes); *count gets the number of events,
   numbered from first_seq. Runs on the agent's thread only. */
gint drain(char *out, gint cap, gint64 first_seq, gint *count) {
  char *o = out;
  gint n = 0;
  while (1) {
    if ((o - out) + 1200 > cap) break;
    Slot *e = &ring[shared.tail % shared.capacity];
    if (e->state != 1) break;
    int invalid = 0;
    o = put(o, "{\\"via\\":\\"");
    o = put(o, e->via ? "openat" : "open");
    o = put(o, "\\",\\"path\\":\\"");
    o = put_path(o, (const unsigned char *) e->path, e->len, &invalid);
    *o++ = '"';
    if (invalid) {
      o = put(o, ",\\"path_hex\\":\\"");
      for (int i = 0; i < e->len; i++) { unsigned char c = e->path[i]; *o++ = HEX[c >> 4]; *o++ = HEX[c & 15]; }
      *o++ = '"';
    }
    if (e->truncated) o = put(o, ",\\"truncated\\":true");
    o = put(o, ",\\"flags\\":"); o = put_int(o, e->flags);
    if (e->flags & shared.o_directory) o = put(o, ",\\"dir\\":true");
    o = put(o, ",\\"ret\\":"); o = put_int(o, e->ret);
    if (e->ret < 0) { o = put(o, ",\\"errno\\":"); o = put_int(o, e->err); }
    o = put(o, ",\\"k\\":\\"open\\",\\"layer\\":\\"native\\",\\"seq\\":"); o = put_int(o, first_seq + n);
    o = put(o, ",\\"t\\":"); o = put_int(o, e->t / 1000000); *o++ = '.';
    gint64 micros = e->t % 1000000;
    for (gint64 d = 100000; d > 0; d /= 10) *o++ = (char)('0' + (micros / d) % 10);
    o = put(o, ",\\"tid\\":"); o = put_int(o, e->tid);
    o = put(o, "}\\n");
    e->state = 0;
    g_atomic_int_add(&shared.tail, 1);
    n++;
  }
  *count = n;
  return (gint)(o - out);
}

gint take_dropped(void) {
  gint d = shared.dropped;
  g_atomic_int_add(&shared.dropped, -d);
  return d;
}
`;

let drainFunction = null;
let takeDropped = null;
let outBuffer = null;
let countCell = null;
let keep = null;

// Installs the C hooks; returns the names hooked, or throws (no CModule support: the caller falls
// back to the JavaScript hooks).
// ``capacity``: slots in the ring (the tests make it small to see what a full ring does).
export function installFastOpenHooks(paths, oDirectory, hookedAddresses, capacity = DEFAULT_CAPACITY) {
  const ring = Memory.alloc(capacity * SLOT_SIZE);
  const shared = Memory.alloc(64);
  shared.add(12).writeS32(paths === null ? 1 : 0);
  shared.add(20).writeS32(oDirectory);
  shared.add(24).writeS32(capacity);
  const prefixes = Memory.alloc((paths || []).reduce((n, p) => n + p.length * 4 + 1, 1));
  // The prefixes one after the other, each ending in NUL, then an empty one.
  let cursor = prefixes;
  for (const p of paths || []) {
    cursor.writeUtf8String(p);
    cursor = cursor.add(utf8Length(p) + 1);
  }
  cursor.writeU8(0);
  const module = new CModule(SOURCE, { ring, shared, prefixes });
  outBuffer = Memory.alloc(OUT_SIZE);
  countCell = Memory.alloc(4);
  drainFunction = new NativeFunction(module.drain, "int", ["pointer", "int", "int64", "pointer"],
    { exceptions: "propagate" });
  takeDropped = new NativeFunction(module.take_dropped, "int", [], { exceptions: "propagate" });
  keep = { module, ring, shared, prefixes };
  const installed = [];
  const groups = [[["open", "open64", "__open_2", "__open64_2"], 0],
    [["openat", "openat64", "__openat_2", "__openat64_2"], 1]];
  for (const [names, pathIndex] of groups) {
    for (const name of names) {
      const address = Module.findGlobalExportByName(name);
      if (address === null || hookedAddresses.has(address.toString())) continue;
      hookedAddresses.add(address.toString());
      Interceptor.attach(address, { onEnter: module.on_enter, onLeave: module.on_leave }, ptr(pathIndex));
      installed.push(`${name}:c`);
    }
  }
  return installed;
}

function utf8Length(text) {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

// The events the C hooks recorded since the last call, at most one buffer's worth, as JSON Lines
// bytes numbered from firstSeq: { data: ArrayBuffer | null, count, dropped }.
export function drainFast(firstSeq) {
  if (drainFunction === null) return null;
  const size = drainFunction(outBuffer, OUT_SIZE, firstSeq, countCell);
  const count = countCell.readS32();
  return { data: count > 0 ? outBuffer.readByteArray(size) : null, count, dropped: takeDropped() };
}

export function fastHooksActive() {
  return keep !== null;
}
