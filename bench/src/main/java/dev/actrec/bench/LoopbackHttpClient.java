package dev.actrec.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A benchmark client's connection: one blocking keep-alive HTTP/1.1 socket, used by one thread. The JDK's
 * {@code HttpClient} hands every exchange to its selector and executor threads; on a 2-core machine that shares its
 * cores with the server, those hand-offs were a visible part of the measured tail. This client writes the request
 * and reads the response on the calling thread and nothing else, so the figures are the server's.
 *
 * <p>It understands exactly what the server sends: a status line, headers with {@code Content-Length} (the server
 * never chunks its JSON answers), and a body.
 */
final class LoopbackHttpClient implements AutoCloseable {
    /** A response: status and body text. */
    record Response(int status, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String hostHeader;
    private final String authorization;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LoopbackHttpClient(String host, int port, String token) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
        hostHeader = host + ":" + port;
        authorization = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
    }

    Response get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n" + authorization + "\r\n", null);
    }

    Response post(String path, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return exchange("POST " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n" + authorization
                + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n", b);
    }

    private Response exchange(String head, byte[] body) throws IOException {
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        if (body == null) {
            out.write(h);
        } else {
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            out.write(all);
        }
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) throw new IOException("bad status line '" + status + "'");
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean chunked = false;
        for (String l; !(l = readLine()).isEmpty(); ) {
            int colon = l.indexOf(':');
            if (colon < 0) continue;
            String name = l.substring(0, colon);
            String value = l.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("content-length")) length = Integer.parseInt(value);
            if (name.equalsIgnoreCase("transfer-encoding")) chunked = value.equalsIgnoreCase("chunked");
        }
        if (chunked) return new Response(code, readChunks());
        if (length < 0) throw new IOException("response without a length to " + head.lines().findFirst().orElse(""));
        return new Response(code, new String(readExactly(length), StandardCharsets.UTF_8));
    }

    private String readChunks() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size; (size = Integer.parseInt(readLine().split(";", 2)[0].strip(), 16)) > 0; ) {
            body.write(readExactly(size));
            readLine(); // the CRLF after each chunk
        }
        while (!readLine().isEmpty()) {
            // trailers, if any
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new IOException("connection closed in a response body");
        return b;
    }

    private String readLine() throws IOException {
        line.reset();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed by the server");
            if (c != '\r') line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
