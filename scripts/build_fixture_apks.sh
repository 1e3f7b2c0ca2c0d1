#!/usr/bin/env bash
# Build the small, real, harmless test APKs of inspector from the sources in scripts/apk-src/.
#
#   scripts/build_fixture_apks.sh            build all, copy to tests/fixtures/apks/ and into the
#                                            simulated phones' file trees
#                                            (inspector/simulator/profiles/<profile>/fs/), and the
#                                            implant variants and benign look-alikes (VARIANTS below)
#                                            to tests/fixtures/apks/variants/
#   scripts/build_fixture_apks.sh --variants-only [DIR]
#                                            build only the VARIANTS, into DIR (default
#                                            tests/fixtures/apks/variants/); touches nothing else
#                                            (tests/test_apk_fixtures.py rebuilds them this way and
#                                            compares the bytes)
#
# Needs the Debian packages aapt, apksigner, zipalign, smali (libsmali-java), android-framework-res,
# zip, unzip and a JDK (keytool). There is no d8/dx in Debian, so the app code is written in smali.
#
# Output is deterministic: fixed zip entry order and timestamps (SOURCE_DATE_EPOCH, default
# 2026-01-01T00:00:00Z, or the entry's own epoch below), no zip extra fields, and apksigner's v1/v2/v3
# signatures are deterministic for RSA keys. Running the script twice gives byte-identical APKs, so it
# is safe to re-run.
# What is NOT reproducible: the signing key itself. scripts/apk-src/fixture-keystore.jks (and
# fixture-keystore-2.jks, for the re-signed variants) is generated once (if missing) and committed;
# deleting it changes every APK's certificate and hash.
#
# The keystores are PUBLIC TEST KEYS: their passwords are written below and they sign nothing but these
# fixtures. Never use them for anything else. scripts/apk-src/aosp-testkey/ holds AOSP's public
# platform key (Apache-2.0, see its README), which BXAQ sample A is signed with; it signs two fixtures.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/apk-src"
OUT="$ROOT/tests/fixtures/apks"
PROFILES="$ROOT/inspector/simulator/profiles"
FRAMEWORK_RES="${FRAMEWORK_RES:-/usr/share/android-framework-res/framework-res.apk}"

KEYSTORE="$SRC/fixture-keystore.jks"
KS_PASS="inspector-test-key"   # public, on purpose: see the header
KS_ALIAS="fixture"
EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"
# The second public fixture key, for the renamed / re-signed implant variants (tests/fixtures/apks/
# README.md, "Implant variants and benign look-alikes"), and AOSP's public platform key.
KEYSTORE2="$SRC/fixture-keystore-2.jks"
KS2_PASS="inspector-test-key-2"   # public, on purpose
KS2_ALIAS="fixture2"
AOSP_KEY="$SRC/aosp-testkey/platform.pk8"
AOSP_CERT="$SRC/aosp-testkey/platform.x509.pem"
VARIANTS_OUT="$OUT/variants"
VARIANTS_ONLY=0
if [[ "${1:-}" == "--variants-only" ]]; then
  VARIANTS_ONLY=1
  VARIANTS_OUT="${2:-$VARIANTS_OUT}"
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--variants-only [DIR]]" >&2
  exit 2
fi

# Zip entry times of the newer fixtures, chosen so that no APK looks younger than its phone's story:
# AOSP system images store 2008-01-01 00:00:00 in every zip entry (build/tools/ziptime), and the
# Android Gradle plugin 1981-01-01 01:01:02 (both era-neutral).
AOSP_ZIPTIME=1199145600   # 2008-01-01T00:00:00Z
GRADLE_ZIPTIME=347158862  # 1981-01-01T01:01:02Z

# source[@SDK:RELEASE] | fixture file name | where it lies on the simulated phones | zip time
#   @SDK:RELEASE  builds a variant of a system stand-in for another Android version: its manifest's
#                 min/target SDK and versionCode become SDK, its versionName RELEASE.
#   phones        PROFILE:/device/path entries separated by commas ("-" = on no phone); the paths
#                 must be the ones `pm path` reports in that profile (scripts/make_demo_profile.py,
#                 scripts/make_profiles.py; tests/test_demo_profile.py checks them).
#   zip time      Unix seconds for every zip entry; empty: SOURCE_DATE_EPOCH or 2026-01-01.
# The BXAQ look-alike is deliberately NOT on the demo phone: in that story it was uninstalled, and
# its old /data/app path must not exist there. On the bxaq-installed phone it is still installed.
APPS=(
  "torch|org.demo.torch.apk|demo:/data/app/~~a5AR5NUKmJ2OkByUZqDI1Q==/org.demo.torch-yIWnb410yPSIlXUY5c0LmA==/base.apk,mfsocket:/data/app/org.demo.torch-NN4dPOkWlDwPCWZVg0I9Wg==/base.apk|"
  "notes|org.demo.notes.apk|demo:/data/app/~~4usW_RKehm_MGrJI25vKqg==/org.demo.notes-WYWxdreuRjn-vQYnnN97qg==/base.apk,bxaq-installed:/data/app/~~2qGfnW2IHU1hPCo2hDgKyw==/org.demo.notes-UsVOfFGl8CxGOSvpcBF4Gw==/base.apk,mfsocket:/data/app/org.demo.notes-ApZlyu2yO4AO0aelusyi8A==/base.apk|"
  "launcher|org.demo.system.launcher.apk|demo:/system_ext/priv-app/DemoLauncher/DemoLauncher.apk|"
  "phone|org.demo.system.phone.apk|demo:/product/priv-app/DemoPhone/DemoPhone.apk|"
  "settings|org.demo.system.settings.apk|demo:/system_ext/priv-app/DemoSettings/DemoSettings.apk|"
  "camera|org.demo.system.camera.apk|demo:/product/app/DemoCamera/DemoCamera.apk|"
  "bxaq_lookalike|bxaq_lookalike.apk|bxaq-installed:/data/app/~~B8ar4s57zV09W9y3ibadRw==/com.fiberhome.wifiserver-RA0D9sdKXczaz8u65NE5zA==/base.apk|"
  # Android 9 (mfsocket), 11 (bxaq-installed) and 14 (clean) builds of the system stand-ins
  "launcher@28:9|org.demo.system.launcher.api28.apk|mfsocket:/system/priv-app/DemoLauncher/DemoLauncher.apk|$AOSP_ZIPTIME"
  "settings@28:9|org.demo.system.settings.api28.apk|mfsocket:/system/priv-app/DemoSettings/DemoSettings.apk|$AOSP_ZIPTIME"
  "phone@28:9|org.demo.system.phone.api28.apk|mfsocket:/system/priv-app/DemoPhone/DemoPhone.apk|$AOSP_ZIPTIME"
  "camera@28:9|org.demo.system.camera.api28.apk|mfsocket:/system/app/DemoCamera/DemoCamera.apk|$AOSP_ZIPTIME"
  "launcher@30:11|org.demo.system.launcher.api30.apk|bxaq-installed:/system/priv-app/DemoLauncher/DemoLauncher.apk|$AOSP_ZIPTIME"
  "settings@30:11|org.demo.system.settings.api30.apk|bxaq-installed:/system/priv-app/DemoSettings/DemoSettings.apk|$AOSP_ZIPTIME"
  "phone@30:11|org.demo.system.phone.api30.apk|bxaq-installed:/system/priv-app/DemoPhone/DemoPhone.apk|$AOSP_ZIPTIME"
  "camera@30:11|org.demo.system.camera.api30.apk|bxaq-installed:/system/app/DemoCamera/DemoCamera.apk|$AOSP_ZIPTIME"
  "launcher@34:14|org.demo.system.launcher.api34.apk|clean:/system_ext/priv-app/DemoLauncher/DemoLauncher.apk|$AOSP_ZIPTIME"
  "settings@34:14|org.demo.system.settings.api34.apk|clean:/system_ext/priv-app/DemoSettings/DemoSettings.apk|$AOSP_ZIPTIME"
  "phone@34:14|org.demo.system.phone.api34.apk|clean:/product/priv-app/DemoPhone/DemoPhone.apk|$AOSP_ZIPTIME"
  "camera@34:14|org.demo.system.camera.api34.apk|clean:/product/app/DemoCamera/DemoCamera.apk|$AOSP_ZIPTIME"
  # the MFSocket look-alike and the apps of the clean phone
  "mfsocket_lookalike|mfsocket_lookalike.apk|mfsocket:/data/app/com.Android.MFSocket-XbSnI9X9IIYGOJVuYouCDQ==/base.apk|$GRADLE_ZIPTIME"
  "screenreader|org.demo.screenreader.apk|clean:/data/app/~~Y7R2gyV5Nvv8mJD9sCoHuA==/org.demo.screenreader-9W7404K4Rbr1-_pfC70xdA==/base.apk|$GRADLE_ZIPTIME"
  "fdroid|org.fdroid.fdroid.apk|clean:/data/app/~~9wMQQnDvJCmDUrwkLL_Tkw==/org.fdroid.fdroid-5TpXT5LdqCx03hbxjVJoIQ==/base.apk|$GRADLE_ZIPTIME"
  "passwordsafe|org.demo.passwordsafe.apk|clean:/data/app/~~CfxcAw_ZPnurGzwpAoxqnw==/org.demo.passwordsafe-Gesn5hIyJjza1UhMN5f55Q==/base.apk|$GRADLE_ZIPTIME"
  "watchbridge|org.demo.watchbridge.apk|clean:/data/app/~~6v4_sXew_XjzsSg3BYuwsw==/org.demo.watchbridge-NecSRezRtFk39WeU5Tf2HQ==/base.apk|$GRADLE_ZIPTIME"
)

# Implant variants and benign look-alikes with expected verdicts (tests/test_apk_fixtures.py), written
# to tests/fixtures/apks/variants/ and copied to no phone: tests/fixtures/apks/ itself holds apps that
# must match no rule except the two look-alikes.
#   source | fixture file name | signing key: 1 = fixture-keystore.jks, 2 = fixture-keystore-2.jks,
#   aosp = aosp-testkey/platform.* | zip time
VARIANTS=(
  "bxaq_renamed|bxaq_renamed.apk|2|$GRADLE_ZIPTIME"
  "bxaq_obfuscated|bxaq_obfuscated.apk|2|$GRADLE_ZIPTIME"
  "bxaq_sample_b_lookalike|bxaq_sample_b_lookalike.apk|2|$GRADLE_ZIPTIME"
  "mfsocket_renamed|mfsocket_renamed.apk|2|$GRADLE_ZIPTIME"
  "cellebrite_agent_lookalike|cellebrite_agent_lookalike.apk|1|$GRADLE_ZIPTIME"
  "residentbat_lookalike|residentbat_lookalike.apk|1|$GRADLE_ZIPTIME"
  "benign_label_fengcai|benign_label_fengcai.apk|1|$GRADLE_ZIPTIME"
  "benign_ocr_idcard|benign_ocr_idcard.apk|1|$GRADLE_ZIPTIME"
  "benign_label_mfsocket|benign_label_mfsocket.apk|1|$GRADLE_ZIPTIME"
  "benign_surveillance_permissions|benign_surveillance_permissions.apk|1|$GRADLE_ZIPTIME"
  "benign_testkey|benign_testkey.apk|aosp|$GRADLE_ZIPTIME"
  "testkey_surveillance|testkey_surveillance.apk|aosp|$GRADLE_ZIPTIME"
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
if [[ ! -f "$KEYSTORE2" ]]; then
  echo "generating the second public fixture keystore $KEYSTORE2"
  keytool -genkeypair -noprompt -keystore "$KEYSTORE2" -storetype JKS \
    -storepass "$KS2_PASS" -keypass "$KS2_PASS" -alias "$KS2_ALIAS" \
    -keyalg RSA -keysize 2048 -validity 36500 \
    -dname "CN=inspector public test key 2 - re-signed fixture variants only, O=inspector, C=XX" 2>/dev/null
fi
[[ -f "$AOSP_KEY" && -f "$AOSP_CERT" ]] || { echo "missing $AOSP_KEY or $AOSP_CERT (see scripts/apk-src/aosp-testkey/README.md)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

build_one() {
  # build_one SOURCE[@SDK:RELEASE] OUT_NAME ZIP_TIME [KEY [OUT_DIR]]   KEY: 1 (default), 2 or aosp
  local spec="$1" out_name="$2" epoch="${3:-$EPOCH}" key="${4:-1}" out_dir="${5:-$OUT}"
  local name="${spec%%@*}" variant=""
  [[ "$spec" == *@* ]] && variant="${spec#*@}"
  local src="$SRC/$name" tmp="$WORK/${out_name%.apk}"
  mkdir -p "$tmp/stage"
  if [[ -n "$variant" ]]; then
    # Same app for another Android version: copy the source and rewrite the manifest's versions.
    local sdk="${variant%%:*}" release="${variant#*:}"
    cp -r "$src" "$tmp/src"
    sed -i -E -e "s/android:(minSdkVersion|targetSdkVersion)=\"[0-9]+\"/android:\1=\"$sdk\"/g" \
      -e "s/android:versionCode=\"[0-9]+\"/android:versionCode=\"$sdk\"/" \
      -e "s/android:versionName=\"[^\"]*\"/android:versionName=\"$release\"/" "$tmp/src/AndroidManifest.xml"
    src="$tmp/src"
  fi
  local aapt_args=(package -f -M "$src/AndroidManifest.xml" -S "$src/res" -I "$FRAMEWORK_RES" -F "$tmp/res.apk")
  [[ -d "$src/assets" ]] && aapt_args+=(-A "$src/assets")
  aapt "${aapt_args[@]}" >/dev/null
  # One thread and a sorted file list: with several threads smali may write the classes in any order.
  local smali_files=()
  mapfile -t smali_files < <(find "$src/smali" -name '*.smali' | LC_ALL=C sort)
  smali assemble -j 1 -o "$tmp/stage/classes.dex" "${smali_files[@]}"
  (cd "$tmp/stage" && unzip -q ../res.apk)

  # Fixed timestamps and a sorted entry list make the zip reproducible; resources.arsc is stored
  # uncompressed as Android 11+ requires for apps that target API 30 or later.
  find "$tmp/stage" -exec touch -h -d "@$epoch" {} +
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
  local key_args
  case "$key" in
    1) key_args=(--ks "$KEYSTORE" --ks-key-alias "$KS_ALIAS" --ks-pass "pass:$KS_PASS" --key-pass "pass:$KS_PASS") ;;
    2) key_args=(--ks "$KEYSTORE2" --ks-key-alias "$KS2_ALIAS" --ks-pass "pass:$KS2_PASS" --key-pass "pass:$KS2_PASS") ;;
    aosp) key_args=(--key "$AOSP_KEY" --cert "$AOSP_CERT") ;;
    *) echo "unknown signing key $key for $out_name" >&2; exit 1 ;;
  esac
  apksigner sign "${key_args[@]}" \
    --v4-signing-enabled false --out "$tmp/signed.apk" "$tmp/aligned.apk"
  apksigner verify "$tmp/signed.apk"
  mkdir -p "$out_dir"
  cp "$tmp/signed.apk" "$out_dir/$out_name"
  echo "built $out_dir/$out_name ($(stat -c %s "$out_dir/$out_name") bytes)"
}

for entry in "${VARIANTS[@]}"; do
  IFS='|' read -r spec out_name key zip_time <<<"$entry"
  build_one "$spec" "$out_name" "$zip_time" "$key" "$VARIANTS_OUT"
done
[[ "$VARIANTS_ONLY" == 1 ]] && exit 0

for entry in "${APPS[@]}"; do
  IFS='|' read -r spec out_name phones zip_time <<<"$entry"
  build_one "$spec" "$out_name" "$zip_time"
  [[ "$phones" == "-" ]] && continue
  IFS=',' read -r -a dests <<<"$phones"
  for dest in "${dests[@]}"; do
    profile="${dest%%:*}" device_path="${dest#*:}"
    [[ -d "$PROFILES/$profile" ]] || mkdir -p "$PROFILES/$profile/fs"
    target="$PROFILES/$profile/fs$device_path"
    mkdir -p "$(dirname "$target")"
    cp "$OUT/$out_name" "$target"
  done
done
