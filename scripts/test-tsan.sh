#!/usr/bin/env bash
# Runs the concurrency-heavy suites under ThreadSanitizer: the code that hands work to threads
# of its own (parallel extract reading, the feedback reader's prefetch thread, the ERP export
# stage, the seal pipeline's digest and chunk threads, atomic writers, the outbound and inbound
# jobs that drive them). Builds into its own folder (.build-tsan) so the ordinary build is left
# alone. A data race makes the suite fail (TSAN_OPTIONS halt_on_error=1).
#
# Usage: scripts/test-tsan.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

suites=(
  ParallelReadTests          # ARLinkFormats: ParallelPass reads an extract on several threads
  AtomicTextFileTests        # ARLinkFormats: background fsync of ERP files
  FeedbackFastPathTests      # ARLinkFormats: the feedback reader
  StagingTests               # ARLinkInbound: PrefetchingEvents' reading thread, staged exports
  InboundJobTests            # ARLinkInbound: the whole pass (reader, writer, export threads)
  OutboundJobTests           # ARLinkOutbound: build, seal and deliver with pipelined digests
  AuditLogTests              # ARLinkAudit: Merkle tree and checkpoints
)
filter=$(IFS='|'; echo "${suites[*]}")

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
started=$(date +%s)
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter "$filter" "$@"
echo "test-tsan: ${#suites[@]} suites clean under ThreadSanitizer in $(( $(date +%s) - started )) s"
