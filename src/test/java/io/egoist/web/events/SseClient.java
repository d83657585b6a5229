package io.egoist.web.events;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A test client for a server-sent event stream over a real HTTP connection: parses events into a queue. */
public final class SseClient implements AutoCloseable {
    /** One event: its type and its data line. */
    public record Event(String type, String data) {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private final Thread reader;
    private volatile Stream<String> lines;
    public final int status;
    public final String contentType;

    public SseClient(String url) throws Exception {
        HttpResponse<Stream<String>> r = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        status = r.statusCode();
        contentType = r.headers().firstValue("content-type").orElse("");
        lines = r.body();
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        String type = "message";
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) events.add(new Event(type, data.toString()));
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (RuntimeException closed) {
            // the stream ended
        }
        events.add(new Event("end", ""));
    }

    /** The next event, waiting up to 10 s; fails the test when none comes. */
    public Event next() throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        if (e == null) throw new AssertionError("no event within 10 s");
        return e;
    }

    /** The next event of one of these types, skipping others. */
    public Event next(String... types) throws InterruptedException {
        while (true) {
            Event e = next();
            for (String t : types) if (t.equals(e.type())) return e;
            if (e.type().equals("end"))
                throw new AssertionError("stream ended while waiting for " + String.join("/", types));
        }
    }

    @Override
    public void close() {
        Stream<String> l = lines;
        if (l != null) l.close();
        reader.interrupt();
    }
}
