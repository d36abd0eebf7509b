// Transitional: `Timestamp` moved to ARLinkSystem; the pipelines that call it through this
// module see it here until they import ARLinkSystem themselves.
@_exported public import ARLinkSystem
