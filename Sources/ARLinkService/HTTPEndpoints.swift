import ARLinkConfig
public import Foundation
public import Hummingbird
import NIOCore

/// The HTTP side of `arlink serve` (Hummingbird): `/healthz`, `/readyz`, `/metrics`, `/status`.
public enum HTTPEndpoints {
    /// The router. With an auth token, `/metrics` and `/status` need `Authorization: Bearer TOKEN`;
    /// `/healthz` and `/readyz` say nothing but "alive" and "ready" and stay open to probes.
    public static func router(state: ServiceState, metrics: ServiceMetrics, token: [UInt8]?) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in
            text("ok\n")
        }
        router.get("/readyz") { _, _ in
            if state.isShuttingDown { return text("not ready: shutting down\n", status: .serviceUnavailable) }
            let config = state.config
            guard FileManager.default.isReadableFile(atPath: config.stateDatabasePath) else {
                return text("not ready: the state database \(config.stateDatabasePath) cannot be read\n", status: .serviceUnavailable)
            }
            return text("ready\n")
        }
        router.get("/metrics") { request, _ in
            guard authorised(request, token: token) else { return unauthorised() }
            return text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/status") { request, _ in
            guard authorised(request, token: token) else { return unauthorised() }
            return text(state.statusJSON + "\n", contentType: "application/json")
        }
        return router
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func unauthorised() -> Response {
        var response = text("a bearer token is required (Authorization: Bearer ...)\n", status: .unauthorized)
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    /// Compares the bearer token in constant time.
    static func authorised(_ request: Request, token: [UInt8]?) -> Bool {
        guard let token else { return true }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7))
        guard given.count == token.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, token) { difference |= a ^ b }
        return difference == 0
    }
}
