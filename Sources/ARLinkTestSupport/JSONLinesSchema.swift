/// Validates JSON Lines files against arlink's schemas with an independent validator: Python's
/// `jsonschema` (Draft 2020-12), one record per line.
public enum JSONLinesSchema {
    static let validator = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        v = Draft202012Validator(schema)
        bad = 0
        for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
            errors = list(v.iter_errors(json.loads(line)))
            if errors:
                bad += 1
                print(f"line {n}: {errors[0].message[:300]}")
        sys.exit(1 if bad else 0)
        """

    /// Checks every line of `file` against `schemas/<schema>`.
    /// - Returns: the validator's result: status 0 when every line is valid, otherwise the first
    ///   error of each bad line on standard output.
    public static func validate(schema: String, file: String) throws -> ProcessResult {
        try ProcessRunner.run("python3", ["-c", validator, RepositoryPaths.schemas + "/" + schema, file])
    }
}
