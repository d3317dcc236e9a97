#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// One keep-alive HTTP/1.1 connection to a loopback port on a blocking socket: the load
/// generator's client.
///
/// Deliberately minimal: a request is written as pre-built bytes and the answer is read by
/// `Content-Length` (or chunked encoding) with no header objects built. URLSession on Linux goes
/// through libcurl and costs several times the server's own work per request on this 2-core
/// machine; a benchmark whose client competes with the server for the CPU measures the client.
final class HTTPConnection {
    /// An answer: the status and the body bytes.
    struct Answer {
        var status: Int
        var body: [UInt8]
    }

    /// Why a request got no answer.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let port: UInt16
    private var socket: Int32 = -1
    /// Bytes read past the previous answer (none in practice: requests are not pipelined).
    private var buffer: [UInt8] = []

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        self.port = UInt16(port)
        try connect()
    }

    deinit { if socket >= 0 { close(socket) } }

    /// Opens the socket, with `TCP_NODELAY` so small answers are not held back by Nagle.
    private func connect() throws {
        if socket >= 0 { close(socket) }
        buffer.removeAll(keepingCapacity: true)
        #if canImport(Glibc)
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                    Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard result == 0 else {
            close(fd)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
        socket = fd
    }

    /// Builds the bytes of one request; `Host` and `Content-Length` are added here.
    static func request(method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// Sends `request` and reads its answer. A connection the server closed (idle timeout) is
    /// reopened once before the request counts as failed.
    func send(_ request: [UInt8]) throws -> Answer {
        do {
            return try exchange(request)
        } catch {
            try connect()
            return try exchange(request)
        }
    }

    private func exchange(_ request: [UInt8]) throws -> Answer {
        try request.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = systemSend(socket, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
                offset += written
            }
        }
        // Status line and headers.
        var headerEnd: Int
        while true {
            if let end = Self.find(Self.crlfcrlf, in: buffer) {
                headerEnd = end
                break
            }
            try fill()
        }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.count >= 12, let status = Int(statusLine.dropFirst(9).prefix(3))
        else {
            throw Failure(description: "bad status line")
        }
        var length: Int?
        var chunked = false
        var closes = false
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") {
                length = Int(lower.dropFirst(15).trimmingCharacters(in: .whitespaces))
            }
            if lower.hasPrefix("transfer-encoding:"), lower.contains("chunked") { chunked = true }
            if lower.hasPrefix("connection:"), lower.contains("close") { closes = true }
        }
        var body: [UInt8] = []
        if chunked {
            while true {
                var lineEnd: Int
                while true {
                    if let end = Self.find(Self.crlf, in: buffer) {
                        lineEnd = end
                        break
                    }
                    try fill()
                }
                let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw Failure(description: "bad chunk size")
                }
                buffer.removeFirst(lineEnd + 2)
                while buffer.count < size + 2 { try fill() }
                body += buffer[0..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if let length, status != 304, status != 204 {
            while buffer.count < length { try fill() }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        if closes { try connect() }
        return Answer(status: status, body: body)
    }

    /// Reads whatever the socket has into the buffer.
    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress!, $0.count, 0) }
        guard count > 0 else { throw Failure(description: count == 0 ? "connection closed" : "recv: errno \(errno)") }
        buffer += chunk[0..<count]
    }

    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]
    private static let crlf: [UInt8] = [13, 10]

    /// The offset of the first occurrence of `needle` in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}

/// `send(2)` without SIGPIPE (a server that closed the connection is an error, not a signal).
private func systemSend(_ socket: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.send(socket, bytes, count, Int32(MSG_NOSIGNAL))
    #else
        Darwin.send(socket, bytes, count, 0)
    #endif
}
