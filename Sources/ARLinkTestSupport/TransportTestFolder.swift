import Foundation

/// A private temporary folder for one test, removed by ``remove()`` (call it in a `defer`).
public struct TransportTestFolder: Sendable {
    /// Absolute path of the folder.
    public let path: String

    /// Creates `/tmp/arlink-<label>-XXXXXX` with mode 700.
    public init(_ label: String) throws {
        var template = Array("/tmp/arlink-\(label)-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TransportTestError("mkdtemp failed: errno \(errno)")
        }
        path = String(cString: created)
    }

    /// `path/name`.
    public func appending(_ name: String) -> String { path + "/" + name }

    /// Creates a subfolder and returns its path.
    @discardableResult
    public func makeFolder(_ name: String, mode: Int = 0o755) throws -> String {
        let sub = appending(name)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        return sub
    }

    /// Writes `bytes` to `path/name` and returns the path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8], mode: Int = 0o644) throws -> String {
        let file = appending(name)
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: mode]) else {
            throw TransportTestError("cannot create \(file)")
        }
        return file
    }

    /// Writes text (UTF-8).
    @discardableResult
    public func write(_ name: String, text: String, mode: Int = 0o644) throws -> String {
        try write(name, Array(text.utf8), mode: mode)
    }

    /// Removes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Reads a whole file (tests only).
public func transportTestRead(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

/// Names in a folder, sorted (tests only); raw bytes are decoded lossily.
public func transportTestListing(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// A failure of the test support itself (a server that would not start, a tool missing).
public struct TransportTestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
