import Foundation

/// A real nginx (Debian's `nginx` package) on an ephemeral loopback port with TLS, client
/// certificate verification and WebDAV `PUT MOVE DELETE`, for HTTPS transport tests.
///
/// Serves `www/inbox/` (uploads), `www/outbox/` (JSON autoindex, fetch, delete, move) and
/// `www/processed/`. Its certificates come from a throwaway test CA made with the `openssl` CLI.
/// Call ``stop()`` in a `defer`.
public final class NginxServer: @unchecked Sendable {
    /// Keys, certificates, config, logs and `www/`.
    public let folder: TransportTestFolder
    /// TCP port on 127.0.0.1.
    public let port: Int
    /// The CA that issued the server and client certificates (trust it with `ca_file`).
    public let caCertificatePath: String
    /// A client certificate nginx accepts, and its key (mode 600).
    public let clientCertificatePath: String
    public let clientKeyPath: String
    /// The served folders on disk.
    public let inbox: String
    public let outbox: String
    public let processed: String
    /// The server process id.
    public let pid: Int32
    private let lock = NSLock()
    private var stopped = false

    /// Where the nginx binary is.
    public static let nginxPath = "/usr/sbin/nginx"

    /// Whether nginx and openssl are installed.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: nginxPath) && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    /// `https://127.0.0.1:PORT/FOLDER/`.
    public func url(_ folderName: String) -> String { "https://127.0.0.1:\(port)/\(folderName)/" }

    /// Creates the CA and certificates and starts nginx.
    public static func start(label: String = "nginx") throws -> NginxServer {
        let folder = try TransportTestFolder(label)
        do {
            return try start(in: folder)
        } catch {
            folder.remove()
            throw error
        }
    }

    private static func start(in folder: TransportTestFolder) throws -> NginxServer {
        let ca = try makeCA(in: folder, name: "ca")
        let server = try makeCertificate(in: folder, name: "server", commonName: "127.0.0.1", ca: ca, serverAltNames: "IP:127.0.0.1,DNS:localhost")
        let client = try makeCertificate(in: folder, name: "client", commonName: "arlink-test-client", ca: ca, serverAltNames: nil)
        for sub in ["www/inbox", "www/outbox", "www/processed", "temp"] { try folder.makeFolder(sub) }
        var lastError = ""
        for _ in 0..<5 {
            let port = try TransportProcess.freePort()
            let config = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid \(folder.appending("nginx.pid"));
                error_log \(folder.appending("error.log")) info;
                events { worker_connections 64; }
                http {
                    access_log \(folder.appending("access.log"));
                    client_body_temp_path \(folder.appending("temp"))/body;
                    proxy_temp_path \(folder.appending("temp"))/proxy;
                    fastcgi_temp_path \(folder.appending("temp"))/fastcgi;
                    uwsgi_temp_path \(folder.appending("temp"))/uwsgi;
                    scgi_temp_path \(folder.appending("temp"))/scgi;
                    client_max_body_size 0;
                    server {
                        listen 127.0.0.1:\(port) ssl;
                        ssl_certificate \(server.certificate);
                        ssl_certificate_key \(server.key);
                        ssl_client_certificate \(ca.certificate);
                        ssl_verify_client on;
                        root \(folder.appending("www"));
                        location /inbox/ { dav_methods PUT MOVE DELETE; dav_access user:rw group:r all:r; }
                        location /outbox/ { autoindex on; autoindex_format json; dav_methods MOVE DELETE; }
                        location /processed/ { dav_methods PUT MOVE DELETE; }
                    }
                }

                """
            let configPath = try folder.write("nginx.conf", text: config, mode: 0o600)
            let pid = try TransportProcess.spawnServer(nginxPath, ["-p", folder.path, "-e", folder.appending("error.log"), "-c", configPath], logPath: folder.appending("stderr.log"))
            if TransportProcess.waitUntilListening(port, pid: pid) {
                return NginxServer(folder: folder, port: port, ca: ca.certificate, client: client, pid: pid)
            }
            TransportProcess.stopServer(pid, signal: SIGKILL)
            lastError = ((try? String(contentsOfFile: folder.appending("error.log"), encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: folder.appending("stderr.log"), encoding: .utf8)) ?? "")
        }
        throw TransportTestError("nginx did not start: \(lastError)")
    }

    private init(folder: TransportTestFolder, port: Int, ca: String, client: (certificate: String, key: String), pid: Int32) {
        self.folder = folder
        self.port = port
        caCertificatePath = ca
        clientCertificatePath = client.certificate
        clientKeyPath = client.key
        inbox = folder.appending("www/inbox")
        outbox = folder.appending("www/outbox")
        processed = folder.appending("www/processed")
        self.pid = pid
    }

    /// A self-signed P-256 CA made with `openssl req -x509`.
    public static func makeCA(in folder: TransportTestFolder, name: String) throws -> (certificate: String, key: String) {
        let key = folder.appending("\(name).key")
        let certificate = folder.appending("\(name).crt")
        try TransportProcess.check("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "2", "-subj", "/CN=arlink test CA \(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        chmod(key, 0o600)
        return (certificate, key)
    }

    /// A P-256 certificate issued by `ca` (server certificate when `serverAltNames` is given, client otherwise).
    public static func makeCertificate(in folder: TransportTestFolder, name: String, commonName: String, ca: (certificate: String, key: String), serverAltNames: String?) throws -> (certificate: String, key: String) {
        let key = folder.appending("\(name).key")
        let request = folder.appending("\(name).csr")
        let certificate = folder.appending("\(name).crt")
        let extensions = serverAltNames.map { "subjectAltName=\($0)\nextendedKeyUsage=serverAuth\n" } ?? "extendedKeyUsage=clientAuth\n"
        let extensionsPath = try folder.write("\(name).ext", text: extensions)
        try TransportProcess.check("/usr/bin/openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=\(commonName)"])
        try TransportProcess.check("/usr/bin/openssl", ["x509", "-req", "-in", request, "-CA", ca.certificate, "-CAkey", ca.key, "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", extensionsPath])
        chmod(key, 0o600)
        return (certificate, key)
    }

    /// Stops nginx and removes its folder.
    public func stop() {
        lock.lock()
        if !stopped {
            stopped = true
            TransportProcess.stopServer(pid)
        }
        lock.unlock()
        folder.remove()
    }
}
