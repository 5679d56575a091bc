#!/usr/bin/env bash
# Regenerates prompts/{zh,en}/*.wav from the catalogue in src/prompts.ts:
# espeak-ng (Mandarin: the cmn voice, latin-as-pinyin variant; English: -v en), then sox to 8 kHz mono
# 16-bit PCM (what the engine plays to G.711 without resampling). Dither is off
# (-D) so that the same espeak-ng and sox give the same bytes. Hold music is a
# gentle generated tone sequence. Replace any file by recorded voice of the
# same name and format.
#
# Usage: scripts/generate-prompts.sh [name ...]   (no names: all prompts)
# PROMPTS_OUT=<dir> writes <dir>/{zh,en}/ instead of prompts/ (the tests compare the two).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
command -v espeak-ng >/dev/null || { echo "espeak-ng is not installed" >&2; exit 1; }
command -v sox >/dev/null || { echo "sox is not installed" >&2; exit 1; }
out_dir="${PROMPTS_OUT:-prompts}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

selected=("$@")
is_selected() {
  [ "${#selected[@]}" -eq 0 ] && return 0
  local n; for n in "${selected[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1
}

hold_music() {
  # C major arpeggio up and down, soft sine notes with fades, then a rest: about 8 s, loops cleanly.
  local notes=(523.25 659.25 783.99 1046.5 783.99 659.25 523.25 587.33 698.46 880 698.46 587.33)
  local parts=() i=0 f
  for f in "${notes[@]}"; do
    sox -R -D -n -r 8000 -c 1 -b 16 "$work/note$i.wav" synth 0.6 sine "$f" fade q 0.05 0.6 0.25 vol 0.25
    parts+=("$work/note$i.wav"); i=$((i + 1))
  done
  sox -R -D -n -r 8000 -c 1 -b 16 "$work/rest.wav" trim 0 0.8
  sox -R "${parts[@]}" "$work/rest.wav" -D -r 8000 -c 1 -b 16 "$1"
}

count=0
while IFS=$'\t' read -r name lang text; do
  is_selected "$name" || continue
  mkdir -p "$out_dir/$lang"
  out="$out_dir/$lang/$name.wav"
  if [ "$text" = "-" ]; then
    hold_music "$out"
  else
    # Mandarin uses espeak-ng's cmn language in its "latin as pinyin" variant: the plain
    # `-v cmn` voice of espeak-ng 1.51 speaks its own pinyin tone digits in English
    # (你好 → "ni three hao three"); cmn-latn-pinyin reads the same text as Mandarin.
    voice=en; [ "$lang" = zh ] && voice=cmn-latn-pinyin
    # Prompts written in English (english-press-2) are spoken by the English voice in both files.
    if [ "$lang" = zh ] && ! printf '%s' "$text" | grep -qP '[^\x00-\x7F]'; then voice=en; fi
    espeak-ng -v "$voice" -s 165 -w "$work/raw.wav" -- "$text"
    # Leading and trailing silence trimmed, so that concatenated number pieces flow.
    sox "$work/raw.wav" -D -r 8000 -c 1 -b 16 -e signed-integer "$out" \
      silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.1 gain -n -3
  fi
  count=$((count + 1))
done < <(pnpm exec tsx scripts/list-prompts.ts)
echo "wrote $count prompt files under $out_dir/" >&2
