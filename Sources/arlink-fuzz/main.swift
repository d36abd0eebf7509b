// libFuzzer harness; see docs/fuzzing.md.
