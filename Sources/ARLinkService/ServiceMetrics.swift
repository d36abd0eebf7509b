public import ARLinkConfig
import CoreMetrics
public import Foundation
import Metrics
public import Prometheus

/// The service's metrics, through swift-metrics with the swift-prometheus backend. The
/// registry is this service's own (no global bootstrap), and `/metrics` renders it.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["arlink_job_duration_seconds"] = [
            .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(4 * 3600),
        ]
        self.factory = factory
        Gauge(label: "arlink_leader", factory: factory).record(1)
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String { registry.emitToString() }

    func jobRan(job: String, partner: String, outcome: String, duration: Duration) {
        Counter(label: "arlink_job_runs_total", dimensions: [("job", job), ("partner", partner), ("outcome", outcome)], factory: factory).increment()
        let (seconds, attoseconds) = duration.components
        Metrics.Timer(label: "arlink_job_duration_seconds", dimensions: [("job", job)], factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func jobSucceeded(job: String, partner: String, at time: Date) {
        Gauge(label: "arlink_job_last_success_timestamp_seconds", dimensions: [("job", job), ("partner", partner)], factory: factory)
            .record(time.timeIntervalSince1970.rounded(.down))
    }

    func files(direction: String, partner: String, outcome: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "arlink_files_total", dimensions: [("direction", direction), ("partner", partner), ("outcome", outcome)], factory: factory)
            .increment(by: Int64(count))
    }

    func events(partner: String, type: String, outcome: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "arlink_events_total", dimensions: [("partner", partner), ("type", type), ("outcome", outcome)], factory: factory)
            .increment(by: Int64(count))
    }

    func skipped(job: String, count: Int) {
        Counter(label: "arlink_schedule_skipped_total", dimensions: [("job", job)], factory: factory).increment(by: Int64(count))
    }

    func reloadFailed() {
        Counter(label: "arlink_config_reload_failures_total", factory: factory).increment()
    }

    func reloaded() {
        Counter(label: "arlink_config_reloads_total", factory: factory).increment()
    }

    func alertSent(kind: String, outcome: String) {
        Counter(label: "arlink_alerts_total", dimensions: [("receiver", kind), ("outcome", outcome)], factory: factory).increment()
    }

    /// Gauges from the newest status: quarantined, held and parked files, certificate expiries.
    func record(_ status: StatusReport) {
        for partner in status.partners {
            Gauge(label: "arlink_quarantined_files", dimensions: [("partner", partner.partner)], factory: factory).record(partner.quarantined.count)
            Gauge(label: "arlink_held_files", dimensions: [("partner", partner.partner)], factory: factory).record(partner.held.count)
            Gauge(label: "arlink_parked_jobs", dimensions: [("partner", partner.partner)], factory: factory).record(partner.parked.count)
        }
        for cert in status.certificates {
            guard let notAfter = cert.notAfter else { continue }
            Gauge(label: "arlink_certificate_expiry_timestamp_seconds", dimensions: [("use", cert.use), ("subject", cert.subject)], factory: factory)
                .record(notAfter.timeIntervalSince1970.rounded(.down))
        }
        Gauge(label: "arlink_audit_verified", factory: factory).record(status.auditProblem == nil ? 1 : 0)
    }
}
