import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 for the download tests.
///
/// It listens on an ephemeral port, answers `GET` requests from a fixed table of paths (404 for
/// anything else), one connection at a time, and closes each connection after answering. It
/// stops when ``stop()`` is called or, at the latest, after `lifetime` seconds.
final class LocalHTTPServer: @unchecked Sendable {
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    let port: UInt16
    private let listener: Int32
    private let routes: [String: Response]
    private let deadline: Date
    private let lock = NSLock()
    private var stopRequested = false
    private var paths: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    /// The server's root URL, `http://127.0.0.1:PORT/`.
    let baseURL: URL

    /// The paths requested so far, in order.
    var requestedPaths: [String] {
        lock.lock()
        defer { lock.unlock() }
        return paths
    }

    init(routes: [String: Response], lifetime: TimeInterval = 60) throws {
        self.routes = routes
        self.deadline = Date().addingTimeInterval(lifetime)
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerError("socket() failed: errno \(errno)") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw ServerError("bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw ServerError("getsockname failed: errno \(errno)")
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        guard let url = URL(string: "http://127.0.0.1:\(port)/") else { throw ServerError("bad URL") }
        baseURL = url
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then released), for "connection refused".
    static func closedPort() throws -> UInt16 {
        let server = try LocalHTTPServer(routes: [:], lifetime: 1)
        server.stop()
        return server.port
    }

    /// Stops accepting connections and waits (briefly) for the serving thread to end.
    func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        _ = finished.wait(timeout: .now() + 5)
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested || Date() > deadline
    }

    private func serve() {
        defer {
            close(listener)
            finished.signal()
        }
        while !shouldStop {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        // Read the request head (bounded in size and time).
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let headEnd: [UInt8] = Array("\r\n\r\n".utf8)
        let readDeadline = Date().addingTimeInterval(5)
        while request.count < 65536, Date() < readDeadline {
            if request.count >= 4, Array(request.suffix(4)) == headEnd { break }
            var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return }
            request += buffer[0 ..< n]
        }
        let firstLine = String(decoding: request.prefix { $0 != 0x0d && $0 != 0x0a }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2 else { return }
        let path = String(parts[1].split(separator: "?", maxSplits: 1).first ?? "")
        lock.lock()
        paths.append(path)
        lock.unlock()

        let response = (parts[0] == "GET" ? routes[path] : nil) ?? Response(status: 404, body: Array("not found".utf8))
        let reason = response.status == 200 ? "OK" : response.status == 404 ? "Not Found" : "Error"
        let head = "HTTP/1.1 \(response.status) \(reason)\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        sendAll(client, Array(head.utf8) + response.body)
    }

    private func sendAll(_ client: Int32, _ bytes: [UInt8]) {
        var sent = 0
        let sendDeadline = Date().addingTimeInterval(10)
        while sent < bytes.count, Date() < sendDeadline {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                #if os(Linux)
                return send(client, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                #else
                var on: Int32 = 1
                setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
                return send(client, base + sent, raw.count - sent, 0)
                #endif
            }
            if n <= 0 { return }
            sent += n
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
