import ARLinkTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server on loopback (Python's aiosmtpd) that requires STARTTLS with a
/// certificate made by the openssl CLI, and writes each message it accepts as a JSON line.
final class SMTPReceiver {
    let process: Process
    let logPath: String
    let certificatePath: String
    private(set) var port = 0

    static var available: Bool {
        ((try? ProcessRunner.run("python3", ["-c", "import aiosmtpd"]))?.status ?? 1) == 0
    }

    init(folder: TemporaryDirectory) throws {
        logPath = folder.file("smtp.jsonl")
        certificatePath = folder.file("smtp-cert.pem")
        let key = folder.file("smtp-key.pem")
        let made = try ProcessRunner.run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                     "-keyout", key, "-out", certificatePath, "-days", "2", "-subj", "/CN=localhost",
                                                     "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        guard made.status == 0 else { throw ServeError("openssl could not make the SMTP certificate: \(made.stderr)") }
        let script = """
            import asyncio, json, socket, ssl, sys, threading
            from aiosmtpd.controller import Controller
            log, cert, key = sys.argv[1:4]
            class Handler:
                async def handle_DATA(self, server, session, envelope):
                    with open(log, 'a') as f:
                        f.write(json.dumps({'from': envelope.mail_from, 'to': envelope.rcpt_tos,
                                            'data': envelope.content.decode('utf-8', 'replace')}) + '\\n')
                    return '250 OK'
            s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            controller = Controller(Handler(), hostname='127.0.0.1', port=port, tls_context=context, require_starttls=True)
            controller.start()
            print(port, flush=True)
            threading.Event().wait()  # not time.sleep: libfaketime fails its clock_nanosleep with EINVAL
            """
        let out = folder.file("smtp.port")
        FileManager.default.createFile(atPath: out, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, logPath, certificatePath, key]
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: folder.file("smtp.err"))
        try process.run()
        let read = { Int(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard ServeProcess.eventually(timeout: 30, { read() != nil }), let port = read() else {
            kill(process.processIdentifier, SIGKILL)
            throw ServeError("the SMTP server did not start: \((try? String(contentsOfFile: folder.file("smtp.err"), encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    var messages: [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    deinit {
        // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
        if process.isRunning { kill(process.processIdentifier, SIGKILL); Wait.forExit(process, timeout: .seconds(30)) }
    }
}
