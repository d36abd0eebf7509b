#!/usr/bin/env bash
# Regenerates share/ from arlink's argument parser: shell completions (bash, zsh, fish) and
# the man page (swift-argument-parser's generate-manual plugin). Run after adding or changing
# a command or an option; a test compares the committed completions with the built arlink.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product arlink
bin=.build/debug/arlink
mkdir -p share/bash-completion/completions share/zsh/site-functions share/fish/vendor_completions.d share/man/man1
"$bin" --generate-completion-script bash > share/bash-completion/completions/arlink
"$bin" --generate-completion-script zsh > share/zsh/site-functions/_arlink
"$bin" --generate-completion-script fish > share/fish/vendor_completions.d/arlink.fish
# The man page: swift-argument-parser's generate-manual tool over the debug arlink built above.
# The tool comes with the package's generate-manual plugin: the first time, the plugin builds it
# (in debug, like arlink: its default, release, would build all of arlink again with
# optimisation, minutes) and writes pages for every executable into a scratch folder; then the
# tool is called directly for arlink.
find_tool() { find .build -path '*/debug/generate-manual-tool' -type f 2>/dev/null | head -n 1; }
tool=$(find_tool)
if [ -z "$tool" ]; then
  scratch=$(mktemp -d)
  swift package --allow-writing-to-directory "$scratch" generate-manual --configuration debug \
    --authors "the arlink authors" --output-directory "$scratch" >/dev/null
  rm -rf "$scratch"
  tool=$(find_tool)
  [ -n "$tool" ] || { echo "generate-share: the generate-manual plugin built no generate-manual-tool" >&2; exit 70; }
fi
"$tool" "$bin" --authors "the arlink authors" -o share/man/man1
echo "share/ regenerated"
