#!/usr/bin/env bash
# Build the small, real, harmless test APKs of inspector from the sources in scripts/apk-src/.
#
#   scripts/build_fixture_apks.sh            build all, copy to tests/fixtures/apks/ and into the
#                                            demo phone profile (inspector/simulator/profiles/demo/fs/)
#
# Needs the Debian packages aapt, apksigner, zipalign, smali (libsmali-java), android-framework-res,
# zip, unzip and a JDK (keytool). There is no d8/dx in Debian, so the app code is written in smali.
#
# Output is deterministic: fixed zip entry order and timestamps (SOURCE_DATE_EPOCH, default
# 2026-01-01T00:00:00Z), no zip extra fields, and apksigner's v1/v2/v3 signatures are deterministic
# for RSA keys. Running the script twice gives byte-identical APKs, so it is safe to re-run.
# What is NOT reproducible: the signing key itself. scripts/apk-src/fixture-keystore.jks is generated
# once (if missing) and committed; deleting it changes every APK's certificate and hash.
#
# The keystore is a PUBLIC TEST KEY: its password is written below and it signs nothing but these
# fixtures. Never use it for anything else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/apk-src"
OUT="$ROOT/tests/fixtures/apks"
PROFILE_FS="$ROOT/inspector/simulator/profiles/demo/fs"
FRAMEWORK_RES="${FRAMEWORK_RES:-/usr/share/android-framework-res/framework-res.apk}"

KEYSTORE="$SRC/fixture-keystore.jks"
KS_PASS="inspector-test-key"   # public, on purpose: see the header
KS_ALIAS="fixture"
EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"

# source dir | fixture file name | path on the demo phone ("-" = not on the phone)
# The BXAQ look-alike is deliberately NOT on the demo phone: in the story it was uninstalled, and
# its old /data/app path must not exist there.
APPS=(
  "torch|org.demo.torch.apk|/data/app/~~a5AR5NUKmJ2OkByUZqDI1Q==/org.demo.torch-yIWnb410yPSIlXUY5c0LmA==/base.apk"
  "notes|org.demo.notes.apk|/data/app/~~4usW_RKehm_MGrJI25vKqg==/org.demo.notes-WYWxdreuRjn-vQYnnN97qg==/base.apk"
  "launcher|org.demo.system.launcher.apk|/system_ext/priv-app/DemoLauncher/DemoLauncher.apk"
  "phone|org.demo.system.phone.apk|/product/priv-app/DemoPhone/DemoPhone.apk"
  "settings|org.demo.system.settings.apk|/system_ext/priv-app/DemoSettings/DemoSettings.apk"
  "camera|org.demo.system.camera.apk|/product/app/DemoCamera/DemoCamera.apk"
  "bxaq_lookalike|bxaq_lookalike.apk|-"
)

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "missing tool: $1 (apt-get install $2)" >&2; exit 1; }
}
need aapt aapt
need smali smali
need zipalign zipalign
need apksigner apksigner
need keytool openjdk-17-jdk-headless
need zip zip
need unzip unzip
[[ -f "$FRAMEWORK_RES" ]] || { echo "missing $FRAMEWORK_RES (apt-get install android-framework-res)" >&2; exit 1; }

if [[ ! -f "$KEYSTORE" ]]; then
  echo "generating the public fixture keystore $KEYSTORE"
  keytool -genkeypair -noprompt -keystore "$KEYSTORE" -storetype JKS \
    -storepass "$KS_PASS" -keypass "$KS_PASS" -alias "$KS_ALIAS" \
    -keyalg RSA -keysize 2048 -validity 36500 \
    -dname "CN=inspector public test key - fixtures only, O=inspector, C=XX" 2>/dev/null
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

build_one() {
  local name="$1" out_name="$2" src="$SRC/$1" tmp="$WORK/$1"
  mkdir -p "$tmp/stage"
  local aapt_args=(package -f -M "$src/AndroidManifest.xml" -S "$src/res" -I "$FRAMEWORK_RES" -F "$tmp/res.apk")
  [[ -d "$src/assets" ]] && aapt_args+=(-A "$src/assets")
  aapt "${aapt_args[@]}" >/dev/null
  smali assemble -o "$tmp/stage/classes.dex" "$src/smali"
  (cd "$tmp/stage" && unzip -q ../res.apk)

  # Fixed timestamps and a sorted entry list make the zip reproducible; resources.arsc is stored
  # uncompressed as Android 11+ requires for apps that target API 30 or later.
  find "$tmp/stage" -exec touch -h -d "@$EPOCH" {} +
  (
    cd "$tmp/stage"
    export TZ=UTC LC_ALL=C
    zip -X -D -q -9 ../unaligned.apk AndroidManifest.xml classes.dex
    zip -X -D -q -0 ../unaligned.apk resources.arsc
    find . -type f ! -name AndroidManifest.xml ! -name classes.dex ! -name resources.arsc \
      | sed 's|^\./||' | sort >../rest.txt
    if [[ -s ../rest.txt ]]; then zip -X -D -q -9 ../unaligned.apk -@ <../rest.txt; fi
  )
  zipalign -p -f 4 "$tmp/unaligned.apk" "$tmp/aligned.apk"
  apksigner sign --ks "$KEYSTORE" --ks-key-alias "$KS_ALIAS" \
    --ks-pass "pass:$KS_PASS" --key-pass "pass:$KS_PASS" \
    --v4-signing-enabled false --out "$tmp/signed.apk" "$tmp/aligned.apk"
  apksigner verify "$tmp/signed.apk"
  cp "$tmp/signed.apk" "$OUT/$out_name"
  echo "built $OUT/$out_name ($(stat -c %s "$OUT/$out_name") bytes)"
}

for entry in "${APPS[@]}"; do
  IFS='|' read -r name out_name device_path <<<"$entry"
  build_one "$name" "$out_name"
  if [[ "$device_path" != "-" ]]; then
    dest="$PROFILE_FS$device_path"
    mkdir -p "$(dirname "$dest")"
    cp "$OUT/$out_name" "$dest"
  fi
done
