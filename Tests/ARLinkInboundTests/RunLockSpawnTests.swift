import ARLinkJobs
import ARLinkTestSupport
import Foundation
import Testing

/// The run lock of an ended run must not be taken for a live one while another thread of the
/// same process spawns a child (`openssl` in the tests): the child holds a copy of every
/// descriptor, the lock's included, from its spawn until it executes its program.
@Suite("The run lock and spawned child processes", .timeLimit(.minutes(10)))
struct RunLockSpawnTests {
    /// A flag the spawning thread polls, and a signal when it has stopped.
    final class Spawner: @unchecked Sendable {
        private let lock = NSLock()
        private var stopping = false
        private let stopped = DispatchSemaphore(value: 0)

        func start() {
            let thread = Thread { [self] in
                while !isStopping { _ = try? ProcessRunner.run("/bin/true", []) }
                stopped.signal()
            }
            thread.start()
        }

        private var isStopping: Bool {
            lock.lock()
            defer { lock.unlock() }
            return stopping
        }

        func stop() {
            lock.lock()
            stopping = true
            lock.unlock()
            stopped.wait()
        }
    }

    @Test("run contexts opened one after another while children are spawned are never refused as busy")
    func noBusyFromSpawnedChildren() throws {
        let f = try InboundFixture()
        _ = try f.context()
        let spawner = Spawner()
        spawner.start()
        var busy = 0
        for _ in 0..<200 {
            do {
                _ = try f.context()  // taken and released again at once
            } catch let error as JobError where error.code == .busy {
                busy += 1
            }
        }
        spawner.stop()
        #expect(busy == 0, "\(busy) of 200 run contexts were refused as busy")
    }
}
