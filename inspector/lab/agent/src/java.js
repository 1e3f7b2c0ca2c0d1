// Java hooks, installed only where a Java VM runs (an Android app): the content providers that hold
// messages, contacts, call history, calendar and SIM data; the app list; the phone's identity
// numbers; location; camera and microphone; Wi-Fi networks removed; programs started; web requests.
// Each group is installed on its own: a class missing on this Android version costs that group only,
// and says so in a "hook_failed" event.

import Java from "frida-java-bridge";

import { emit, options } from "./events.js";

const CONTENT_ROWS_LIMIT = 50;
const BACKTRACE_FRAMES = 8;

export const installed = [];

function javaBacktrace() {
  if (!options.backtrace) return undefined;
  try {
    const trace = Java.use("java.lang.Throwable").$new().getStackTrace();
    const out = [];
    for (let i = 1; i < trace.length && out.length < BACKTRACE_FRAMES; i++) out.push(trace[i].toString());
    return out;
  } catch (e) {
    return [`backtrace failed: ${e.message}`];
  }
}

function record(kind, fields) {
  const bt = javaBacktrace();
  if (bt !== undefined) fields.bt = bt;
  emit(kind, fields, "java");
}

function group(name, install) {
  try {
    install();
    installed.push(name);
  } catch (e) {
    emit("hook_failed", { group: name, error: String(e.message || e) }, "java");
  }
}

function str(value) {
  return value === null || value === undefined ? null : value.toString();
}

function stringArray(value) {
  if (value === null || value === undefined) return null;
  const out = [];
  for (let i = 0; i < value.length; i++) out.push(str(value[i]));
  return out;
}

function cursorRows(cursor, fields) {
  if (cursor === null) {
    fields.rows = null;
    return;
  }
  try {
    fields.rows = cursor.getCount();
  } catch (e) {
    fields.rows = null;
    fields.rows_error = String(e.message || e);
    return;
  }
  if (!options.captureContent) return;
  // Only with --capture-content: the first rows, then the cursor goes back before its first row,
  // where the app expects it.
  try {
    const names = stringArray(cursor.getColumnNames());
    const rows = [];
    for (let i = 0; i < Math.min(fields.rows, CONTENT_ROWS_LIMIT); i++) {
      if (!cursor.moveToPosition(i)) break;
      const row = {};
      for (let c = 0; c < names.length; c++) {
        try { row[names[c]] = str(cursor.getString(c)); } catch (e) { row[names[c]] = null; }
      }
      rows.push(row);
    }
    cursor.moveToPosition(-1);
    fields.content = rows;
  } catch (e) {
    fields.content_error = String(e.message || e);
  }
}

// Overloads call one another (ContentResolver.query with 5 arguments calls the one with 4, which
// calls the one with a Bundle; Runtime.exec ends in ProcessBuilder.start): only the outermost call on
// a thread is recorded, so one query of the app is one event and its rows are counted once.
const depths = new Map();

function hookAll(className, methodName, onCall, depthKey = `${className}.${methodName}`) {
  const klass = Java.use(className);
  const method = klass[methodName];
  if (method === undefined) throw new Error(`${className}.${methodName} not found`);
  for (const overload of method.overloads) {
    overload.implementation = function (...args) {
      const key = `${depthKey}:${Process.getCurrentThreadId()}`;
      const depth = depths.get(key) || 0;
      depths.set(key, depth + 1);
      let result;
      try {
        result = overload.apply(this, args);
      } finally {
        if (depth === 0) depths.delete(key); else depths.set(key, depth);
      }
      if (depth === 0) {
        try {
          onCall.call(this, args, result, overload);
        } catch (e) {
          emit("hook_error", { method: `${className}.${methodName}`, error: String(e.message || e) }, "java");
        }
      }
      return result;
    };
  }
}

function listSize(value) {
  try {
    return value === null ? null : value.size();
  } catch (e) {
    return null;
  }
}

function installProviders() {
  group("content_resolver", () => {
    hookAll("android.content.ContentResolver", "query", function (args, cursor) {
      const fields = { method: "query", uri: str(args[0]) };
      if (args.length > 1 && (args[1] === null || Array.isArray(args[1]) || args[1].length !== undefined)) {
        fields.projection = stringArray(args[1]);
      }
      cursorRows(cursor, fields);
      record("provider_query", fields);
    });
    hookAll("android.content.ContentResolver", "insert", function (args, uri) {
      const fields = { method: "insert", uri: str(args[0]), result_uri: str(uri) };
      const values = args[1];
      if (values !== null) {
        const keys = [];
        const iterator = values.keySet().iterator();
        while (iterator.hasNext()) keys.push(str(iterator.next()));
        fields.columns = keys;
        if (options.captureContent) fields.content = str(values);
      }
      record("provider_insert", fields);
    });
  });
}

function installPackageManager() {
  group("package_manager", () => {
    for (const method of ["getInstalledPackages", "getInstalledApplications"]) {
      hookAll("android.app.ApplicationPackageManager", method, function (args, list) {
        record("app_list", { method, count: listSize(list) });
      });
    }
  });
}

function installTelephony() {
  group("telephony", () => {
    const klass = Java.use("android.telephony.TelephonyManager");
    for (const method of ["getDeviceId", "getImei", "getMeid", "getSubscriberId", "getSimSerialNumber",
      "getLine1Number", "getSerialNumber"]) {
      if (klass[method] === undefined) continue;
      hookAll("android.telephony.TelephonyManager", method, function (args, value) {
        const fields = { method, returned: value !== null };
        if (options.captureContent) fields.content = str(value);
        record("device_id", fields);
      });
    }
  });
}

function installLocation() {
  group("location", () => {
    const klass = Java.use("android.location.LocationManager");
    for (const method of ["getLastKnownLocation", "requestLocationUpdates", "requestSingleUpdate",
      "getCurrentLocation"]) {
      if (klass[method] === undefined) continue;
      hookAll("android.location.LocationManager", method, function (args) {
        record("location", { method, provider: typeof args[0] === "string" ? args[0] : null });
      });
    }
  });
}

function installCameraMicrophone() {
  group("camera", () => {
    hookAll("android.hardware.Camera", "open", function () {
      record("camera", { method: "Camera.open" });
    });
    hookAll("android.hardware.camera2.CameraManager", "openCamera", function (args) {
      record("camera", { method: "CameraManager.openCamera", camera: str(args[0]) });
    });
  });
  group("microphone", () => {
    hookAll("android.media.AudioRecord", "startRecording", function () {
      record("microphone", { method: "AudioRecord.startRecording" });
    });
    hookAll("android.media.MediaRecorder", "start", function () {
      record("microphone", { method: "MediaRecorder.start" });
    });
  });
}

function installWifi() {
  group("wifi", () => {
    const klass = Java.use("android.net.wifi.WifiManager");
    for (const method of ["removeNetwork", "removeNetworkSuggestions", "disableNetwork"]) {
      if (klass[method] === undefined) continue;
      hookAll("android.net.wifi.WifiManager", method, function (args, ok) {
        const fields = { method, ok: ok === true || ok === 0 };
        if (method !== "removeNetworkSuggestions") fields.network_id = args[0];
        record("wifi_remove", fields);
      });
    }
  });
}

function installProcesses() {
  group("process", () => {
    hookAll("java.lang.Runtime", "exec", function (args) {
      const command = args[0];
      const argv = typeof command === "string" ? command.split(/\s+/) : stringArray(command);
      record("exec", { via: "Runtime.exec", argv, path: argv && argv.length ? argv[0] : null });
    }, "process");
    hookAll("java.lang.ProcessBuilder", "start", function () {
      const list = this.command();
      const argv = [];
      for (let i = 0; i < list.size(); i++) argv.push(str(list.get(i)));
      record("exec", { via: "ProcessBuilder.start", argv, path: argv.length ? argv[0] : null });
    }, "process");
  });
}

const seenConnections = new Set();

function httpHook(className, methods, describe) {
  const klass = Java.use(className);
  const System = Java.use("java.lang.System");
  for (const method of methods) {
    if (klass[method] === undefined) continue;
    for (const overload of klass[method].overloads) {
      overload.implementation = function (...args) {
        try {
          const id = `${className}:${System.identityHashCode(this)}`;
          if (!seenConnections.has(id)) {
            seenConnections.add(id);
            record("http", describe(this));
          }
        } catch (e) {
          emit("hook_error", { method: `${className}.${method}`, error: String(e.message || e) }, "java");
        }
        return overload.apply(this, args);
      };
    }
  }
}

function installHttp() {
  group("http_url_connection", () => {
    // The platform's HttpURLConnection is OkHttp 2 under another package name.
    httpHook("com.android.okhttp.internal.huc.HttpURLConnectionImpl", ["connect", "getInputStream",
      "getOutputStream", "getResponseCode"], (connection) => ({
      client: "HttpURLConnection", method: str(connection.getRequestMethod()), url: str(connection.getURL()),
    }));
  });
  const okhttp = () => {
    // OkHttp 3 (okhttp3.RealCall) and 4 (okhttp3.internal.connection.RealCall), when the app
    // bundles it under its own name (an obfuscated copy is not found).
    for (const className of ["okhttp3.RealCall", "okhttp3.internal.connection.RealCall"]) {
      try {
        httpHook(className, ["execute", "enqueue"], (call) => {
          const request = call.request();
          return { client: "OkHttp", method: str(request.method()), url: str(request.url()) };
        });
        installed.push(`okhttp:${className}`);
      } catch (e) {
        // Not in this app (yet): tried again once its classes are loaded.
      }
    }
  };
  okhttp();
  // The app's own classes are loaded after start: look again a little later.
  setTimeout(() => Java.perform(okhttp), 3000);
}

export function javaAvailable() {
  return Java.available;
}

export function installJavaHooks() {
  if (!Java.available) return [];
  Java.perform(() => {
    installProviders();
    installPackageManager();
    installTelephony();
    installLocation();
    installCameraMicrophone();
    installWifi();
    installProcesses();
    installHttp();
  });
  return installed;
}
