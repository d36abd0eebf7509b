public import ARLinkConfig
public import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `arlink serve`: the HTTP endpoints, the scheduler and the reload handler in one
/// swift-service-lifecycle group. SIGTERM (or SIGINT) shuts down gracefully: the scheduler
/// first (it lets the current run finish), then the HTTP server. SIGHUP reloads.
public enum ARLinkServer {
    /// Runs until shut down.
    /// - Parameters:
    ///   - onListening: called with the bound port once the server listens (port 0 picks a free one).
    /// - Throws: when the server cannot bind, or the auth token file cannot be read.
    public static func run(config: ArlinkConfiguration, runner: any ScheduledJobRunner, logger: Logger,
                           statusInterval: Duration = .seconds(60), onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let settings = config.service ?? ServiceSettings(instance: ProcessInfo.processInfo.hostName)
        var token: [UInt8]?
        if let file = settings.authTokenFile { token = try AlertSender.readSecret(file) }
        let state = ServiceState(config: config)
        let metrics = ServiceMetrics()
        let scheduler = SchedulerService(state: state, metrics: metrics, runner: runner, logger: logger, statusInterval: statusInterval)
        let router = HTTPEndpoints.router(state: state, metrics: metrics, token: token)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.listenHost, port: settings.listenPort), serverName: "arlink"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.listenPort
                logger.notice("arlink serve: listening on \(settings.listenHost):\(port) (healthz, readyz, metrics, status)")
                onListening(port)
            },
            logger: logger
        )
        let reload = ReloadSignalService(state: state, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: app), .init(service: reload), .init(service: scheduler)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// Turns SIGHUP into a reload request that the scheduler performs between runs.
struct ReloadSignalService: Service {
    let state: ServiceState
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.notice("SIGHUP: reloading the configuration")
            state.requestReload()
        }
    }
}
