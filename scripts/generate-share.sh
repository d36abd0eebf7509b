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
# The plugin builds the tool the first time, in debug like arlink (its default, release, would
# build all of arlink again with optimisation: minutes); later runs call the built tool directly.
tool=$(find .build -path '*/debug/generate-manual-tool' -type f 2>/dev/null | head -n 1)
if [ -n "$tool" ]; then
  "$tool" "$bin" --authors "the arlink authors" -o share/man/man1
else
  swift package --allow-writing-to-directory share/man/man1 generate-manual --product arlink --configuration debug \
    --authors "the arlink authors" --output-directory share/man/man1
fi
echo "share/ regenerated"
